"""The window's record search: Ctrl+K, accent-free words, arrows and Enter open the record."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.record_search import RecordSearch
from tests.services.test_record_search import enter_sample_records
from tests.ui.keyboard import type_text
from tests.ui.test_main_window import open_window


def _search(qtbot: QtBot, window: MainWindow, query: str) -> RecordSearch:
    search = window.record_search
    if not window.isActiveWindow():
        with qtbot.waitActive(window):
            window.activateWindow()
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert search.box.hasFocus()
    search.box.clear()
    type_text(search.box, query)
    qtbot.waitUntil(lambda: search.popup.isVisible() and not search.timer.isActive())  # typing paused
    return search


def _hit_titles(search: RecordSearch) -> list[str]:
    return [search.popup.list.item(row).text().split("\n")[0] for row in range(search.popup.list.count())]


def _choose(qtbot: QtBot, search: RecordSearch, record_id: str) -> None:
    rows = [h.record_id for h in search.hits]
    for _ in range(rows.index(record_id)):
        qtbot.keyClick(search.box, Qt.Key.Key_Down)
    assert search.popup.current_hit() is not None
    assert search.popup.current_hit().record_id == record_id  # type: ignore[union-attr]
    qtbot.keyClick(search.box, Qt.Key.Key_Return)


def test_search_lists_records_of_every_form_and_enter_opens_one(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    ids = enter_sample_records(demo_db)
    window = open_window(qtbot, demo_db)
    window.resize(1366, 768)
    search = _search(qtbot, window, "phụ nữ 2023")
    assert sorted(_hit_titles(search)) == ["Chi hội Phụ nữ xóm Làng Hoèn", "Tổ phụ nữ tự quản đường làng"]
    assert "2 bản ghi" in search.popup.note.text()
    assert window.grab().save(str(tmp_path / "record_search.png"))
    # The 2022 branch: Enter changes the period, selects the commune, the form, the record's row.
    search = _search(qtbot, window, "lang hoen")
    _choose(qtbot, search, ids["chi_hoi_2022"])
    assert not search.popup.isVisible()
    assert window.current_period().code == "2022"  # type: ignore[union-attr]
    assert window.selected_unit_code() == "DH-PHUCCHU"
    assert window.form_area.current_form_id() == "to_chuc_doan_the"
    page = window.form_area.page
    assert isinstance(page, RegisterPage) and page.current_record_id() == ids["chi_hoi_2022"]
    assert page.table.hasFocus()
    # Another commune's cultural house, by the village's name without accents.
    search = _search(qtbot, window, "nha van hoa xom ban co")
    assert _hit_titles(search) == ["Xóm Bản Cọ"]
    qtbot.keyClick(search.box, Qt.Key.Key_Return)
    assert (window.current_period().code, window.selected_unit_code()) == ("2023", "DH-BAOCUONG")  # type: ignore[union-attr]
    page = window.form_area.page
    assert isinstance(page, RegisterPage) and page.current_record_id() == ids["nha_van_hoa"]
    # An aggregate form's record opens its page.
    search = _search(qtbot, window, "thong tin chung phuc chu")
    qtbot.keyClick(search.box, Qt.Key.Key_Return)
    assert window.selected_unit_code() == "DH-PHUCCHU"
    assert isinstance(window.form_area.page, AggregatePage)
    assert window.form_area.current_form_id() == "ho_so_xa"


def test_nothing_found_says_so_and_escape_closes(qtbot: QtBot, demo_db: Database) -> None:
    enter_sample_records(demo_db)
    window = open_window(qtbot, demo_db)
    search = _search(qtbot, window, "khong co tu nay")
    assert search.popup.list.count() == 0
    assert search.popup.note.text() == "Không tìm thấy bản ghi nào có «khong co tu nay»."
    qtbot.keyClick(search.box, Qt.Key.Key_Return)  # nothing to open: nothing changes
    assert window.form_area.page is None or window.form_area.current_form_id() is None
    qtbot.keyClick(search.box, Qt.Key.Key_Escape)
    assert not search.popup.isVisible()
