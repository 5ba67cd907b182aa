"""Qt models of org units: the dated tree, the catalog pick-list, and an accent-free filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from danvan_desktop.text import fold

if TYPE_CHECKING:
    # Type names only: pydantic and SQLAlchemy stay off the start-up path.
    from danvan_desktop.catalog.tree import UnitNode

FOLDED_ROLE = Qt.ItemDataRole.UserRole + 1
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
UNIT_CODE_ROLE = Qt.ItemDataRole.UserRole + 3
UNIT_KIND_ROLE = Qt.ItemDataRole.UserRole + 4


def _validity(valid_from: object, valid_to: object) -> str:
    if valid_to is None:
        return f"hiệu lực từ {valid_from:%d/%m/%Y}"
    return f"hiệu lực {valid_from:%d/%m/%Y} – {valid_to:%d/%m/%Y}"


def _unit_item(node: UnitNode) -> QStandardItem:
    item = QStandardItem(node.display)
    item.setEditable(False)
    item.setData(node.id, UNIT_ID_ROLE)
    item.setData(node.code, UNIT_CODE_ROLE)
    item.setData(node.kind, UNIT_KIND_ROLE)
    item.setData(f"{fold(node.display)} {node.code.lower()}", FOLDED_ROLE)
    item.setToolTip(f"{node.display}\nMã: {node.code}\n{_validity(node.valid_from, node.valid_to)}")
    for child in node.children:
        item.appendRow(_unit_item(child))
    return item


def build_unit_tree_model(root: UnitNode | None, empty_message: str) -> QStandardItemModel:
    """One column, the office's unit at the top; a disabled line explains an empty tree."""
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Đơn vị"])
    if root is None:
        note = QStandardItem(empty_message)
        note.setEnabled(False)
        note.setData("", FOLDED_ROLE)
        model.appendRow(note)
    else:
        model.appendRow(_unit_item(root))
    return model


class FoldedFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose folded text contains every typed word: "dinh hoa" finds "Định Hóa"."""

    def __init__(self) -> None:
        super().__init__()
        self.setRecursiveFilteringEnabled(True)  # a matching village keeps its commune visible
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._words = fold(text).split()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = str(index.data(FOLDED_ROLE) or "")
        return all(word in haystack for word in self._words)
