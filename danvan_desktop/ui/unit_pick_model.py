"""The first-run pick-list over every unit of Vietnam: filtered in Python, shown through one list model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from danvan_desktop.catalog.unit_index import IndexedUnit
from danvan_desktop.text import fold
from danvan_desktop.ui.unit_models import UNIT_CODE_ROLE, UNIT_KIND_ROLE


def pick_text(unit: IndexedUnit, today: dt.date) -> str:
    """ "Xã Định Hóa — tỉnh Thái Nguyên"; a unit no longer valid says so and until when."""
    text = unit.display
    if unit.context:
        text += f" — {unit.context}"
    if unit.valid_to is not None and unit.valid_to < today:
        text += f" (đơn vị cũ, chỉ có hiệu lực đến {unit.valid_to:%d/%m/%Y})"
    elif unit.valid_from > today:
        text += f" (có hiệu lực từ {unit.valid_from:%d/%m/%Y})"
    return text


class UnitPickModel(QAbstractListModel):
    """14,000 units are too many for one QStandardItem each; the filter keeps a list of row numbers.

    By default only units valid `today` are listed; `show_former` adds those that ended before it.
    """

    def __init__(self, units: Sequence[IndexedUnit], today: dt.date) -> None:
        super().__init__()
        # Browsing order: province by province, the province first, then today's units by name, then
        # the former ones (when shown) by name.
        self._units = sorted(
            units,
            key=lambda u: (fold(u.province), bool(u.context), not u.valid_on(today), fold(u.name), u.code),
        )
        self._today = today
        self._folded = [fold(u.display) for u in self._units]
        self._names = [fold(u.name) for u in self._units]
        self._texts: dict[int, str] = {}
        self._words: list[str] = []
        self._code_query = ""
        self._province = ""
        self._show_former = False
        self._rows: list[int] = []
        self._refilter()

    def set_filter(
        self, *, query: str | None = None, province: str | None = None, former: bool | None = None
    ) -> None:
        if query is not None:
            self._words = fold(query).split()
            self._code_query = query.strip().upper()
        if province is not None:
            self._province = province
        if former is not None:
            self._show_former = former
        self.beginResetModel()
        self._refilter()
        self.endResetModel()

    def provinces(self) -> list[str]:
        return sorted({u.province for u in self._units if u.province}, key=fold)

    def _refilter(self) -> None:
        today = self._today
        rows = []
        for i, unit in enumerate(self._units):
            if self._province and unit.province != self._province:
                continue
            if not self._show_former and not unit.valid_on(today):
                continue
            # The unit's own name, not its district's ("dinh hoa" must not list every commune of
            # huyện Định Hóa); or the start of its code ("DH-PHUC").
            if self._words and not (
                all(word in self._folded[i] for word in self._words) or unit.code.startswith(self._code_query)
            ):
                continue
            rows.append(i)
        if self._words:  # today's units first; the name typed in full, then names that start with it
            typed = " ".join(self._words)
            rows.sort(
                key=lambda i: (
                    not self._units[i].valid_on(today),
                    self._names[i] != typed,
                    not self._names[i].startswith(typed),
                )
            )
        self._rows = rows

    def unit_at(self, row: int) -> IndexedUnit:
        return self._units[self._rows[row]]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        number = self._rows[index.row()]
        unit = self._units[number]
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._texts.get(number)
            if text is None:
                text = self._texts[number] = pick_text(unit, self._today)
            return text
        if role == UNIT_CODE_ROLE:
            return unit.code
        if role == UNIT_KIND_ROLE:
            return unit.kind
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Mã trong danh mục: {unit.code}"
        return None
