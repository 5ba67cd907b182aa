"""The forms screen (versions, origin, records to fix, targets) and a target locked in the record editor."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.form_versions import (
    ORIGIN_ABOVE,
    check_definition,
    forms_in_force,
    store_form_definition,
)
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.targets import INDICATOR_FORM, set_target
from danvan_desktop.ui.entry_pages import RegisterPage
from danvan_desktop.ui.forms_dialog import FormsDialog
from danvan_desktop.ui.main_window import MainWindow
from tests.services.test_form_versions import version_two
from tests.ui.keyboard import type_text
from tests.ui.test_entry_screens import open_on

PLAN = "Tỷ lệ chi bộ ban hành nghị quyết, kế hoạch thực hiện công tác dân vận"


def _cells(table: object, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[attr-defined]


def test_the_forms_screen_shows_the_pushed_version_the_records_to_fix_and_the_targets(
    qtbot: QtBot, demo_db: Database
) -> None:
    with demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        small = {"to_chuc": "DTN", "ten_chi_hoi": "Chi đoàn xóm Đồng Danh", "hoi_vien": 6, "doi_tuong": 20}
        save_entry(session, get_form("to_chuc_doan_the"), unit.id, period.id, small, writer=writer)
        form = check_definition(version_two(), "gói")
        store_form_definition(session, form, origin=ORIGIN_ABOVE, origin_unit_code="TN", stored_by="thu")
        indicators = forms_in_force(session)[INDICATOR_FORM]
        set_target(session, indicators, "DH-PHUCCHU", 2023, 1, "100", name=PLAN, measure="%")
    dialog = FormsDialog(demo_db)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    rows = [_cells(dialog.forms_table, r) for r in range(dialog.forms_table.rowCount())]
    pushed = [r for r in rows if r[1] == "to_chuc_doan_the"]
    assert [[*r[:3], r[4]] for r in pushed] == [
        ["✓", "to_chuc_doan_the", "2", "Cấp trên gửi xuống (TN)"],
        ["", "to_chuc_doan_the", "1", "Kèm theo chương trình"],
    ]
    grey = dialog.forms_table.item(rows.index(pushed[1]), 3).foreground().color().name()
    assert grey == "#80868b"  # the shipped version 1, no longer in use
    assert dialog.tabs.tabText(1) == "Bản ghi cần sửa theo phiên bản mới (1)"
    assert _cells(dialog.breaks_table, 0)[:2] == [
        "Mặt trận và các đoàn thể: chi hội, chi đoàn",
        "Chi đoàn xóm Đồng Danh",
    ]
    assert "Chi hội phải có từ 10 hội viên trở lên." in _cells(dialog.breaks_table, 0)[5]
    assert _cells(dialog.targets_table, 0)[:5] == ["Xã Phúc Chu", "2023", "1", PLAN, "100"]
    dialog.grab().save("/tmp/formpush-forms.png")
    dialog.tabs.setCurrentIndex(1)
    dialog.grab().save("/tmp/formpush-breaks.png")


def test_an_assigned_target_is_shown_locked_and_saved_as_assigned(qtbot: QtBot, demo_db: Database) -> None:
    with demo_db.transaction() as session:
        indicators = forms_in_force(session)[INDICATOR_FORM]
        set_target(session, indicators, "DH-PHUCCHU", 2023, 1, "100", name=PLAN, measure="%")
    window: MainWindow = open_on(qtbot, demo_db, "DH-PHUCCHU", INDICATOR_FORM)
    window.resize(1366, 768)
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    dialog = page.add()
    assert dialog is not None
    dialog.resize(1000, 700)
    editor = dialog.editor
    for field_id, value in {"so_thu_tu": 2, "ten_chi_tieu": "Chỉ tiêu khác", "don_vi_tinh": "%"}.items():
        editor.field_widget(field_id).set_value(value)
    editor.field_widget("chi_tieu").set_value(40)
    assert not editor.field_widget("chi_tieu").is_read_only()  # no target for indicator 2
    number = editor.field_widget("so_thu_tu").focus_widgets()[0]
    number.setFocus()
    number.selectAll()  # type: ignore[attr-defined]
    type_text(number, "1")  # as the clerk types it: the lock follows the indicator number
    editor.field_widget("ten_chi_tieu").set_value(PLAN)
    qtbot.waitUntil(lambda: editor.field_widget("chi_tieu").is_read_only())
    row = editor._rows["chi_tieu"]
    assert editor.values()["chi_tieu"] == 100 and row.lock_note.isVisible()
    assert row.lock_note.text().startswith("Chỉ tiêu do cấp trên giao: 100")
    editor.field_widget("ket_qua").set_value(95)
    dialog.grab().save("/tmp/formpush-locked.png")
    assert dialog.try_save(), dialog.summary.text()
    with demo_db.session() as session:
        stored = session.scalars(select(Record).where(Record.form_id == INDICATOR_FORM)).one()
        assert (stored.values["chi_tieu"], stored.values["danh_gia"]) == (100.0, "khong_dat")
