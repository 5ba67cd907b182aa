"""The Backups dialog and the "Sao lưu" menu: list copies, back up now, restore a chosen copy.

Copying and restoring a large database takes a while: both run in the background (`run_in_background`)
while the dialog shows that it is busy and cannot be closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_time_text
from danvan_desktop.ui.error_dialog import report_exception, show_user_error
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.services.maintenance.backups import BackupInfo
    from danvan_desktop.services.office.accounts import Actor

# services.backups is imported where it is used: it brings SQLAlchemy and Alembic, and the
# Backups menu is built before the main window first shows.

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


def _shown(created: dt.datetime) -> str:
    # A copy's name carries the local wall-clock time it was made (naive); made aware first, so
    # that the helper does not read it as the database's naive UTC.
    return local_time_text(created.astimezone())


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".", ",") if size >= 1_048_576 else f"{size // 1024} KB"


class _Progress(QObject):
    """Carries pg_dump's steps (the table it reached) from the background thread to the dialog."""

    step = Signal(str)


class BackupsDialog(QDialog):
    """Lists the backups; `about_to_restore` fires before the file is replaced, `restored` after.

    «Sao lưu ngay» and «Khôi phục» run in the background; `backed_up` fires once a copy is made.
    `restored` fires after every restore that was started, even a failed one: the caller closed
    its connections on `about_to_restore` and must reopen the (possibly unchanged) database.
    """

    about_to_restore = Signal()  # the caller closes its connections to the database here
    restored = Signal(Path)  # the database path, to be reopened by the caller
    backed_up = Signal(Path)  # the new copy

    def __init__(
        self,
        db_path: Path,
        backup_dir: Path,
        parent: QWidget | None = None,
        log_file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.actor: Actor | None = None  # who restores: set by the menu from the signed-in window
        self.db_path, self.backup_dir, self.log_file = Path(db_path), Path(backup_dir), log_file
        self.backups: list[BackupInfo] = []
        self.busy = False
        self.setWindowTitle("Sao lưu và khôi phục")
        resize_within_screen(self, 760, 420)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["Ngày giờ", "Lý do", "Số bản ghi", "Dung lượng"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.where = QLabel(f"Thư mục sao lưu: {self.backup_dir}", self)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setObjectName("backupMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: copying reports no steps
        self.progress.setVisible(False)
        self.steps = _Progress(self)  # a server's dump names each table as it gets there
        self.steps.step.connect(lambda table: self._say(f"Đang sao lưu… (bảng {table})", error=False))
        self.backup_button = QPushButton("Sao lưu ngay", self)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Khôi phục bản đã chọn…", self)
        self.restore_button.clicked.connect(self.restore_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        status = QHBoxLayout()
        status.addWidget(self.message, 1)
        status.addWidget(self.progress, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table)
        layout.addLayout(status)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        from danvan_desktop.services.maintenance.backups import list_backups

        self._show_backups(list_backups(self.backup_dir, self.db_path))

    def _show_backups(self, backups: list[BackupInfo]) -> None:
        chosen = self.selected()
        self.table.clearSelection()  # rows move when a copy is added: the choice follows its file
        self.backups = backups
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            records = "?" if info.record_count is None else str(info.record_count)
            reason = reason_label(info.reason) + ("" if info.valid else " (hỏng)")
            cells = [_shown(info.created), reason, records, _size(info.size)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if chosen is not None:
            rows = [row for row, info in enumerate(self.backups) if info.path == chosen.path]
            if rows:
                self.table.selectRow(rows[0])
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        info = self.selected()
        self.backup_button.setEnabled(not self.busy)
        from danvan_desktop.services.office.accounts import may, needed_roles_text

        allowed = self.actor is None or may(self.actor, "backup.restore")
        self.restore_button.setEnabled(allowed and not self.busy and info is not None and info.valid)
        self.restore_button.setToolTip("" if allowed else needed_roles_text("backup.restore"))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.close_button.setEnabled(not busy)
        self.table.setEnabled(not busy)
        if busy:
            self._say(text, error=False)
        self._update_buttons()

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def _failed(self, what: str, error: BaseException) -> None:
        if isinstance(error, UserError):
            self._say(f"{what}\n{error.message}", error=True)
        else:
            self._say(f"{what} (lỗi ngoài dự kiến)", error=True)
            report_exception(self, error, self.log_file)

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Khôi phục dữ liệu", text)
        return answer == QMessageBox.StandardButton.Yes

    def backup_now(self) -> bool:
        """Start a copy in the background; False when another operation is still running."""
        if self.busy:
            return False
        from danvan_desktop.services.maintenance.backups import list_backups, make_manual_backup

        self._set_busy(True, "Đang sao lưu…")
        db_path, backup_dir, actor, step = self.db_path, self.backup_dir, self.actor, self.steps.step.emit

        def work() -> tuple[Path, list[BackupInfo]]:  # the list is read here too: it opens every copy
            target = make_manual_backup(db_path, backup_dir, by=actor, progress=step)
            return target, list_backups(backup_dir, db_path)

        run_in_background(work, self._backed_up, self._backup_failed)
        return True

    def _backed_up(self, result: tuple[Path, list[BackupInfo]]) -> None:
        target, backups = result
        self._set_busy(False)
        self._show_backups(backups)
        self._say(f"Đã sao lưu vào {target.name}.", error=False)
        self.backed_up.emit(target)

    def _backup_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._failed("Chưa sao lưu được.", error)

    def restore_selected(self) -> bool:
        """Restore the chosen copy after confirmation, in the background; True when it was started."""
        info = self.selected()
        if info is None or self.busy:
            return False
        count = "" if info.record_count is None else f" ({info.record_count} bản ghi)"
        question = (
            f"Thay toàn bộ dữ liệu hiện tại bằng bản sao lưu ngày {_shown(info.created)}{count}?"
            "\n\nDữ liệu hiện tại sẽ được sao lưu trước khi khôi phục."
        )
        if not self.confirm(question):
            return False
        from danvan_desktop.services.maintenance.backups import list_backups, restore_backup

        self._set_busy(True, "Đang khôi phục…")
        self.about_to_restore.emit()
        db_path, backup_dir, actor = self.db_path, self.backup_dir, self.actor

        def work() -> tuple[Path | None, list[BackupInfo]]:
            safety = restore_backup(info.path, db_path, backup_dir, by=actor)
            return safety, list_backups(backup_dir, db_path)

        run_in_background(
            work,
            lambda result: self._restored(info, result),
            self._restore_failed,
        )
        return True

    def _restored(self, info: BackupInfo, result: tuple[Path | None, list[BackupInfo]]) -> None:
        safety, backups = result
        self._set_busy(False)
        self._show_backups(backups)
        kept = f" Dữ liệu trước khi khôi phục được giữ trong bản {safety.name}." if safety else ""
        self._say(f"Đã khôi phục bản sao lưu ngày {_shown(info.created)}.{kept}", error=False)
        self.restored.emit(self.db_path)

    def _restore_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._failed("Chưa khôi phục được.", error)
        self.restored.emit(self.db_path)  # unchanged, but the caller closed it: reopen

    def reject(self) -> None:
        if not self.busy:  # a copy is being written: closing now would hide the outcome
            super().reject()


def _signed_in(window: QWidget) -> Actor | None:
    from danvan_desktop.services.office.accounts import signed_in_actor

    db = getattr(window, "db", None)
    return signed_in_actor(db) if db is not None else None


def install_backup_menu(
    window: QMainWindow,
    db_path: Callable[[], Path | None] | Path,
    backup_dir: Path,
    *,
    before_restore: Callable[[], None] | None = None,
    on_restored: Callable[[Path], None] | None = None,
    may_leave: Callable[[], bool] | None = None,
    log_file: Path | None = None,
) -> QMenu:
    """Add the "Sao lưu" menu to `window`; `db_path` may be a callable when the database changes.

    `may_leave` is asked before the restore dialog opens (unsaved changes in the window would be
    replaced by the restored data). `log_file` (by default the window's own `log_file`, if it
    has one) is named in error dialogs.
    """
    log: Path | None = log_file if log_file is not None else getattr(window, "log_file", None)

    def current() -> Path | None:
        return db_path() if callable(db_path) else db_path

    menu = window.menuBar().addMenu("&Sao lưu")
    menu.setObjectName("backupMenu")

    def set_enabled(enabled: bool) -> None:  # no restore while a copy is being made, nor two copies
        for action in menu.actions():
            action.setEnabled(enabled)

    def backup_now() -> None:
        path = current()
        if path is None:
            return
        set_enabled(False)
        window.statusBar().showMessage("Đang sao lưu…")

        def done(target: Path) -> None:
            set_enabled(True)
            window.statusBar().showMessage(f"Đã sao lưu vào {target}", 10_000)

        def failed(error: BaseException) -> None:
            set_enabled(True)
            window.statusBar().clearMessage()
            if isinstance(error, UserError):
                show_user_error(window, "Sao lưu", error)
            else:
                report_exception(window, error, log)

        from danvan_desktop.services.maintenance.backups import make_manual_backup

        actor = _signed_in(window)
        run_in_background(lambda: make_manual_backup(path, backup_dir, by=actor), done, failed)

    def after_restore(path: Path) -> None:
        try:
            if on_restored is not None:
                on_restored(path)
        finally:
            window.setUpdatesEnabled(True)

    def open_dialog() -> BackupsDialog | None:
        path = current()
        if path is None or (may_leave is not None and not may_leave()):
            return None
        dialog = BackupsDialog(path, backup_dir, window, log)
        dialog.actor = _signed_in(window)  # the restore is entered in the restored file under this name
        # While the file is replaced the window must not read it: its views fetch rows as they paint.
        dialog.about_to_restore.connect(lambda: window.setUpdatesEnabled(False))
        if before_restore is not None:
            dialog.about_to_restore.connect(before_restore)
        dialog.restored.connect(after_restore)
        dialog.open()
        return dialog

    menu.addAction("Sao lưu ngay", backup_now)
    menu.addAction("Các bản sao lưu và khôi phục…", open_dialog)
    return menu
