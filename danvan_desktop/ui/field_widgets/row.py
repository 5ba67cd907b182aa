"""One field's line in a form: its label (" *" when required), input, grey help line and messages."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from danvan_desktop.formspec.validate import Issue
from danvan_desktop.ui.field_widgets.base import FRAME_BORDER, FieldWidget

ERROR_COLOR = "#c62828"
WARNING_COLOR = "#9a6700"
HELP_STYLE = "color: #5f6368;"


# A comment from the office above: a pale violet band, told apart from errors (red) and locks (amber).
REVIEW_NOTE_STYLE = "background: #f3eefb; color: #4a2c80; border-left: 3px solid #7e57c2; padding: 3px 6px;"


def normal_font(base: QFont) -> QFont:
    # A font passed to setFont only overrides what was set on it: the weight must be set
    # explicitly, or the rows would inherit the bold of their group's title.
    font = QFont(base)
    font.setBold(False)
    return font


def grey_label(text: str, *, smaller: bool = True) -> QLabel:
    """Help text: grey, wrapped, a little smaller than the labels when `smaller`."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HELP_STYLE)
    font = normal_font(label.font())
    if smaller:
        font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def issues_html(issues: Sequence[Issue]) -> str:
    """Messages one per line, errors red and warnings amber."""
    lines = []
    for issue in issues:
        color = ERROR_COLOR if issue.severity == "error" else WARNING_COLOR
        lines.append(f'<span style="color:{color}">{html.escape(issue.message)}</span>')
    return "<br>".join(lines)


class FieldRow:
    """The label and the cell (input, help, messages) of one field, added to `layout`."""

    def __init__(self, widget: FieldWidget, layout: QFormLayout, font: QFont) -> None:
        field = widget.field
        self.field = field
        self.widget = widget
        self.layout = layout
        self.issues: list[Issue] = []
        self.label = QLabel(f"{field.label} *" if field.required else field.label)
        self.label.setObjectName(f"label_{field.id}")
        self.label.setFont(normal_font(font))
        self.label.setWordWrap(True)
        self.label.setBuddy(widget.focus_widgets()[0] if widget.focus_widgets() else widget)
        self.cell = QWidget()
        self.cell.setFont(normal_font(font))
        column = QVBoxLayout(self.cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if field.help:
            self.label.setToolTip(field.help)
            help_line = grey_label(field.help)
            help_line.setContentsMargins(FRAME_BORDER, 0, 0, 0)  # level with the input's edge
            column.addWidget(help_line)
        self.message = QLabel()
        self.message.setObjectName(f"message_{field.id}")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setContentsMargins(FRAME_BORDER, 0, 0, 0)
        self.message.hide()
        column.addWidget(self.message)
        self.lock_note = grey_label("")  # why a value is fixed here (a target assigned from above)
        self.lock_note.setObjectName(f"lock_{field.id}")
        self.lock_note.setContentsMargins(FRAME_BORDER, 0, 0, 0)
        self.lock_note.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.lock_note.hide()
        column.addWidget(self.lock_note)
        self.column = column
        self.review_note: QLabel | None = None  # made when the office above comments on this field
        layout.addRow(self.label, self.cell)

    def set_review_note(self, note: str | None) -> None:
        """Show (or hide) the office above's open comments on this field, under its input."""
        if self.review_note is None:
            if not note:
                return  # most fields never get one: no label (and no style sheet) for them
            self.review_note = QLabel()
            self.review_note.setObjectName(f"review_{self.field.id}")
            self.review_note.setWordWrap(True)
            self.review_note.setContentsMargins(FRAME_BORDER, 0, 0, 0)
            self.review_note.setStyleSheet(REVIEW_NOTE_STYLE)
            self.column.addWidget(self.review_note)
        self.review_note.setText(note or "")
        self.review_note.setVisible(bool(note))

    def set_lock_note(self, note: str | None) -> None:
        self.lock_note.setText(note or "")
        self.lock_note.setVisible(bool(note))

    def align_label(self, width: int) -> None:
        """A fixed label width shared by every section, the first line level with the input's."""
        self.label.setFixedWidth(width)
        top = max(0, (self.widget.line_height() - self.label.fontMetrics().height()) // 2)
        self.label.setContentsMargins(0, top, 0, 0)

    def set_shown(self, shown: bool) -> None:
        self.layout.setRowVisible(self.cell, shown)
        if not shown and self.issues:
            self.set_issues([], None)

    def is_shown(self) -> bool:
        return not self.cell.isHidden()

    def set_issues(self, issues: list[Issue], framed_by: str | None) -> None:
        """Show `issues` under the input; `framed_by` marks it red for another field's rule."""
        self.issues = issues
        self.message.setText(issues_html(issues))
        self.message.setVisible(bool(issues))
        errors = [i.message for i in issues if i.severity == "error"]
        self.widget.set_invalid(errors[0] if errors else framed_by)
