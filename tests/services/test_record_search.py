"""Finding any record of the office by accent-free words, across forms, units and periods."""

from __future__ import annotations

from danvan_desktop.db.engine import Database
from danvan_desktop.services.entry.entry import Writer, save_entry, set_entry_deleted
from danvan_desktop.services.entry.record_search import search_records
from danvan_desktop.services.office.forms import form_registry, get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period


def enter_sample_records(db: Database) -> dict[str, str]:
    """A few records in several forms, communes and periods of the demo district; ids by name."""
    ids: dict[str, str] = {}
    with db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        phuc_chu, bao_cuong = find_unit(session, "DH-PHUCCHU"), find_unit(session, "DH-BAOCUONG")
        y2023, y2022 = get_period(session, "2023"), get_period(session, "2022")

        def save(name: str, form_id: str, unit: int, period: int, values: dict[str, object]) -> None:
            ids[name] = save_entry(session, get_form(form_id), unit, period, values, writer=writer).record_id

        branch = {"to_chuc": "HLHPN", "xom": "DH-PHUCCHU-05", "ten_chi_hoi": "Chi hội Phụ nữ xóm Làng Hoèn"}
        save("chi_hoi_2023", "to_chuc_doan_the", phuc_chu.id, y2023.id, {**branch, "hoi_vien": 45})
        save("chi_hoi_2022", "to_chuc_doan_the", phuc_chu.id, y2022.id, {**branch, "hoi_vien": 40})
        model = {
            "ten_mo_hinh": "Tổ phụ nữ tự quản đường làng",
            "loai_mo_hinh": "tap_the",
            "linh_vuc": "van_hoa_xa_hoi",
            "nam_dang_ky": "2023",
            "trang_thai": "dang_ky",
        }
        save("mo_hinh", "mo_hinh_dan_van_kheo", bao_cuong.id, y2023.id, model)
        # Another village's house first: the one searched for is not the register's first row.
        save(
            "nha_van_hoa_7",
            "nha_van_hoa",
            bao_cuong.id,
            y2023.id,
            {"xom": "DH-BAOCUONG-07", "tinh_trang": "sua_chua"},
        )
        house = {"xom": "DH-BAOCUONG-01", "tinh_trang": "xay_moi"}
        save("nha_van_hoa", "nha_van_hoa", bao_cuong.id, y2023.id, house)
        save(
            "ho_so_xa", "ho_so_xa", phuc_chu.id, y2023.id, {"so_xom": 12, "so_ho": 612, "so_nhan_khau": 2410}
        )
    return ids


def _find(db: Database, query: str, limit: int = 50) -> list[tuple[str, str, str]]:
    with db.session() as session:
        result = search_records(session, form_registry(), query, limit=limit)
    return [(h.record_id, h.title, h.period_code) for h in result.hits]


def test_words_without_accents_match_values_forms_units_and_periods(demo_db: Database) -> None:
    ids = enter_sample_records(demo_db)
    # "phu nu" in two forms' values, "2023" the period: the 2022 branch is left out, the newest first.
    found = {rid for rid, _title, _period in _find(demo_db, "phu nu 2023")}
    assert found == {ids["chi_hoi_2023"], ids["mo_hinh"]}
    assert _find(demo_db, "Phụ NỮ  2023") == _find(demo_db, "phu nu 2023")  # accents and case ignored
    # "nha van hoa xom" is the form's title, "ban co" the village's name (stored code DH-BAOCUONG-01).
    assert _find(demo_db, "nha van hoa xom ban co") == [(ids["nha_van_hoa"], "Xóm Bản Cọ", "2023")]
    # The unit's name finds an aggregate form's record; its title is the form's.
    assert _find(demo_db, "thong tin chung phuc chu") == [(ids["ho_so_xa"], "Thông tin chung của xã", "2023")]
    assert _find(demo_db, "lang hoen") == [
        (ids["chi_hoi_2023"], "Chi hội Phụ nữ xóm Làng Hoèn", "2023"),
        (ids["chi_hoi_2022"], "Chi hội Phụ nữ xóm Làng Hoèn", "2022"),
    ]
    assert _find(demo_db, "lang hoen khong co tu nay") == []
    assert _find(demo_db, "   ") == []


def test_hits_say_where_the_record_is_and_deleted_records_are_not_found(demo_db: Database) -> None:
    ids = enter_sample_records(demo_db)
    with demo_db.session() as session:
        hit = search_records(session, form_registry(), "to phu nu tu quan").hits[0]
    assert hit.record_id == ids["mo_hinh"] and hit.form_id == "mo_hinh_dan_van_kheo"
    assert (hit.unit_code, hit.unit_label, hit.period_label) == ("DH-BAOCUONG", "Xã Bảo Cường", "Năm 2023")
    assert hit.where == 'Mô hình, điển hình "Dân vận khéo" · Xã Bảo Cường · Năm 2023'
    with demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        set_entry_deleted(session, ids["mo_hinh"], writer=writer, deleted=True)
    assert _find(demo_db, "to phu nu tu quan") == []


def test_the_list_is_limited_and_says_there_is_more(demo_db: Database) -> None:
    enter_sample_records(demo_db)
    with demo_db.session() as session:
        limited = search_records(session, form_registry(), "phu nu", limit=2)
        everything = search_records(session, form_registry(), "phu nu", limit=10)
    assert len(limited.hits) == 2 and limited.more
    assert len(everything.hits) == 3 and not everything.more
