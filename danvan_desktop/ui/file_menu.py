"""The "Tệp" menu: open another office's database, create one, reopen a recent one.

The window holds the single-writer lock (db/instance_lock.py) of the database it shows. A switch
takes the new file's lock and opens it in the background while the old database stays attached;
only when the new one is ready does the window let go of the old database and its lock. Any
refusal (not our file, newer, locked, damaged) leaves the window exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMenu

from danvan_desktop import paths
from danvan_desktop.errors import DatabaseExistsError, DatabaseMissingError, UserError
from danvan_desktop.ui.error_dialog import report_exception, show_user_error
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    # The menu is built before the window shows: nothing here may import SQLAlchemy at start.
    from danvan_desktop.db.engine import Database
    from danvan_desktop.db.instance_lock import InstanceLock
    from danvan_desktop.services.office.office_view import OfficeSnapshot
    from danvan_desktop.services.office.recent_databases import RecentDatabase
    from danvan_desktop.ui.main_window import MainWindow

Opener = Callable[[Path], "tuple[Database, OfficeSnapshot]"]
FILE_FILTER = "Cơ sở dữ liệu Dân Vận Desktop (*.sqlite3);;Mọi tệp (*)"
DATABASE_SUFFIX = ".sqlite3"


def open_plainly(path: Path) -> tuple[Database, OfficeSnapshot]:
    """Open a database and read what the window shows (app.py passes its fuller `open_office`)."""
    import datetime as dt

    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.office.office_view import load_office_snapshot

    db = open_database(path, backup_dir=paths.user_paths().backup_dir)
    try:
        return db, load_office_snapshot(db, dt.date.today().year)
    except BaseException:
        db.close()
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class DatabaseSwitcher(QObject):
    """Switches the window to another database; keeps the recent list as databases are attached."""

    switched = Signal(Path)  # the database now shown
    failed = Signal(Path)  # a switch was refused or failed; the window still shows the old one

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.lock: InstanceLock | None = None
        self.opener: Opener = open_plainly
        self.busy = False
        self.recent_menu = QMenu("Mở &gần đây", menu)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.open_action = menu.addAction("Mở cơ sở dữ liệu &khác…", self.choose_and_open)
        self.open_action.setShortcut("Ctrl+O")
        self.create_action = menu.addAction("Tạo cơ sở dữ liệu cho đơn vị &mới…", self.create_new)
        menu.addMenu(self.recent_menu)
        window.ready.connect(self._remember_current)

    # --- the lock -------------------------------------------------------------------------
    def adopt(self, lock: InstanceLock | None, opener: Opener | None = None) -> None:
        """Take over the lock the app acquired for the first database, and the app's opener."""
        self.lock = lock
        if opener is not None:
            self.opener = opener

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # --- the recent list --------------------------------------------------------------------
    @property
    def list_file(self) -> Path:
        return paths.user_paths().recent_databases_file

    def recent(self) -> list[RecentDatabase]:
        from danvan_desktop.services.office.recent_databases import load_recent

        return load_recent(self.list_file)

    def _remember_current(self) -> None:
        from danvan_desktop.services.office.recent_databases import remember_database

        window = self.window
        if window.db is not None and window.installation is not None:
            remember_database(self.list_file, window.db.path, window.installation.office_label)

    def fill_recent_menu(self) -> None:
        """One entry per recent database: office name and path; a missing file is greyed."""
        self.recent_menu.clear()
        current = self.window.db.path if self.window.db is not None else None
        entries = self.recent()
        missing = False
        for number, entry in enumerate(entries, start=1):
            # A "&" in a name or a path is shown, not taken for an accelerator.
            action = self.recent_menu.addAction(
                f"&{number} " + f"{entry.office} — {entry.path}".replace("&", "&&")
            )
            action.setData(str(entry.path))
            if not entry.exists:
                missing = True
                action.setText(f"{action.text()} (không tìm thấy tệp)")
                action.setEnabled(False)
            elif current is not None and _same_file(entry.path, current):
                action.setText(f"{action.text()} (đang mở)")
                action.setEnabled(False)
            else:
                action.triggered.connect(lambda _checked=False, p=entry.path: self.open_recent(p))
        if not entries:
            self.recent_menu.addAction("(chưa mở cơ sở dữ liệu nào)").setEnabled(False)
        if missing:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Bỏ các tệp không còn tồn tại khỏi danh sách", self._forget_missing)

    def _forget_missing(self) -> None:
        from danvan_desktop.services.office.recent_databases import forget_missing

        forget_missing(self.list_file)

    def open_recent(self, path: Path) -> bool:
        """Open a recent database; a file that has gone is said so and dropped from the list."""
        if not Path(path).is_file():
            from danvan_desktop.services.office.recent_databases import forget_database

            forget_database(self.list_file, path)
            error = DatabaseMissingError(
                f"Không tìm thấy tệp cơ sở dữ liệu {path}: tệp có thể đã bị đổi tên, chuyển đi nơi khác "
                "hoặc nằm trên ổ đĩa (USB) chưa cắm. Đã bỏ tệp này khỏi danh sách mở gần đây."
            )
            show_user_error(self.window, "Mở cơ sở dữ liệu", error)
            self.failed.emit(Path(path))
            return False
        return self.open_database(Path(path))

    # --- switching --------------------------------------------------------------------------
    def choose_and_open(self) -> bool:
        start = str(self.window.db.path.parent) if self.window.db is not None else ""
        chosen, _filter = QFileDialog.getOpenFileName(
            self.window, "Mở cơ sở dữ liệu của đơn vị", start, FILE_FILTER
        )
        return bool(chosen) and self.open_database(Path(chosen))

    def open_database(self, path: Path) -> bool:
        """Switch the window to `path` (checked, locked, opened in the background); True if started."""
        window = self.window
        if self.busy:
            return False
        if window.db is not None and _same_file(path, window.db.path):
            window.statusBar().showMessage(f"Cơ sở dữ liệu {path} đang được mở.", 10_000)
            return False
        from danvan_desktop.db.engine import read_revision
        from danvan_desktop.db.instance_lock import InstanceLock

        try:
            if not path.is_file():
                raise DatabaseMissingError(f"Không tìm thấy tệp cơ sở dữ liệu {path}.")
            # Before the lock: a lock file is never left beside someone else's file.
            read_revision(path)
        except UserError as exc:
            return self._refused(path, exc)
        if not window.form_area.maybe_leave():
            return False
        lock = InstanceLock(path)
        try:
            lock.acquire()
        except UserError as exc:
            return self._refused(path, exc)
        self._set_busy(True, f"Đang mở {path}…")
        opener = self.opener
        run_in_background(
            lambda: opener(path),
            lambda result: self._opened(lock, result),
            lambda error: self._open_failed(path, lock, error),
        )
        return True

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        # Nothing may be entered into the old database while the new one opens.
        self.window.form_area.setEnabled(not busy)
        self.window.menuBar().setEnabled(not busy)
        if message:
            self.window.statusBar().showMessage(message)
        else:
            self.window.statusBar().clearMessage()

    def _opened(self, lock: InstanceLock, result: tuple[Database, OfficeSnapshot]) -> None:
        db, snapshot = result
        window = self.window
        old = window.db
        window.form_area.detach()  # the old database's page goes before its engine closes
        if old is not None:
            old.close()
        self.release()
        self.lock = lock
        self._set_busy(False)
        window.attach(db, snapshot)
        window.statusBar().showMessage(f"Đã mở {snapshot.installation.office_label}: {db.label}", 10_000)
        self.switched.emit(db.path)

    def _open_failed(self, path: Path, lock: InstanceLock, error: BaseException) -> None:
        lock.release()
        self._set_busy(False)
        report_exception(self.window, error, self.window.log_file)
        self.failed.emit(path)

    def _refused(self, path: Path, error: UserError) -> bool:
        show_user_error(self.window, "Mở cơ sở dữ liệu", error)
        self.failed.emit(path)
        return False

    # --- a new office -----------------------------------------------------------------------
    def create_new(self) -> bool:
        """Choose where, declare the office (the first-run dialog), then switch to the new file."""
        start = str(paths.user_paths().data_dir / "don-vi-moi.sqlite3")
        chosen, _filter = QFileDialog.getSaveFileName(
            self.window,
            "Tạo cơ sở dữ liệu cho đơn vị mới",
            start,
            FILE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,  # refused below, never overwritten
        )
        if not chosen:
            return False
        return self.create_at(Path(chosen))

    def create_at(self, path: Path) -> bool:
        if not path.name.endswith(DATABASE_SUFFIX):
            path = path.with_name(path.name + DATABASE_SUFFIX)
        if path.exists():
            error = DatabaseExistsError(
                f"Đã có tệp {path}; không ghi đè lên dữ liệu đã có. Hãy chọn tên tệp khác, hoặc "
                "dùng «Mở cơ sở dữ liệu khác…» để mở tệp này."
            )
            show_user_error(self.window, "Tạo cơ sở dữ liệu", error)
            self.failed.emit(path)
            return False
        from danvan_desktop.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(
            path,
            paths.catalog_dir(),
            self.window.log_file,
            self.window,
            intro="Chọn cơ quan, đơn vị mà cơ sở dữ liệu mới phục vụ và vai trò của đơn vị. "
            "Có thể gõ tên không dấu, ví dụ «phuc chu».",
        )
        dialog.accepted.connect(lambda: self.open_database(dialog.database_path))  # or a server
        dialog.setObjectName("newDatabaseDialog")
        dialog.open()
        self.new_dialog = dialog  # kept alive while shown
        return True


def install_file_menu(window: MainWindow, menu: QMenu) -> DatabaseSwitcher:
    """Add opening, creating and reopening databases to the window's "Tệp" menu."""
    switcher = DatabaseSwitcher(window, menu)
    menu.addSeparator()
    return switcher
