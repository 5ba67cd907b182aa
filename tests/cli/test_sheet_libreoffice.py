"""Sheets saved again by LibreOffice Calc: `danvan sheet export` → soffice → `danvan load` changes nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Record
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.cli.conftest import run
from tests.databases import TestServer, copy_database
from tests.services.sheet_values import BRANCH_HEADER, LOOKALIKES, model
from tests.tools import libreoffice_resave

pytestmark = pytest.mark.slow  # LibreOffice starts in about 2 s per file
MODELS = ("--form", "mo_hinh_dan_van_kheo", "--unit", "DH-PHUCCHU", "--period", "2023")
BRANCHES = ("--form", "to_chuc_doan_the", "--unit", "DH-PHUCCHU", "--period", "2023")
# Semicolon-separated, double quotes, UTF-8: the CSV a Vietnamese LibreOffice user saves.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):59,34,76,1"


def records(db_path: Path, form_id: str) -> list[dict[str, object]]:
    db = open_database(db_path)
    try:
        with db.session() as session:
            query = select(Record).where(Record.form_id == form_id).order_by(Record.created_at, Record.id)
            return [r.values for r in session.scalars(query)]
    finally:
        db.close()


def seed_models(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        with db.transaction() as session:
            writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
            unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
            for text in LOOKALIKES:
                form = get_form("mo_hinh_dan_van_kheo")
                save_entry(session, form, unit.id, period.id, model(**text), writer=writer)
    finally:
        db.close()


def copy_db(source: Path, target: Path, server: TestServer | None) -> Path:
    """A second database of the same office (with its key beside it), without the seeded records;
    on a server run a clone, dropped with the run's other databases."""
    target.mkdir()
    return next(copy_database(source, target, source.stem, server))


def test_export_saved_by_libreoffice_loads_back_to_the_same_records(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path, test_server: TestServer | None
) -> None:
    empty = copy_db(demo_path, tmp_path / "other", test_server)
    seed_models(demo_path)
    original = records(demo_path, "mo_hinh_dan_van_kheo")
    out = tmp_path / "mo_hinh.xlsx"
    code, _, err = run(capsys, "--db", demo_path, "sheet", "export", *MODELS, "--out", out)
    assert code == 0, err
    resaved = libreoffice_resave(out, tmp_path / "libreoffice", tmp_path / "lo")
    with zipfile.ZipFile(resaved) as book:
        assert b"LibreOffice" in book.read("docProps/app.xml")  # really written by Calc
    code, stdout, err = run(capsys, "--db", demo_path, "load", *MODELS, resaved)
    assert code == 0, stdout + err
    assert "Đã nạp 3/3 dòng: 0 thêm mới, 0 cập nhật, 3 không thay đổi." in stdout
    assert records(demo_path, "mo_hinh_dan_van_kheo") == original
    # Into a database without them: the records are made again, value for value.
    code, stdout, err = run(capsys, "--db", empty, "load", *MODELS, resaved)
    assert code == 0, stdout + err
    assert "3 thêm mới" in stdout
    assert records(empty, "mo_hinh_dan_van_kheo") == original


def test_formulas_computed_by_libreoffice_load_in_number_fields_only(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    book = Workbook()
    for row in (
        BRANCH_HEADER,
        ["Hội LHPN", "Chi hội A", "=20+20", "=SUM(C2,20)"],  # numbers worked out in the sheet: kept
        ["Hội LHPN", '="Chi hội "&"B"', 40, 60],
        ["Hội LHPN", "=Tiêu đề hoạt động", 40, 60],  # Err:509 / #VALUE! in Calc
        ["Hội LHPN", "Chi hội D", "=1/0", 60],
    ):
        book.active.append(row)
    made = tmp_path / "cong_thuc.xlsx"
    book.save(made)
    resaved = libreoffice_resave(made, tmp_path / "libreoffice", tmp_path / "lo")
    code, stdout, err = run(capsys, "--db", demo_path, "load", *BRANCHES, "--keep-good", resaved)
    assert code == 1
    # rejected rows on stderr, the summary of what was stored on stdout
    assert 'Dòng 3: Cột B «Tên chi hội, chi đoàn»: ô chứa công thức «="Chi hội "&"B"»' in err
    assert "Dòng 4: Cột B «Tên chi hội, chi đoàn»: ô chứa công thức «=" in err
    assert "Dòng 5: Cột C «Số hội viên, đoàn viên»: ô báo lỗi «#DIV/0!»" in err
    assert "Đã nạp 1/4 dòng: 1 thêm mới" in stdout
    (stored,) = records(demo_path, "to_chuc_doan_the")
    assert (stored["ten_chi_hoi"], stored["hoi_vien"], stored["doi_tuong"]) == ("Chi hội A", 40, 60)
    # The same sheet saved as CSV holds the computed values and Calc's error texts.
    csv = libreoffice_resave(made, tmp_path / "csv", tmp_path / "lo", to=CSV_FILTER)
    text = csv.read_text(encoding="utf-8")
    assert "Chi hội B" in text and "Err:5" in text and "#DIV/0!" in text
    code, _, err = run(capsys, "--db", demo_path, "load", *BRANCHES, csv)
    assert code == 1
    assert "Dòng 4: Cột B «Tên chi hội, chi đoàn»: ô báo lỗi «Err:5" in err
    assert "Dòng 5: Cột C «Số hội viên, đoàn viên»: ô báo lỗi «#DIV/0!»" in err
