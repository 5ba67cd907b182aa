"""The register table model over a real database: paging, formatting, sorting, filtering."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.entry.registers import RegisterScope, RegisterSource
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.ui.register_model import ALL_COLUMNS, RECORD_ID_ROLE, RegisterTableModel

NAMES = [
    "Dân vận khéo trong hiến đất làm đường",
    "Phụ nữ xóm Nà Lom giữ gìn vệ sinh",
    "Cựu chiến binh giúp nhau",
]
FIELDS = ["kinh_te", "van_hoa_xa_hoi", "xay_dung_he_thong_chinh_tri"]


def _fill(db: Database, count: int) -> RegisterScope:
    form = get_form("mo_hinh_dan_van_kheo")
    with db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        for i in range(count):
            values = {
                "ten_mo_hinh": f"{NAMES[i % 3]} {i}",
                "loai_mo_hinh": "tap_the",
                "linh_vuc": FIELDS[i % 3],
                "nam_dang_ky": "2022",
                "trang_thai": "dang_ky",
            }
            save_entry(session, form, unit.id, period.id, values, writer=writer)
        return RegisterScope(form, (unit.id,), period.id)


def _column(model: RegisterTableModel, field_id: str) -> int:
    labels = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return labels.index(get_form("mo_hinh_dan_van_kheo").field(field_id).label)


def test_rows_are_shown_formatted_in_entry_order(qtbot: QtBot, demo_db: Database) -> None:
    model = RegisterTableModel(RegisterSource(demo_db, _fill(demo_db, 450)))
    assert (model.rowCount(), model.total_count()) == (450, 450)
    name, field = _column(model, "ten_mo_hinh"), _column(model, "linh_vuc")
    assert model.index(0, name).data() == f"{NAMES[0]} 0"
    assert model.index(449, name).data() == f"{NAMES[449 % 3]} 449"  # beyond the first page
    assert model.index(1, field).data() == "Văn hóa - xã hội"  # choices shown as labels
    assert isinstance(model.index(3, 0).data(RECORD_ID_ROLE), str)


def test_search_ignores_diacritics_and_combines_words(qtbot: QtBot, demo_db: Database) -> None:
    model = RegisterTableModel(RegisterSource(demo_db, _fill(demo_db, 30)))
    model.set_filter("dan van kheo")
    assert model.rowCount() == 10
    model.set_filter("NA LOM  ve sinh")
    assert model.rowCount() == 10
    assert all("Nà Lom" in model.cell_text(r, _column(model, "ten_mo_hinh")) for r in range(10))
    model.set_filter("khong co dau")
    assert model.rowCount() == 0
    model.set_filter("")
    assert model.rowCount() == 30


def test_filter_by_one_column_uses_the_shown_labels(qtbot: QtBot, demo_db: Database) -> None:
    model = RegisterTableModel(RegisterSource(demo_db, _fill(demo_db, 30)))
    field = _column(model, "linh_vuc")
    model.set_filter("xay dung", field)
    assert model.rowCount() == 10
    model.set_filter("xay dung", _column(model, "ten_mo_hinh"))
    assert model.rowCount() == 0
    model.set_filter("kinh te", ALL_COLUMNS)  # the search text holds the labels shown
    assert model.rowCount() == 10
    model.set_filter("kinh_te", ALL_COLUMNS)  # not the stored codes
    assert model.rowCount() == 0


def test_sorting_by_text_follows_unaccented_order_and_survives_filtering(
    qtbot: QtBot, demo_db: Database
) -> None:
    model = RegisterTableModel(RegisterSource(demo_db, _fill(demo_db, 6)))
    name = _column(model, "ten_mo_hinh")
    model.sort(name, Qt.SortOrder.AscendingOrder)
    shown = [model.cell_text(r, name) for r in range(6)]
    assert shown[0].startswith("Cựu chiến binh") and shown[-1].startswith("Phụ nữ")
    model.sort(name, Qt.SortOrder.DescendingOrder)
    assert model.cell_text(0, name).startswith("Phụ nữ")
    model.set_filter("dan van kheo")
    assert [model.cell_text(r, name) for r in range(model.rowCount())] == [f"{NAMES[0]} 3", f"{NAMES[0]} 0"]


def test_a_district_finds_a_commune_s_records_by_the_commune_s_name(qtbot: QtBot, demo_db: Database) -> None:
    form = get_form("mo_hinh_dan_van_kheo")
    with demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        period = get_period(session, "2023")
        units = [find_unit(session, code) for code in ("DH-PHUCCHU", "DH-BAOLINH")]
        for i, unit in enumerate(units * 3):
            values = {
                "ten_mo_hinh": f"Mô hình Khuổi Tát {i}",
                "loai_mo_hinh": "tap_the",
                "linh_vuc": FIELDS[0],
                "nam_dang_ky": "2022",
                "trang_thai": "dang_ky",
            }
            save_entry(session, form, unit.id, period.id, values, writer=writer)
        scope = RegisterScope(form, tuple(u.id for u in units), period.id, with_unit=True)
    model = RegisterTableModel(RegisterSource(demo_db, scope))
    model.set_filter("khuoi tat")
    assert model.rowCount() == 6
    model.set_filter("phuc chu khuoi tat")
    assert model.rowCount() == 3
    model.set_filter("KHUỔI TÁT  Bảo Linh")
    assert model.rowCount() == 3
    model.set_filter("dh-baolinh khuoi")  # the code shown in the unit column works too
    assert model.rowCount() == 3
