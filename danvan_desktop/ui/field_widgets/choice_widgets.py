"""Inputs picked from a list: choices and catalog codes with accent-free type-ahead, yes/no, ticks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QListWidget, QListWidgetItem, QWidget

from danvan_desktop.formspec.model import FieldDef
from danvan_desktop.formspec.values import ValueParseError, parse_input
from danvan_desktop.text import fold, nfc
from danvan_desktop.ui.field_widgets.base import FieldWidget, Option
from danvan_desktop.ui.unit_models import FOLDED_ROLE, FoldedFilterProxy

CODE_ROLE = Qt.ItemDataRole.UserRole + 20
_UNKNOWN = "{code} (không có trong danh mục)"  # a stored code the current list no longer offers
_CHECKABLE = Qt.ItemFlag.ItemIsUserCheckable
_INITIALS_FROM = 3  # words: "hlhpnvn" finds a long name; two-letter initials would match too much


def search_words(*texts: str) -> str:
    """What type-ahead matches, accents folded: each text, and the initials of a long one
    ("Hội Liên hiệp Phụ nữ Việt Nam" also answers to "hlhpn")."""
    words: list[str] = []
    for text in texts:
        folded = fold(text)
        words.append(folded)
        parts = folded.split()
        if len(parts) >= _INITIALS_FROM:
            words.append("".join(p[0] for p in parts))
    return " ".join(w for w in words if w)


class _SuggestionProxy(FoldedFilterProxy):
    """The type-ahead list: an item with a longer name (its tooltip) shows it beside the short one,
    so "phu nu" visibly finds "Hội LHPN — Hội Liên hiệp Phụ nữ Việt Nam"; what is put in the box
    when picked (the edit role) stays the short name."""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        shown = super().data(index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            more = super().data(index, Qt.ItemDataRole.ToolTipRole)
            if more:
                return f"{shown} — {more}"
        return shown


class SearchComboWidget(FieldWidget):
    """An editable combo with an empty first item; "lang hoen" narrows it to "Xóm Làng Hoèn".

    Without `options` (a catalog not supplied) the typed text is taken as the code itself.
    """

    search_hint_from = 8

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self._free_codes = options is None
        self.model = QStandardItemModel(self)
        self._append("", None)
        for code, label in options or []:
            self._append(label, code)
        self.combo = QComboBox()
        self.combo.setObjectName(f"input_{field.id}")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setModel(self.model)
        self.combo.setMaxVisibleItems(15)
        self.combo.setMinimumContentsLength(22)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # The completer shows the proxy, which the typed words filter with accents ignored;
        # QCompleter's own matching is by prefix and accent-sensitive, so it is switched off.
        self.proxy = _SuggestionProxy()
        self.proxy.setParent(self)
        self.proxy.setSourceModel(self.model)
        self.completer = completer = QCompleter(self.proxy, self.combo)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        line = self.combo.lineEdit()
        assert line is not None  # an editable combo always has one
        # Given to the line edit rather than the combo, so that only our handler, which maps the
        # picked row back through the filter proxy, selects the item. (The stubs know only the
        # text overload of `activated`; the row is needed because two labels may be equal.)
        line.setCompleter(completer)
        completer.activated[QModelIndex].connect(self._on_completer_picked)  # type: ignore[index]
        if self._free_codes:
            line.setPlaceholderText("Nhập mã")
        elif len(options or []) > self.search_hint_from:  # a short list needs no hint
            line.setPlaceholderText("Gõ vài chữ để tìm…")
        line.textEdited.connect(self._on_text_edited)
        line.returnPressed.connect(self._commit)
        self.combo.currentIndexChanged.connect(self._emit_changed)
        self._build([self.combo], expand=True)

    def _append(self, label: str, code: str | None) -> int:
        item = QStandardItem(label)
        item.setEditable(False)
        item.setData(code, CODE_ROLE)
        item.setData("" if code is None else search_words(label, code), FOLDED_ROLE)
        self.model.appendRow(item)
        return self.model.rowCount() - 1

    def set_keywords(self, keywords: Mapping[str, str]) -> None:
        """Let each item also be found by more words (code -> text, e.g. an organization's full
        name); the text becomes the item's tooltip in the list."""
        for row in range(1, self.model.rowCount()):
            item = self.model.item(row)
            more = keywords.get(self._code(row) or "")
            if more:
                item.setData(search_words(item.text(), self._code(row) or "", more), FOLDED_ROLE)
                item.setToolTip(more)

    def _code(self, row: int) -> str | None:
        code = self.model.item(row).data(CODE_ROLE)
        return None if code is None else str(code)

    def _on_text_edited(self, text: str) -> None:
        self.proxy.set_query(text)
        self._emit_changed()

    def _on_completer_picked(self, index: QModelIndex) -> None:
        shown = self.completer.completionModel()
        assert isinstance(shown, QAbstractProxyModel)
        row = self.proxy.mapToSource(shown.mapToSource(index)).row()
        if row >= 0:
            self.combo.setCurrentIndex(row)  # a user's choice: emits changed
            self.combo.setEditText(self.model.item(row).text())

    def _word_hits(self, folded: str) -> list[int]:
        words = folded.split()
        return [
            row
            for row in range(1, self.model.rowCount())
            if all(w in str(self.model.item(row).data(FOLDED_ROLE)) for w in words)
        ]

    def _match(self, text: str) -> int | None:
        """The row `text` names: the shown item, an exact label or code, or the only word match."""
        current = self.combo.currentIndex()
        if current > 0 and self.model.item(current).text() == text:
            return current
        folded = fold(text)
        for row in range(1, self.model.rowCount()):
            code = self._code(row) or ""
            if folded in (fold(self.model.item(row).text()), fold(code)):
                return row
        hits = self._word_hits(folded)
        return hits[0] if len(hits) == 1 else None

    def _no_match(self, text: str) -> ValueParseError:
        hits = self._word_hits(fold(text))
        if hits:
            names = "; ".join(self.model.item(r).text() for r in hits[:4]) + ("; …" if len(hits) > 4 else "")
            reason = f"«{text}» khớp với nhiều mục ({names}); gõ thêm cho rõ hoặc chọn trong danh sách."
        else:
            reason = f"không có «{text}» trong danh sách; gõ vài chữ của tên rồi chọn trong danh sách."
        return ValueParseError(f"«{self.field.label}»: {reason}")

    def set_value(self, value: object) -> None:
        with self._silently():
            self.proxy.set_query("")
            row = 0
            if value is not None and value != "":
                code = str(value)
                found = [r for r in range(1, self.model.rowCount()) if self._code(r) == code]
                label = code if self._free_codes else _UNKNOWN.format(code=code)
                row = found[0] if found else self._append(label, code)
            self.combo.setCurrentIndex(row)
            self.combo.setEditText(self.model.item(row).text())

    def value(self) -> object:
        text = nfc(self.combo.currentText()).strip()
        if not text:
            return None
        row = self._match(text)
        if row is not None:
            return self._code(row)
        if self._free_codes:
            return parse_input(self.field, text)
        raise self._no_match(text)

    def _commit(self) -> None:
        text = nfc(self.combo.currentText()).strip()
        row = 0 if not text else self._match(text)
        if row is None:
            return  # left as typed; value() explains what is wrong
        # The filter stays as typed: the completer may still deliver a row index into it.
        if row != self.combo.currentIndex():
            self.combo.setCurrentIndex(row)  # a user's choice: emits changed
        if self.combo.currentText() != self.model.item(row).text():
            self.combo.setEditText(self.model.item(row).text())


