"""`danvan pivot`: the workbook and CSV it writes read back, and bad input refused with exit code 2."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from danvan_desktop.db.engine import open_database
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.cli.conftest import run

# (unit, period, kind of work, cash)
PROJECTS = (
    ("DH-PHUCCHU", "2023", "duong_giao_thong", 10_000_000),
    ("DH-PHUCCHU", "2023", "nha_van_hoa", 20_000_000),
    ("DH-BAOLINH", "2023", "nha_van_hoa", 5_000_000),
    ("DH-PHUCCHU", "2023-H1", "kenh_muong", 7_000_000),
)
PIVOT = ("pivot", "--form", "dong_gop_nhan_dan", "--field", "dong_gop_tien")


@pytest.fixture
def db_path(demo_path: Path) -> Path:
    db = open_database(demo_path)
    try:
        with db.transaction() as session:
            writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
            for unit, period, kind, cash in PROJECTS:
                values = {"ten_cong_trinh": "Đường bê tông", "loai_cong_trinh": kind, "so_ho_tham_gia": 10}
                values["dong_gop_tien"] = cash  # type: ignore[assignment]
                unit_id, period_id = find_unit(session, unit).id, get_period(session, period).id
                save_entry(session, get_form("dong_gop_nhan_dan"), unit_id, period_id, values, writer=writer)
    finally:
        db.close()
    return demo_path


def test_pivot_to_excel_reads_back(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "đóng góp.xlsx"
    args = (*PIVOT, "--rows", "unit", "--cols", "period", "--periods", "2023-H1", "2023", "--hide-empty")
    code, stdout, stderr = run(capsys, "--db", db_path, *args, "--out", out)
    assert (code, stderr) == (0, "")
    assert "2 dòng" in stdout
    sheet = load_workbook(out).active
    assert sheet is not None
    assert "Đóng góp bằng tiền" in str(sheet["A1"].value)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows == [
        ["Đơn vị", "Năm 2023", "6 tháng đầu năm 2023", "Cộng"],
        ["Xã Bảo Linh", 5_000_000, None, 5_000_000],
        ["Xã Phúc Chu", 30_000_000, 7_000_000, 37_000_000],
        ["Cộng", 35_000_000, 7_000_000, 42_000_000],
    ]
    assert sheet.cell(6, 2).number_format == "#,##0"


def test_pivot_by_choice_to_csv(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "loai.csv"
    code, _, stderr = run(
        capsys, "--db", db_path, *PIVOT, "--rows", "loai_cong_trinh", "--cols", "none", "--stat", "mean",
        "--hide-empty", "--out", out,
    )  # fmt: skip
    assert (code, stderr) == (0, "")
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["Loại công trình", "Cộng"],
        ["Đường giao thông", "10000000"],
        ["Nhà văn hóa", "12500000"],
        ["Kênh mương, thủy lợi", "7000000"],
        ["Cộng", "10500000"],  # 42 M over 4 records, not the mean of the three means
    ]


def test_pivot_prints_to_the_terminal(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, stdout, _ = run(capsys, "--db", db_path, *PIVOT, "--sort", "total", "--desc", "--filter", "xa")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[3].split()[:2] == ["Đơn", "vị"]
    assert lines[4].startswith("Xã Phúc Chu") and lines[4].rstrip().endswith("37.000.000")
    assert lines[-1].startswith("Cộng") and lines[-1].rstrip().endswith("42.000.000")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pivot", "--form", "khong_co", "--field", "x"), "Không có biểu mẫu «khong_co»"),
        ((*PIVOT[:3], "--field", "ten_cong_trinh"), "không có trường số «ten_cong_trinh»"),
        ((*PIVOT, "--periods", "2023-H3"), "«2023-H3»"),
        ((*PIVOT, "--periods", "2020"), "Chưa có kỳ báo cáo «2020»"),
        ((*PIVOT, "--rows", "xom"), "Không chia theo «xom» được"),
        ((*PIVOT, "--sort", "năm 2030"), "Không sắp xếp theo «năm 2030» được"),
    ],
)
def test_bad_input_exits_2_in_vietnamese_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "x.xlsx"
    code, stdout, stderr = run(capsys, "--db", db_path, *args, "--out", out)
    assert code == 2 and stdout == ""
    assert message in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_bad_output_file(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    code, _, stderr = run(capsys, "--db", db_path, *PIVOT, "--out", tmp_path / "x.ods")
    assert code == 2 and "phải có đuôi .xlsx, .csv hoặc .pdf" in stderr


def test_a_field_that_does_not_add_up_is_not_summed(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    db = open_database(db_path)
    try:
        with db.transaction() as session:
            writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
            for code, groups in (("DH-PHUCCHU", 5), ("DH-BAOLINH", 7)):
                profile = {"so_xom": 8, "so_ho": 500, "so_nhan_khau": 2000, "so_dan_toc": groups}
                unit_id, period_id = find_unit(session, code).id, get_period(session, "2023").id
                save_entry(session, get_form("ho_so_xa"), unit_id, period_id, profile, writer=writer)
    finally:
        db.close()
    groups = ("pivot", "--form", "ho_so_xa", "--field", "so_dan_toc", "--hide-empty")
    out = tmp_path / "dan-toc.csv"
    code, stdout, stderr = run(capsys, "--db", db_path, *groups, "--stat", "sum", "--out", out)
    assert code == 2 and stdout == "" and "Traceback" not in stderr
    assert "«Số dân tộc cùng sinh sống» không cộng dồn giữa các đơn vị" in stderr
    assert "Dùng --stat count (số bản ghi), mean (bình quân), max (cao nhất)." in stderr
    assert not out.exists()
    code, _, stderr = run(capsys, "--db", db_path, *groups, "--out", out)  # its own way: the highest
    assert (code, stderr) == (0, "")
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["Đơn vị", "Năm 2023"],
        ["Xã Bảo Linh", "7"],
        ["Xã Phúc Chu", "5"],
        ["Cao nhất", "7"],
    ]  # not 12
    code, stdout, _ = run(capsys, "--db", db_path, *groups, "--stat", "mean")
    assert code == 0 and stdout.splitlines()[-1].split() == ["Cộng", "6"]
