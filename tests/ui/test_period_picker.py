"""The window opens on a period its office's unit existed in; the picker marks the periods it did not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.office_view import PERIOD_SETTING, load_office_snapshot
from danvan_desktop.services.office.settings import set_setting
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.period_picker import OUTSIDE_MARK


@pytest.fixture
def dinh_hoa_db(tmp_path: Path) -> Iterator[Database]:
    """The office of xã Định Hóa, formed on 1/7/2025."""
    path = tmp_path / "dinhhoa.sqlite3"
    initialize_database(path, "TN-DINHHOA", None, catalog_dir=paths.catalog_dir()).close()
    db = open_database(path)
    yield db
    db.close()


def open_window(qtbot: QtBot, db: Database, current_year: int = 2026) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=current_year))
    return window


def _item(window: MainWindow, code: str) -> tuple[str, object]:
    index = window.period_box.findData(code)
    assert index >= 0, code
    return window.period_box.itemText(index), window.period_box.itemData(index, Qt.ItemDataRole.ToolTipRole)


def test_abolished_commune_opens_on_its_last_half_year(
    qtbot: QtBot, commune_db: Database, tmp_path: Path
) -> None:
    window = open_window(qtbot, commune_db)
    assert window.current_period().code == "2025-H1"
    root = window.tree.model().index(0, 0)
    assert root.data() == "Xã Phúc Chu"  # the unit tree, not a greyed "không có hiệu lực"
    text, tip = _item(window, "2026")
    assert text == "Năm 2026" + OUTSIDE_MARK
    assert tip == (
        "Xã Phúc Chu chỉ có hiệu lực đến 30/06/2025, "
        "không nhận số liệu kỳ «Năm 2026» (01/01/2026–31/12/2026)."
    )
    assert _item(window, "2025-H2")[0].endswith(OUTSIDE_MARK)
    assert _item(window, "2025-H1") == ("6 tháng đầu năm 2025", None)
    assert _item(window, "2025") == ("Năm 2025", None)  # it existed half of that year
    assert window.grab().save(str(tmp_path / "phucchu.png"))


def test_new_commune_does_not_reopen_on_a_period_before_it_existed(
    qtbot: QtBot, dinh_hoa_db: Database
) -> None:
    with dinh_hoa_db.transaction() as session:
        set_setting(session, PERIOD_SETTING, "2023")  # looked at last time, or restored from elsewhere
    window = open_window(qtbot, dinh_hoa_db)
    assert window.current_period().code == "2026"
    assert window.tree.model().index(0, 0).data() == "Xã Định Hóa"
    assert _item(window, "2023")[0] == "Năm 2023" + OUTSIDE_MARK
    assert "chỉ có hiệu lực từ 01/07/2025" in str(_item(window, "2025-H1")[1])
    # Still selectable: the history of the units it was formed from is read there.
    window.period_box.setCurrentIndex(window.period_box.findData("2023"))
    assert window.current_period().code == "2023"
    assert window.tree.model().index(0, 0).data() == (
        "Xã Định Hóa chỉ có hiệu lực từ 01/07/2025, không nhận số liệu kỳ «Năm 2023» (01/01/2023–31/12/2023)."
    )