class YesNoWidget(FieldWidget):
    """Three states, so that "not answered" stays distinct from "Không"."""

    _STATES: tuple[bool | None, ...] = (None, True, False)

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.combo = QComboBox()
        self.combo.setObjectName(f"input_{field.id}")
        self.combo.addItems(["", "Có", "Không"])
        self.combo.setMinimumContentsLength(8)
        self.combo.currentIndexChanged.connect(self._emit_changed)
        self._build([self.combo], expand=False)

    def set_value(self, value: object) -> None:
        with self._silently():
            self.combo.setCurrentIndex(1 if value is True else 2 if value is False else 0)

    def value(self) -> object:
        index = self.combo.currentIndex()
        return self._STATES[index] if 0 <= index < len(self._STATES) else None


class MultiChoiceWidget(FieldWidget):
    """A list of check boxes; Space ticks the current line, typing a label's start moves to it."""

    max_visible_rows = 7

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.list = QListWidget()
        self.list.setObjectName(f"input_{field.id}")
        # Rows as tall as a line edit's text line, so the boxes are easy to hit and the list's
        # height can be fixed to show its rows exactly.
        self._row_height = self.list.fontMetrics().lineSpacing() + 8
        for code, label in options or []:
            self._append(label, code)
        self.list.itemChanged.connect(self._emit_changed)
        rows = min(max(self.list.count(), 1), self.max_visible_rows)
        self.list.setFixedHeight(rows * self._row_height + 2 * self.list.frameWidth())
        self._build([self.list], expand=True)

    def _append(self, label: str, code: str) -> QListWidgetItem:
        item = QListWidgetItem(label, self.list)
        item.setSizeHint(QSize(0, self._row_height))
        item.setData(CODE_ROLE, code)
        item.setFlags(item.flags() | _CHECKABLE)
        item.setCheckState(Qt.CheckState.Unchecked)
        return item

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def set_value(self, value: object) -> None:
        codes = [str(v) for v in value] if isinstance(value, list | tuple) else []
        with self._silently():
            known = {str(item.data(CODE_ROLE)) for item in self._items()}
            for code in codes:
                if code not in known:
                    self._append(_UNKNOWN.format(code=code), code)
            wanted = set(codes)
            for item in self._items():
                checked = str(item.data(CODE_ROLE)) in wanted
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def value(self) -> object:
        codes = [
            str(item.data(CODE_ROLE)) for item in self._items() if item.checkState() == Qt.CheckState.Checked
        ]
        return codes or None

    def set_checked(self, code: str, checked: bool = True) -> None:
        """Tick or untick one option as the user would (emits `changed`)."""
        for item in self._items():
            if item.data(CODE_ROLE) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _apply_read_only(self, read_only: bool) -> None:
        with self._silently():
            for item in self._items():
                flags = item.flags() & ~_CHECKABLE if read_only else item.flags() | _CHECKABLE
                item.setFlags(flags)
