"""Table model of a register: rows fetched a screenful at a time, sorting and filtering in Python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from danvan_desktop.formspec.model import NUMERIC_TYPES, ChoiceDef, FieldDef
from danvan_desktop.formspec.values import format_value
from danvan_desktop.text import fold

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from danvan_desktop.services.entry.registers import RegisterIndex

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ALL_COLUMNS = -1
PAGE = 200  # rows fetched around the first row Qt asks for that is not cached yet
CACHE_LIMIT = 20_000  # rows of values kept; beyond that the cache starts afresh

_Index = QModelIndex | QPersistentModelIndex


class RowSource(Protocol):
    """Where the rows come from (services.registers.RegisterSource, or a list in tests)."""

    columns: list[FieldDef]

    def load_index(self) -> RegisterIndex: ...
    def rows(self, ids: Sequence[str]) -> dict[str, tuple[object, ...]]: ...
    def column(self, index: int) -> dict[str, object]: ...


def _sort_key(value: object, folded: str) -> tuple[int, object]:
    """Empty cells last; numbers by value; everything else by accent-free text."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, folded)


def _number_query(text: str) -> str:
    """A typed number as it appears in str(value): "1.234" -> "1234", "2,5" -> "2.5"."""
    return text.replace(".", "").replace(",", ".")


class RegisterTableModel(QAbstractTableModel):
    """Shows the records through a view (a list of row numbers) that sorting and filtering rebuild.

    A QSortFilterProxyModel would call back into Python for every comparison, far too slow for
    100,000 records; here a sort is one `sort` call and a filter a few list comprehensions.
    """

    def __init__(
        self,
        source: RowSource,
        choices: Mapping[str, Sequence[ChoiceDef]] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """`choices`: options of choices_from fields; `names`: unit and organization codes → names."""
        super().__init__()
        self._source = source
        self._choices = dict(choices or {})
        self._names = dict(names or {})
        self._columns = source.columns
        index = source.load_index()
        self._ids, self._search = index.ids, index.search
        self._view: list[int] = list(range(len(self._ids)))
        self._values: dict[int, tuple[object, ...]] = {}
        self._text_cache: dict[tuple[int, int], str] = {}
        self._column_values: dict[int, list[object]] = {}
        self._column_texts: dict[int, list[str]] = {}
        self._query = ""
        self._query_column = ALL_COLUMNS
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- Qt interface -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].label
        return str(section + 1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_text(index.row(), index.column())
        if role == RECORD_ID_ROLE:
            return self._ids[self._view[index.row()]]
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[index.column()].type in NUMERIC_TYPES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    # --- our interface ------------------------------------------------------------------------
    def record_id(self, view_row: int) -> str:
        return self._ids[self._view[view_row]]

    def view_row_of(self, record_id: str) -> int | None:
        try:
            return self._view.index(self._ids.index(record_id))
        except ValueError:
            return None

    def total_count(self) -> int:
        return len(self._ids)

    def cell_text(self, view_row: int, column: int) -> str:
        return self._cell_text(view_row, column)

    def record_name(self, view_row: int) -> str:
        """What a person calls the record: its first filled text column (a name, a title)."""
        columns = range(len(self._columns))
        texts = [c for c in columns if self._columns[c].type == "text"]
        for column in [*texts, *columns]:
            text = self._cell_text(view_row, column).strip()
            if text:
                return text
        return f"bản ghi số {view_row + 1}"

    def set_filter(self, query: str, column: int = ALL_COLUMNS) -> None:
        """Keep rows containing every word of `query` (accents ignored), in one or all columns."""
        self.beginResetModel()
        self._query, self._query_column = query, column
        self._apply_filter()
        self._apply_sort()
        self.endResetModel()

    # --- internals ----------------------------------------------------------------------------
    def _row_values(self, view_row: int) -> tuple[object, ...]:
        row = self._view[view_row]
        values = self._values.get(row)
        if values is None:
            if len(self._values) > CACHE_LIMIT:
                self._values.clear()
            page = [
                self._view[i]
                for i in range(max(0, view_row - PAGE // 4), min(len(self._view), view_row + PAGE))
            ]
            fetched = self._source.rows([self._ids[r] for r in page if r not in self._values])
            for r in page:
                if self._ids[r] in fetched:
                    self._values[r] = fetched[self._ids[r]]
            values = self._values.get(row, tuple(None for _ in self._columns))
        return values

    def _cell_text(self, view_row: int, column: int) -> str:
        key = (self._view[view_row], column)
        cached = self._text_cache.get(key)
        if cached is None:
            if len(self._text_cache) > CACHE_LIMIT * 4:
                self._text_cache.clear()
            cached = self._format(self._columns[column], self._row_values(view_row)[column])
            self._text_cache[key] = cached
        return cached

    def _format(self, field: FieldDef, value: object) -> str:
        if field.type in ("org_unit", "organization") and value is not None:
            return self._names.get(str(value), str(value))
        return format_value(field, value, self._choices.get(field.id))

    def _column(self, column: int) -> list[object]:
        values = self._column_values.get(column)
        if values is None:
            by_id = self._source.column(column)
            values = [by_id.get(record_id) for record_id in self._ids]
            self._column_values[column] = values
        return values

    def _column_text(self, column: int) -> list[str]:
        texts = self._column_texts.get(column)
        if texts is None:
            field = self._columns[column]
            if field.type in NUMERIC_TYPES:  # match the digits: formatting 100,000 numbers is slow
                texts = ["" if v is None else str(v) for v in self._column(column)]
            elif field.type in ("text", "long_text"):
                texts = [fold(v) if isinstance(v, str) else "" for v in self._column(column)]
            else:
                texts = [fold(self._format(field, v)) for v in self._column(column)]
            self._column_texts[column] = texts
        return texts

    def _apply_filter(self) -> None:
        words = fold(self._query).split()
        if self._query_column != ALL_COLUMNS and self._columns[self._query_column].type in NUMERIC_TYPES:
            words = [_number_query(w) for w in words]
        haystack = (
            self._search if self._query_column == ALL_COLUMNS else self._column_text(self._query_column)
        )
        view = range(len(self._ids))
        for word in words:  # each word narrows the rows the next one has to look at
            view = [i for i in view if word in haystack[i]]  # type: ignore[assignment]
        self._view = list(view)

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        values = self._column(column)
        texts = self._column_text(column) if self._columns[column].type not in NUMERIC_TYPES else None
        self._view.sort(
            key=lambda i: _sort_key(values[i], texts[i] if texts else ""),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
