"""Exporting a form's records of one unit and period to an .xlsx workbook that loads back."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

# openpyxl ships no type hints; the types-openpyxl stubs are not a dependency (yet).
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop import APP_TITLE
from danvan_desktop.db.models import OrgUnit, Period, Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FieldDef, FormDef
from danvan_desktop.formspec.values import TYPE_NAMES, format_bound
from danvan_desktop.services.entry.entry import find_aggregate
from danvan_desktop.services.entry.spreadsheet_cells import (
    DATA_SHEET,
    FIRST_DATA_ROW,
    GUIDE_SHEET,
    ID_ROW,
    LABEL_ROW,
    LISTS_SHEET,
    RECORD_KEY,
    RECORD_LABEL,
    Vocabulary,
    number_format,
)
from danvan_desktop.services.office.orgunits import unit_label

_Book = Any  # openpyxl.Workbook: openpyxl has no type hints
_Sheet = Any  # openpyxl.worksheet.worksheet.Worksheet

_BOLD = Font(bold=True)
_COMPUTED_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: recalculated, ignored on load
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SPARE_ROWS = 1000  # rows below the data that still get drop-downs and formats for new entries
_GUIDE_HEADER = (
    "Tên trường",
    "Mã trường",
    "Kiểu dữ liệu",
    "Bắt buộc",
    "Nhỏ nhất",
    "Lớn nhất",
    "Các lựa chọn",
    "Đơn vị tính",
    "Hướng dẫn",
)


def export_records(session: Session, form: FormDef, unit_id: int, period_id: int) -> list[Record]:
    """The records a sheet shows: the unit's aggregate record, or its register, oldest first."""
    if form.kind == "aggregate":
        record = find_aggregate(session, form.id, unit_id, period_id)
        return [record] if record is not None else []
    stmt = select(Record).where(
        Record.form_id == form.id,
        Record.org_unit_id == unit_id,
        Record.period_id == period_id,
        Record.deleted.is_(False),
    )
    return list(session.scalars(stmt.order_by(Record.created_at, Record.id)))


def export_xlsx(session: Session, form: FormDef, unit_id: int, period_id: int, out: Path) -> int:
    """Write the unit's records for the period to `out` (replaced atomically); returns the rows written."""
    period = session.get_one(Period, period_id)
    unit = session.get_one(OrgUnit, unit_id)
    vocab = Vocabulary.build(session, form, unit_id, period)
    records = export_records(session, form, unit_id, period_id)
    book = Workbook()
    sheet: _Sheet = book.active
    sheet.title = DATA_SHEET
    fields = form.fields()
    _write_header(sheet, fields)
    for offset, record in enumerate(records):
        row = FIRST_DATA_ROW + offset
        _put(sheet, row, 1, record.id)
        for col, field in enumerate(fields, start=2):
            cell = _put(sheet, row, col, vocab.to_cell(field, record.values.get(field.id)))
            cell.number_format = number_format(field)
            if field.type == "long_text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide = book.create_sheet(GUIDE_SHEET)
    _write_guide(guide, form, fields, vocab, f"{unit_label(unit)} ({unit.code})", period)
    _add_drop_downs(book, sheet, fields, vocab, FIRST_DATA_ROW + len(records) + _SPARE_ROWS)
    book.properties.title = form.title
    book.properties.creator = APP_TITLE
    save_workbook(book, out)
    return len(records)


def _put(sheet: _Sheet, row: int, col: int, value: object) -> Any:
    """Write a value to a cell; text is always stored as text, never as a formula.

    openpyxl turns any string starting with "=" into a formula: a title "=B3" or "=== Tổng ===" would
    then be computed by Excel or LibreOffice (Err:509, #NAME?) and the value lost. A string cell is
    shown as typed and read back unchanged; the text number format ("@") of the text columns keeps
    an edited cell text too.
    """
    cell = sheet.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _write_header(sheet: _Sheet, fields: list[FieldDef]) -> None:
    columns: list[tuple[str, str, FieldDef | None]] = [(RECORD_KEY, RECORD_LABEL, None)]
    columns += [(f.id, f.label, f) for f in fields]
    for col, (key, label, field) in enumerate(columns, start=1):
        _put(sheet, ID_ROW, col, key)
        head = _put(sheet, LABEL_ROW, col, label)
        head.font = _BOLD
        head.alignment = Alignment(wrap_text=True, vertical="center")
        head.fill = _COMPUTED_FILL if field is not None and field.computed else _HEADER_FILL
        note = _header_note(field)
        if note:
            head.comment = Comment(note, APP_TITLE, width=320, height=120)
        letter = get_column_letter(col)
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(max(len(label) * 0.9, 12), 45 if field and field.type == "long_text" else 32)
        # A column format makes Excel type new entries right: dates as dates, "16/22" as text.
        dimension.number_format = "@" if field is None else number_format(field)
    sheet.row_dimensions[ID_ROW].hidden = True
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 2)


