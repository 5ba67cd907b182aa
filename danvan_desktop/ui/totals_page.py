"""An aggregate form opened on a district or a province: its units' values added up, read-only.

Instead of the empty form ("Chọn một đơn vị cấp xã…"), the office above sees the totals of the units
that fill the form, with a column per unit on demand (services/reporting/form_totals.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.reporting.form_totals import FormTotals, form_totals
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.help_window import HELP_PROPERTY

FIXED_COLUMNS = 2  # the field and its total; one column per unit follows
TOTAL_WIDTH = (200, 340)  # the total column fits its longest text within these (px)


def shows_totals(form: FormDef, target: EntryTarget) -> bool:
    """An aggregate form the selected unit does not fill, above units that do: show their totals."""
    kind = UnitKind(target.unit_kind)
    above = not kind.is_commune_level and not kind.is_village_level
    return form.kind == "aggregate" and above and not target.can_enter(form)


class TotalsPage(QWidget):
    """The totals table; "Xem theo từng đơn vị" adds a column per unit."""

    def __init__(
        self, db: Database, form: FormDef, target: EntryTarget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.form, self.target = form, target
        self.setProperty(HELP_PROPERTY, "bieu-tong-hop")  # F1: the help on aggregate forms
        with db.session() as session:
            self.totals: FormTotals = form_totals(session, form, target.unit_id, target.period_id)
        totals = self.totals
        heading = QLabel(f"{form.title} — {target.unit_label} — {target.period_label}")
        heading.setStyleSheet("font-size: 12pt; font-weight: bold;")
        heading.setWordWrap(True)
        self.summary = QLabel(
            f"Tổng hợp (chỉ xem) từ số liệu của {totals.reported}/{totals.expected} {totals.word} "
            "đã báo cáo. "
            "Số liệu nhập tại từng đơn vị; tỷ lệ tính lại từ tổng tử số và mẫu số."
            + (
                " Chỉ tiêu không cộng dồn giữa các đơn vị ghi bình quân, số cao nhất, hoặc để trống."
                if any(line.note for line in totals.lines)
                else ""
            )
        )
        self.summary.setObjectName("totalsSummary")
        self.summary.setWordWrap(True)
        self.by_unit = QCheckBox("Xem theo từng đơn vị")
        self.by_unit.setObjectName("totalsByUnit")
        self.by_unit.toggled.connect(self._show_units)
        self.table = QTableWidget(len(totals.lines), FIXED_COLUMNS + len(totals.units))
        self.table.setObjectName("totalsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setHorizontalHeaderLabels(["Chỉ tiêu", "Tổng cộng", *totals.units])
        self._fill()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 360)
        self.table.resizeColumnToContents(1)
        low, high = TOTAL_WIDTH
        self.table.setColumnWidth(1, min(max(self.table.columnWidth(1), low), high))
        for column in range(FIXED_COLUMNS, self.table.columnCount()):
            self.table.setColumnWidth(column, 140)
        self._show_units(False)
        notes = QLabel("\n".join(totals.notes))
        notes.setWordWrap(True)
        notes.setVisible(bool(totals.notes))
        notes.setStyleSheet("color: #8a5a00;")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.by_unit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(notes)
        layout.addWidget(self.table, 1)

    def _fill(self) -> None:
        bold = QFont()
        bold.setBold(True)
        italic = QFont()
        italic.setItalic(True)
        for row, line in enumerate(self.totals.lines):
            indent = "      " if line.kind == "option" else ""
            name = QTableWidgetItem(indent + line.label)
            # No total: the reason is written where the total would be, not only in a tooltip.
            total = QTableWidgetItem(line.total or line.note)
            if line.note:
                total.setToolTip(line.note)
            if line.note and not line.total:
                total.setForeground(QColor("#777"))
                total.setFont(italic)
            if line.kind == "section":
                name.setFont(bold)
                name.setBackground(QColor("#eef1f5"))
                self.table.setSpan(row, 0, 1, self.table.columnCount())
            total.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, total)
            for i, text in enumerate(line.cells):
                cell = QTableWidgetItem(text)
                if not self.totals.counted[i]:
                    cell.setForeground(QColor("#999"))
                    cell.setToolTip(
                        "Không cộng vào tổng (đơn vị chưa báo cáo, hoặc không còn hiệu lực cuối kỳ)"
                    )
                self.table.setItem(row, FIXED_COLUMNS + i, cell)

    def _show_units(self, shown: bool) -> None:
        for column in range(FIXED_COLUMNS, self.table.columnCount()):
            self.table.setColumnHidden(column, not shown)

    # The form area's page interface: nothing is ever typed here.
    def has_unsaved_changes(self) -> bool:
        return False

    def new_entry(self) -> bool:
        return False
