"""The main window: dated unit tree per period, filter, status bar, screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog, QLabel, QMenu
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.services.office.settings import get_setting
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.unit_models import UNIT_CODE_ROLE
from tests.ui.keyboard import type_text


def _tree_texts(window: MainWindow) -> list[str]:
    model = window.tree.model()
    texts: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            texts.append(str(index.data()))
            walk(index)

    walk(QModelIndex())
    return texts


def _select_period(window: MainWindow, code: str) -> None:
    window.period_box.setCurrentIndex(window.period_box.findData(code))


def open_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.db_status.text() == "Đang mở cơ sở dữ liệu…"  # shown before the data is there
    assert not window.period_box.isEnabled()
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=2026))
    return window


def test_opens_on_saved_period_with_district_tree(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    window = open_window(qtbot, demo_db)
    assert window.windowTitle() == "Dân Vận Desktop — Huyện Định Hóa"
    assert window.current_period().code == "2023"
    root = window.tree.model().index(0, 0)
    assert root.data() == "Huyện Định Hóa"
    assert window.tree.model().rowCount(root) == 23  # thị trấn Chợ Chu and 22 xã
    assert window.tree.model().index(0, 0, root).data() == "Thị trấn Chợ Chu"
    texts = _tree_texts(window)
    assert sum(t.startswith(("Xóm ", "Tổ dân phố ")) for t in texts) == 228
    assert str(demo_db.path) in window.db_status.text()
    assert "Huyện Định Hóa (đơn vị tổng hợp)" in window.office_status.text()
    shot = tmp_path / "main_window.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_period_after_reform_shows_that_the_district_ended(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    _select_period(window, "2026")
    texts = _tree_texts(window)
    assert texts == [
        "Huyện Định Hóa chỉ có hiệu lực đến 30/06/2025, "
        "không nhận số liệu kỳ «Năm 2026» (01/01/2026–31/12/2026)."
    ]
    assert window.selected_unit_code() is None
    with demo_db.session() as session:
        assert get_setting(session, "ui.period") == "2026"  # remembered for the next start


def test_commune_office_sees_its_villages(qtbot: QtBot, commune_db: Database) -> None:
    window = open_window(qtbot, commune_db)
    # Nothing saved yet, and Phúc Chu ended on 30/06/2025: its last half-year, not the current year.
    assert window.current_period().code == "2025-H1"
    _select_period(window, "2023")
    root = window.tree.model().index(0, 0)
    assert root.data() == "Xã Phúc Chu"
    assert window.office_status.text() == "Đơn vị: Xã Phúc Chu (đơn vị báo cáo)"


def test_filter_without_accents_keeps_parents_and_selection_updates_heading(
    qtbot: QtBot, demo_db: Database
) -> None:
    window = open_window(qtbot, demo_db)
    type_text(window.unit_filter, "lang hoen")
    texts = _tree_texts(window)
    assert texts == ["Huyện Định Hóa", "Xã Phúc Chu", "Xóm Làng Hoèn"]
    model = window.tree.model()
    village = model.index(0, 0, model.index(0, 0, model.index(0, 0)))
    window.tree.setCurrentIndex(village)
    assert village.data(UNIT_CODE_ROLE) == "DH-PHUCCHU-05"
    target = window.current_target()
    assert target is not None and (target.unit_label, target.period_label) == ("Xóm Làng Hoèn", "Năm 2023")
    _select_period(window, "2022-Q3")  # the selection survives a period change
    assert window.selected_unit_code() == "DH-PHUCCHU-05"
    target = window.current_target()
    assert target is not None and target.period_label == "Quý III/2022"


def test_new_periods_from_an_import_appear_in_the_selector(qtbot: QtBot, demo_db: Database) -> None:
    from danvan_desktop.services.office.periods import get_period

    window = open_window(qtbot, demo_db)
    assert window.period_box.findData("2024-M03") == -1
    with demo_db.transaction() as session:
        get_period(session, "2024-M03")  # as a merged package would create it
    window.refresh_after_import()
    assert window.period_box.findData("2024-M03") >= 0
    assert window.current_period().code == "2023"  # the selection stays


def test_restoring_a_backup_reopens_the_window_on_the_restored_data(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    from danvan_desktop.services.maintenance.backups import make_backup, restore_backup
    from danvan_desktop.services.office.periods import get_period

    window = open_window(qtbot, demo_db)
    path = demo_db.path
    backup = make_backup(path, tmp_path / "backups", "thu")
    with demo_db.transaction() as session:
        get_period(session, "2024-M03")  # a change made after the backup
    window._close_database()
    restore_backup(backup, path, tmp_path / "backups")
    window._reopen_database(path)
    assert window.db is not None and window.db is not demo_db
    assert window.period_box.findData("2024-M03") == -1  # the restored state
    assert window.period_box.count() == len(window.periods)
    assert window.tree.model().index(0, 0).data() == "Huyện Định Hóa"
    window.db.close()


def test_restore_dialog_waits_for_unsaved_changes_to_be_settled(
    qtbot: QtBot, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, demo_db)
    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "backupMenu")
    open_dialog = next(a for a in menu.actions() if a.text().startswith("Các bản sao lưu"))
    monkeypatch.setattr(window.form_area, "maybe_leave", lambda: False)  # the clerk chose "Hủy"
    open_dialog.trigger()
    assert not [w for w in window.findChildren(QDialog) if w.isVisible()]
    monkeypatch.setattr(window.form_area, "maybe_leave", lambda: True)
    open_dialog.trigger()
    shown = [w for w in window.findChildren(QDialog) if w.isVisible()]
    assert len(shown) == 1
    shown[0].close()


def test_menu_accelerators_are_unique(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    menus: dict[str, str] = {}
    for action in window.menuBar().actions():
        text = action.text()
        assert "&" in text, text
        menus[text.replace("&", "")] = text[text.index("&") + 1].lower()
    # Each menu opens with the first letter a Vietnamese user would press; Trợ giúp takes R (T is Tệp).
    expected = {
        "Tệp": "t",
        "Kỳ báo cáo": "k",
        "Gói dữ liệu": "g",
        "Báo cáo": "b",
        "Sao lưu": "s",
        "Trợ giúp": "r",
    }
    assert {name: menus.get(name) for name in expected} == expected
    # Labels in the window jump to their buddy with Alt+letter: none may steal a menu's letter.
    buddies = [label.text() for label in window.findChildren(QLabel) if label.buddy() is not None]
    assert buddies, "the period box has a buddy label"
    keys = list(menus.values()) + [text[text.index("&") + 1].lower() for text in buddies]
    assert len(keys) == len(set(keys)), keys


def test_the_window_shows_before_the_database_layer_is_imported(tmp_path: Path) -> None:
    # bench/startup.py measures the window on screen at ~2x a bare QMainWindow; importing SQLAlchemy,
    # Alembic or pydantic before it shows (a module-level import anywhere on that path) triples it.
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from danvan_desktop.db.instance_lock import InstanceLock\n"
        "from danvan_desktop.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "lock = InstanceLock(sys.argv[1]).acquire()\n"
        "window = MainWindow(None)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "heavy = {'sqlalchemy', 'alembic', 'pydantic', 'reportlab', 'openpyxl'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", probe, str(tmp_path / "db.sqlite3")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
