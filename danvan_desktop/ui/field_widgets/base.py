"""The small interface every form input shares: show a value, read it back, mark it invalid."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QLineEdit, QWidget

from danvan_desktop.formspec.model import FieldDef

Option = tuple[str, str]  # (code, label) of one item a list widget offers

FRAME_BORDER = 2  # px, transparent until the field is invalid
_FRAME_STYLE = f"""
#fieldFrame {{ border: {FRAME_BORDER}px solid transparent; border-radius: 3px; }}
#fieldFrame[invalid="true"] {{ border-color: #c62828; }}
"""
# Focus that leaves for a popup (a combo's list) or another application comes back to the same
# input; only a move to another input means the user has finished with this one.
_STAY_REASONS = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


class FieldWidget(QWidget):
    """One input for one FieldDef; values go in and out in their stored form.

    `changed` fires on user edits only (never on set_value); `editing_finished` fires when focus
    leaves the widget for another one, after the widget has tidied what was typed.
    """

    changed = Signal()
    editing_finished = Signal()
    enter_moves_focus = True  # False where Enter has a meaning of its own (multi-line text)

    def __init__(
        self, field: FieldDef, options: Sequence[Option] | None = None, parent: QWidget | None = None
    ) -> None:
        # Every widget takes `options` so the registry can build any of them the same way;
        # only the list widgets use them.
        super().__init__(parent)
        self.field = field
        self.unit_label: QLabel | None = None
        self._loading = False
        self._has_focus = False
        self._read_only = False
        self._message: str | None = None
        self._inputs: list[QWidget] = []
        self.frame = QFrame()
        self.frame.setObjectName("fieldFrame")
        self.frame.setStyleSheet(_FRAME_STYLE)
        self._frame_layout = QHBoxLayout(self.frame)
        self._frame_layout.setContentsMargins(0, 0, 0, 0)  # the frame's 2px border is the margin
        self._frame_layout.setSpacing(4)
        self._outer = QHBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._outer.setSpacing(6)
        self._outer.addWidget(self.frame)

    # ------------------------------------------------------------------ interface for subclasses

    def _build(self, inputs: list[QWidget], *, expand: bool, items: list[QWidget] | None = None) -> None:
        """Place `items` (default: `inputs`) inside the frame, then the unit; `inputs` take focus."""
        for widget in items or inputs:
            self._frame_layout.addWidget(widget)
        self._inputs = inputs
        for widget in inputs:
            widget.installEventFilter(self)
            widget.setToolTip(self.field.help or "")
            if self.field.computed is not None:
                widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab skips it; a click can copy
        if self.field.computed is not None:
            self._apply_read_only(True)
        if self.field.unit and self.field.type != "percent":
            self.unit_label = QLabel(self.field.unit)
            self.unit_label.setObjectName("unitLabel")
            self._outer.addWidget(self.unit_label)
        if not expand:
            self._outer.addStretch(1)

    @contextmanager
    def _silently(self) -> Iterator[None]:
        """Programmatic changes inside this block do not count as user edits."""
        loading, self._loading = self._loading, True
        try:
            yield
        finally:
            self._loading = loading

    def _emit_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    def _commit(self) -> None:
        """Tidy what was typed once the user is done: reformat numbers, pick the matched item."""

    def _apply_read_only(self, read_only: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not read_only)

    # ------------------------------------------------------------------------------- the API

    def set_value(self, value: object) -> None:
        """Show a stored value (None: empty); not a user edit, so `changed` stays silent."""
        raise NotImplementedError(type(self).__name__)

    def value(self) -> object:
        """The stored form of what is shown; ValueParseError when the typed text is unreadable."""
        raise NotImplementedError(type(self).__name__)

    def line_height(self) -> int:
        """Height of the widget's first line, frame included: labels beside it align to that."""
        inputs = self.focus_widgets()
        first = inputs[0].sizeHint().height() if inputs else self.sizeHint().height()
        return min(first, QLineEdit().sizeHint().height() + 2) + 2 * FRAME_BORDER

    def focus_widgets(self) -> list[QWidget]:
        """The inputs that take keyboard focus, in Tab order."""
        return list(self._inputs)

    def set_invalid(self, message: str | None) -> None:
        """A red frame and `message` as tooltip; None clears both (the help returns)."""
        self._message = message
        self.frame.setProperty("invalid", message is not None)
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)
        tip = message if message is not None else (self.field.help or "")
        for widget in self._inputs:
            widget.setToolTip(tip)

    def invalid_message(self) -> str | None:
        return self._message

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_read_only(read_only or self.field.computed is not None)

    def is_read_only(self) -> bool:
        return self._read_only

    # ------------------------------------------------------------------------------ focus

    def _owns(self, widget: QWidget | None) -> bool:
        # parentWidget() crosses window borders, so a combo's popup list still counts as inside.
        while widget is not None:
            if widget is self:
                return True
            widget = widget.parentWidget()
        return False

    def _focus_left(self, event: QEvent) -> bool:
        # By the time FocusOut arrives Qt has already moved focus to the new widget.
        if not isinstance(event, QFocusEvent) or event.reason() in _STAY_REASONS:
            return False
        return not self._owns(QApplication.focusWidget())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self._has_focus = True
        elif kind == QEvent.Type.FocusOut and self._has_focus and self._focus_left(event):
            self._has_focus = False
            self._commit()
            self.editing_finished.emit()
        return super().eventFilter(watched, event)
