"""A bar under a register saying what was just deleted, with a button (and Ctrl+Z) to undo it."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

_NAME_LIMIT = 80  # characters of the record's name; the bar stays one line on a small screen


class UndoBar(QFrame):
    """Hidden until `offer` names a deleted record; `undo_requested` carries its id."""

    undo_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet("#undoBar { background: #e8f0fe; border: 1px solid #aecbfa; border-radius: 3px; }")
        self.record_id: str | None = None
        self.message = QLabel()
        self.message.setObjectName("undoMessage")
        self.undo_button = QPushButton("Hoàn tác (Ctrl+Z)")
        self.undo_button.setObjectName("undoButton")
        self.undo_button.clicked.connect(self.undo)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Ẩn thông báo (bản ghi vẫn khôi phục được trong «Bản ghi đã xóa»)")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 3, 3)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(close)
        self.hide()

    def offer(self, record_id: str, name: str) -> None:
        shown = name if len(name) <= _NAME_LIMIT else name[: _NAME_LIMIT - 1] + "…"
        self.record_id = record_id
        self.message.setText(f"Đã xóa «{html.escape(shown)}».")
        self.message.setToolTip(name)
        self.show()

    def undo(self) -> bool:
        """Ask for the offered record back; False when nothing is offered."""
        record_id = self.record_id
        if record_id is None or self.isHidden():
            return False
        self.dismiss()
        self.undo_requested.emit(record_id)
        return True

    def dismiss(self) -> None:
        self.record_id = None
        self.hide()
