"""A record's history: who changed which value when, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.localtime import local_time_text
from danvan_desktop.ui.layout_helpers import resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.services.entry.entry import HistoryEntry


class HistoryDialog(QDialog):
    def __init__(self, title: str, entries: list[HistoryEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Lịch sử thay đổi — {title}")
        resize_within_screen(self, 760, 460)
        self.tree = QTreeWidget()
        self.tree.setObjectName("historyTree")
        self.tree.setHeaderLabels(
            ["Thời điểm / trường", "Người thực hiện / giá trị cũ", "Thao tác / giá trị mới"]
        )
        for entry in reversed(entries):
            item = QTreeWidgetItem([local_time_text(entry.at), entry.by, entry.change])
            for change in entry.changes:
                item.addChild(
                    QTreeWidgetItem([change.label, change.old or "(trống)", change.new or "(trống)"])
                )
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(entries)} lần lưu. Mỗi lần sửa ghi lại giá trị cũ và giá trị mới."))
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
