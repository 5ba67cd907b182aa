"""The district's totals of the commune profile: a field that does not add up shows its own figure."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.loader import load_form_data
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.home_page import FORMS_TAB
from danvan_desktop.ui.pivot_dialog import PivotDialog
from danvan_desktop.ui.totals_page import TotalsPage
from tests.services import test_form_totals as totals_fixtures
from tests.ui.test_home_page import open_window, tabs

scores = totals_fixtures.scores
SHOT = Path("/tmp/totals_ho_so_xa.png")


def test_the_profile_totals_show_the_highest_not_a_sum(
    qtbot: QtBot, scores: tuple[Database, list[str]]
) -> None:
    db, names = scores
    window = open_window(qtbot, db)  # 1366×768
    tabs(window).setCurrentIndex(FORMS_TAB)
    window.form_area.select_form("ho_so_xa")
    page = window.form_area.page
    assert isinstance(page, TotalsPage)
    table = page.table
    rows = {table.item(r, 0).text().strip(): r for r in range(table.rowCount())}
    row = rows["Số dân tộc cùng sinh sống"]
    total = table.item(row, 1)
    assert total.text() == f"cao nhất 7 dân tộc ({names[1]})"  # the sum, 15, is nowhere
    assert "không cộng dồn giữa các đơn vị" in total.toolTip()
    assert table.item(rows["Số hộ"], 1).text() == "1.112"
    page.by_unit.setChecked(True)
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert [table.item(row, heads.index(n)).text() for n in names] == ["5", "7", "3"]
    table.scrollToItem(total)
    QApplication.processEvents()
    window.grab().save(str(SHOT))


def test_a_field_without_a_total_says_why_where_the_total_would_be(
    qtbot: QtBot, scores: tuple[Database, list[str]]
) -> None:
    db, names = scores
    data = get_form("ho_so_xa").model_dump(mode="json", exclude_defaults=True)
    data["sections"][2]["fields"][0]["aggregate"] = "none"  # so_dan_toc, as a form from above may mark it
    form = load_form_data(data, "ho_so_xa")
    assert form.field("so_dan_toc").combines == "none"
    with db.session() as session:
        dh, year = find_unit(session, "DH"), get_period(session, "2023")
        site = load_installation(session).site_id
        target = EntryTarget(dh.id, unit_label(dh), dh.kind, year.id, year.label, site, (dh.id,))
    page = TotalsPage(db, form, target)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    table = page.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Số dân tộc cùng sinh sống")
    total = table.item(row, 1)
    assert total.text() == "không cộng dồn giữa các đơn vị" and total.font().italic()
    assert "ghi bình quân, số cao nhất, hoặc để trống" in page.summary.text()
    page.by_unit.setChecked(True)
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert [table.item(row, heads.index(n)).text() for n in names] == ["5", "7", "3"]
    QApplication.processEvents()
    page.grab().save("/tmp/totals_none.png")


def test_the_new_rural_totals_give_the_mean_score(qtbot: QtBot, scores: tuple[Database, list[str]]) -> None:
    db, _ = scores
    window = open_window(qtbot, db)
    tabs(window).setCurrentIndex(FORMS_TAB)
    window.form_area.select_form("tien_do_ntm")
    page = window.form_area.page
    assert isinstance(page, TotalsPage)
    table = page.table
    rows = {table.item(r, 0).text().strip(): r for r in range(table.rowCount())}
    assert table.item(rows["Số tiêu chí đã đạt"], 1).text() == "bình quân 15 tiêu chí/xã"
    QApplication.processEvents()
    window.grab().save("/tmp/totals_tien_do_ntm.png")


def test_the_cross_tab_greys_out_a_sum_of_what_does_not_add_up(
    qtbot: QtBot, scores: tuple[Database, list[str]]
) -> None:
    db, _ = scores
    snapshot = load_office_snapshot(db, current_year=2023)
    dialog = PivotDialog(db, snapshot.forms, snapshot.periods, snapshot.period)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    dialog.form_box.setCurrentIndex(dialog.form_box.findData("ho_so_xa"))
    model = dialog.stat_box.model()
    assert isinstance(model, QStandardItemModel)
    total_item = model.item(dialog.stat_box.findData("sum"))
    dialog.field_box.setCurrentIndex(dialog.field_box.findData("so_dan_toc"))
    assert dialog.stat_box.currentData() == "max" and not total_item.isEnabled()
    assert "không cộng dồn giữa các đơn vị" in total_item.toolTip()
    dialog.compute_button.click()
    qtbot.waitUntil(lambda: dialog.table_data is not None, timeout=20000)
    table = dialog.table
    assert table.item(table.rowCount() - 1, 0).text() == "Cao nhất"  # not «Cộng»: no sum
    assert table.item(table.rowCount() - 1, 1).text() == "7"  # the highest, not 15
    assert dialog.title.text().startswith("Cao nhất «Số dân tộc cùng sinh sống»")
    QApplication.processEvents()
    dialog.grab().save("/tmp/pivot_so_dan_toc.png")
    dialog.field_box.setCurrentIndex(dialog.field_box.findData("so_ho"))  # counts add again
    assert dialog.stat_box.currentData() == "sum" and total_item.isEnabled()
    # The table on screen is still the ethnic groups' (not computed again): never shown as a sum.
    assert "không cộng dồn" in dialog.title.text() and table.rowCount() == 0
    assert not dialog.excel_button.isEnabled()
    dialog.compute_button.click()
    qtbot.waitUntil(
        lambda: dialog.table_data is not None and dialog.table_data.field.id == "so_ho", timeout=20000
    )
    assert table.item(table.rowCount() - 1, 1).text() == "1.112" and dialog.excel_button.isEnabled()
