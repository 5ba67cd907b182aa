"""Reading a filled-in form sheet (.xlsx or CSV) into rows of raw cells keyed by field id."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# openpyxl ships no type hints; the types-openpyxl stubs are not a dependency (yet).
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import NUMERIC_TYPES, FieldDef, FormDef
from danvan_desktop.services.entry.spreadsheet_cells import (
    DATA_SHEET,
    RECORD_KEY,
    RECORD_LABEL,
    is_percent_format,
)
from danvan_desktop.text import fold, nfc

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
_ID_SHAPE = re.compile(r"_?[a-z][a-z0-9_]*")
# Row-number columns people add to every Vietnamese table; they carry nothing to load.
_IGNORED_HEADERS = frozenset({"stt", "so tt", "so thu tu", "tt"})
_RECORD_HEADERS = frozenset({fold(RECORD_LABEL), RECORD_KEY, "record_id"})
# What Excel and LibreOffice show (and write to CSV) for a formula that failed.
_ERROR_TEXT = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|FIELD!|BLOCKED!|UNKNOWN!|CONNECT!|BUSY!"
    r"|GETTING_DATA)|Err:[0-9]{3}"
)
# Fields whose formula cells load their computed value: a total or a date worked out in the sheet
# is still the number or date meant. In text and list fields a formula is never the value meant.
_COMPUTABLE = NUMERIC_TYPES | {"date"}

Cell = tuple[object, str | None]  # value, number format (None for CSV)
# What openpyxl raises for a zip that is no workbook (a .docx, a package) or a damaged one;
# SyntaxError covers XML parse errors.
_BROKEN = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)


class SpreadsheetError(UserError):
    """The file as a whole cannot be loaded: not a spreadsheet, or columns that do not fit the form."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: its text, and the value last computed (None if never computed)."""

    text: str
    cached: object

    def __str__(self) -> str:
        return "" if self.cached is None else str(self.cached)


@dataclass(frozen=True)
class ErrorValue:
    """A cell showing a spreadsheet error («#VALUE!», «#REF!», «Err:509»…) instead of a value."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be loaded, with the reason (naming its column) in Vietnamese."""

    message: str


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row: its row number as Excel shows it, record id and raw input cells."""

    row: int
    record_id: str | None
    # field id -> cell value (a CellProblem when it cannot be loaded); a field without a column is absent
    cells: dict[str, object]


def read_rows(path: Path, form: FormDef) -> list[SheetRow]:
    """The data rows of `path` matched to `form`'s input fields; computed columns are dropped.

    Raises SpreadsheetError when the file is not a spreadsheet or its columns do not fit the form.
    """
    table = read_table(path)
    if not table:
        raise SpreadsheetError(f"Tệp «{path.name}» không có dữ liệu.")
    texts = [[_text(v) for v, _ in row] for row in table[:2]]
    id_row = texts[0] if _is_id_row(form, texts[0], texts[1] if len(texts) > 1 else []) else []
    start = 2 if id_row else 1
    keys = _column_keys(form, id_row, texts[start - 1], table[start:])
    inputs = {f.id: f for f in form.fields() if f.computed is None}
    rows: list[SheetRow] = []
    for number, row in enumerate(table[start:], start=start + 1):
        cells: dict[str, object] = {}
        record_id: str | None = None
        for col, (key, (value, fmt)) in enumerate(zip(keys, row, strict=False), start=1):
            if key == RECORD_KEY:
                record_id = _text(value) or None
            elif key in inputs:
                cells[key] = _cell_value(inputs[key], value, fmt, get_column_letter(col))
        if record_id or any(not _blank(v) for v in cells.values()):
            rows.append(SheetRow(number, record_id, cells))
    return rows


def read_table(path: Path) -> list[list[Cell]]:
    """Every row of the data sheet (or of the CSV file) as cells; raises for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SpreadsheetError(f"Không mở được tệp «{path}»: {exc.strerror or exc}.") from exc
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if head.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            f"Tệp «{path.name}» là bảng tính Excel 97-2003 (.xls), chưa đọc được. "
            "Hãy mở bằng Excel và lưu lại dạng «Excel Workbook (.xlsx)» hoặc «CSV UTF-8»."
        )
    return _read_csv(path)


