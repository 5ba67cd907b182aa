"""Totals of an aggregate form above its units: sums, ratios from summed parts, "16/22 xã", the reform."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.loader import load_form_data
from danvan_desktop.reports.document import Table
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.reports.summary_return import annex
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting import summary_data
from danvan_desktop.services.reporting.form_totals import FormTotals, form_totals
from tests.reports import test_reform_reports as reform
from tests.reports.test_reform_reports import Entered, _save, former, new_communes
from tests.services import test_home_page as home

district = home.district
province_template = reform.province_template
province = reform.province


def totals_of(db: Database, form_id: str, unit: str, period: str = "2023") -> FormTotals:
    with db.session() as session:
        unit_id, period_id = find_unit(session, unit).id, get_period(session, period).id
        return form_totals(session, get_form(form_id), unit_id, period_id)


def test_profile_numbers_add_and_ratios_come_from_the_summed_parts(district: Database) -> None:
    with district.transaction() as session:
        pc, bl = find_unit(session, "DH-PHUCCHU"), find_unit(session, "DH-BAOLINH")
        profile = {"so_xom": 6, "so_nha_van_hoa": 6, "so_ho": 612, "so_nhan_khau": 2410, "so_ho_ngheo": 12}
        _save(session, "ho_so_xa", pc, "2023", profile)
        profile = {"so_xom": 10, "so_nha_van_hoa": 5, "so_ho": 400, "so_nhan_khau": 1600, "so_ho_ngheo": 40}
        _save(session, "ho_so_xa", bl, "2023", profile)
    totals = totals_of(district, "ho_so_xa", "DH")
    assert (totals.reported, totals.word) == (2, "đơn vị")  # xã and a town fill it
    assert totals.line("Số xóm, tổ dân phố").total == "16"
    assert totals.line("Số xóm đã có nhà văn hóa").total == "11"
    # 11/16 = 68,75%, not the mean of 100% and 50%.
    assert totals.line("Tỷ lệ xóm có nhà văn hóa").total == "68,8%"
    assert totals.line("Số hộ").total == "1.012"
    assert totals.line("Tỷ lệ hộ nghèo").total == "5,14%"  # 52/1.012
    column = {label: i for i, label in enumerate(totals.units)}
    cells = totals.line("Tỷ lệ xóm có nhà văn hóa").cells
    assert cells[column["Xã Phúc Chu"]] == "100%" and cells[column["Xã Bảo Linh"]] == "50%"
    assert cells[column["Xã Định Biên"]] == ""  # not reported: an empty column, not a zero
    assert totals.line("Mô tả thành phần dân tộc").total == "đã ghi 0/2 đơn vị"


def test_new_rural_standing_reads_16_of_22_xa(district: Database) -> None:
    totals = totals_of(district, "tien_do_ntm", "DH")
    assert totals.word == "xã" and totals.reported == 22
    assert totals.line("Đạt chuẩn nông thôn mới", "option").total == "16/22 xã"
    assert totals.line("Chưa đạt chuẩn", "option").total == "6/22 xã"
    assert totals.line("Mức đạt chuẩn nông thôn mới").total == "22/22 xã trả lời"
    # A score per xã (aggregate: mean): each of the 16 met xã marked one criterion, the 6 others none.
    criteria = totals.line("Số tiêu chí đã đạt")
    assert criteria.total == "bình quân 1 tiêu chí/xã"
    assert criteria.note == "không cộng dồn giữa các đơn vị: bình quân của 16 xã"
    assert "Thị trấn Chợ Chu" not in totals.units  # towns are not assessed


def test_a_state_across_the_reform_counts_the_units_standing_at_the_end(
    province: tuple[Database, Entered],
) -> None:
    db, entered = province
    with db.session() as session:
        news = {u.code for u in new_communes(session)}
        olds = {p.code for u in new_communes(session) for p in former(session, u)}
    totals = totals_of(db, "ho_so_xa", "TN", "2025")
    expected = sum(entered.villages[c, "2025-H2"] for c in news)
    assert totals.line("Số xóm, tổ dân phố").total == f"{expected:,}".replace(",", ".")
    assert totals.reported == len(news)
    counted = dict(zip(totals.units, totals.counted, strict=True))
    assert not any(v for label, v in counted.items() if "(đến 30/6/2025)" in label)
    # Every former commune has its column (the province's others too), never in the total.
    assert sum(1 for label in counted if "(đến 30/6/2025)" in label) >= len(olds) > 0
    assert any("chỉ cộng các đơn vị có hiệu lực ngày cuối kỳ" in n for n in totals.notes)


# Three xã of Định Hóa, 2023: (ethnic groups, households, criteria met, criteria aimed at next).
# A sum would say 15 ethnic groups, 45 criteria and 50 aimed at: figures of nothing.
NON_ADDITIVE = ((5, 612, 19, 19), (7, 400, 15, 17), (3, 100, 11, 14))


def profile(groups: int, households: int) -> dict[str, int]:
    return {"so_xom": 8, "so_dan_toc": groups, "so_ho": households, "so_nhan_khau": households * 4}


@pytest.fixture
def scores(demo_db: Database) -> tuple[Database, list[str]]:
    with demo_db.transaction() as session:
        xa = [find_unit(session, "DH-PHUCCHU"), find_unit(session, "DH-BAOLINH")]
        xa.append(next(u for u in home.xa_of_district(session) if u not in xa))
        for unit, (groups, households, met, aimed) in zip(xa, NON_ADDITIVE, strict=True):
            _save(session, "ho_so_xa", unit, "2023", profile(groups, households))
            criteria = {"muc_dat": "chua_dat", "so_tieu_chi_phan_dau": aimed}
            _save(
                session,
                "tien_do_ntm",
                unit,
                "2023",
                {**criteria, "tieu_chi_dat": [str(n) for n in range(1, met + 1)]},
            )
        names = [unit_label(u) for u in xa]
    return demo_db, names


def test_fields_that_do_not_add_up_show_their_own_figure(scores: tuple[Database, list[str]]) -> None:
    db, names = scores
    profile = totals_of(db, "ho_so_xa", "DH")
    assert profile.line("Số hộ").total == "1.112"  # counts still add
    groups = profile.line("Số dân tộc cùng sinh sống")
    assert groups.total == f"cao nhất 7 dân tộc ({names[1]})"  # not 15
    assert groups.note == "không cộng dồn giữa các đơn vị: số cao nhất của một đơn vị"
    column = {label: i for i, label in enumerate(profile.units)}
    assert [groups.cells[column[n]] for n in names] == ["5", "7", "3"]  # each unit's own, on demand
    ntm = totals_of(db, "tien_do_ntm", "DH")
    assert ntm.line("Số tiêu chí đã đạt").total == "bình quân 15 tiêu chí/xã"  # 45 / 3, not 45
    assert ntm.line("Số tiêu chí phấn đấu đạt vào cuối kỳ tới").total == "bình quân 16,7 tiêu chí/xã"
    assert ntm.line("Số tiêu chí đã đạt").note == "không cộng dồn giữa các đơn vị: bình quân của 3 xã"


def test_a_highest_value_held_by_several_units_names_them_or_counts_them(
    scores: tuple[Database, list[str]],
) -> None:
    db, names = scores
    with db.transaction() as session:
        _save(session, "ho_so_xa", find_unit(session, "DH-PHUCCHU"), "2023", profile(7, 612))
    totals = totals_of(db, "ho_so_xa", "DH")
    both = ", ".join(n for n in totals.units if n in names[:2])  # in the tree's order, as the columns
    assert totals.line("Số dân tộc cùng sinh sống").total == f"cao nhất 7 dân tộc ({both})"
    with db.transaction() as session:
        third = next(u for u in home.xa_of_district(session) if unit_label(u) == names[2])
        _save(session, "ho_so_xa", third, "2023", profile(7, 100))
    totals = totals_of(db, "ho_so_xa", "DH")
    assert totals.line("Số dân tộc cùng sinh sống").total == "cao nhất 7 dân tộc (3 đơn vị)"


def test_a_field_marked_none_has_no_total_but_keeps_its_columns(scores: tuple[Database, list[str]]) -> None:
    db, names = scores
    data = get_form("ho_so_xa").model_dump(mode="json", exclude_defaults=True)
    for section in data["sections"]:
        for spec in section["fields"]:
            if spec["id"] == "so_dan_toc":
                spec["aggregate"] = "none"
    form = load_form_data(data, "ho_so_xa")
    with db.session() as session:
        unit_id, period_id = find_unit(session, "DH").id, get_period(session, "2023").id
        totals = form_totals(session, form, unit_id, period_id)
    groups = totals.line("Số dân tộc cùng sinh sống")
    assert (groups.total, groups.note) == ("", "không cộng dồn giữa các đơn vị")
    column = {label: i for i, label in enumerate(totals.units)}
    assert [groups.cells[column[n]] for n in names] == ["5", "7", "3"]


def test_the_summary_return_gives_the_mean_criteria_not_a_sum(scores: tuple[Database, list[str]]) -> None:
    db, names = scores
    with db.session() as session:
        data = summary_data(session, "DH", "2023", today=dt.date(2026, 12, 3))
    table = next(t for t in annex(data, load_profile("nha_nuoc")) if isinstance(t, Table) and t.total)
    column = [c.label for c in table.columns].index("Tiêu chí NTM đã đạt")
    assert table.total is not None and table.total[column] == "BQ 15"  # 45 criteria over 3 xã
    rows = {row[1]: row[column] for row in table.rows}
    assert [rows[n] for n in names] == ["19", "15", "11"]
