"""Table model of a register: sorting and diacritics-blind filtering done in Python, not per cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from danvan_desktop.formspec.model import NUMERIC_TYPES
from danvan_desktop.formspec.values import format_value
from danvan_desktop.text import fold

if TYPE_CHECKING:
    from danvan_desktop.services.registers import RegisterRows

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ALL_COLUMNS = -1

_Index = QModelIndex | QPersistentModelIndex


def _sort_key(value: object) -> tuple[int, object]:
    """Empty cells last; numbers by value; everything else by accent-free text."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, fold(str(value)))


class RegisterTableModel(QAbstractTableModel):
    """Shows `rows` through a view (a list of row numbers) that sorting and filtering rebuild.

    A QSortFilterProxyModel would call back into Python for every comparison, far too slow for
    100,000 records; here a sort is one `sorted` call and a filter one list comprehension.
    """

    def __init__(self, rows: RegisterRows) -> None:
        super().__init__()
        self._rows = rows
        self._view: list[int] = list(range(len(rows)))
        self._text_cache: dict[tuple[int, int], str] = {}
        self._folded_columns: dict[int, list[str]] = {}
        self._query = ""
        self._query_column = ALL_COLUMNS
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- Qt interface -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._rows.columns[section].label
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._view[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(row, column)
        if role == RECORD_ID_ROLE:
            return self._rows.ids[row]
        if role == Qt.ItemDataRole.TextAlignmentRole and self._rows.columns[column].type in NUMERIC_TYPES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._apply_sort()
        self.layoutChanged.emit()

    # --- our interface ------------------------------------------------------------------------
    def cell_text(self, row: int, column: int) -> str:
        key = (row, column)
        cached = self._text_cache.get(key)
        if cached is None:
            cached = format_value(self._rows.columns[column], self._rows.values[row][column])
            self._text_cache[key] = cached
        return cached

    def record_id(self, view_row: int) -> str:
        return self._rows.ids[self._view[view_row]]

    def total_count(self) -> int:
        return len(self._rows)

    def set_filter(self, query: str, column: int = ALL_COLUMNS) -> None:
        """Keep rows containing every word of `query` (accents ignored), in one or all columns."""
        self._query, self._query_column = query, column
        self.beginResetModel()
        self._apply_filter()
        if self._sort is not None:
            self._apply_sort()
        self.endResetModel()

    def _apply_filter(self) -> None:
        words = fold(self._query).split()
        if not words:
            self._view = list(range(len(self._rows)))
            return
        haystack = (
            self._rows.search if self._query_column == ALL_COLUMNS else self._column_text(self._query_column)
        )
        if len(words) == 1:
            word = words[0]
            self._view = [i for i, text in enumerate(haystack) if word in text]
        else:
            self._view = [i for i, text in enumerate(haystack) if all(w in text for w in words)]

    def _column_text(self, column: int) -> list[str]:
        folded = self._folded_columns.get(column)
        if folded is None:
            folded = [fold(self.cell_text(row, column)) for row in range(len(self._rows))]
            self._folded_columns[column] = folded
        return folded

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        values = self._rows.values
        self._view.sort(
            key=lambda i: _sort_key(values[i][column]), reverse=order == Qt.SortOrder.DescendingOrder
        )
