"""The home tab as a user meets it: opened first, its figures, a click to the units, then to records."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
from danvan_desktop.ui.home_page import FORMS_TAB, HOME_TAB
from danvan_desktop.ui.home_view import HomeView, SharesDialog
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.totals_page import TotalsPage
from tests.services import test_home_page as home

district = home.district


def open_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    window.showNormal()
    window.resize(1366, 768)  # the commune office's screen
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=2023))
    qtbot.waitUntil(lambda: window.home_page.view is not None)
    return window


def tabs(window: MainWindow) -> QTabWidget:
    widget = window.centralWidget()
    assert isinstance(widget, QTabWidget)
    return widget


def view(window: MainWindow) -> HomeView:
    assert window.home_page.view is not None
    return window.home_page.view


def test_the_window_opens_on_the_office_figures(qtbot: QtBot, district: Database) -> None:
    window = open_window(qtbot, district)
    assert tabs(window).currentIndex() == HOME_TAB
    page = view(window)
    assert page.page.unit_label == "Huyện Định Hóa" and page.page.period_code == "2023"
    assert page.buttons["huy_dong.tien"].text() == "Tiền nhân dân đóng góp\n188.500.000 đồng"
    assert page.indicator_table.item(0, 2).text() == "1/2 đơn vị đạt"
    assert page.charts["ntm"].bars[-1].text.startswith("16/22 xã")


def test_a_figure_opens_its_units_and_a_unit_its_records(qtbot: QtBot, district: Database) -> None:
    window = open_window(qtbot, district)
    page = view(window)
    qtbot.mouseClick(page.buttons["huy_dong.tien"], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, SharesDialog) and dialog.isVisible()
    rows = [
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
        for r in range(dialog.table.rowCount())
    ]
    assert rows[0] == ("Xã Phúc Chu", "173.500.000 đồng")
    assert ("Thị trấn Chợ Chu", "5.000.000 đồng") in rows
    dialog.open_row(0)
    assert tabs(window).currentIndex() == FORMS_TAB
    assert window.selected_unit_code() == "DH-PHUCCHU"
    assert window.form_area.current_form_id() == "dong_gop_nhan_dan"
    register = window.form_area.page
    assert isinstance(register, RegisterPage) and register.model is not None
    assert register.model.rowCount() == 2  # the two records behind the 173.500.000


def test_a_bar_opens_the_units_behind_it(qtbot: QtBot, district: Database) -> None:
    window = open_window(qtbot, district)
    chart = view(window).charts["ntm"]
    line = chart.bar_rect(len(chart.bars) - 1)
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(line.center().x(), line.center().y()))
    dialog = view(window).dialog
    assert dialog is not None and "Nông thôn mới năm 2023" in dialog.windowTitle()
    assert dialog.table.rowCount() == 22
    dialog.open_row(0)
    assert window.form_area.current_form_id() == "tien_do_ntm"
    assert isinstance(window.form_area.page, AggregatePage)  # a xã's own form, where its level is


def test_a_commune_shows_its_villages_and_opens_a_village_s_records(qtbot: QtBot, district: Database) -> None:
    window = open_window(qtbot, district)
    window.select_unit("DH-PHUCCHU")
    qtbot.waitUntil(lambda: view(window).page.unit_code == "DH-PHUCCHU")
    page = view(window)
    assert page.page.level == "commune"
    page.buttons["huy_dong.tien"].click()
    assert page.dialog is not None
    labels = [page.dialog.table.item(r, 0).text() for r in range(page.dialog.table.rowCount())]
    page.dialog.open_row(labels.index("Xóm Làng Hoèn"))
    register = window.form_area.page
    assert isinstance(register, RegisterPage) and register.search.text() == "Làng Hoèn"
    assert register.model is not None and register.model.rowCount() == 1


def test_the_district_sees_the_totals_of_a_commune_form(qtbot: QtBot, district: Database) -> None:
    window = open_window(qtbot, district)
    tabs(window).setCurrentIndex(FORMS_TAB)
    window.form_area.select_form("tien_do_ntm")
    page = window.form_area.page
    assert isinstance(page, TotalsPage)  # no longer the blank "Chọn một đơn vị cấp xã…"
    table = page.table
    totals = {table.item(r, 0).text().strip(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert totals["Đạt chuẩn nông thôn mới"] == "16/22 xã"
    assert "22/22 xã" in page.summary.text()
    assert all(table.isColumnHidden(c) for c in range(2, table.columnCount()))
    page.by_unit.setChecked(True)
    assert table.columnCount() == 2 + 22 and not table.isColumnHidden(2)
    assert window.form_area.maybe_leave() is not False  # nothing to save on a totals page


def test_the_home_page_fits_the_commune_office_screen(
    qtbot: QtBot, district: Database, tmp_path: Path
) -> None:
    window = open_window(qtbot, district)
    home_tab = window.home_page
    assert not home_tab.area.horizontalScrollBar().isVisible()  # nothing cut off at the right
    assert window.minimumSizeHint().width() <= 1024
    window.grab().save(str(tmp_path / "district.png"))
    window.select_unit("DH-PHUCCHU")
    qtbot.waitUntil(lambda: view(window).page.unit_code == "DH-PHUCCHU")
    assert not home_tab.area.horizontalScrollBar().isVisible()
    window.grab().save(str(tmp_path / "commune.png"))
    assert (tmp_path / "district.png").stat().st_size > 0
