"""A data-entry form built from its FormDef: sections, live computed fields, relevance, messages."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.formspec.model import ChoiceDef, FieldDef, FormDef, SectionDef
from danvan_desktop.formspec.validate import (
    Issue,
    ValidationContext,
    apply_computed,
    clean_values,
    relevant_field_ids,
    validate_record,
)
from danvan_desktop.formspec.values import ValueParseError, coerce_value
from danvan_desktop.formspec.versions import with_aliases
from danvan_desktop.ui.field_widgets import FieldWidget, Option, create_widget
from danvan_desktop.ui.field_widgets.row import REVIEW_NOTE_STYLE, FieldRow, grey_label, issues_html

log = logging.getLogger(__name__)

_LABEL_MAX_WIDTH = 300  # longer labels wrap, so the inputs of every section line up
_READ_ONLY_NOTE = "Chỉ xem: số liệu của biểu mẫu này không sửa được."
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def default_values(form: FormDef) -> dict[str, object]:
    """The values a new record starts with: each field's `default`, in its stored form."""
    values: dict[str, object] = {}
    for field in form.fields():
        if field.default is None or field.computed is not None:
            continue
        try:
            values[field.id] = coerce_value(field, field.default)
        except ValueParseError:
            log.warning("form %s: unusable default for %s", form.id, field.id)
    return values


def context_from_lists(
    choices: Mapping[str, Sequence[ChoiceDef]] | None,
    units: Sequence[Option] | None,
    organizations: Sequence[Option] | None,
) -> ValidationContext:
    """A validation context that accepts exactly the items the editor's lists offer."""
    return ValidationContext(
        choices={field_id: {c.value for c in options} for field_id, options in (choices or {}).items()},
        org_units=None if units is None else {code for code, _ in units},
        organizations=None if organizations is None else {code for code, _ in organizations},
    )


