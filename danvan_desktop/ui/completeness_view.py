"""Who has sent what: units × forms for a period, coloured by status, with a summary and a legend."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.reporting.completeness import GRACE_DAYS, STATUS_LABELS
from danvan_desktop.services.review.listing import COMPLETENESS_WORDS
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.formspec.model import FormDef
    from danvan_desktop.services.office.periods import PeriodInfo
    from danvan_desktop.services.reporting.completeness import LastPackage, PeriodCompleteness

COLOURS = {
    "received": "#cdeccf",
    "missing": "#fff1bf",
    "late": "#f7c6c7",
    "conflict": "#dcd0f5",
    "not_due": "#f4f4f4",
    "not_applicable": "#eeeeee",
}
CELL_TEXT = {**STATUS_LABELS, "not_due": "Không yêu cầu", "not_applicable": "—"}
CELL_ROLE = Qt.ItemDataRole.UserRole  # (unit id, form id) of a cell: what a double click opens


def _header(title: str) -> str:
    return "\n".join(textwrap.wrap(title, 14, max_lines=4, placeholder=" …"))


def _package_text(package: LastPackage | None) -> tuple[str, str]:
    if package is None:
        return "Chưa nhận gói nào", ""
    return (
        f"Gói số {package.sequence} · {local_time_text(package.received_at)}",
        f"{package.file_name}: {package.record_count} bản ghi",
    )


class CompletenessDialog(QDialog):
    """Pick a period; the table is computed in the background and redrawn.

    A double click (or Enter) on a cell asks, through `open_form`, to show that unit's form for the
    period; forms no unit owes for the period are hidden and named under the table.
    """

    open_form = Signal(str, int, str)  # period code, unit id, form id

    def __init__(
        self,
        db: Database,
        office_unit_id: int,
        periods: list[PeriodInfo],
        forms: dict[str, FormDef],
        current: PeriodInfo | None = None,
        parent: QWidget | None = None,
        log_file: Path | None = None,
        *,
        today: dt.date | None = None,
        grace_days: int = GRACE_DAYS,
    ) -> None:
        super().__init__(parent)
        self.db, self.office_unit_id, self.forms, self.log_file = db, office_unit_id, forms, log_file
        self.today, self.grace_days = today or dt.date.today(), grace_days
        self.data: PeriodCompleteness | None = None
        self.loading = False
        self.setWindowTitle("Tình hình nhận số liệu")
        resize_within_screen(self, 1200, 720)
        self.period_box = QComboBox()
        self.period_box.setObjectName("completenessPeriod")
        self.period_box.setMinimumContentsLength(24)
        for period in periods:
            self.period_box.addItem(period.label, period.id)
        if current is not None:
            self.period_box.setCurrentIndex(max(self.period_box.findData(current.id), 0))
        self.period_box.currentIndexChanged.connect(lambda _index: self.load())
        period_label = QLabel("&Kỳ báo cáo:")
        period_label.setBuddy(self.period_box)
        self.summary = QLabel("Đang tính…")
        self.summary.setObjectName("completenessSummary")
        font = QFont(self.summary.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)
        self.tally = QLabel()
        self.tally.setObjectName("completenessTally")
        top = QHBoxLayout()
        top.addWidget(period_label)
        top.addWidget(self.period_box)
        top.addSpacing(24)
        top.addWidget(self.summary)
        top.addSpacing(24)
        top.addWidget(self.tally, 1)

        form_ids = list(forms)
        # Units in the vertical header: their names stay in view while scrolling across the forms.
        self.table = QTableWidget(0, len(form_ids) + 1)
        self.table.setObjectName("completenessTable")
        self.table.setHorizontalHeaderLabels(
            [*(_header(forms[f].title) for f in form_ids), "Gói nhận gần nhất"]
        )
        for column, form_id in enumerate(form_ids):
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(forms[form_id].title)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        header.setDefaultSectionSize(104)
        header.setSectionResizeMode(len(form_ids), QHeaderView.ResizeMode.Stretch)

        legend = QHBoxLayout()
        legend.addWidget(QLabel("Chú giải:"))
        for status in ("received", "missing", "late", "conflict", "not_due", "not_applicable"):
            chip = QLabel(f" {CELL_TEXT[status]} ")
            chip.setStyleSheet(f"background: {COLOURS[status]}; border: 1px solid #bbbbbb; padding: 2px 6px;")
            legend.addWidget(chip)
            explain = {
                "received": "có số liệu",
                "missing": "còn trong hạn",
                "late": f"quá {grace_days} ngày sau cuối kỳ",
                "conflict": "chờ xử lý",
                "not_due": "kỳ này không phải gửi",
                "not_applicable": "không áp dụng",
            }[status]
            legend.addWidget(QLabel(explain))
            legend.addSpacing(10)
        legend.addStretch(1)
        self.table.cellDoubleClicked.connect(self._open_cell)
        self.table.cellActivated.connect(self._open_cell)
        self.not_due = QLabel()
        self.not_due.setObjectName("completenessNotDue")
        self.not_due.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("completenessStatus")
        refresh = QPushButton("&Làm mới")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.load)
        self.excel_button = QPushButton("Lưu &Excel…")
        self.excel_button.setAutoDefault(False)
        self.excel_button.clicked.connect(self.save_excel)
        self.pdf_button = QPushButton("Lưu &PDF…")
        self.pdf_button.setAutoDefault(False)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton("&In…")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_table)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (refresh, self.excel_button, self.pdf_button, self.print_button, close):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.not_due)
        layout.addLayout(legend)
        layout.addLayout(buttons)
        self._enable_output(False)
        self.load()

    def _enable_output(self, enabled: bool) -> None:
        for button in (self.excel_button, self.pdf_button, self.print_button):
            button.setEnabled(enabled)

    def _open_cell(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        target = item.data(CELL_ROLE) if item is not None else None
        if target is None or self.data is None:
            return
        unit_id, form_id = target
        self.open_form.emit(self.data.period_code, int(unit_id), str(form_id))

    def save_excel(self) -> None:
        from danvan_desktop.services.reporting.completeness_output import title_of, write_completeness_xlsx
        from danvan_desktop.ui.table_output import ask_path, file_name, write_in_background

        data = self.data
        if data is None:
            return
        out = ask_path(
            self, "Lưu bảng ra Excel", file_name(title_of(data), ".xlsx"), "Bảng tính Excel (*.xlsx)"
        )
        if out is not None:
            done = f"Đã lưu {out.name}."
            write_in_background(
                self, lambda: write_completeness_xlsx(data, self.forms, out), self.status, done, self.log_file
            )

    def _pdf(self) -> bytes:
        from danvan_desktop.services.reporting.completeness_output import completeness_pdf

        assert self.data is not None
        return completeness_pdf(self.data, self.forms, today=self.today)[0]

    def save_pdf(self) -> None:
        from danvan_desktop.reports.render import write_atomically
        from danvan_desktop.services.reporting.completeness_output import title_of
        from danvan_desktop.ui.table_output import ask_path, file_name, write_in_background

        if self.data is None:
            return
        out = ask_path(self, "Lưu bảng ra PDF", file_name(title_of(self.data), ".pdf"), "Tệp PDF (*.pdf)")
        if out is not None:
            done = f"Đã lưu {out.name}."
            write_in_background(
                self, lambda: write_atomically(out, self._pdf()), self.status, done, self.log_file
            )

    def print_table(self) -> None:
        from danvan_desktop.services.reporting.completeness_output import title_of
        from danvan_desktop.ui.table_output import print_in_background

        if self.data is not None:
            print_in_background(self, self._pdf, title_of(self.data), self.status, self.log_file)

    def period_id(self) -> int | None:
        data = self.period_box.currentData()
        return int(data) if data is not None else None

    def load(self) -> None:
        """Compute the table for the chosen period off the UI thread."""
        from danvan_desktop.services.reporting.completeness import completeness

        period_id = self.period_id()
        if period_id is None:
            self.summary.setText("Chưa có kỳ báo cáo nào.")
            return
        self.loading = True
        self._enable_output(False)
        self.summary.setText("Đang tính…")
        form_ids = list(self.forms)

        def work() -> PeriodCompleteness:
            with self.db.session() as session:
                table = completeness(
                    session,
                    self.office_unit_id,
                    [period_id],
                    form_ids,
                    self.today,
                    grace_days=self.grace_days,
                )
            return table.periods[0]

        def failed(error: BaseException) -> None:
            self.loading = False
            self.summary.setText("Không tính được tình hình nhận số liệu.")
            report_exception(self, error, self.log_file)

        run_in_background(work, self._show, failed)

    def _show(self, data: PeriodCompleteness) -> None:
        if data.period_id != self.period_id():  # the period changed meanwhile; its own load follows
            return
        self.status.setText("")
        self.loading = False
        self.data = data
        complete, expected = data.summary()
        self.summary.setText(
            f"{complete}/{expected} đơn vị đã gửi đủ · {data.period_label}"
            if expected
            else f"Không có đơn vị nào phải gửi số liệu trong kỳ «{data.period_label}»."
        )
        counts = data.counts()
        self.tally.setText(
            " · ".join(
                f"{STATUS_LABELS[s]}: {counts[s]}" for s in ("received", "missing", "late", "conflict")
            )
        )
        form_ids = list(self.forms)
        due = set(data.due_forms(form_ids))
        for column, form_id in enumerate(form_ids):
            self.table.setColumnHidden(column, form_id not in due)
        skipped = [self.forms[f].title for f in form_ids if f not in due]
        self.not_due.setText(f"Kỳ này không yêu cầu: {'; '.join(skipped)}." if skipped else "")
        self.not_due.setVisible(bool(skipped))
        self._enable_output(True)
        self.table.setRowCount(len(data.rows))
        for row, unit in enumerate(data.rows):
            name = QTableWidgetItem(unit.unit_label + (" (đơn vị mình)" if unit.is_office else ""))
            name.setToolTip(unit.unit_code)
            self.table.setVerticalHeaderItem(row, name)
            for column, form_id in enumerate(form_ids):
                status = unit.cells[form_id]
                review = COMPLETENESS_WORDS.get(unit.reviews.get(form_id, ""))  # its review state, if any
                cell = QTableWidgetItem(CELL_TEXT[status] + (f" · {review}" if review else ""))
                cell.setBackground(QBrush(QColor(COLOURS[status])))
                cell.setForeground(QBrush(QColor("#202020")))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                tip = f"{unit.unit_label} — {self.forms[form_id].title}: {STATUS_LABELS[status]}"
                tip += f"; báo cáo: {review}" if review else ""
                if status != "not_applicable":
                    cell.setData(CELL_ROLE, (unit.unit_id, form_id))
                    tip += " (nhấn đúp để mở biểu)"
                cell.setToolTip(tip)
                self.table.setItem(row, column, cell)
            text, tip = ("", "") if unit.is_office else _package_text(unit.last_package)
            package = QTableWidgetItem(text)
            package.setToolTip(tip)
            self.table.setItem(row, len(form_ids), package)


def open_unit_form(window: Any, period_code: str, unit_id: int, form_id: str) -> bool:
    """Show the unit's form for the period in the main window (its period, unit and form selected)."""
    from danvan_desktop.ui.record_search import show_unit_form

    return show_unit_form(window, period_code, unit_id, form_id)


def follow_cells(dialog: CompletenessDialog, window: Any) -> CompletenessDialog:
    """A double-clicked cell closes the dialog and shows that unit's form for the period in the window."""

    def open_cell(period_code: str, unit_id: int, form_id: str) -> None:
        dialog.accept()
        open_unit_form(window, period_code, unit_id, form_id)

    dialog.open_form.connect(open_cell)
    return dialog
