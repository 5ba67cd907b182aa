"""Completeness knows which periods each form is due for, and its table goes to Excel and PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from danvan_desktop.catalog.periods import PeriodKind
from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.model import FormDef, Periodicity
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.completeness import PeriodCompleteness, completeness
from danvan_desktop.services.reporting.completeness_output import completeness_pdf, write_completeness_xlsx
from tests.reports.pdfcheck import text

LATE = dt.date(2024, 3, 1)  # long after both halves and the year


def _period(db: Database, code: str) -> PeriodCompleteness:
    forms = list(form_registry())
    with db.session() as session:
        office = load_installation(session).office_unit_id
        period = get_period(session, code)
        return completeness(session, office, [period.id], forms, LATE).periods[0]


def test_every_shipped_form_declares_its_periodicity() -> None:
    forms = form_registry()
    assert all(f.periodicity for f in forms.values()), [k for k, f in forms.items() if not f.periodicity]
    assert set(Periodicity.__args__) == {k.value for k in PeriodKind}  # type: ignore[attr-defined]


def test_half_year_asks_only_the_forms_due_for_halves(demo_db: Database) -> None:
    half = _period(demo_db, "2023-H1")
    statuses = {s for row in half.rows for s in row.cells.values()}
    assert "late" in statuses  # the half-year return is due and missing
    for row in half.rows[1:]:
        assert row.cells["ho_so_xa"] == "not_due"  # a yearly form: never late for a half
        assert row.cells["tien_do_ntm"] in ("not_due", "not_applicable")
        assert row.cells["bao_cao_tong_hop"] == "late"
    assert half.rows[0].cells["chi_tieu_de_an_05"] == "not_due"  # the district's indicators: yearly
    assert half.rows[0].cells["kiem_tra_giam_sat"] == "late"
    assert set(half.due_forms(list(form_registry()))) == {
        "bao_cao_tong_hop",
        "dong_gop_nhan_dan",
        "doi_thoai_tiep_dan",
        "kiem_tra_giam_sat",
    }
    year = _period(demo_db, "2023")
    assert year.rows[1].cells["ho_so_xa"] == "late"  # and due for the year
    assert len(year.due_forms(list(form_registry()))) == len(form_registry())


def test_a_form_without_periodicity_is_due_every_period() -> None:
    form = FormDef.model_validate(
        {
            "id": "x",
            "version": 1,
            "title": "X",
            "kind": "aggregate",
            "sections": [{"title": "S", "fields": [{"id": "a", "type": "integer", "label": "A"}]}],
        }
    )
    assert form.due_for("half") and form.due_for("month") and form.due_for("phase")
    yearly = form.model_copy(update={"periodicity": ["year"]})
    assert yearly.due_for("year") and not yearly.due_for("half")


def test_the_table_goes_to_excel_and_pdf(demo_db: Database, tmp_path: Path) -> None:
    half = _period(demo_db, "2023-H1")
    forms = form_registry()
    out = tmp_path / "tinh hinh.xlsx"
    assert write_completeness_xlsx(half, forms, out) == 24
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["A1"].value == "Tình hình nhận số liệu · 6 tháng đầu năm 2023"
    header = [c.value for c in sheet[4]]
    assert header[0] == "Đơn vị" and len(header) == 5  # the unit and the four forms due for a half
    assert "Thông tin chung của xã" not in header
    assert [c.value for c in sheet[6]][:2] == ["Thị trấn Chợ Chu", "Trễ hạn"]
    notes = [sheet.cell(r, 1).value for r in range(29, 32)]
    assert any(str(n).startswith("Kỳ này không yêu cầu: ") for n in notes if n)
    pdf, pages = completeness_pdf(half, forms, today=dt.date(2024, 3, 1))
    path = tmp_path / "tinh-hinh.pdf"
    path.write_bytes(pdf)
    content = text(path)
    assert pages >= 1 and "6 tháng đầu năm 2023" in content and "Thị trấn Chợ Chu Trễ hạn" in content
    assert "Kỳ này không yêu cầu: " in content and "Thông tin chung của xã" in content


@pytest.mark.parametrize("name", ["x.csv"])
def test_excel_only(demo_db: Database, tmp_path: Path, name: str) -> None:
    from danvan_desktop.errors import UserError

    with pytest.raises(UserError, match=r"phải có đuôi \.xlsx"):
        write_completeness_xlsx(_period(demo_db, "2023"), form_registry(), tmp_path / name)
