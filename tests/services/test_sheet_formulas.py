"""Sheet formulas: text that looks like one stays text; formula and error cells never load as values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.entry.spreadsheets import LoadReport, export_xlsx, load_rows
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.services.sheet_values import BRANCH_HEADER, LOOKALIKES, model

UNIT, PERIOD = "DH-PHUCCHU", "2023"
MODELS = "mo_hinh_dan_van_kheo"
BRANCHES = "to_chuc_doan_the"


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as s, s.begin():
        yield s


@pytest.fixture
def writer(session: Session) -> Writer:
    return Writer(load_installation(session).site_id, "Nguyễn Thị Lan")


def ids(session: Session) -> tuple[int, int]:
    return find_unit(session, UNIT).id, get_period(session, PERIOD).id


def seed(session: Session, writer: Writer, form_id: str, rows: Sequence[dict[str, object]]) -> None:
    unit_id, period_id = ids(session)
    for values in rows:
        save_entry(session, get_form(form_id), unit_id, period_id, values, writer=writer)


def load(session: Session, writer: Writer, form_id: str, path: Path) -> LoadReport:
    unit_id, period_id = ids(session)
    return load_rows(session, get_form(form_id), unit_id, period_id, path, writer=writer)


def stored(session: Session, form_id: str) -> list[dict[str, object]]:
    query = select(Record).where(Record.form_id == form_id).order_by(Record.created_at, Record.id)
    return [r.values for r in session.scalars(query)]


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def problems(report: LoadReport) -> list[str]:
    return [p.text() for p in report.rejected_rows]


def test_text_that_looks_like_a_formula_is_exported_as_text_and_loads_back_unchanged(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    seed(session, writer, MODELS, [model(**text) for text in LOOKALIKES])
    before, versions = stored(session, MODELS), count(session, RecordHistory)
    assert [{k: v[k] for k in LOOKALIKES[0]} for v in before] == LOOKALIKES  # stored exactly as typed
    out = tmp_path / "mo_hinh.xlsx"
    unit_id, period_id = ids(session)
    assert export_xlsx(session, get_form(MODELS), unit_id, period_id, out) == 3
    book = load_workbook(out)  # formulas as formulas, not computed values
    typed = {(s.title, c.coordinate): c.data_type for s in book.worksheets for r in s.iter_rows() for c in r}
    assert {k: t for k, t in typed.items() if t in ("f", "e")} == {}
    texts = {c.value for r in book["Dữ liệu"].iter_rows() for c in r if c.data_type == "s"}
    assert {v for text in LOOKALIKES for v in text.values()} <= texts
    report = load(session, writer, MODELS, out)
    assert (report.rejected, report.created, report.updated, report.unchanged) == (0, 0, 0, 3), problems(
        report
    )
    assert stored(session, MODELS) == before and count(session, RecordHistory) == versions


def test_formula_cells_in_text_fields_are_refused_naming_row_and_column(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    book = Workbook()
    for row in (
        BRANCH_HEADER,
        ["Hội LHPN", "=A1", 40, 60],  # openpyxl writes "=..." as a formula: C3 of a hand-made file
        ["Hội LHPN", "Chi hội B", "=20+20", 60],  # a formula nobody computed yet (no cached value)
        ["=A2", "Chi hội C", 40, 60],  # a list field
        ["Hội LHPN", "Chi hội D", 40, 60],
    ):
        book.active.append(row)
    path = tmp_path / "cong_thuc.xlsx"
    book.save(path)
    report = load(session, writer, BRANCHES, path)
    assert not report.stored and report.rows == 4
    assert problems(report) == [
        "Dòng 2: Cột B «Tên chi hội, chi đoàn»: ô chứa công thức «=A1» chứ không phải giá trị. "
        "Hãy gõ trực tiếp giá trị, hoặc sao chép ô rồi «Dán đặc biệt» chỉ giá trị.",
        "Dòng 3: Cột C «Số hội viên, đoàn viên»: ô chứa công thức «=20+20» chưa được tính "
        "(tệp chưa được mở và lưu lại bằng Excel hoặc LibreOffice). Hãy gõ trực tiếp giá trị.",
        "Dòng 4: Cột A «Tổ chức»: ô chứa công thức «=A2» chứ không phải giá trị. "
        "Hãy gõ trực tiếp giá trị, hoặc sao chép ô rồi «Dán đặc biệt» chỉ giá trị.",
    ]
    assert count(session, Record) == 0


def test_error_cells_are_refused_in_xlsx_and_csv(session: Session, writer: Writer, tmp_path: Path) -> None:
    book = Workbook()
    for row in (
        BRANCH_HEADER,
        ["Hội LHPN", "#VALUE!", 40, 60],  # openpyxl writes these as error cells (t="e")
        ["Hội LHPN", "Chi hội B", "#DIV/0!", 60],
        ["Hội LHPN", "Chi hội C", 40, 60],
    ):
        book.active.append(row)
    xlsx = tmp_path / "loi.xlsx"
    book.save(xlsx)
    assert load_workbook(xlsx)["Sheet"]["B2"].data_type == "e"
    report = load(session, writer, BRANCHES, xlsx)
    assert problems(report) == [
        "Dòng 2: Cột B «Tên chi hội, chi đoàn»: ô báo lỗi «#VALUE!» của bảng tính (công thức tính sai) "
        "thay vì giá trị. Hãy sửa ô này rồi nạp lại.",
        "Dòng 3: Cột C «Số hội viên, đoàn viên»: ô báo lỗi «#DIV/0!» của bảng tính (công thức tính sai) "
        "thay vì giá trị. Hãy sửa ô này rồi nạp lại.",
    ]
    # A CSV saved by LibreOffice writes "Err:509", by Excel "#REF!", where a formula failed.
    csv = tmp_path / "loi.csv"
    lines = [";".join(BRANCH_HEADER), "Hội LHPN;Err:509;40;60", "Hội LHPN;Chi hội B;#REF!;60"]
    csv.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    report = load(session, writer, BRANCHES, csv)
    assert [p.split(":")[0] for p in problems(report)] == ["Dòng 2", "Dòng 3"]
    assert "Cột B «Tên chi hội, chi đoàn»: ô báo lỗi «Err:509»" in problems(report)[0]
    assert "Cột C «Số hội viên, đoàn viên»: ô báo lỗi «#REF!»" in problems(report)[1]
    assert count(session, Record) == 0
