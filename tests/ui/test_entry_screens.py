"""Entering a return through the main window: aggregate pages, register dialogs, locks, guards."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record
from danvan_desktop.services.entry.spreadsheets import export_xlsx
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.unit_models import UNIT_CODE_ROLE
from tests.ui.keyboard import type_text


def open_on(qtbot: QtBot, db: Database, unit_code: str, form_id: str) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    window.attach(db, load_office_snapshot(db, current_year=2023))
    hits = window.tree_proxy.match(
        window.tree_proxy.index(0, 0), UNIT_CODE_ROLE, unit_code, 1, Qt.MatchFlag.MatchRecursive
    )
    window.tree.setCurrentIndex(hits[0])
    window.form_area.select_form(form_id)
    return window


def _records(db: Database, form_id: str) -> list[Record]:
    with db.session() as session:
        return list(session.scalars(select(Record).where(Record.form_id == form_id)))


def _type_into(page_editor: object, field_id: str, text: str) -> None:
    widget = page_editor.field_widget(field_id)  # type: ignore[attr-defined]
    target = widget.focus_widgets()[0]
    target.setFocus()
    type_text(target, text)


def test_aggregate_form_typed_and_saved_with_ctrl_s(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "ho_so_xa")
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    page.editor.field_widget("so_xom").set_value(6)
    page.editor.field_widget("so_nha_van_hoa").set_value(5)
    page.editor.field_widget("so_ho").set_value(612)
    page.editor.field_widget("so_nhan_khau").set_value(2410)
    page.editor.field_widget("mo_ta_dan_toc").set_value("Dân tộc Tày chiếm đa số")
    assert page.save()
    records = _records(demo_db, "ho_so_xa")
    assert len(records) == 1 and records[0].values["so_ho"] == 612
    assert records[0].values["ty_le_xom_co_nha_van_hoa"] is not None
    assert page.status.text().startswith("Đã lưu")


def test_rule_breaking_aggregate_is_not_saved(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "ho_so_xa")
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    for field_id, value in (("so_xom", 6), ("so_nha_van_hoa", 9), ("so_ho", 600), ("so_nhan_khau", 2000)):
        page.editor.field_widget(field_id).set_value(value)
    assert not page.save()
    assert "Chưa lưu" in page.status.text()
    assert page.editor.field_messages("so_nha_van_hoa") or page.editor.field_messages("so_xom")
    assert _records(demo_db, "ho_so_xa") == []


def test_register_record_added_edited_deleted_and_restored(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "mo_hinh_dan_van_kheo")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    dialog = page.add()
    assert dialog is not None
    editor = dialog.editor
    editor.field_widget("ten_mo_hinh").set_value("Dân vận khéo trong hiến đất làm đường")
    editor.field_widget("loai_mo_hinh").set_value("tap_the")
    editor.field_widget("linh_vuc").set_value("kinh_te")
    editor.field_widget("nam_dang_ky").set_value("2022")
    editor.field_widget("trang_thai").set_value("dang_ky")
    assert dialog.try_save(), dialog.summary.text()
    assert page.model is not None and page.model.rowCount() == 1
    page.search.setText("dan van kheo")
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    edit = page.edit_current()
    assert edit is not None
    edit.editor.field_widget("ten_mo_hinh").set_value("Dân vận khéo: hiến đất mở đường liên xóm")
    assert edit.try_save()
    assert len(_records(demo_db, "mo_hinh_dan_van_kheo")) == 1
    page.search.clear()
    page.table.selectRow(0)
    page.delete_current()
    assert page.model.rowCount() == 0
    page.show_deleted.setChecked(True)
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    page.restore_current()
    page.show_deleted.setChecked(False)
    assert page.model.rowCount() == 1
    record = _records(demo_db, "mo_hinh_dan_van_kheo")[0]
    assert not record.deleted and record.values["ten_mo_hinh"].startswith("Dân vận khéo: hiến đất")


def test_register_dialog_shows_errors_and_keeps_nothing(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "to_chuc_doan_the")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    dialog = page.add()
    assert dialog is not None
    editor = dialog.editor
    editor.field_widget("to_chuc").set_value("HLHPN")
    editor.field_widget("hoi_vien").set_value(80)
    editor.field_widget("doi_tuong").set_value(60)
    assert not dialog.try_save()
    assert dialog.summary.isVisible() and "lỗi" in dialog.summary.text()
    assert _records(demo_db, "to_chuc_doan_the") == []


def test_typing_vietnamese_into_the_record_dialog(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "dong_gop_nhan_dan")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    dialog = page.add()
    assert dialog is not None
    widget = dialog.editor.field_widget("ten_cong_trinh")
    _type_into(dialog.editor, "ten_cong_trinh", "Đường bê tông xóm Làng Hoèn")
    assert widget.value() == "Đường bê tông xóm Làng Hoèn"
    assert dialog.editor.dirty


def test_locked_period_makes_pages_read_only_until_reopened(
    qtbot: QtBot, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "ho_so_xa")
    answers = iter([("Đã gửi huyện", True), ("Sửa số hộ", True)])
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", lambda *a, **k: next(answers))
    assert window.lock_action.isEnabled() and not window.reopen_action.isEnabled()
    window.lock_current()
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    assert page.editor.is_read_only() and not page.save_button.isEnabled()
    assert window.reopen_action.isEnabled()
    window.form_area.select_form("mo_hinh_dan_van_kheo")
    register = window.form_area.page
    assert isinstance(register, RegisterPage)
    assert not register.buttons["add"].isEnabled() and register.add() is None
    window.reopen_current()
    register = window.form_area.page
    assert isinstance(register, RegisterPage) and register.buttons["add"].isEnabled()


def test_district_level_lists_but_does_not_enter_commune_forms(qtbot: QtBot, demo_db: Database) -> None:
    commune = open_on(qtbot, demo_db, "DH-PHUCCHU", "to_chuc_doan_the")
    page = commune.form_area.page
    assert isinstance(page, RegisterPage) and page.model is not None
    assert page.model.headerData(0, Qt.Orientation.Horizontal) != "Đơn vị"  # a commune sees its own only
    dialog = page.add()
    assert dialog is not None
    for field_id, value in (("to_chuc", "HND"), ("ten_chi_hoi", "Chi hội Nông dân xã"), ("hoi_vien", 310)):
        dialog.editor.field_widget(field_id).set_value(value)
    dialog.editor.field_widget("doi_tuong").set_value(400)
    assert dialog.try_save(), dialog.summary.text()
    window = open_on(qtbot, demo_db, "DH", "to_chuc_doan_the")
    page = window.form_area.page
    assert isinstance(page, RegisterPage) and page.model is not None
    assert not page.buttons["add"].isEnabled()
    assert "Chọn một đơn vị cấp xã" in page.note.text()
    # The district's table says whose record each row is, and can be filtered by it.
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Đơn vị"
    assert page.model.index(0, 0).data() == "Xã Phúc Chu"
    page.search_column.setCurrentIndex(page.search_column.findData(0))
    page.search.setText("phuc chu")
    assert page.model.rowCount() == 1
    page.search.setText("bao linh")
    assert page.model.rowCount() == 0


def test_unsaved_changes_are_guarded_when_switching(
    qtbot: QtBot, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "ho_so_xa")
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    _type_into(page.editor, "so_xom", "6")
    assert page.has_unsaved_changes()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    window.form_area.select_form("dan_chu_co_so")
    assert window.form_area.current_form_id() == "ho_so_xa" and window.form_area.page is page
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.form_area.select_form("dan_chu_co_so")
    assert window.form_area.current_form_id() == "dan_chu_co_so"


def test_spreadsheet_round_trip_from_the_register_page(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "to_chuc_doan_the")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    dialog = page.add()
    assert dialog is not None
    for field_id, value in (("to_chuc", "HND"), ("ten_chi_hoi", "Chi hội Nông dân xã"), ("hoi_vien", 310)):
        dialog.editor.field_widget(field_id).set_value(value)
    dialog.editor.field_widget("doi_tuong").set_value(400)
    assert dialog.try_save(), dialog.summary.text()
    sheet = tmp_path / "doan_the.xlsx"
    with demo_db.session() as session:
        export_xlsx(session, page.form, page.target.unit_id, page.target.period_id, sheet)
    book = load_workbook(sheet)
    data = book["Dữ liệu"]
    labels = [c.value for c in data[2]]
    new_row = [None] * len(labels)
    new_row[labels.index("Tổ chức")] = "Hội CCB"
    new_row[labels.index("Tên chi hội, chi đoàn")] = "Chi hội Cựu chiến binh xã"
    new_row[labels.index("Số hội viên, đoàn viên")] = 95
    new_row[labels.index("Số người thuộc đối tượng tập hợp")] = 120
    data.append(new_row)
    book.save(sheet)
    page.sheet_loader.load(sheet)
    qtbot.waitUntil(lambda: page.sheet_loader.report is not None, timeout=20000)
    report = page.sheet_loader.report
    assert report is not None and report.stored and (report.created, report.unchanged) == (1, 1)
    qtbot.waitUntil(lambda: page.model is not None and page.model.rowCount() == 2, timeout=5000)
    page.sheet_loader.report_box.close()


def test_rejected_spreadsheet_rows_store_nothing_until_asked(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", "to_chuc_doan_the")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    sheet = tmp_path / "nhap.csv"
    sheet.write_text(
        "\ufeffTổ chức;Tên chi hội, chi đoàn;Số hội viên, đoàn viên;Số người thuộc đối tượng tập hợp\n"
        "Hội LHPN;Chi hội Phụ nữ xóm Nà Lom;45;60\n"
        "Đoàn TN;Chi đoàn xóm Nà Lom;mười;20\n",
        encoding="utf-8",
    )
    page.sheet_loader.load(sheet)
    qtbot.waitUntil(lambda: page.sheet_loader.report is not None, timeout=20000)
    report = page.sheet_loader.report
    assert report is not None and not report.stored and report.rejected == 1
    assert "Dòng 3" in report.rejected_rows[0].text()
    assert _records(demo_db, "to_chuc_doan_the") == []
    box = page.sheet_loader.report_box
    keep = next(b for b in box.buttons() if b.text() == "Chỉ lưu các dòng hợp lệ")
    page.sheet_loader.report = None
    keep.click()
    qtbot.waitUntil(lambda: page.sheet_loader.report is not None, timeout=20000)
    assert page.sheet_loader.report.stored and len(_records(demo_db, "to_chuc_doan_the")) == 1
    page.sheet_loader.report_box.close()


@pytest.mark.parametrize("form_id", sorted(form_registry()))
def test_every_page_fits_a_1024_pixel_wide_screen(qtbot: QtBot, demo_db: Database, form_id: str) -> None:
    # Commune offices often have 1366x768 or older 1024x768 screens: the window must never demand more.
    window = open_on(qtbot, demo_db, "DH-PHUCCHU", form_id)
    assert window.form_area.page is not None
    assert window.minimumSizeHint().width() <= 1024


def test_a_town_is_told_the_new_rural_form_is_for_xa_only(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, "DH-CHOCHU", "tien_do_ntm")
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    assert not page.save_button.isEnabled() and page.editor.is_read_only()
    note = page.editor.read_only_note.text()
    assert "chỉ dành cho xã" in note and "Chợ Chu không lập biểu mẫu này" in note
