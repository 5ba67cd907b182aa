"""Small builders that keep widget set-up code short: fill a box layout, a selectable label, a button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

Part = QWidget | QLayout | int | tuple[QWidget, int]


def lay(layout: QBoxLayout, *parts: Part) -> QBoxLayout:
    """Fill a box: widgets, layouts, (widget, stretch) pairs, and ints for stretches."""
    for part in parts:
        if isinstance(part, int):
            layout.addStretch(part)
        elif isinstance(part, tuple):
            layout.addWidget(*part)
        elif isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return layout


def text_label(name: str, *, mono: bool = False) -> QLabel:
    """A label the user can select text in: wrapped, or (mono) bold fixed-width and one size larger."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(not mono)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:  # a key fingerprint, read out on the phone group by group
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        label.setFont(font)
    return label


def push_button(text: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.clicked.connect(slot)
    return button


def dialog_buttons(dialog: QDialog, accept_text: str, on_accept: Callable[[], object]) -> QDialogButtonBox:
    """The dialog's OK button named for what it does (with its mnemonic) and «Hủy», which rejects:
    Qt's own «OK»/«Cancel» would stay in English."""
    button = QDialogButtonBox.StandardButton
    buttons = QDialogButtonBox(button.Ok | button.Cancel)
    buttons.button(button.Ok).setText(accept_text)
    buttons.button(button.Cancel).setText("&Hủy")
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Open at the size the content wants, but never past the screen it opens on.

    Commune offices often have 1366x768 or 1024x768 screens: a fixed 1100x760 dialog would open
    with its buttons under the task bar.
    """
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() * 95 // 100), min(height, room.height() * 95 // 100)
    widget.resize(width, height)


def key_shortcut(
    keys: QKeySequence | QKeySequence.StandardKey,
    parent: QWidget,
    slot: Callable[[], object],
    context: Qt.ShortcutContext,
) -> QShortcut:
    """A keyboard shortcut active only in `context`.

    Set with setContext: PySide6 does not take the context as QShortcut's fourth argument, so a
    shortcut built that way silently stays a window-wide one (and two of them clash).
    """
    shortcut = QShortcut(keys, parent)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    return shortcut


def buddy_form(rows: tuple[tuple[str, QWidget], ...]) -> QFormLayout:
    """A form whose labels carry Alt+letter accelerators that move to their field."""
    form = QFormLayout()
    for text, widget in rows:
        label = QLabel(text)
        label.setBuddy(widget)
        form.addRow(label, widget)
    return form


def passwords_differ(password: QLineEdit, again: QLineEdit, message: QLabel) -> bool:
    """True (said, the second field cleared and focused) when the two typings of a password differ."""
    if password.text() == again.text():
        return False
    message.setText("Hai lần nhập mật khẩu không giống nhau.")
    again.clear()
    again.setFocus()
    return True
