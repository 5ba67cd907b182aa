"""The home page's widgets: cards of figures and bars, each opening the units behind it."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.db.engine import Database
from danvan_desktop.services.reporting.home_page import home_page
from danvan_desktop.services.reporting.home_types import Figure, HomePage, Indicator, Share
from danvan_desktop.ui.bar_chart import Bar, BarChart
from danvan_desktop.ui.figure_tile import FigureTile

OpenShare = Callable[[Share], None]
HEADINGS = ("Kế hoạch", "Kết quả", "Tỷ lệ đạt")  # the Project 05 table's columns after the name
MUTED = QColor("#5f6368")  # notes and empty cards: grey, readable on the window's background


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection while a page is made: it makes tens of thousands of short-lived rows and
    widgets without cycles, and each collection on the way walks the whole window's objects again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_home_view(
    db: Database, unit_code: str, period_code: str, today: dt.date, open_share: OpenShare
) -> HomeView:
    """The page of a unit and period, computed and laid out (what the home tab and the benchmark show)."""
    with collection_paused():
        with db.session() as session:
            page = home_page(session, unit_code, period_code, today=today)
        return HomeView(page, open_share)


class SharesDialog(QDialog):
    """The units behind a figure; double-click (or the button) opens that unit's records."""

    def __init__(self, title: str, shares: Sequence[Share], open_share: OpenShare, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.shares, self.open_share = list(shares), open_share
        self.table = QTableWidget(len(self.shares), 2)
        self.table.setObjectName("sharesTable")
        self.table.setHorizontalHeaderLabels(["Đơn vị", "Số liệu"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, share in enumerate(self.shares):
            self.table.setItem(row, 0, QTableWidgetItem(share.label))
            self.table.setItem(row, 1, QTableWidgetItem(share.text))
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        note = QLabel(
            f"{len(self.shares)} đơn vị. Nhấp đúp một dòng để mở các bản ghi của đơn vị đó."
            if self.shares
            else "Không có đơn vị nào."
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Mở bản ghi", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.open_button.setEnabled(bool(self.shares))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(620, 480)
        if self.shares:
            self.table.selectRow(0)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.shares):
            share = self.shares[row]
            self.accept()
            self.open_share(share)


class HomeView(QWidget):
    """One page's cards; rebuilt for each unit and period."""

    def __init__(self, page: HomePage, open_share: OpenShare, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page, self.open_share = page, open_share
        self.buttons: dict[str, FigureTile] = {}
        self.charts: dict[str, BarChart] = {}
        self.dialog: SharesDialog | None = None
        heading = QLabel(f"Tổng quan: {page.unit_label} — {page.period_label}")
        # Fonts and palettes, not style sheets: a style sheet restyles the whole page on every draw.
        font = heading.font()
        font.setPointSizeF(13)
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.addWidget(heading, 0, 0, 1, 2)
        grid.addWidget(self._completeness_card(), 1, 0)
        right = QVBoxLayout()
        right.addWidget(self._mobilized_card())
        right.addWidget(self._ntm_card(), 1)
        grid.addLayout(right, 1, 1)
        grid.addWidget(self._indicators_card(), 2, 0, 1, 2)
        grid.addWidget(self._models_card(), 3, 0, 1, 2)
        for row, note in enumerate(page.notes, 4):
            grid.addWidget(_muted(QLabel(note)), row, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(grid.rowCount(), 1)

    # --- click-through --------------------------------------------------------------------
    def show_shares(self, title: str, shares: Sequence[Share]) -> SharesDialog:
        self.dialog = SharesDialog(
            f"{title} — {self.page.unit_label} — {self.page.period_label}", shares, self.open_share, self
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()
        return self.dialog

    def _figure_button(self, figure: Figure, title: str = "") -> FigureTile:
        detail = f" · {figure.detail}" if figure.detail else ""
        button = FigureTile(f"{figure.label}\n{figure.text}{detail}")
        button.setObjectName(f"figure:{figure.key}")
        button.setToolTip("Bấm để xem các đơn vị có số liệu này")
        button.clicked.connect(lambda: self.show_shares(title or figure.label, figure.shares))
        self.buttons[figure.key] = button
        return button

    def _chart(
        self, key: str, bars: list[Bar], label_width: int, on_click: Callable[[int], None], row: int = 24
    ) -> BarChart:
        chart = BarChart()
        chart.setObjectName(f"chart:{key}")
        chart.set_bars(bars, label_width, row)
        chart.activated.connect(on_click)
        self.charts[key] = chart
        return chart

    @staticmethod
    def _card(title: str) -> tuple[QGroupBox, QVBoxLayout]:
        """A titled card: its title bold, its content in the normal font (set on an inner widget,
        whose children inherit it)."""
        box = QGroupBox(title)
        bold = box.font()
        bold.setBold(True)
        box.setFont(bold)
        inner = QWidget(box)
        normal = inner.font()
        normal.setBold(False)
        inner.setFont(normal)
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(inner)
        return box, QVBoxLayout(inner)

    def _empty(self, layout: QVBoxLayout, text: str) -> None:
        layout.addWidget(_muted(QLabel(text)))

    # --- cards ------------------------------------------------------------------------------
    def _completeness_card(self) -> QGroupBox:
        page = self.page
        box, layout = self._card("Tình hình nhận báo cáo trong kỳ")
        if page.complete is None:
            self._empty(layout, "Đơn vị không có hiệu lực trong kỳ này.")
            return box
        who = "biểu mẫu"
        layout.addWidget(self._figure_button(page.complete, f"Đơn vị chưa gửi đủ {who}"))
        bars = [
            Bar(
                d.title,
                d.received,
                f"{d.received}/{d.expected}",
                d.received / d.expected,
                d.received == d.expected,
            )
            for d in page.due
        ]
        layout.addWidget(QLabel("Biểu mẫu phải gửi (bấm để xem đơn vị chưa gửi):"))

        def open_due(index: int) -> None:
            due = page.due[index]
            self.show_shares(f"Chưa gửi «{due.title}»", due.missing)

        layout.addWidget(self._chart("due", bars, 230, open_due, row=19))
        layout.addStretch(1)
        return box

    def _mobilized_card(self) -> QGroupBox:
        box, layout = self._card(f"Nhân dân đóng góp (theo {self.page.parts_label})")
        grid = QGridLayout()
        for i, figure in enumerate(self.page.mobilized):
            grid.addWidget(self._figure_button(figure), i // 2, i % 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        return box

    def _indicators_card(self) -> QGroupBox:
        page = self.page
        source = f" ({page.indicators_source})" if page.indicators_source else ""
        box, layout = self._card(f"Chỉ tiêu Đề án 05-ĐA/TU{source}")
        if not page.indicators:
            self._empty(layout, "Chưa có kết quả thực hiện chỉ tiêu Đề án 05 trong kỳ này.")
            return box
        table = QTableWidget(len(page.indicators), 4)
        table.setObjectName("indicatorTable")
        table.setHorizontalHeaderLabels(["Chỉ tiêu", *HEADINGS])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)  # one line per indicator; the whole name is in its tooltip
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, indicator in enumerate(page.indicators):
            self._indicator_row(table, row, indicator)
        # Widths and heights from the font's metrics, not ResizeToContents: one line per cell, and
        # asking every cell for its size hint is a good part of the page's drawing time.
        metrics = table.fontMetrics()
        columns = (
            [i.target_text for i in page.indicators],
            [i.result_text for i in page.indicators],
            [i.reached_text for i in page.indicators],
        )
        for column, (title, texts) in enumerate(zip(HEADINGS, columns, strict=True), 1):
            widest = max(metrics.horizontalAdvance(t) for t in [title, *texts])
            header.resizeSection(column, widest + 16)
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        height = header.sizeHint().height() + table.rowCount() * (metrics.height() + 8) + 4
        table.setFixedHeight(min(height, 420))
        table.setToolTip("Nhấp đúp một chỉ tiêu để xem kết quả của từng đơn vị")
        table.doubleClicked.connect(
            lambda index: self.show_shares(
                page.indicators[index.row()].name, page.indicators[index.row()].shares
            )
        )
        self.indicator_table = table
        layout.addWidget(table)
        return box

    @staticmethod
    def _indicator_row(table: QTableWidget, row: int, indicator: Indicator) -> None:
        name = QTableWidgetItem(f"{indicator.number}. {indicator.name}")
        name.setToolTip(indicator.name)
        table.setItem(row, 0, name)
        table.setItem(row, 1, QTableWidgetItem(indicator.target_text))
        table.setItem(row, 2, QTableWidgetItem(indicator.result_text))
        reached = QTableWidgetItem(indicator.reached_text)
        if indicator.met is not None:
            reached.setForeground(QColor("#2e7d32" if indicator.met else "#b00020"))
        reached.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, 3, reached)

    def _ntm_card(self) -> QGroupBox:
        page = self.page
        box, layout = self._card("Nông thôn mới: xã đạt chuẩn qua các năm")
        if not page.ntm_years:
            self._empty(layout, "Chưa có số liệu nông thôn mới của các xã.")
            return box
        bars = [
            Bar(f.label, f.value, f.text + (f" ({f.detail})" if f.detail else ""), f.ratio, None)
            for f in page.ntm_years
        ]

        def open_year(index: int) -> None:
            figure = page.ntm_years[index]
            self.show_shares(f"Nông thôn mới năm {figure.label}", figure.shares)

        layout.addWidget(self._chart("ntm", bars, 60, open_year))
        layout.addStretch(1)
        return box

    def _models_card(self) -> QGroupBox:
        page = self.page
        box, layout = self._card("Mô hình «Dân vận khéo»")
        total = sum(f.value for f in page.models_by_field)
        layout.addWidget(QLabel(f"{round(total)} mô hình, điển hình đang theo dõi (không kể đã rút)."))
        by_field = [
            Bar(f.label, f.value, f.text + (f" ({f.detail})" if f.detail else ""))
            for f in page.models_by_field
        ]
        by_level = [Bar(f.label, f.value, f.text) for f in page.models_by_level]
        columns = QGridLayout()
        columns.addWidget(QLabel("Theo lĩnh vực:"), 0, 0)
        columns.addWidget(QLabel("Theo cấp công nhận:"), 0, 1)
        fields = self._chart("models_field", by_field, 190, lambda i: self._open(page.models_by_field[i]))
        levels = self._chart("models_level", by_level, 190, lambda i: self._open(page.models_by_level[i]))
        columns.addWidget(fields, 1, 0)
        columns.addWidget(levels, 1, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        layout.addLayout(columns)
        return box

    def _open(self, figure: Figure) -> None:
        self.show_shares(f"Mô hình: {figure.label}", figure.shares)


def _muted(label: QLabel) -> QLabel:
    """A wrapped label in grey: a note or an empty card."""
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, MUTED)
    label.setPalette(palette)
    return label
