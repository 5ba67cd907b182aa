"""A small horizontal bar chart drawn with QPainter: a label, a bar and its value per line; a bar clicks.

Why not a chart library: QtCharts is not in PySide6-Essentials (the Addons wheel would add far more
than the 5 MB left in the bundle's 155 MB), and matplotlib (with NumPy) is larger still and takes
longer to import than the whole window takes to show. The home page needs bars with labels and
values that a click opens, which is some tens of lines of painting.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 24
GOOD, SHORT, PLAIN = QColor("#2e7d32"), QColor("#c77700"), QColor("#1565c0")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the bar's length against the longest (or 1.0 when `share` is set)
    text: str  # shown at the end of the bar
    share: float | None = None  # 0..1: a part of a whole (met / reported); a bar of 1.0 is full
    good: bool | None = None  # colour: green reached, amber not yet, blue neither


class BarChart(QWidget):
    """Bars one under another; clicking a bar (or Enter on the one with the focus) emits its index."""

    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.current = 0
        self.label_width = 150
        self.row_height = ROW_HEIGHT
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMouseTracking(True)

    def set_bars(self, bars: list[Bar], label_width: int = 150, row_height: int = ROW_HEIGHT) -> None:
        self.bars, self.label_width, self.current, self.row_height = bars, label_width, 0, row_height
        self.setFixedHeight(max(1, len(bars)) * row_height + 4)
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in bars))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, max(1, len(self.bars)) * self.row_height + 4)

    def bar_at(self, y: int) -> int | None:
        index = (y - 2) // self.row_height
        return index if 0 <= index < len(self.bars) else None

    def bar_rect(self, index: int) -> QRect:
        """Where bar `index` is drawn (its whole line: label, bar and value)."""
        return QRect(0, 2 + index * self.row_height, self.width(), self.row_height)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(round(event.position().y()))
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.current = index
            self.update()
            self.activated.emit(index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(round(event.position().y()))
        tip = (
            f"{self.bars[index].label}: {self.bars[index].text} — bấm để xem từng đơn vị"
            if index is not None
            else ""
        )
        self.setToolTip(tip)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.bars:
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key.Key_Down:
            self.current = min(self.current + 1, len(self.bars) - 1)
        elif event.key() == Qt.Key.Key_Up:
            self.current = max(self.current - 1, 0)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.current)
        else:
            super().keyPressEvent(event)
            return
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = painter.fontMetrics()
        text_width = max((metrics.horizontalAdvance(b.text) for b in self.bars), default=0) + 10
        longest = max((b.value for b in self.bars if b.share is None), default=0.0) or 1.0
        room = max(20, self.width() - self.label_width - text_width - 12)
        for i, bar in enumerate(self.bars):
            line = self.bar_rect(i)
            if self.hasFocus() and i == self.current:
                painter.fillRect(line, palette.color(QPalette.ColorRole.AlternateBase))
            label_rect = QRect(4, line.top(), self.label_width - 8, line.height())
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_rect.width())
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            share = bar.share if bar.share is not None else bar.value / longest
            inset = max(3, line.height() // 5)
            track = QRect(self.label_width, line.top() + inset, room, line.height() - 2 * inset)
            if bar.share is not None:  # a part of a whole: the whole is drawn too
                painter.fillRect(track, QColor("#e3e7ee"))
            length = round(room * max(0.0, min(share, 1.0)))
            colour = PLAIN if bar.good is None else (GOOD if bar.good else SHORT)
            painter.fillRect(QRect(track.left(), track.top(), length, track.height()), colour)
            value_rect = QRect(self.label_width + room + 6, line.top(), text_width, line.height())
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(value_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, bar.text)
        painter.end()