def _not_a_sheet(path: Path) -> SpreadsheetError:
    return SpreadsheetError(
        f"Tệp «{path.name}» không phải là bảng tính Excel (.xlsx) hay tệp CSV. Hãy chọn đúng tệp số liệu."
    )


def _read_xlsx(path: Path) -> list[list[Cell]]:
    """The cells of the data sheet; formulas as Formula with the value the spreadsheet last computed.

    openpyxl gives either the formulas or the computed values, so a sheet with formulas is read twice.
    """
    table = _xlsx_cells(path, data_only=False)
    if not any(isinstance(value, Formula) for row in table for value, _ in row):
        return table
    computed = _xlsx_cells(path, data_only=True)

    def cached(r: int, c: int) -> object:
        return computed[r][c][0] if r < len(computed) and c < len(computed[r]) else None

    return [
        [
            (Formula(v.text, cached(r, c)) if isinstance(v, Formula) else v, fmt)
            for c, (v, fmt) in enumerate(row)
        ]
        for r, row in enumerate(table)
    ]


def _xlsx_value(cell: object) -> object:
    value, kind = getattr(cell, "value", None), getattr(cell, "data_type", "n")
    if kind == "f":
        return Formula(str(getattr(value, "text", value)), None)  # ArrayFormula keeps its text in .text
    if kind == "e":
        return ErrorValue(str(value))
    return value


def _xlsx_cells(path: Path, *, data_only: bool) -> list[list[Cell]]:
    with warnings.catch_warnings():
        # Excel's own extensions (x14 drop-downs, slicers) are not needed to read the values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
        try:
            book = load_workbook(path, read_only=True, data_only=data_only)
        except _BROKEN as exc:
            raise _not_a_sheet(path) from exc
        try:
            sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
            # Some programs write a wrong "used range"; read whatever rows the sheet really has.
            sheet.reset_dimensions()
            return [[(_xlsx_value(c), c.number_format) for c in row] for row in sheet.iter_rows()]
        except _BROKEN as exc:
            raise _not_a_sheet(path) from exc
        finally:
            book.close()


def _read_csv(path: Path) -> list[list[Cell]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096] or data.startswith(b"%PDF"):
        raise _not_a_sheet(path)
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            f"Tệp CSV «{path.name}» không dùng bảng mã UTF-8 nên chữ tiếng Việt sẽ bị lỗi. "
            "Trong Excel hãy chọn «Lưu thành» → «CSV UTF-8 (Comma delimited)» rồi nạp lại."
        ) from exc
    first, _, rest = text.partition("\n")
    if fold(first).startswith("sep=") and len(first.strip()) == 5:
        delimiter, text = first.strip()[4], rest  # Excel's "sep=;" hint line
    else:
        delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SpreadsheetError(f"Tệp CSV «{path.name}» bị lỗi định dạng: {exc}.") from exc
    # A CSV saved from a sheet with failed formulas holds their error text: no value to load.
    return [[(ErrorValue(v) if _ERROR_TEXT.fullmatch(v.strip()) else v, None) for v in row] for row in rows]


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most columns (quotes respected).

    Vietnamese Windows makes ";" files, where labels like "Số hội viên, đoàn viên" carry commas,
    so csv.Sniffer's character statistics guess wrong; counting parsed header fields does not.
    """
    head = text[:65536]

    def width(delimiter: str) -> int:
        return len(next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), []))

    return max((";", ",", "\t"), key=width)


def _text(value: object) -> str:
    return "" if value is None else nfc(str(value)).strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_value(field: FieldDef, value: object, fmt: str | None, column: str) -> object:
    """What a cell gives the field: its value, a formula's computed value, or a CellProblem."""
    where = f"Cột {column} «{field.label}»"
    if isinstance(value, Formula):
        if field.type not in _COMPUTABLE:
            return CellProblem(
                f"{where}: ô chứa công thức «{value.text}» chứ không phải giá trị. "
                "Hãy gõ trực tiếp giá trị, hoặc sao chép ô rồi «Dán đặc biệt» chỉ giá trị."
            )
        if value.cached is None:
            return CellProblem(
                f"{where}: ô chứa công thức «{value.text}» chưa được tính "
                "(tệp chưa được mở và lưu lại bằng Excel hoặc LibreOffice). Hãy gõ trực tiếp giá trị."
            )
        value = value.cached
    if isinstance(value, ErrorValue):
        return CellProblem(
            f"{where}: ô báo lỗi «{value.code}» của bảng tính (công thức tính sai) thay vì giá trị. "
            "Hãy sửa ô này rồi nạp lại."
        )
    if (
        field.type == "percent"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and is_percent_format(fmt)
    ):
        return Decimal(str(value)) * 100  # 0.727 shown as 72,7% means 72.7
    return value


