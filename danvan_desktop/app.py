"""The one place that wires the database, the services and the main window together."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop import APP_NAME, APP_TITLE, paths
from danvan_desktop.commands import DEMO_FILE_NAME
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.errors import UserError

if TYPE_CHECKING:
    from danvan_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def prepare_demo(user: paths.UserPaths) -> Path:
    """The demo database in the user's data folder, built on first use."""
    from danvan_desktop.services.demo import build_demo

    demo = user.data_dir / DEMO_FILE_NAME
    if not demo.exists():
        print(f"Chưa có cơ sở dữ liệu; đang tạo dữ liệu minh họa huyện Định Hóa tại {demo} …")
        build_demo(demo, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir()).close()
    print("Đang mở dữ liệu minh họa. Để khai báo đơn vị thật, chạy `make first-run` (hoặc `danvan`).")
    return demo


def run_gui(db_path: Path | None, *, demo_if_missing: bool = False) -> int:
    """Open the app: the first-run dialog when there is no database yet, else the main window."""
    from PySide6.QtWidgets import QApplication, QDialog

    from danvan_desktop.ui.error_dialog import install_excepthook, report_exception
    from danvan_desktop.ui.first_run import FirstRunDialog

    user = paths.user_paths()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    log_file = user.log_file if user.log_file.exists() else None
    install_excepthook(log_file)

    path = db_path or user.default_database
    if not path.exists() and demo_if_missing and db_path is None:
        path = prepare_demo(user)
    if not path.exists():
        dialog = FirstRunDialog(path, paths.catalog_dir(), log_file)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
    try:
        db = open_app_database(path, user)
    except UserError as exc:
        box = report_exception(None, exc, log_file)
        box.exec()
        return exc.exit_code
    window = create_main_window(db, log_file)
    window.show()
    code = app.exec()
    db.close()
    return int(code)


def open_app_database(path: Path, user: paths.UserPaths) -> Database:
    """Open the database and bring its catalog up to date with the one this build ships."""
    from danvan_desktop.services.installation import load_installation, refresh_catalog_if_changed

    db = open_database(path, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            load_installation(session)
        if refresh_catalog_if_changed(db, paths.catalog_dir()):
            log.info("catalog refreshed from %s", paths.catalog_dir())
    except BaseException:
        db.close()
        raise
    return db


def create_main_window(db: Database, log_file: Path | None) -> MainWindow:
    from danvan_desktop.ui.main_window import MainWindow

    return MainWindow(db, log_file)
