"""Tệp → Dữ liệu minh họa: each entry opens its demo from the data folder (built first when missing)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from danvan_desktop.app import open_office
from danvan_desktop.db.engine import Database
from danvan_desktop.db.instance_lock import InstanceLock
from danvan_desktop.paths import user_paths
from danvan_desktop.ui.demo_menu import DemoMenu
from danvan_desktop.ui.main_window import MainWindow
from tests.ui.test_main_window import open_window

TIMEOUT = 60_000


@pytest.fixture
def window(qtbot: QtBot, commune_db: Database) -> Iterator[MainWindow]:
    window = open_window(qtbot, commune_db)
    window.database_switcher.adopt(
        InstanceLock(commune_db.path).acquire(), lambda path: open_office(path, user_paths())
    )
    yield window
    if window.db is not None:
        window.db.close()
    window.database_switcher.release()


def _put(template: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    shutil.copytree(template.parent / "keys", target.parent / "keys", dirs_exist_ok=True)


@pytest.mark.sqlite_only(reason="switches the window from one SQLite file to the demo files and their locks")
def test_the_file_menu_offers_both_demos_and_opens_them(
    qtbot: QtBot, window: MainWindow, demo_template: Path
) -> None:
    submenu = window.findChild(QMenu, "demoMenu")
    assert submenu is not None and submenu.title() == "Dữ liệu &minh họa"
    menu = window.findChild(DemoMenu)
    assert menu is not None
    assert [a.text() for a in submenu.actions()] == [
        "Mở dữ liệu mẫu cấp &huyện (Định Hóa, 2023)",
        "Mở dữ liệu mẫu cấp &tỉnh (Thái Nguyên, 2026)",
    ]
    user = user_paths()
    for action, path in (
        (menu.district_action, user.demo_database),
        (menu.province_action, user.province_demo_database),
    ):
        _put(demo_template, path)
        with qtbot.waitSignal(window.database_switcher.switched, timeout=TIMEOUT):
            action.trigger()
        assert window.db is not None and window.db.path == path
        assert window.windowTitle() == "Dân Vận Desktop — Huyện Định Hóa"
