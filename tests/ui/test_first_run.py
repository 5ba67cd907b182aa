"""The first-run dialog: accent-free type-ahead, role choice, database creation."""

from __future__ import annotations

import datetime as dt
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


TODAY = dt.date(2026, 12, 3)
OLD_PHUC_CHU = "Xã Phúc Chu — huyện Định Hóa, tỉnh Thái Nguyên (đơn vị cũ, chỉ có hiệu lực đến 30/06/2025)"


def make_dialog(qtbot: QtBot, target: Path, *, former: bool = False) -> FirstRunDialog:
    dialog = FirstRunDialog(target, paths.catalog_dir(), None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    if former:
        qtbot.mouseClick(
            dialog.show_former, Qt.MouseButton.LeftButton, pos=dialog.show_former.rect().center()
        )
        assert dialog.show_former.isChecked()
    return dialog


def test_by_default_only_units_valid_today(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    assert not dialog.show_former.isChecked()
    type_text(dialog.search, "dinh hoa")
    rows = _visible_rows(dialog)
    assert "Xã Định Hóa — tỉnh Thái Nguyên" in rows  # the commune of today, named with its province
    assert not any(r.startswith("Huyện") for r in rows)  # districts are gone since 1/7/2025
    assert not any("đơn vị cũ" in r for r in rows)
    model = dialog.units.model()
    assert model.rowCount() == len(rows) > 0
    # Every unit of the whole list is valid today (no typing: the whole country).
    dialog.search.clear()
    every = [model.unit_at(r) for r in range(model.rowCount())]
    assert len(every) > 3000
    assert all(u.valid_on(TODAY) for u in every)
    assert {"DH-PHUCCHU", "DH", "BK"}.isdisjoint(u.code for u in every)


def test_former_units_on_request_say_until_when(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    type_text(dialog.search, "phuc chu")
    assert _visible_rows(dialog) == []
    assert not dialog.create_button.isEnabled()
    qtbot.mouseClick(dialog.show_former, Qt.MouseButton.LeftButton, pos=dialog.show_former.rect().center())
    assert _visible_rows(dialog) == [OLD_PHUC_CHU]
    assert dialog.selected_code() == "DH-PHUCCHU"
    dialog.search.clear()
    type_text(dialog.search, "bao cuong")
    assert _visible_rows(dialog) == [
        "Xã Bảo Cường — huyện Định Hóa, tỉnh Thái Nguyên (đơn vị cũ, chỉ có hiệu lực đến 30/11/2024)"
    ]


def test_typing_without_accents_finds_dinh_hoa_then_and_now(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3", former=True)
    dialog.province.setCurrentText("Thái Nguyên")
    type_text(dialog.search, "dinh hoa")
    rows = _visible_rows(dialog)
    assert rows[0] == "Xã Định Hóa — tỉnh Thái Nguyên"  # today's unit first
    assert "Huyện Định Hóa — tỉnh Thái Nguyên (đơn vị cũ, chỉ có hiệu lực đến 30/06/2025)" in rows
    assert not any("Phúc Chu" in r for r in rows)  # the district's communes are not its name
    assert dialog.selected_code() == "TN-DINHHOA"


def test_province_picker_narrows_the_list(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3")
    assert dialog.province.count() == 35  # the whole country and the 34 provinces
    dialog.province.setCurrentText("Thái Nguyên")
    rows = _visible_rows(dialog)
    assert rows[0] == "Tỉnh Thái Nguyên"
    assert len(rows) == 93  # the province and its 92 communes and wards
    assert all(r == "Tỉnh Thái Nguyên" or r.endswith("— tỉnh Thái Nguyên") for r in rows)


def test_typing_vietnamese_with_accents_works_too(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path / "db.sqlite3", former=True)
    type_text(dialog.search, "Phúc Chu")
    assert _visible_rows(dialog) == [OLD_PHUC_CHU]
    assert dialog.selected_code() == "DH-PHUCCHU"
    assert dialog.selected_role() == "reporting"  # a commune reports by default


def test_keyboard_only_creates_database_for_commune_of_today(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "data" / "danvan.sqlite3"
    dialog = make_dialog(qtbot, target)
    dialog.province.setCurrentText("Thái Nguyên")  # four communes of Vietnam are called Định Hóa/Hòa
    type_text(dialog.search, "xa dinh hoa")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=15000)
    db = open_database(target)
    with db.session() as session:
        info = load_installation(session)
    db.close()
    assert (info.office_code, info.role) == ("TN-DINHHOA", "reporting")


def test_keyboard_only_creates_database_for_former_commune(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "data" / "danvan.sqlite3"
    dialog = make_dialog(qtbot, target, former=True)
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
    dialog = make_dialog(qtbot, target, former=True)
    dialog.province.setCurrentText("Thái Nguyên")
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
    type_text(dialog.search, "dinh hoa")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.findChild(QDialog, "userErrorBox") is not None, timeout=15000)
    box = dialog.findChild(QDialog, "userErrorBox")
    assert "Không ghi được" in box.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.search.isEnabled()  # the form is usable again after the failure
    assert blocker.read_text(encoding="utf-8") == "x"
