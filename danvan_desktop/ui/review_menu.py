"""The «Duyệt» menu; its screens are imported when opened (the window shows before the database layer)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


def install_review_menu(window: QMainWindow) -> None:
    """The «Duyệt» menu: review the units' returns (office above), the inbox and submitting (unit)."""
    menu = window.menuBar().addMenu("&Duyệt")
    w: Any = window  # MainWindow: db, installation, periods, current_period(), current_target()

    def review() -> None:
        from danvan_desktop.ui.review_dialog import ReviewDialog

        if w.db is not None and w.installation is not None:
            ReviewDialog(w.db, w.installation, w.periods, w.current_period(), window).exec()

    def inbox() -> None:
        from danvan_desktop.ui.inbox_dialog import InboxDialog

        if w.db is not None:
            InboxDialog(w.db, window).exec()

    def submit() -> None:
        from danvan_desktop.ui.inbox_dialog import submit_current

        if w.db is not None and w.installation is not None:
            submit_current(w.db, w.installation, w.current_period(), window)

    for text, name, handler, keys in (
        ("&Duyệt báo cáo của đơn vị cấp dưới…", "openReview", review, "Ctrl+Shift+D"),
        ("Ý &kiến và văn bản của cấp trên…", "openInbox", inbox, "Ctrl+Shift+Y"),
        ("&Nộp báo cáo kỳ này lên cấp trên…", "submitReturn", submit, ""),
    ):
        action = QAction(text, window)
        action.setObjectName(name)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(handler)
        menu.addAction(action)