class FormEditor(QWidget):
    """Edits one record (or one unit's aggregate values) of `form`.

    `values()` never raises: text that does not parse reads as empty and is listed by
    `parse_issues()`; `validate()` shows every message under its field and returns the issues.
    """

    dirty_changed = Signal(bool)
    values_changed = Signal()  # after every user edit, once computed fields are up to date

    def __init__(
        self,
        form: FormDef,
        context: ValidationContext | None = None,
        choices: dict[str, list[ChoiceDef]] | None = None,
        units: list[tuple[str, str]] | None = None,
        organizations: list[tuple[str, str]] | None = None,
        parent: QWidget | None = None,
        *,
        organization_names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.context = context or context_from_lists(choices, units, organizations)
        self._rows: dict[str, FieldRow] = {}
        self._dirty = False
        self._read_only = False
        self._locked: set[str] = set()  # fields whose value is set from elsewhere (a target from above)
        self._touched: set[str] = set()  # edited since set_values: checked when left
        self._relevant: set[str] = {f.id for f in form.fields()}
        self._choices = choices or {}
        self._units = units
        self._organizations = organizations
        self._organization_names = organization_names

        self.title_label = QLabel(form.title)
        self.title_label.setObjectName("formTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.description_label = grey_label(form.description or "", smaller=False)
        self.description_label.setVisible(bool(form.description))
        self.read_only_note = QLabel(_READ_ONLY_NOTE)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setStyleSheet(
            "background: #fff4e5; border: 1px solid #f0c36d; border-radius: 3px; padding: 6px;"
        )
        self.read_only_note.hide()
        self.review_note = QLabel()  # the office above's open comments on the return or the record
        self.review_note.setObjectName("reviewNote")
        self.review_note.setWordWrap(True)
        self.review_note.setStyleSheet(REVIEW_NOTE_STYLE)
        self.review_note.hide()
        self.form_messages = QLabel()
        self.form_messages.setWordWrap(True)
        self.form_messages.hide()

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)
        header = (self.title_label, self.description_label, self.read_only_note, self.review_note)
        for widget in (*header, self.form_messages):
            column.addWidget(widget)
        self.groups = [self._build_section(section, column) for section in form.sections]
        column.addStretch(1)
        self._align_labels()
        self._chain_tab_order()

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        self.set_values(default_values(form))

    # ------------------------------------------------------------------------------- building

    def _build_section(self, section: SectionDef, column: QVBoxLayout) -> QGroupBox:
        group = QGroupBox(section.title)
        title_font = QFont(self.font())
        title_font.setBold(True)
        group.setFont(title_font)  # the rows below get the normal font back explicitly
        layout = QFormLayout(group)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(8)
        if section.help:
            layout.addRow(grey_label(section.help, smaller=False))
        for field in section.fields:
            self._build_row(field, layout)
        column.addWidget(group)
        return group

    def _build_row(self, field: FieldDef, layout: QFormLayout) -> None:
        widget = create_widget(
            field,
            choices=self._choices.get(field.id),
            units=self._units,
            organizations=self._organizations,
            organization_names=self._organization_names,
        )
        self._rows[field.id] = FieldRow(widget, layout, self.font())
        widget.changed.connect(lambda fid=field.id: self._on_changed(fid))
        widget.editing_finished.connect(lambda fid=field.id: self._on_left(fid))
        if widget.enter_moves_focus:
            for target in widget.focus_widgets():
                target.installEventFilter(self)

    def _align_labels(self) -> None:
        # One label width for all sections: each QFormLayout sizes its own label column, which
        # would leave the inputs of different sections at different x positions.
        rows = list(self._rows.values())
        if rows:
            metrics = rows[0].label.fontMetrics()
            widest = max(metrics.horizontalAdvance(r.label.text()) for r in rows) + 4
            for row in rows:
                row.align_label(min(_LABEL_MAX_WIDTH, widest))

    def _chain_tab_order(self) -> None:
        targets = [t for row in self._rows.values() for t in row.widget.focus_widgets()]
        for first, second in itertools.pairwise(targets):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------------------- values

    def field_widget(self, field_id: str) -> FieldWidget:
        return self._rows[field_id].widget

    def set_values(self, values: Mapping[str, object]) -> None:
        """Show a stored record; the editor is clean afterwards and shows no messages."""
        values = with_aliases(self.form, values)  # entered under an older version: renamed fields
        for row in self._rows.values():
            if row.field.computed is None:
                row.widget.set_value(values.get(row.field.id))
        self._touched.clear()
        self._refresh()
        self._show_issues([], only=None)
        self._set_dirty(False)

    def _read_inputs(self) -> tuple[dict[str, object], list[Issue]]:
        """The typed values (text that does not parse reads as None) and the parse problems
        of the fields shown."""
        values: dict[str, object] = {}
        problems: list[Issue] = []
        for field_id, row in self._rows.items():
            if row.field.computed is not None:
                continue
            try:
                values[field_id] = row.widget.value()
            except ValueParseError as exc:
                values[field_id] = None
                problems.append(Issue(field_id, exc.message, "error"))
        relevant = relevant_field_ids(self.form, apply_computed(self.form, values))
        return values, [p for p in problems if p.field_id in relevant]

    def values(self) -> dict[str, object]:
        """The record to store: hidden fields dropped, computed fields filled in."""
        return clean_values(self.form, self._read_inputs()[0])

    def parse_issues(self) -> list[Issue]:
        """Shown fields whose text cannot be read as a value of their type."""
        return self._read_inputs()[1]

    # ------------------------------------------------------------------------------- live updates

    def _refresh(self) -> None:
        """Recalculate computed fields and show exactly the relevant ones."""
        computed = apply_computed(self.form, self._read_inputs()[0])
        for field_id, row in self._rows.items():
            if row.field.computed is not None:
                row.widget.set_value(computed.get(field_id))
        self._relevant = relevant_field_ids(self.form, computed)
        for field_id, row in self._rows.items():
            row.set_shown(field_id in self._relevant)
        for group, section in zip(self.groups, self.form.sections, strict=True):
            group.setVisible(any(f.id in self._relevant for f in section.fields))

    def _on_changed(self, field_id: str) -> None:
        self._touched.add(field_id)
        self._refresh()
        self._set_dirty(True)
        self.values_changed.emit()

    def _on_left(self, field_id: str) -> None:
        # A field the user only passed through is not judged; once edited (or already showing
        # a message) it is, and messages elsewhere that the edit fixed go away at the same time.
        showing = {fid for fid, row in self._rows.items() if row.issues}
        if field_id not in self._touched and field_id not in showing:
            return
        self._show_issues(self._collect_issues(), only=showing | {field_id})

    # ------------------------------------------------------------------------------- validation

    def _collect_issues(self) -> list[Issue]:
        inputs, problems = self._read_inputs()
        failed = {p.field_id for p in problems}
        # A field whose text did not parse reads as empty: "must not be empty" would mislead.
        checked = [i for i in validate_record(self.form, inputs, self.context) if i.field_id not in failed]
        order = {fid: n for n, fid in enumerate(self._rows)}
        own = sorted(
            problems + [i for i in checked if i.rule_id is None], key=lambda i: order.get(i.field_id or "", 0)
        )
        return own + [i for i in checked if i.rule_id is not None]

    def error_messages(self) -> list[str]:
        """The errors the record has now, without showing anything (for a summary kept current)."""
        return [i.message for i in self._collect_issues() if i.severity == "error"]

    def validate(self) -> list[Issue]:
        """Check the whole record, show every message under its field and return the issues."""
        issues = self._collect_issues()
        self._show_issues(issues, only=None)
        return issues

    def _show_issues(self, issues: Iterable[Issue], only: set[str] | None) -> None:
        """Put each issue under the first of its fields in `only` (every field when None).

        The other fields a rule names get the red frame and the message as tooltip, so a rule
        over two fields is said once but both inputs show where to look.
        """
        targets = set(self._rows) if only is None else only & set(self._rows)
        placed: dict[str, list[Issue]] = {fid: [] for fid in targets}
        framed: dict[str, str] = {}
        general: list[Issue] = []
        for issue in issues:
            named = [f for f in (issue.fields or (issue.field_id,)) if f is not None]
            if not named:
                general.append(issue)
                continue
            shown = [f for f in named if f in targets and f in self._relevant]
            if not shown:
                continue
            placed[shown[0]].append(issue)
            if issue.severity == "error":
                for fid in shown[1:]:
                    framed.setdefault(fid, issue.message)
        for fid in targets:
            self._rows[fid].set_issues(placed[fid], framed.get(fid))
        if only is None:
            self.form_messages.setText(issues_html(general))
            self.form_messages.setVisible(bool(general))

    def field_messages(self, field_id: str) -> list[str]:
        """The messages shown under the field, errors and warnings, in order."""
        return [i.message for i in self._rows[field_id].issues]

    def is_field_shown(self, field_id: str) -> bool:
        return field_id in self._relevant and self._rows[field_id].is_shown()

    # ------------------------------------------------------------------------------- state

    @property
    def dirty(self) -> bool:
        """True once the user has edited anything since the last set_values or mark_clean."""
        return self._dirty

    def mark_clean(self) -> None:
        """The shown values have been saved."""
        self._touched.clear()
        self._set_dirty(False)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def set_read_only(self, read_only: bool, reason: str | None = None) -> None:
        """Lock every input (a locked period); `reason` replaces the note shown above the form."""
        self._read_only = read_only
        self.read_only_note.setText(reason or _READ_ONLY_NOTE)
        self.read_only_note.setVisible(read_only)
        for field_id, row in self._rows.items():
            row.widget.set_read_only(read_only or field_id in self._locked)

    def lock_field(self, field_id: str, value: object, note: str) -> None:
        """Show `value` in the field, unchangeable, with `note` saying why (save stores that value)."""
        row = self._rows[field_id]
        self._locked.add(field_id)
        if row.widget.value() != value:
            row.widget.set_value(value)
            self._refresh()
        row.widget.set_read_only(True)
        row.set_lock_note(note)

    def unlock_field(self, field_id: str) -> None:
        if field_id in self._locked:
            self._locked.discard(field_id)
            self._rows[field_id].widget.set_read_only(self._read_only)
            self._rows[field_id].set_lock_note(None)

    def set_review_notes(self, by_field: Mapping[str, str], general: str) -> None:
        """Comments of the office above: each beside its field, the others above the form."""
        for field_id, row in self._rows.items():
            row.set_review_note(by_field.get(field_id))
        self.review_note.setText(general)
        self.review_note.setVisible(bool(general))

    def locked_fields(self) -> frozenset[str]:
        return frozenset(self._locked)

    def is_read_only(self) -> bool:
        return self._read_only

    def focus_first_field(self) -> bool:
        """Put the cursor in the first field the user can type into (shown, not computed), so
        that what is typed right after opening a record lands there. False when there is none."""
        if self._read_only:
            return False
        for field_id, row in self._rows.items():
            if row.field.computed is not None or field_id not in self._relevant:
                continue
            targets = [t for t in row.widget.focus_widgets() if t.isEnabled()]
            if targets:
                targets[0].setFocus(Qt.FocusReason.TabFocusReason)
                self.scroll_area.ensureWidgetVisible(targets[0])
                return True
        return False

    # ------------------------------------------------------------------------------- keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in a one-line input goes on to the next field, as on a paper form; the input
        # tidies its text when it loses focus.
        plain = Qt.KeyboardModifier.NoModifier
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in _ENTER_KEYS
            and event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == plain
        ):
            self.focusNextChild()
            return True
        return super().eventFilter(watched, event)
