"""The package ledger: every package received or refused, newest first, refusals marked for a person."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.localtime import local_time_text
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database

HEADERS = ["Thời gian", "Đơn vị gửi", "Gói số", "Tệp", "Trạng thái", "Chi tiết"]
REFUSED_COLOUR = "#f7c6c7"


class LedgerDialog(QDialog):
    """A read-only table of the ledger; a refused package shows why, in full, as a tooltip too."""

    def __init__(self, db: Database, parent: QWidget | None = None, log_file: Path | None = None) -> None:
        super().__init__(parent)
        self.db, self.log_file = db, log_file
        self.setWindowTitle("Sổ theo dõi gói dữ liệu")
        resize_within_screen(self, 1040, 520)
        intro = QLabel(
            "Các gói đã nhập và các gói bị từ chối vì nghi giả mạo (số liệu của đơn vị khác, hai gói "
            "khác nhau cùng một số). Gói bị từ chối không làm thay đổi số liệu nào."
        )
        intro.setWordWrap(True)
        self.refused_only = QCheckBox("Chỉ hiện gói bị &từ chối")
        self.refused_only.toggled.connect(self.refresh)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("ledgerTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.refused_only)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        from danvan_desktop.services.exchange.package_ledger import ledger_entries

        try:
            with self.db.session() as session:
                entries = ledger_entries(session, refused_only=self.refused_only.isChecked())
        except Exception as exc:  # shown, not fatal: the dialog is read-only
            report_exception(self, exc, self.log_file)
            return
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = [
                local_time_text(entry.at),
                entry.sender,
                str(entry.sequence),
                entry.file_name,
                entry.state,
                entry.detail,
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.detail)
                if entry.refused:
                    item.setBackground(QBrush(QColor(REFUSED_COLOUR)))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
