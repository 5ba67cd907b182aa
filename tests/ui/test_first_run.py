"""The first-run dialog: accent-free type-ahead, role choice, database creation."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.ui.first_run import FirstRunDialog
from tests.ui.keyboard import type_text


def _visible_rows(dialog: FirstRunDialog) -> list[str]:
    model = dialog.units.model()
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def make_dialog(qtbot: QtBot, target: Path) -> FirstRunDialog:
    dialog = FirstRunDialog(target, paths.catalog_dir(), None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_typing_without_accents_finds_dinh_hoa(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    type_text(dialog.search, "dinh hoa")
    rows = _visible_rows(dialog)
    assert any(r.startswith("Huyện Định Hóa") for r in rows)
    assert any(r.startswith("Xã Định Hóa") for r in rows)
    assert not any("Phúc Chu" in r for r in rows)


def test_typing_vietnamese_with_accents_works_too(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    type_text(dialog.search, "Phúc Chu")
    assert _visible_rows(dialog) == ["Xã Phúc Chu — huyện Định Hóa (đến 30/06/2025)"]
    assert dialog.selected_code() == "DH-PHUCCHU"
    assert dialog.selected_role() == "reporting"  # a commune reports by default


def test_keyboard_only_creates_database_for_commune(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "data" / "danvan.sqlite3"
    dialog = make_dialog(qtbot, target)
    type_text(dialog.search, "phuc chu")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=15000)
    db = open_database(target)
    with db.session() as session:
        info = load_installation(session)
    db.close()
    assert (info.office_code, info.role) == ("DH-PHUCCHU", "reporting")


def test_district_defaults_to_aggregating_and_role_can_be_changed(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "district.sqlite3"
    dialog = make_dialog(qtbot, target)
    type_text(dialog.search, "huyen dinh")
    assert dialog.selected_code() == "DH"
    assert dialog.selected_role() == "aggregating"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)  # arrows move through the list from the search box
    assert dialog.selected_code() == "DH"
    dialog.reporting.setChecked(True)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=15000)
    db = open_database(target)
    with db.session() as session:
        assert load_installation(session).role == "reporting"
    db.close()


def test_no_match_disables_create(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    type_text(dialog.search, "khong co don vi nay")
    assert _visible_rows(dialog) == []
    assert not dialog.create_button.isEnabled()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert not (tmp_path / "db.sqlite3").exists()


def test_failure_is_reported_and_nothing_is_written(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "danvan.sqlite3"  # its parent is a file: cannot be created
    dialog = make_dialog(qtbot, target)
    type_text(dialog.search, "phuc chu")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.findChild(QDialog, "userErrorBox") is not None, timeout=15000)
    box = dialog.findChild(QDialog, "userErrorBox")
    assert "Không ghi được" in box.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.search.isEnabled()  # the form is usable again after the failure
    assert blocker.read_text(encoding="utf-8") == "x"
