"""A cross-tab written out: an .xlsx workbook, a .csv file, a printable PDF, or text for the terminal."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# openpyxl ships no type hints; the types-openpyxl stubs are not a dependency.
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import WHOLE_NUMBER_TYPES, FieldDef
from danvan_desktop.formspec.values import format_number
from danvan_desktop.reports.document import Column, Table
from danvan_desktop.reports.render import write_atomically
from danvan_desktop.reports.worksheet import Worksheet, worksheet_pdf
from danvan_desktop.services.entry.spreadsheet_export import save_workbook
from danvan_desktop.services.reporting.pivot import STATS, TOTAL_LABEL, PivotTable, Stat, stat_problem
from danvan_desktop.text import nfc

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FIRST_ROW = 4  # title, subtitle, a blank line, then the header


@dataclass(frozen=True)
class PivotView:
    """The table as the reader chose to see it: statistic, order, filter."""

    stat: Stat = "sum"
    sort: str = ""
    descending: bool = False
    text: str = ""
    hide_empty: bool = False


def decimals_of(spec: FieldDef, stat: Stat) -> int:
    """How many decimals a figure shows: a count none; a mean at least one, except money."""
    if stat == "count":
        return 0
    base = spec.decimals if spec.decimals is not None else (0 if spec.type in WHOLE_NUMBER_TYPES else 1)
    if stat == "mean" and spec.type != "money":
        return max(base, 1)
    return base


def title_of(table: PivotTable, stat: Stat) -> str:
    unit = f" ({table.field.unit})" if table.field.unit and stat != "count" else ""
    across = table.axis_label(table.row_axis)
    if table.col_axis:
        across += f" và {table.axis_label(table.col_axis).lower()}"
    return f"{STATS[stat]} «{table.field.label}»{unit} theo {across.lower()}"


def subtitle_of(table: PivotTable) -> str:
    periods = ", ".join(table.period_labels) or "không có kỳ nào có số liệu"
    return f"Biểu «{table.form.title}» · {table.scope_label} · {periods}"


def grid(table: PivotTable, view: PivotView) -> tuple[list[str], list[list[float | None]], list[str]]:
    """(row labels, figures with a total column, the column labels with the total's) in view order;
    the last row is the total row of the rows shown. A sum of what does not add up is refused."""
    problem = stat_problem(table.field, view.stat)
    if problem:
        raise UserError(problem)
    rows = table.arranged(view.stat, sort=view.sort, descending=view.descending, text=view.text,
                          hide_empty=view.hide_empty)  # fmt: skip
    shown = [k for k, _ in rows]
    figures: list[list[float | None]] = []
    for key, _label in rows:
        line = [table.cell(key, c).value(view.stat) for c, _ in table.cols]
        if len(table.cols) > 1:
            line.append(table.row_total(key).value(view.stat))
        figures.append(line)
    total = [table.col_total(c, shown).value(view.stat) for c, _ in table.cols]
    if len(table.cols) > 1:
        total.append(table.grand_total(shown).value(view.stat))
    figures.append(total)
    # The highest of a row or column is no sum: its line says «Cao nhất», not «Cộng».
    across = STATS["max"] if view.stat == "max" else TOTAL_LABEL
    heads = [across if not table.col_axis else label for _, label in table.cols]  # one column: the total
    labels = heads + ([across] if len(table.cols) > 1 else [])
    return [label for _, label in rows] + [across], figures, labels


def text_of(value: float | None, decimals: int) -> str:
    return "" if value is None else format_number(value, decimals)


def write_pivot(table: PivotTable, view: PivotView, out: Path, *, today: dt.date | None = None) -> int:
    """Write the table to .xlsx, .csv or .pdf by the file's extension; returns the rows written."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".pdf"):
        raise UserError(f"Tệp «{out}» phải có đuôi .xlsx, .csv hoặc .pdf.")
    if not out.parent.is_dir():
        raise UserError(f"Không có thư mục {out.parent} để ghi tệp.")
    if out.is_dir():
        raise UserError(f"«{out}» là một thư mục, không phải tệp.")
    labels, figures, columns = grid(table, view)
    if suffix == ".csv":
        write_atomically(out, _csv_bytes(table, view, labels, figures, columns))
    elif suffix == ".pdf":
        write_atomically(out, pivot_pdf(table, view, today=today or dt.date.today())[0])
    else:
        save_workbook(_workbook(table, view, labels, figures, columns), out)
    return len(labels) - 1


def _csv_bytes(
    table: PivotTable,
    view: PivotView,
    labels: list[str],
    figures: list[list[float | None]],
    columns: list[str],
) -> bytes:
    """Plain numbers (a dot for decimals) for other programs; UTF-8 with a BOM so Excel reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([nfc(table.axis_label(table.row_axis)), *(nfc(c) for c in columns)])
    digits = decimals_of(table.field, view.stat)
    for label, line in zip(labels, figures, strict=True):
        writer.writerow([nfc(label), *("" if v is None else _plain(v, digits) for v in line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _plain(value: float, digits: int) -> str:
    rounded = round(value, digits)
    return str(int(rounded)) if digits == 0 else f"{rounded:.{digits}f}"


def _workbook(
    table: PivotTable,
    view: PivotView,
    labels: list[str],
    figures: list[list[float | None]],
    columns: list[str],
) -> Any:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "Tổng hợp"
    sheet["A1"] = nfc(title_of(table, view.stat))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = nfc(subtitle_of(table))
    sheet["A2"].font = Font(italic=True)
    digits = decimals_of(table.field, view.stat)
    number_format = "#,##0" + ("." + "0" * digits if digits else "")
    header = [table.axis_label(table.row_axis), *columns]
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(FIRST_ROW, col, nfc(text))
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, (label, line) in enumerate(zip(labels, figures, strict=True), start=1):
        row = FIRST_ROW + offset
        last = offset == len(labels)
        sheet.cell(row, 1, nfc(label))
        for col, value in enumerate(line, start=2):
            cell = sheet.cell(row, col, None if value is None else round(value, digits))
            cell.number_format = number_format
        if last:
            for col in range(1, len(header) + 1):
                sheet.cell(row, col).font, sheet.cell(row, col).fill = _BOLD, _TOTAL_FILL
    sheet.column_dimensions["A"].width = min(max(len(x) for x in [*labels, header[0]]) + 2, 48)
    for col in range(2, len(header) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = max(14, min(len(header[col - 1]) + 2, 28))
    sheet.freeze_panes = sheet.cell(FIRST_ROW + 1, 2)
    return book


def pivot_pdf(table: PivotTable, view: PivotView, *, today: dt.date) -> tuple[bytes, int]:
    """The table on landscape pages, as the screen shows it."""
    labels, figures, columns = grid(table, view)
    digits = decimals_of(table.field, view.stat)
    body = tuple(
        (label, *(text_of(v, digits) for v in line))
        for label, line in zip(labels[:-1], figures, strict=False)
    )
    total = (labels[-1], *(text_of(v, digits) for v in figures[-1]))
    width = 1.0 if len(columns) > 8 else 1.2
    pdf_table = Table(
        "",
        (Column(table.axis_label(table.row_axis), 2.2), *(Column(c, width, "right") for c in columns)),
        body,
        total,
        landscape=True,
    )
    notes = []
    if view.text:
        notes.append(f"Chỉ gồm các dòng có «{view.text}»; dòng Cộng là cộng các dòng đó.")
    if view.stat == "max":
        notes.append("Dòng, cột «Cao nhất»: số lớn nhất của một bản ghi trong dòng, cột đó, không phải tổng.")
    if view.stat == "mean":
        notes.append(
            "Bình quân của mỗi dòng, cột và dòng Cộng tính từ tổng và số bản ghi, "
            "không lấy bình quân của bình quân."
        )
    sheet = Worksheet(title_of(table, view.stat), subtitle_of(table), pdf_table, tuple(notes), today)
    return worksheet_pdf(sheet)


def pivot_text(table: PivotTable, view: PivotView) -> str:
    """The table as aligned text for the terminal."""
    labels, figures, columns = grid(table, view)
    digits = decimals_of(table.field, view.stat)
    head = [table.axis_label(table.row_axis), *columns]
    lines = [
        [label, *(text_of(v, digits) for v in line)] for label, line in zip(labels, figures, strict=True)
    ]
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells))

    out = [title_of(table, view.stat), subtitle_of(table), "", fmt(head)]
    out += [fmt(line) for line in lines[:-1]]
    out += ["-" * len(fmt(head)), fmt(lines[-1])]
    return "\n".join(out)
