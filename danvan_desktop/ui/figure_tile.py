"""A figure on the home page as a flat tile: its label, its value and a second line, clicked to list units.

Painted here rather than styled with a style sheet: a style sheet on each of a page's buttons made Qt
restyle every widget of the page, which cost more than computing the page's figures.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QEnterEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QStyle, QStyleOptionFocusRect, QWidget

PADDING_X, PADDING_Y, RADIUS = 8, 4, 4.0


class FigureTile(QAbstractButton):
    """A push button drawn as a left-aligned tile (text lines as given), hover and focus shown."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self._hovered = False

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        lines = self.text().split("\n")
        width = max((metrics.horizontalAdvance(line) for line in lines), default=0)
        return QSize(width + 2 * PADDING_X + 2, len(lines) * metrics.lineSpacing() + 2 * PADDING_Y + 2)

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), 120), hint.height())

    def enterEvent(self, event: QEnterEvent) -> None:
        self._hovered = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hovered = False
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        down = self.isDown() or self._hovered
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase if down else QPalette.ColorRole.Base))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawRoundedRect(frame, RADIUS, RADIUS)
        painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
        inner = self.rect().adjusted(PADDING_X + 1, PADDING_Y + 1, -PADDING_X - 1, -PADDING_Y - 1)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.text())
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            option.rect = self.rect().adjusted(2, 2, -2, -2)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self)
        painter.end()
