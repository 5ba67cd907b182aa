"""The command line: argument parsing and one module per command group; the GUI is the default."""

from danvan_desktop.cli.main import main

__all__ = ["main"]
