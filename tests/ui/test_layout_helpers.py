"""Windows open within the screen they appear on, however large their preferred size."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.main_window import MainWindow


def test_a_preferred_size_larger_than_the_screen_is_cut_to_it(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    room = QApplication.primaryScreen().availableGeometry()
    resize_within_screen(widget, room.width() * 3, room.height() * 3)
    assert widget.width() <= room.width() and widget.height() <= room.height()
    resize_within_screen(widget, 300, 200)  # a small one is left as asked
    assert (widget.width(), widget.height()) == (300, 200)


def test_the_main_window_opens_within_a_small_screen(qtbot: QtBot) -> None:
    window = MainWindow(None)  # prefers 1100x720; the offscreen test screen is 800 pixels wide
    qtbot.addWidget(window)
    room = QApplication.primaryScreen().availableGeometry()
    assert room.width() < 1100
    assert window.width() <= room.width() and window.height() <= room.height()