def _is_id_row(form: FormDef, first: list[str], second: list[str]) -> bool:
    """True when row 1 holds field ids (the hidden row of an exported sheet) above the labels."""
    keys = [k for k in first if k]
    if not keys or not all(_ID_SHAPE.fullmatch(k) for k in keys):
        return False
    labels = {f.id: f.label for f in form.fields()} | {RECORD_KEY: RECORD_LABEL}
    return any(
        key in labels and i < len(second) and fold(second[i]) == fold(labels[key])
        for i, key in enumerate(first)
    )


def _label_index(form: FormDef) -> dict[str, list[str]]:
    """Folded header text -> field ids it may name, in form order (labels may repeat)."""
    index: dict[str, list[str]] = {}
    for f in form.fields():
        names = {fold(f.label), f.id}
        if f.unit:
            names.add(fold(f"{f.label} ({f.unit})"))
        for name in names:
            index.setdefault(name, []).append(f.id)
    return index


def _column_keys(
    form: FormDef, id_row: list[str], header: list[str], data: list[list[Cell]]
) -> list[str | None]:
    """The field id (or RECORD_KEY) of every column; raises when a column does not fit."""
    fields = {f.id: f for f in form.fields()}
    by_label = _label_index(form)
    width = max([len(header), len(id_row), *(len(r) for r in data)], default=0)
    keys: list[str | None] = []
    problems: list[str] = []
    used: dict[str, str] = {}
    for col in range(width):
        letter = get_column_letter(col + 1)
        key = id_row[col] if col < len(id_row) else ""
        label = header[col] if col < len(header) else ""
        if not key and label:
            folded = fold(label)
            if folded in _RECORD_HEADERS:
                key = RECORD_KEY
            elif folded in _IGNORED_HEADERS:
                keys.append(None)
                continue
            else:
                key = next((c for c in by_label.get(folded, []) if c not in used), "")
                if not key:
                    key = by_label.get(folded, [""])[0]  # a repeated column: reported below
        if not key:
            if label:
                problems.append(f"Cột {letter} «{label}» không thuộc biểu mẫu «{form.title}».")
            elif any(col < len(r) and not _blank(r[col][0]) for r in data):
                problems.append(f"Cột {letter} có số liệu nhưng không có tiêu đề.")
            keys.append(None)
            continue
        if key != RECORD_KEY and key not in fields:
            problems.append(f"Cột {letter} «{label or key}» (mã {key}) không thuộc biểu mẫu «{form.title}».")
        elif key in used:
            problems.append(f"Cột {letter} «{label or key}» bị lặp: đã có ở cột {used[key]}.")
        used.setdefault(key, letter)
        keys.append(key)
    missing = [
        f.label
        for f in form.fields()
        if f.required and f.computed is None and f.default is None and f.id not in used
    ]
    problems.extend(f"Thiếu cột bắt buộc «{label}»." for label in missing)
    if problems:
        raise SpreadsheetError(f"Các cột của tệp không khớp với biểu mẫu «{form.title}»:", problems)
    return keys