def _header_note(field: FieldDef | None) -> str:
    if field is None:
        return "Để trống ở dòng thêm mới; không sửa mã của dòng đã có."
    parts = [field.help or ""]
    if field.computed:
        parts.append("Cột tự tính: chương trình tính lại, không cần nhập.")
    if field.type == "multi_choice":
        parts.append("Chọn nhiều: ghi các mục cách nhau bằng dấu chấm phẩy (;).")
    return "\n".join(p for p in parts if p)


def _add_drop_downs(book: _Book, sheet: _Sheet, fields: list[FieldDef], vocab: Vocabulary, last: int) -> None:
    """Choice columns get a drop-down listing the labels kept on a hidden sheet.

    A sheet range, unlike an inline list, has no 255-character limit and allows commas in labels.
    The error style is a warning: a typed code or an unaccented label still loads.
    """
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_col = 0
    for col, field in enumerate(fields, start=2):
        labels = vocab.list_labels(field)
        if not labels or field.computed:
            continue
        list_col += 1
        letter = get_column_letter(list_col)
        _put(lists, 1, list_col, field.id)
        for row, label in enumerate(labels, start=2):
            _put(lists, row, list_col, label)
        source = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=field.label[:32],
            error="Giá trị không có trong danh sách thả xuống.",
        )
        target = get_column_letter(col)
        validation.add(f"{target}{FIRST_DATA_ROW}:{target}{last}")
        sheet.add_data_validation(validation)


def _write_guide(
    sheet: _Sheet, form: FormDef, fields: list[FieldDef], vocab: Vocabulary, unit: str, period: Period
) -> None:
    rows: list[list[object]] = [
        [f"Hướng dẫn nhập biểu «{form.title}»"],
        [f"Đơn vị: {unit}. Kỳ báo cáo: {period.label}. Xuất ngày {dt.date.today():%d/%m/%Y}."],
        [
            "Biểu tổng hợp: chỉ nhập một dòng số liệu ở trang «Dữ liệu»."
            if form.kind == "aggregate"
            else "Mỗi dòng ở trang «Dữ liệu» là một bản ghi; dòng thêm mới để trống cột «Mã bản ghi»."
        ],
        [
            "Có thể đổi thứ tự cột; không sửa dòng mã trường (dòng 1, đang ẩn). "
            "Cột tô xám là cột tự tính, chương trình bỏ qua khi nạp."
        ],
        [],
        list(_GUIDE_HEADER),
    ]
    for field in fields:
        kind = TYPE_NAMES[field.type] + (" (tự tính)" if field.computed else "")
        rows.append(
            [
                field.label,
                field.id,
                kind,
                "Có" if field.required else "",
                format_bound(field.min),
                format_bound(field.max),
                "; ".join(vocab.list_labels(field) or [c.label for c in vocab.choices(field) or []]),
                field.unit or "",
                field.help or "",
            ]
        )
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row, start=1):
            _put(sheet, number, col, value)
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    for col in range(1, len(_GUIDE_HEADER) + 1):
        sheet.cell(len(rows) - len(fields), col).font = _BOLD
    for letter, width in zip("ABCDEFGHI", (36, 22, 18, 9, 12, 16, 48, 12, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def save_workbook(book: _Book, out: Path) -> None:
    """Save beside `out`, then rename over it: a failed save never leaves half a workbook."""
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise UserError(f"Không ghi được vào thư mục «{out.parent}»: {exc.strerror or exc}.") from exc
    os.close(handle)
    temp = Path(temp_name)
    try:
        book.save(temp)
        os.replace(temp, out)
    except PermissionError as exc:
        raise UserError(
            f"Không ghi được tệp «{out}»: tệp đang mở trong Excel hoặc thư mục không cho phép ghi. "
            "Hãy đóng tệp rồi thử lại."
        ) from exc
    except OSError as exc:
        raise UserError(f"Không ghi được tệp «{out}»: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
