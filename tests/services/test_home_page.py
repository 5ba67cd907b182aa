"""The home page's figures against sums worked out by hand from a small district and the 2025 reform."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.reporting.home_page import home_page
from tests.reports import test_reform_reports as reform
from tests.reports.test_reform_reports import Entered, _save, former, new_communes

# The province of the reform tests (Định Hóa's history and its new communes), shared: built once.
province_template = reform.province_template
province = reform.province

TODAY = dt.date(2026, 12, 3)
DECIDED = {"so_quyet_dinh": "12/QĐ-UBND", "ngay_quyet_dinh": "2023-06-15", "tieu_chi_dat": ["1"]}


def gift(
    name: str, cash: int, land: float, labour: float, households: int, village: str | None = None
) -> dict:
    values: dict[str, object] = {
        "ten_cong_trinh": name,
        "loai_cong_trinh": "duong_giao_thong",
        "so_ho_tham_gia": households,
        "dong_gop_tien": cash,
        "dat_hien": land,
        "ngay_cong": labour,
    }
    if village:
        values["xom"] = village
    return values


def model(name: str, field: str, status: str, level: str | None = None, village: str | None = None) -> dict:
    values: dict[str, object] = {
        "ten_mo_hinh": name,
        "loai_mo_hinh": "tap_the",
        "to_chuc_phu_trach": "HLHPN",
        "linh_vuc": field,
        "nam_dang_ky": "2023",
        "trang_thai": status,
    }
    if level:
        values |= {"cap_cong_nhan": level, "so_quyet_dinh": "12-QĐ/ĐU", "ngay_quyet_dinh": "2023-06-15"}
    if status == "rut":
        values["ly_do_rut"] = "Không duy trì"
    if village:
        values["xom"] = village
    return values


def indicator(number: int, name: str, unit: str, target: float, result: float) -> dict:
    return {
        "so_thu_tu": number,
        "ten_chi_tieu": name,
        "don_vi_tinh": unit,
        "loai_chi_tieu": "phan_dau",
        "chi_tieu": target,
        "ket_qua": result,
        "ghi_chu": "Ghi chú",
    }


def xa_of_district(session: Session) -> list[OrgUnit]:
    """The xã of Định Hóa valid all through 2023, by code (found by query, not by count)."""
    dh = find_unit(session, "DH")
    units = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == dh.id, OrgUnit.kind == "xa"))
    return sorted(
        (
            u
            for u in units
            if u.valid_from <= dt.date(2023, 1, 1) and (u.valid_to or dt.date.max) >= dt.date(2023, 12, 31)
        ),
        key=lambda u: u.code,
    )


@pytest.fixture
def district(demo_db: Database) -> Database:
    """Định Hóa, 2023: three units with known figures, and the NTM standing of 16 of its xã met."""
    with demo_db.transaction() as session:
        pc, bl, cc = (find_unit(session, c) for c in ("DH-PHUCCHU", "DH-BAOLINH", "DH-CHOCHU"))
        _save(
            session,
            "dong_gop_nhan_dan",
            pc,
            "2023",
            gift("Đường xóm Làng Hoèn", 125_500_000, 1234.5, 640, 85, "DH-PHUCCHU-05"),
        )
        _save(
            session,
            "dong_gop_nhan_dan",
            pc,
            "2023",
            gift("Nhà văn hóa Độc Lập", 48_000_000, 150, 310, 62, "DH-PHUCCHU-01"),
        )
        _save(session, "dong_gop_nhan_dan", bl, "2023", gift("Đường nội đồng", 10_000_000, 0, 100, 20))
        _save(session, "dong_gop_nhan_dan", cc, "2023", gift("Rãnh thoát nước", 5_000_000, 25, 50, 30))
        for values in (
            model("Làm đường", "kinh_te", "cong_nhan", "huyen", "DH-PHUCCHU-05"),
            model("Phát triển chè", "kinh_te", "cong_nhan", "xa"),
            model("Giữ gìn an ninh", "quoc_phong_an_ninh", "dang_ky"),
        ):
            _save(session, "mo_hinh_dan_van_kheo", pc, "2023", values)
        _save(
            session,
            "mo_hinh_dan_van_kheo",
            bl,
            "2023",
            model("Xóm văn hóa", "van_hoa_xa_hoi", "cong_nhan", "tinh"),
        )
        _save(session, "mo_hinh_dan_van_kheo", bl, "2023", model("Đã rút", "van_hoa_xa_hoi", "rut"))
        _save(
            session,
            "chi_tieu_de_an_05",
            pc,
            "2023",
            indicator(2, "Số mô hình được công nhận", "mô hình", 5, 6),
        )
        _save(
            session, "chi_tieu_de_an_05", pc, "2023", indicator(1, "Tỷ lệ chi bộ có kế hoạch", "%", 100, 90)
        )
        _save(
            session,
            "chi_tieu_de_an_05",
            bl,
            "2023",
            indicator(2, "Số mô hình được công nhận", "mô hình", 4, 2),
        )
        _save(
            session, "chi_tieu_de_an_05", bl, "2023", indicator(1, "Tỷ lệ chi bộ có kế hoạch", "%", 100, 100)
        )
        xa = xa_of_district(session)
        for number, unit in enumerate(xa):
            met = number < 16
            values = {"muc_dat": "dat_chuan" if met else "chua_dat", **(DECIDED if met else {})}
            _save(session, "tien_do_ntm", unit, "2023", values)
    return demo_db


def page_of(db: Database, unit: str, period: str = "2023"):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return home_page(session, unit, period, today=TODAY)


def test_district_money_land_labour_and_households_are_the_units_sums(district: Database) -> None:
    page = page_of(district, "DH")
    assert page.level == "above"
    assert page.figure("huy_dong.tien").value == 125_500_000 + 48_000_000 + 10_000_000 + 5_000_000
    assert page.figure("huy_dong.tien").text == "188.500.000 đồng"
    assert page.figure("huy_dong.dat").value == 1234.5 + 150 + 0 + 25
    assert page.figure("huy_dong.dat").text == "1.409,5 m²"
    assert page.figure("huy_dong.ngay_cong").value == 640 + 310 + 100 + 50
    assert page.figure("huy_dong.so_ho").value == 85 + 62 + 20 + 30
    shares = {s.label: s for s in page.figure("huy_dong.tien").shares}
    assert shares["Xã Phúc Chu"].value == 173_500_000 and shares["Xã Phúc Chu"].text == "173.500.000 đồng"
    assert shares["Thị trấn Chợ Chu"].unit_code == "DH-CHOCHU"
    assert {s.form_id for s in shares.values()} == {"dong_gop_nhan_dan"}
    assert page.figure("huy_dong.tien").shares[0].label == "Xã Phúc Chu"  # the largest first


def test_new_rural_is_16_of_22_xa(district: Database) -> None:
    with district.session() as session:
        xa = len(xa_of_district(session))
    page = page_of(district, "DH")
    year = page.figure("ntm.2023")
    assert year.text == f"16/{xa} xã" and year.value == 16 and year.ratio == 16 / xa
    assert xa == 22  # Định Hóa's 22 xã of 2023 (the town Chợ Chu is not assessed)
    met = [s for s in year.shares if s.value == 1]
    assert len(met) == 16 and all(s.text.startswith("Đạt chuẩn nông thôn mới") for s in met)


def test_models_by_field_and_level_leave_out_withdrawn_ones(district: Database) -> None:
    page = page_of(district, "DH")
    fields = {f.key.rsplit(".", 1)[1]: f for f in page.models_by_field}
    assert fields["kinh_te"].value == 2 and fields["kinh_te"].detail == "2 được công nhận"
    assert fields["van_hoa_xa_hoi"].value == 1  # the withdrawn one is not counted
    assert fields["quoc_phong_an_ninh"].value == 1 and fields["xay_dung_he_thong_chinh_tri"].value == 0
    levels = {f.key.rsplit(".", 1)[1]: f.value for f in page.models_by_level}
    assert levels == {"tinh": 1, "huyen": 1, "xa": 1, "chua": 1}
    assert [(s.label, s.text) for s in fields["kinh_te"].shares] == [("Xã Phúc Chu", "2 mô hình")]


def test_project_05_counts_add_and_percentages_count_units_that_reached_them(district: Database) -> None:
    page = page_of(district, "DH")
    assert page.indicators_source == "tổng hợp từ 2 đơn vị có báo cáo"
    share, count = page.indicators
    assert (count.number, count.target_text, count.result_text) == (2, "9 mô hình", "8 mô hình")
    assert count.reached_text == "88,9%" and count.met is False  # 8/9, from the sums
    # Never an average of 90% and 100%: one of the two units reached its 100%.
    assert share.result_text == "1/2 đơn vị đạt" and share.target_text == "100%" and share.ratio == 0.5
    assert {s.label: s.text for s in share.shares} == {
        "Xã Phúc Chu": "90/100% — chưa đạt",
        "Xã Bảo Linh": "100/100% — đạt",
    }


def test_an_office_with_its_own_indicator_rows_shows_those(district: Database) -> None:
    with district.transaction() as session:
        _save(
            session,
            "chi_tieu_de_an_05",
            find_unit(session, "DH"),
            "2023",
            indicator(1, "Tỷ lệ chi bộ có kế hoạch", "%", 100, 95),
        )
    page = page_of(district, "DH")
    assert page.indicators_source == "chỉ tiêu và kết quả của đơn vị"
    (only,) = page.indicators
    assert (only.target_text, only.result_text, only.reached_text) == ("100%", "95%", "95%")


def test_completeness_says_what_is_due_and_from_whom(district: Database) -> None:
    page = page_of(district, "DH")
    assert page.complete is not None and page.complete.text.startswith("0/")  # nobody sent every form
    due = {d.form_id: d for d in page.due}
    gifts = due["dong_gop_nhan_dan"]
    assert gifts.received == 3 and gifts.expected == len(page.complete.shares)
    missing = {s.unit_code for s in gifts.missing}
    assert "DH-PHUCCHU" not in missing and "DH-DINHBIEN" in missing
    assert all(s.text == "Trễ hạn" for s in gifts.missing)  # 2023 ended long before TODAY
    assert due["tien_do_ntm"].expected == 22  # xã only


def test_a_commune_sees_its_villages(district: Database) -> None:
    page = page_of(district, "DH-PHUCCHU")
    assert page.level == "commune" and page.parts_label == "xóm, tổ dân phố"
    cash = page.figure("huy_dong.tien")
    assert cash.value == 173_500_000
    by_village = {s.label: (s.value, s.unit_code, s.search) for s in cash.shares}
    assert by_village["Xóm Làng Hoèn"] == (125_500_000, "DH-PHUCCHU", "Làng Hoèn")
    assert by_village["Xóm Độc Lập"] == (48_000_000, "DH-PHUCCHU", "Độc Lập")
    models = {f.key: f for f in page.models_by_field}
    shares = {s.label: s.value for s in models["mo_hinh.linh_vuc.kinh_te"].shares}
    assert shares == {"Xóm Làng Hoèn": 1, "Cấp xã (không ghi xóm)": 1}
    assert page.figure("ntm.2023").text.startswith("Đạt chuẩn nông thôn mới")
    assert page.indicators_source == "chỉ tiêu và kết quả của đơn vị"


def test_a_village_has_no_home_page(district: Database) -> None:
    with pytest.raises(UserError, match="chọn xã của xóm này"):
        page_of(district, "DH-PHUCCHU-05")


def test_the_province_in_2025_adds_both_halves_of_the_reform(province: tuple[Database, Entered]) -> None:
    db, entered = province
    with db.session() as session:
        news = {u.code for u in new_communes(session)}
        olds = {p.code for u in new_communes(session) for p in former(session, u)}
    page = page_of(db, "TN", "2025")
    cash = page.figure("huy_dong.tien")
    # Flows: the former communes' first half and the new communes' second half, each once.
    assert cash.value == sum(v for (_, p), v in entered.cash.items() if p in ("2025-H1", "2025-H2"))
    shares = {s.unit_code: s for s in cash.shares}
    for code in olds:
        assert shares[code].value == entered.cash[code, "2025-H1"] and shares[code].period_code == "2025-H1"
        assert shares[code].label.endswith("(đến 30/6/2025)")
    for code in news:
        assert shares[code].value == entered.cash[code, "2025-H2"] and shares[code].period_code == "2025-H2"
    assert any("chỉ hiệu lực một phần kỳ" in n for n in page.notes)
    # 2024, before the reform: the former communes under the former district, their year.
    before = page_of(db, "TN", "2024").figure("huy_dong.tien")
    assert before.value == sum(v for (_, p), v in entered.cash.items() if p == "2024")
