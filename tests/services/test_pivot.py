"""Cross-tab figures against sums worked out by hand from a few records entered here."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.services.entry.entry import Writer, save_entry, set_entry_deleted
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.pivot import (
    EMPTY_KEY,
    PivotRequest,
    PivotTable,
    build_pivot,
    default_stat,
)
from danvan_desktop.services.reporting.pivot_output import PivotView, grid

FORM = "dong_gop_nhan_dan"
# (unit, period, kind of work, cash in đồng or None, households)
PROJECTS = (
    ("DH-PHUCCHU", "2023", "duong_giao_thong", 10_000_000, 40),
    ("DH-PHUCCHU", "2023", "nha_van_hoa", 20_000_000, 60),
    ("DH-PHUCCHU", "2023", "duong_giao_thong", None, 15),  # no cash: counted by households only
    ("DH-BAOLINH", "2023", "nha_van_hoa", 5_000_000, 25),
    ("DH-PHUCCHU", "2023-H1", "kenh_muong", 7_000_000, 30),
)


def _save(session: Session, unit: str, period: str, kind: str, cash: int | None, households: int) -> str:
    writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
    values: dict[str, object] = {
        "ten_cong_trinh": f"Công trình {kind} {households}",
        "loai_cong_trinh": kind,
        "so_ho_tham_gia": households,
    }
    if cash is not None:
        values["dong_gop_tien"] = cash
    unit_id, period_id = find_unit(session, unit).id, get_period(session, period).id
    return save_entry(session, get_form(FORM), unit_id, period_id, values, writer=writer).record_id


@pytest.fixture
def projects(demo_db: Database) -> Database:
    with demo_db.transaction() as session:
        for row in PROJECTS:
            _save(session, *row)
        gone = _save(session, "DH-BAOLINH", "2023", "truong_hoc", 1_000_000, 9)
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        set_entry_deleted(session, gone, writer=writer, deleted=True)  # a deleted record never counts
    return demo_db


def _pivot(db: Database, **options: object) -> PivotTable:
    request = PivotRequest(FORM, str(options.pop("field", "dong_gop_tien")), **options)  # type: ignore[arg-type]
    with db.session() as session:
        return build_pivot(session, request)


def _keys(db: Database) -> dict[str, str]:
    with db.session() as session:
        units = {c: str(find_unit(session, c).id) for c in ("DH-PHUCCHU", "DH-BAOLINH", "DH-KIMPHUONG")}
        periods = {c: str(get_period(session, c, create=False).id) for c in ("2023", "2023-H1")}
    return units | periods


def test_sum_count_and_mean_by_unit_and_period(projects: Database) -> None:
    table, key = _pivot(projects), _keys(projects)
    assert [label for _, label in table.cols] == ["Năm 2023", "6 tháng đầu năm 2023"]  # periods with data
    phucchu, baolinh = key["DH-PHUCCHU"], key["DH-BAOLINH"]
    assert table.cell(phucchu, key["2023"]).value("sum") == 30_000_000
    assert table.cell(phucchu, key["2023"]).value("count") == 2  # the project without cash is not counted
    assert table.cell(phucchu, key["2023"]).value("mean") == 15_000_000
    assert table.cell(phucchu, key["2023-H1"]).value("sum") == 7_000_000
    assert table.row_total(phucchu).value("sum") == 37_000_000
    assert table.cell(baolinh, key["2023"]).value("sum") == 5_000_000  # its deleted record left out
    assert table.col_total(key["2023"]).value("sum") == 35_000_000
    assert table.grand_total().value("sum") == 42_000_000
    assert table.grand_total().value("count") == 4
    assert table.grand_total().value("mean") == 10_500_000  # 42 M / 4, not the mean of the unit means
    # Every commune-level unit of the district is a row, those that sent nothing with empty cells.
    assert len(table.rows) == 23 and table.rows[0][1] == "Thị trấn Chợ Chu"  # the district: not its form
    assert table.cell(key["DH-KIMPHUONG"], key["2023"]).value("sum") is None
    assert table.cell(key["DH-KIMPHUONG"], key["2023"]).value("count") == 0


def test_households_by_unit_and_kind_of_work(projects: Database) -> None:
    table, key = (
        _pivot(projects, field="so_ho_tham_gia", cols="loai_cong_trinh", periods=("2023",)),
        _keys(projects),
    )
    phucchu = key["DH-PHUCCHU"]
    assert table.cell(phucchu, "duong_giao_thong").value("sum") == 55  # 40 + 15
    assert table.cell(phucchu, "nha_van_hoa").value("sum") == 60
    assert table.cell(phucchu, "kenh_muong").value("sum") is None  # that one was in 2023-H1
    assert table.col_total("nha_van_hoa").value("sum") == 85
    assert table.grand_total().value("sum") == 140
    assert [label for _, label in table.cols][:2] == ["Đường giao thông", "Nhà văn hóa"]  # the form's order


def test_kind_of_work_by_period_without_units(projects: Database) -> None:
    table = _pivot(projects, rows="loai_cong_trinh", cols="")
    assert table.cell("duong_giao_thong", "").value("sum") == 10_000_000
    assert table.cell("nha_van_hoa", "").value("sum") == 25_000_000
    assert table.cell("kenh_muong", "").value("sum") == 7_000_000
    assert EMPTY_KEY not in {k for k, _ in table.rows}  # every record has a kind


def test_sort_filter_and_hide_empty(projects: Database) -> None:
    table, key = _pivot(projects), _keys(projects)
    view = PivotView("sum", "total", True, hide_empty=True)
    labels, figures, columns = grid(table, view)
    assert labels == ["Xã Phúc Chu", "Xã Bảo Linh", "Cộng"]
    assert figures[-1] == [35_000_000, 7_000_000, 42_000_000]
    assert columns == ["Năm 2023", "6 tháng đầu năm 2023", "Cộng"]
    rows = table.arranged("sum", text="phuc chu")  # accents optional
    assert [label for _, label in rows] == ["Xã Phúc Chu"]
    labels, figures, _ = grid(table, PivotView("sum", key["2023"], True, text="xa b"))
    assert labels[:2] == ["Xã Bảo Linh", "Xã Bảo Cường"]  # the one with a figure first, then the rest
    assert all(label.startswith("Xã B") for label in labels[:-1])
    assert figures[-1] == [5_000_000, None, 5_000_000]  # the total row adds only the rows shown


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"form_id": "khong_co"}, "Không có biểu mẫu «khong_co»"),
        ({"field_id": "ten_cong_trinh"}, "không có trường số «ten_cong_trinh»"),
        ({"periods": ("2031-H3",)}, "«2031-H3»"),
        ({"cols": "xom"}, "Không chia theo «xom» được"),
        ({"rows": "period", "cols": "period"}, "hai tiêu chí khác nhau"),
    ],
)
def test_bad_requests_are_refused_in_vietnamese(
    projects: Database, options: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"form_id": FORM, "field_id": "dong_gop_tien"} | options
    with projects.session() as session, pytest.raises(UserError, match=message) as caught:
        build_pivot(session, PivotRequest(**fields))  # type: ignore[arg-type]
    assert caught.value.exit_code == 2


def test_a_field_that_does_not_add_up_has_its_own_statistic_and_no_sum(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        for code, groups, poor in (("DH-PHUCCHU", 5, 12), ("DH-BAOLINH", 7, 40)):
            profile = {
                "so_xom": 8,
                "so_ho": 400,
                "so_nhan_khau": 1600,
                "so_dan_toc": groups,
                "so_ho_ngheo": poor,
            }
            unit_id, period_id = find_unit(session, code).id, get_period(session, "2023").id
            save_entry(session, get_form("ho_so_xa"), unit_id, period_id, profile, writer=writer)
    with demo_db.session() as session:
        table = build_pivot(session, PivotRequest("ho_so_xa", "so_dan_toc"))
        rates = build_pivot(session, PivotRequest("ho_so_xa", "ty_le_ho_ngheo"))
    assert (default_stat(table.field), default_stat(rates.field)) == ("max", "mean")
    assert table.grand_total().value("max") == 7 and table.grand_total().value("mean") == 6
    with pytest.raises(UserError, match="«Số dân tộc cùng sinh sống» không cộng dồn giữa các đơn vị"):
        grid(table, PivotView("sum"))
    with pytest.raises(UserError, match="«Tỷ lệ hộ nghèo» là tỷ lệ phần trăm, không cộng dồn"):
        grid(rates, PivotView("sum"))
    labels, figures, _ = grid(table, PivotView("max", hide_empty=True))
    assert (labels[-1], figures[-1]) == ("Cao nhất", [7.0])  # the highest is no «Cộng»
    with demo_db.session() as session:
        households = build_pivot(session, PivotRequest("ho_so_xa", "so_ho"))
    assert default_stat(households.field) == "sum" and households.grand_total().value("sum") == 800
