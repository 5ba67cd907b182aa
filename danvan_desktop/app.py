"""The one place that wires the database, the services and the main window together."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop import APP_NAME, APP_TITLE, paths
from danvan_desktop.cli.main import EXIT_INTERNAL
from danvan_desktop.database_choice import choose_database, remember_opened
from danvan_desktop.db.location import is_server_file
from danvan_desktop.errors import UserError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from danvan_desktop.db.engine import Database
    from danvan_desktop.db.instance_lock import InstanceLock
    from danvan_desktop.services.office.office_view import OfficeSnapshot

log = logging.getLogger(__name__)


def prepare_demo(user: paths.UserPaths) -> Path:
    """The demo database in the user's data folder, built on first use."""
    from danvan_desktop.demo.build import build_demo

    demo = user.demo_database
    if not demo.exists():
        print(f"Chưa có cơ sở dữ liệu; đang tạo dữ liệu minh họa huyện Định Hóa tại {demo} …")
        build_demo(demo, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir()).close()
    print(
        "Đang mở dữ liệu minh họa. Để khai báo đơn vị thật, chạy `make first-run` "
        "(hoặc `danvan gui --first-run`)."
    )
    return demo


def check_at_start(path: Path, backup_dir: Path) -> None:
    """A quick integrity check, then the day's automatic backup (a damaged file is never copied)."""
    from danvan_desktop.services.maintenance.backups import daily_backup_if_due, newest_good_backup
    from danvan_desktop.services.maintenance.health import quick_check

    if is_server_file(path):
        return  # the server checks its own pages; its backups are the administrator's (docs/server.md)
    problems = quick_check(path)
    if problems:
        good = newest_good_backup(backup_dir)
        advice = (
            f"Hãy khôi phục từ bản sao lưu tốt gần nhất: {good.path} ({good.created:%d/%m/%Y %H:%M}), "
            f'bằng lệnh: danvan restore "{good.path}"'
            if good
            else f"Không có bản sao lưu dùng được trong {backup_dir}; hãy liên hệ cán bộ kỹ thuật."
        )
        raise UserError(
            f"Tệp dữ liệu {path} đã bị hỏng. Đừng nhập thêm số liệu vào tệp này. {advice}",
            detail="; ".join(p.message for p in problems[:5]),
        )
    try:
        daily_backup_if_due(path, backup_dir, dt.date.today())
    except UserError as exc:  # a full or read-only backup disk must not keep the office from working
        log.warning("daily backup failed: %s (%s)", exc.message, exc.detail)


def open_office(path: Path, user: paths.UserPaths) -> tuple[Database, OfficeSnapshot]:
    """Open the database, refresh its catalog, read what the main window shows (no Qt here)."""
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.office.installation import refresh_catalog_if_changed
    from danvan_desktop.services.office.office_view import load_office_snapshot

    db = open_database(path, backup_dir=user.backup_dir)
    try:
        check_at_start(path, user.backup_dir)
        snapshot = load_office_snapshot(db, dt.date.today().year)
        if refresh_catalog_if_changed(db, paths.catalog_dir()):
            log.info("catalog refreshed from %s", paths.catalog_dir())
            snapshot = load_office_snapshot(db, dt.date.today().year)
    except BaseException:
        db.close()
        raise
    remember_opened(user, path)  # the commands then use the database the window shows
    return db, snapshot


