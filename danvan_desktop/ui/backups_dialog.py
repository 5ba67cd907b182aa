"""The Backups dialog and the "Sao lưu" menu: list copies, back up now, restore a chosen copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.services.backups import (
    MANUAL_REASON,
    BackupInfo,
    list_backups,
    make_backup,
    restore_backup,
)

REASON_LABELS = {
    "hang-ngay": "Tự động hằng ngày",
    "thu-cong": "Sao lưu thủ công",
    "truoc-nhap-goi": "Trước khi nhập gói",
    "truoc-khoi-phuc": "Trước khi khôi phục",
}


def reason_label(reason: str) -> str:
    if reason.startswith("truoc-nang-cap"):
        return "Trước khi nâng cấp"
    return REASON_LABELS.get(reason, reason)


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".", ",") if size >= 1_048_576 else f"{size // 1024} KB"


class BackupsDialog(QDialog):
    """Lists the backups; `about_to_restore` fires before the file is replaced, `restored` after."""

    about_to_restore = Signal()  # the caller closes its connections to the database here
    restored = Signal(Path)  # the database path, to be reopened by the caller

    def __init__(self, db_path: Path, backup_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path, self.backup_dir = Path(db_path), Path(backup_dir)
        self.backups: list[BackupInfo] = []
        self.setWindowTitle("Sao lưu và khôi phục")
        self.resize(760, 420)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["Ngày giờ", "Lý do", "Số bản ghi", "Dung lượng"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.where = QLabel(f"Thư mục sao lưu: {self.backup_dir}", self)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("Sao lưu ngay", self)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Khôi phục bản đã chọn…", self)
        self.restore_button.clicked.connect(self.restore_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.backups = list_backups(self.backup_dir)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            records = "?" if info.record_count is None else str(info.record_count)
            reason = reason_label(info.reason) + ("" if info.valid else " (hỏng)")
            cells = [f"{info.created:%d/%m/%Y %H:%M}", reason, records, _size(info.size)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        info = self.selected()
        self.restore_button.setEnabled(info is not None and info.valid)

    def _show_error(self, error: UserError) -> None:
        QMessageBox.warning(self, "Sao lưu và khôi phục", str(error))

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Khôi phục dữ liệu", text)
        return answer == QMessageBox.StandardButton.Yes

    def backup_now(self) -> Path | None:
        try:
            target = make_backup(self.db_path, self.backup_dir, MANUAL_REASON)
        except UserError as exc:
            self._show_error(exc)
            return None
        self.refresh()
        return target

    def restore_selected(self) -> Path | None:
        """Restore the chosen copy after confirmation; returns the safety copy of the current state."""
        info = self.selected()
        if info is None:
            return None
        question = (
            f"Thay toàn bộ dữ liệu hiện tại bằng bản sao lưu ngày {info.created:%d/%m/%Y %H:%M} "
            f"({info.record_count} bản ghi)?\n\nDữ liệu hiện tại sẽ được sao lưu trước khi khôi phục."
        )
        if not self.confirm(question):
            return None
        self.about_to_restore.emit()
        try:
            safety = restore_backup(info.path, self.db_path, self.backup_dir)
        except UserError as exc:
            self._show_error(exc)
            self.restored.emit(self.db_path)  # unchanged, but the caller closed it: reopen
            return None
        self.refresh()
        self.restored.emit(self.db_path)
        return safety


def install_backup_menu(
    window: QMainWindow,
    db_path: Callable[[], Path | None] | Path,
    backup_dir: Path,
    *,
    before_restore: Callable[[], None] | None = None,
    on_restored: Callable[[Path], None] | None = None,
) -> QMenu:
    """Add the "Sao lưu" menu to `window`; `db_path` may be a callable when the database changes."""

    def current() -> Path | None:
        return db_path() if callable(db_path) else db_path

    menu = window.menuBar().addMenu("&Sao lưu")
    menu.setObjectName("backupMenu")

    def backup_now() -> None:
        path = current()
        if path is None:
            return
        try:
            target = make_backup(path, backup_dir, MANUAL_REASON)
        except UserError as exc:
            QMessageBox.warning(window, "Sao lưu", str(exc))
            return
        window.statusBar().showMessage(f"Đã sao lưu vào {target}", 10_000)

    def open_dialog() -> BackupsDialog | None:
        path = current()
        if path is None:
            return None
        dialog = BackupsDialog(path, backup_dir, window)
        if before_restore is not None:
            dialog.about_to_restore.connect(before_restore)
        if on_restored is not None:
            dialog.restored.connect(on_restored)
        dialog.open()
        return dialog

    menu.addAction("Sao lưu ngay", backup_now)
    menu.addAction("Các bản sao lưu và khôi phục…", open_dialog)
    return menu
