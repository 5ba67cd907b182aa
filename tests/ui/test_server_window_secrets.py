"""The main window on a shared server: its title, status bar, recent list and tooltips name the
server without the password kept in the connection file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.location import read_server_file, write_server_file
from danvan_desktop.ui.main_window import MainWindow
from tests.ui.test_main_window import open_window

pytestmark = pytest.mark.server_only
SECRET = "mat-khau-bi-mat"


def test_the_window_never_shows_the_servers_password(qtbot: QtBot, demo_path: Path) -> None:
    url = read_server_file(demo_path).url
    # A password even where the test server trusts 127.0.0.1: the file keeps it, the screen must not.
    write_server_file(demo_path, url.set(password=url.password or SECRET))
    password = read_server_file(demo_path).url.password
    assert password
    db = open_database(demo_path)
    window: MainWindow = open_window(qtbot, db)
    window.database_switcher.fill_recent_menu()
    shown = [window.windowTitle(), window.db_status.text(), window.statusBar().currentMessage()]
    shown += [a.text() + a.toolTip() + a.statusTip() for a in window.database_switcher.recent_menu.actions()]
    assert f"postgresql://{url.username}@" in window.db_status.text(), shown
    assert not [text for text in shown if password in text], shown
