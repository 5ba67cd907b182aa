"""Qt user interface: main window, dialogs, models and the background-worker helper."""
