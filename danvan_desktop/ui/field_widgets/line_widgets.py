"""Inputs typed as text: numbers, text, dates, multi-line notes, ratios and free code lists."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from danvan_desktop.formspec.model import FieldDef
from danvan_desktop.formspec.values import ValueParseError, format_number, format_value, parse_input
from danvan_desktop.text import nfc
from danvan_desktop.ui.field_widgets.base import FieldWidget, Option

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMBER_SAMPLE = {  # the widest value each kind is expected to hold, to size the box
    "money": "500.000.000.000",
    "percent": "100,00%",
}


def _fit_width(widget: QWidget, sample: str) -> int:
    # The sample's width plus the line edit's frame and text margins.
    return widget.fontMetrics().horizontalAdvance(sample) + 28


def _show_read_only(widget: QWidget, read_only: bool) -> None:
    # A read-only box painted like the window around it, so it does not invite typing.
    if read_only:
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        widget.setPalette(palette)
    else:
        widget.setPalette(QPalette())  # an empty palette resolves back to the inherited one


class LineFieldWidget(FieldWidget):
    """A QLineEdit read with parse_input and shown with format_value once the user is done."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"input_{field.id}")
        self.edit.textEdited.connect(self._emit_changed)
        self.edit.returnPressed.connect(self._commit)

    def set_value(self, value: object) -> None:
        with self._silently():
            self.edit.setText(nfc(self._display(value)))
            self.edit.setCursorPosition(0)

    def value(self) -> object:
        return parse_input(self.field, self.edit.text())

    def _display(self, value: object) -> str:
        return format_value(self.field, value)

    def _commit(self) -> None:
        try:
            shown = self._display(self.value())
        except ValueParseError:
            shown = nfc(self.edit.text())  # keep the text for the user to correct, normalized
        if shown != self.edit.text():
            self.edit.setText(shown)  # setText is not textEdited: not an edit, no dirt

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        _show_read_only(self.edit, read_only)


class NumberWidget(LineFieldWidget):
    """integer, money, decimal, area, labour_days, percent: "1.234.567" or "1234567" both read."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.edit.setAlignment(_RIGHT)
        sample = _NUMBER_SAMPLE.get(field.type, "000.000.000,00")
        self.edit.setFixedWidth(_fit_width(self.edit, sample))
        self._build([self.edit], expand=False)


class TextWidget(LineFieldWidget):
    """One line of text, at most `max_length` characters."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        if field.max_length is not None:
            self.edit.setMaxLength(field.max_length)
            if field.max_length <= 10:  # a year, a short code: a long box would mislead
                self.edit.setFixedWidth(_fit_width(self.edit, "0" * (field.max_length + 4)))
        self._build([self.edit], expand=field.max_length is None or field.max_length > 10)


class DateWidget(LineFieldWidget):
    """A date typed as dd/mm/yyyy (05/02/2023, 5/2/2023 or 2023-02-05); stored as ISO text."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.edit.setPlaceholderText("dd/mm/yyyy")
        self.edit.setFixedWidth(_fit_width(self.edit, "00/00/00000"))
        self._build([self.edit], expand=False)


class CodeListWidget(LineFieldWidget):
    """A multi_choice whose list is not available here: codes typed, separated by ";"."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.edit.setPlaceholderText("Các mã, cách nhau bởi dấu ;")
        self._build([self.edit], expand=True)

    def _display(self, value: object) -> str:
        return (
            "; ".join(str(v) for v in value) if isinstance(value, list) else format_value(self.field, value)
        )


class LongTextWidget(FieldWidget):
    """Several lines; Tab moves on to the next field instead of inserting a tab character."""

    enter_moves_focus = False
    visible_lines = 4

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName(f"input_{field.id}")
        self.edit.setTabChangesFocus(True)
        margins = self.edit.contentsMargins()
        document_margin = 2 * int(self.edit.document().documentMargin())
        self.edit.setFixedHeight(
            self.edit.fontMetrics().lineSpacing() * self.visible_lines
            + document_margin
            + margins.top()
            + margins.bottom()
            + 4
        )
        self.edit.textChanged.connect(self._emit_changed)
        self._build([self.edit], expand=True)

    def set_value(self, value: object) -> None:
        with self._silently():
            self.edit.setPlainText(nfc(str(value)) if value is not None else "")

    def value(self) -> object:
        return parse_input(self.field, self.edit.toPlainText())

    def _commit(self) -> None:
        text = self.edit.toPlainText()
        if nfc(text) != text:
            with self._silently():  # same text to the reader, so not an edit
                self.edit.setPlainText(nfc(text))

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        _show_read_only(self.edit, read_only)


class RatioWidget(FieldWidget):
    """Two whole numbers, "16 / 22"; "16/22" typed into the first box is split on leaving."""

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, options, parent)
        self.num_edit = self._number_box("num")
        self.den_edit = self._number_box("den")
        slash = QLabel("/")
        self._build([self.num_edit, self.den_edit], expand=False, items=[self.num_edit, slash, self.den_edit])

    def _number_box(self, part: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"input_{self.field.id}_{part}")
        edit.setAlignment(_RIGHT)
        edit.setFixedWidth(_fit_width(edit, "000.000"))
        edit.textEdited.connect(self._emit_changed)
        edit.returnPressed.connect(self._commit)
        return edit

    def set_value(self, value: object) -> None:
        num = den = ""
        if isinstance(value, dict):
            num = _count_text(value.get("num"))
            den = _count_text(value.get("den"))
        with self._silently():
            self.num_edit.setText(num)
            self.den_edit.setText(den)

    def value(self) -> object:
        num, den = nfc(self.num_edit.text()).strip(), nfc(self.den_edit.text()).strip()
        if not num and not den:
            return None
        if "/" in num and not den:
            return parse_input(self.field, num)
        if not num or not den:
            raise ValueParseError(f"«{self.field.label}»: nhập cả tử số và mẫu số, ví dụ 16 / 22.")
        return parse_input(self.field, f"{num}/{den}")

    def _commit(self) -> None:
        try:
            value = self.value()
        except ValueParseError:
            return
        if isinstance(value, dict):
            num, den = _count_text(value["num"]), _count_text(value["den"])
            if (num, den) != (self.num_edit.text(), self.den_edit.text()):
                self.num_edit.setText(num)
                self.den_edit.setText(den)

    def _apply_read_only(self, read_only: bool) -> None:
        for edit in (self.num_edit, self.den_edit):
            edit.setReadOnly(read_only)
            _show_read_only(edit, read_only)


def _count_text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, 0)
    return "" if value is None else str(value)
