"""`danvan load` with numbers and periods out of bounds: a Vietnamese reason, exit 1 or 2, no traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Period
from tests.cli.conftest import run
from tests.cli.test_load_cli import HEADER, TARGET, csv_file, sha256


def test_a_400_digit_number_in_a_cell_rejects_its_row(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "lon.csv", "Hội LHPN;Chi hội A;10;20", f"Hội LHPN;Chi hội B;{10**400};20")
    before = sha256(demo_path)
    code, stdout, err = run(capsys, "--db", demo_path, "load", *TARGET, path)
    assert code == 1, err
    assert (
        "Dòng 3: «Số hội viên, đoàn viên»: số vượt giới hạn, phải nằm trong khoảng ±999.999.999.999.999."
        in err  # rejected rows go to stderr
    )
    assert "Traceback" not in err + stdout
    assert sha256(demo_path) == before


def _xlsx_with_cell(path: Path, cell_xml: str) -> Path:
    """A sheet whose D2 holds `cell_xml` as written in the file: what no spreadsheet program writes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    sheet.append(["Hội LHPN", "Chi hội A", 10, 12345.678])
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    xml = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = xml.replace(b"<v>12345.678</v>", f"<v>{cell_xml}</v>".encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


FIELD = "Dòng 2: «Số người thuộc đối tượng tập hợp»"


@pytest.mark.parametrize(
    ("cell", "code", "text"),
    [
        ("-1e+308", 1, FIELD),
        ("1e16", 1, FIELD),
        ("1e400", 1, FIELD),  # read as inf
        (str(10**400), 1, FIELD),
        ("NaN", 2, "không phải là bảng tính Excel"),  # openpyxl refuses the file itself
    ],
    ids=lambda c: str(c)[:12],
)
def test_a_huge_number_cell_in_xlsx_is_refused(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path, cell: str, code: int, text: str
) -> None:
    path = _xlsx_with_cell(tmp_path / "lon.xlsx", cell)
    before = sha256(demo_path)
    exit_code, stdout, err = run(capsys, "--db", demo_path, "load", *TARGET, path)
    assert exit_code == code, stdout + err
    assert text in stdout + err
    assert "Traceback" not in err + stdout
    assert sha256(demo_path) == before


@pytest.mark.parametrize("period", ["2099", "1999-Q4"])
def test_a_period_out_of_range_is_refused_and_not_created(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path, period: str
) -> None:
    path = csv_file(tmp_path / "dung.csv", "Hội LHPN;Chi hội A;10;20")
    before = sha256(demo_path)
    code, stdout, err = run(capsys, "--db", demo_path, "load", *TARGET[:-1], period, path)
    assert code == 2, stdout
    assert "nằm ngoài khoảng cho phép (từ năm 2000 đến năm" in err
    assert "Traceback" not in err + stdout
    assert sha256(demo_path) == before
    db = open_database(demo_path)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Period).where(Period.code == period)) == 0
    db.close()
