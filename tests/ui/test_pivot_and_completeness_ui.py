"""The cross-tab screen and the completeness view as a user works them: keyboard, figures, a double click."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.ui.completeness_view import CompletenessDialog, follow_cells
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.pivot_dialog import PivotDialog

SHOTS = Path("/tmp")
PROJECTS = (
    ("DH-PHUCCHU", "2023", "duong_giao_thong", 10_000_000),
    ("DH-PHUCCHU", "2023", "nha_van_hoa", 20_000_000),
    ("DH-BAOLINH", "2023", "nha_van_hoa", 5_000_000),
)


def shot(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))


def _enter(db: Database) -> None:
    with db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        for unit, period, kind, cash in PROJECTS:
            values = {"ten_cong_trinh": "Đường bê tông", "loai_cong_trinh": kind, "so_ho_tham_gia": 10}
            values["dong_gop_tien"] = cash  # type: ignore[assignment]
            unit_id, period_id = find_unit(session, unit).id, get_period(session, period).id
            save_entry(session, get_form("dong_gop_nhan_dan"), unit_id, period_id, values, writer=writer)


def test_pivot_screen_by_keyboard(qtbot: QtBot, demo_db: Database) -> None:
    _enter(demo_db)
    snapshot = load_office_snapshot(demo_db, current_year=2023)
    dialog = PivotDialog(demo_db, snapshot.forms, snapshot.periods, snapshot.period)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    assert "ho_so_xa" in dialog.forms and "bao_cao_tong_hop" not in dialog.forms  # only forms with numbers
    dialog.form_box.setCurrentIndex(dialog.form_box.findData("dong_gop_nhan_dan"))
    dialog.field_box.setCurrentIndex(dialog.field_box.findData("dong_gop_tien"))
    dialog.cols_box.setCurrentIndex(dialog.cols_box.findData("loai_cong_trinh"))
    assert [i.data(Qt.ItemDataRole.UserRole) for i in dialog.period_list.selectedItems()] == ["2023"]
    dialog.compute_button.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default button
    qtbot.waitUntil(lambda: dialog.table_data is not None, timeout=20000)
    table = dialog.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}  # type: ignore[union-attr]
    assert list(rows) == ["Xã Bảo Linh", "Xã Phúc Chu", "Cộng"]  # empty rows hidden by default
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
    road, house, total = headers.index("Đường giao thông"), headers.index("Nhà văn hóa"), len(headers) - 1
    assert table.item(rows["Xã Phúc Chu"], road).text() == "10.000.000"  # type: ignore[union-attr]
    assert table.item(rows["Xã Phúc Chu"], total).text() == "30.000.000"  # type: ignore[union-attr]
    assert table.item(rows["Cộng"], house).text() == "25.000.000"  # type: ignore[union-attr]
    table.horizontalHeader().sectionClicked.emit(total)  # sort by the total, largest first
    assert table.item(0, 0).text() == "Xã Phúc Chu"  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.filter_edit, "bao")  # accents optional
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["Xã Bảo Linh", "Cộng"]  # type: ignore[union-attr]
    dialog.filter_edit.clear()
    dialog.stat_box.setCurrentIndex(dialog.stat_box.findData("mean"))
    assert table.item(table.rowCount() - 1, total).text() == "11.666.667"  # type: ignore[union-attr]
    assert dialog.excel_button.isEnabled() and dialog.pdf_button.isEnabled()
    shot(dialog, "pivot_dialog.png")


def test_pivot_from_the_reports_menu(qtbot: QtBot, demo_db: Database) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.attach(demo_db, load_office_snapshot(demo_db, current_year=2023))
    action = window.findChild(object, "openPivot")
    assert action is not None and action.shortcut().toString() == "Ctrl+Shift+T"  # type: ignore[attr-defined]


def test_completeness_hides_forms_not_due_and_opens_a_cell(qtbot: QtBot, demo_db: Database) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.attach(demo_db, load_office_snapshot(demo_db, current_year=2023))
    half = next(p for p in window.periods if p.code == "2023-H1")
    forms = window.form_area.forms
    dialog = follow_cells(
        CompletenessDialog(
            demo_db,
            window.installation.office_unit_id,
            window.periods,
            forms,
            half,
            window,
            today=dt.date(2024, 3, 1),
        ),
        window,
    )
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=20000)
    table = dialog.table
    form_ids = list(forms)
    shown = [f for c, f in enumerate(form_ids) if not table.isColumnHidden(c)]
    assert shown == [f for f in form_ids if forms[f].due_for("half")]
    assert "Thông tin chung của xã" in dialog.not_due.text() and dialog.not_due.isVisible()
    cells = [table.item(r, c).text() for r in range(table.rowCount()) for c in range(len(form_ids))  # type: ignore[union-attr]
             if not table.isColumnHidden(c)]  # fmt: skip
    assert "Trễ hạn" in cells and "Không yêu cầu" not in cells
    shot(dialog, "completeness_half.png")
    units = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]  # type: ignore[union-attr]
    row, column = units.index("Xã Phúc Chu"), form_ids.index("dong_gop_nhan_dan")
    table.cellDoubleClicked.emit(row, column)
    assert not dialog.isVisible()
    assert window.current_period() is not None and window.current_period().code == "2023-H1"  # type: ignore[union-attr]
    target = window.current_target()
    assert target is not None and target.unit_label == "Xã Phúc Chu"
    assert window.form_area.current_form_id() == "dong_gop_nhan_dan"