def run_gui(
    db_path: Path | None,
    *,
    demo_if_missing: bool = False,
    first_run: bool = False,
    quit_when_shown: bool = False,
) -> int:
    """Open the app: the first-run dialog when there is no database yet, else the main window.

    The database is chosen as the commands choose it (database_choice); `first_run` wants the
    office's own file, and `demo_if_missing` builds the demo when there is none at all.

    The window appears at once and the database opens in the background, so a slow disk or a
    schema upgrade never shows a frozen or missing window.
    """
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QDialog

    from danvan_desktop.ui.error_dialog import install_excepthook
    from danvan_desktop.ui.translations import install_qt_translation

    user = paths.user_paths()
    if getattr(sys, "frozen", False) and sys.platform.startswith("linux"):
        # The Linux bundle ships no Wayland plugin (build_installer.spec): go straight to xcb, which
        # a Wayland desktop serves through XWayland, instead of warning that "wayland" is missing.
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    install_qt_translation(app)  # before any dialog: the first-run dialog and error boxes show Qt buttons too
    # Every window (first-run dialog included) and the taskbar; a missing file just leaves Qt's default.
    app.setWindowIcon(QIcon(str(paths.resources_dir() / "icons" / "danvan.png")))
    log_file = user.log_file if user.log_file.exists() else None
    install_excepthook(log_file)
    from danvan_desktop.ui.help_window import install_help_key

    install_help_key(app)  # F1 works from the first-run dialog on

    choice = choose_database(db_path, user, creating=first_run)
    path = choice.path
    if choice.source == "none" and demo_if_missing:
        path = prepare_demo(user)
    if not path.exists() or _empty_server(path):
        from danvan_desktop.ui.first_run import FirstRunDialog  # only on first start: loads the catalog

        dialog = FirstRunDialog(path, paths.catalog_dir(), log_file)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        path = dialog.database_path  # a shared server's connection file when the office chose one

    from danvan_desktop.db.instance_lock import InstanceLock

    lock = InstanceLock(path)  # held until the window closes: one writer per database
    try:
        lock.acquire()
    except UserError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        if not quit_when_shown:
            from danvan_desktop.ui.error_dialog import show_user_error

            show_user_error(None, APP_TITLE, exc).exec()
        return exc.exit_code
    try:
        return _run_main_window(app, path, user, log_file, lock, quit_when_shown=quit_when_shown)
    finally:
        lock.release()


def _empty_server(path: Path) -> bool:
    """A shared server whose database has no office declared yet (the first-run dialog's job)."""
    if not is_server_file(path):
        return False
    from danvan_desktop.db.engine import read_revision

    try:
        return read_revision(path) is None
    except UserError:
        return False  # unreachable: opening says so, in the window


def _run_main_window(
    app: QApplication,
    path: Path,
    user: paths.UserPaths,
    log_file: Path | None,
    lock: InstanceLock,
    *,
    quit_when_shown: bool,
) -> int:
    from danvan_desktop.ui.error_dialog import report_exception
    from danvan_desktop.ui.main_window import MainWindow
    from danvan_desktop.ui.worker import run_in_background

    window = MainWindow(log_file)
    # The window's File menu may switch databases: it takes over the lock and opens like we do.
    window.database_switcher.adopt(lock, lambda other: open_office(other, user))
    window.show()
    if quit_when_shown:  # start-up benchmark markers
        app.processEvents()
        print("main-window-shown", flush=True)
    exit_code = 0

    def opened(result: tuple[Database, OfficeSnapshot]) -> None:
        from danvan_desktop.ui.login_dialog import sign_in_at_start

        # Nobody sees the office's data before signing in (the start-up benchmark never asks).
        if not sign_in_at_start(result[0], window, ask=not quit_when_shown):
            result[0].close()
            app.exit(0)
            return
        window.attach(*result)
        if quit_when_shown:
            app.processEvents()
            print("main-window-ready", flush=True)
            app.quit()

    def failed(error: BaseException) -> None:
        nonlocal exit_code
        exit_code = error.exit_code if isinstance(error, UserError) else EXIT_INTERNAL
        if quit_when_shown:
            print(f"Lỗi: {error}", file=sys.stderr)
            app.exit(exit_code)
            return
        box = report_exception(window, error, log_file)
        box.finished.connect(lambda _code: app.exit(exit_code))  # nothing to show without a database

    run_in_background(lambda: open_office(path, user), opened, failed)
    app.exec()
    if window.db is not None:
        window.db.close()
    window.database_switcher.release()  # the lock of the database shown last
    return exit_code
