"""The completeness table of one period written out: a workbook to pass on, a PDF to print."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.reports.document import Column, Table
from danvan_desktop.reports.worksheet import Worksheet, worksheet_pdf
from danvan_desktop.services.entry.spreadsheet_export import save_workbook
from danvan_desktop.services.reporting.completeness import STATUS_LABELS, PeriodCompleteness
from danvan_desktop.text import nfc

# The screen's colours, so a printed or passed-on table reads like the one on screen.
FILLS = {
    "received": "CDECCF",
    "missing": "FFF1BF",
    "late": "F7C6C7",
    "conflict": "DCD0F5",
    "not_due": "F4F4F4",
    "not_applicable": "EEEEEE",
}
CELL_TEXT = {**STATUS_LABELS, "not_due": "Không yêu cầu", "not_applicable": "—"}
UNIT_HEADER = "Đơn vị"


def title_of(data: PeriodCompleteness) -> str:
    return f"Tình hình nhận số liệu · {data.period_label}"


def summary_of(data: PeriodCompleteness) -> str:
    complete, expected = data.summary()
    counts = data.counts()
    tally = " · ".join(
        f"{STATUS_LABELS[s]}: {counts[s]}" for s in ("received", "missing", "late", "conflict")
    )
    return f"{complete}/{expected} đơn vị đã gửi đủ · {tally}"


def grid(
    data: PeriodCompleteness, forms: Mapping[str, FormDef]
) -> tuple[list[str], list[list[str]], list[str]]:
    """(form ids shown, one row of statuses per unit with its label first, the forms not due) for a period:
    forms no unit owes for it are left out and named below instead."""
    shown = data.due_forms(list(forms))
    rows = []
    for unit in data.rows:
        label = unit.unit_label + (" (đơn vị mình)" if unit.is_office else "")
        rows.append([label, *(unit.cells[f] for f in shown)])
    not_due = [forms[f].title for f in forms if f not in shown]
    return shown, rows, not_due


def _note(not_due: list[str]) -> tuple[str, ...]:
    return (f"Kỳ này không yêu cầu: {'; '.join(not_due)}.",) if not_due else ()


def completeness_pdf(
    data: PeriodCompleteness, forms: Mapping[str, FormDef], *, today: dt.date
) -> tuple[bytes, int]:
    shown, rows, not_due = grid(data, forms)
    table = Table(
        "",
        (Column(UNIT_HEADER, 2.0), *(Column(forms[f].title, 1.0, "center") for f in shown)),
        tuple((row[0], *(CELL_TEXT[s] for s in row[1:])) for row in rows),
        landscape=True,
    )
    sheet = Worksheet(title_of(data), summary_of(data), table, _note(not_due), today)
    return worksheet_pdf(sheet)


def write_completeness_xlsx(data: PeriodCompleteness, forms: Mapping[str, FormDef], out: Path) -> int:
    """The table with the screen's colours; returns the unit rows written."""
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"Tệp «{out}» phải có đuôi .xlsx.")
    shown, rows, not_due = grid(data, forms)
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "Tình hình nhận"
    sheet["A1"] = nfc(title_of(data))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = nfc(summary_of(data))
    header = [UNIT_HEADER, *(forms[f].title for f in shown)]
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(4, col, nfc(text))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(rows, start=5):
        sheet.cell(r, 1, nfc(row[0]))
        for c, status in enumerate(row[1:], start=2):
            cell = sheet.cell(r, c, CELL_TEXT[status])
            cell.fill = PatternFill("solid", fgColor=FILLS[status])
            cell.alignment = Alignment(horizontal="center")
    for note in _note(not_due):
        sheet.cell(len(rows) + 6, 1, nfc(note)).font = Font(italic=True)
    sheet.column_dimensions["A"].width = 34
    for c in range(2, len(header) + 1):
        sheet.column_dimensions[sheet.cell(4, c).column_letter].width = 18
    sheet.row_dimensions[4].height = 48
    sheet.freeze_panes = "B5"
    save_workbook(book, out)
    return len(rows)
