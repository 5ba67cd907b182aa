"""Excel/CSV exchange of form records: the entry points of the spreadsheet_* modules."""

from __future__ import annotations

from danvan_desktop.services.entry.spreadsheet_export import export_xlsx
from danvan_desktop.services.entry.spreadsheet_load import (
    LoadCancelledError,
    LoadReport,
    RowProblem,
    load_rows,
)
from danvan_desktop.services.entry.spreadsheet_read import SheetRow, SpreadsheetError, read_rows

__all__ = [
    "LoadCancelledError",
    "LoadReport",
    "RowProblem",
    "SheetRow",
    "SpreadsheetError",
    "export_xlsx",
    "load_rows",
    "read_rows",
]
