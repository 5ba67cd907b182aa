"""Error reporting in the UI: user errors as warnings, bugs as a dialog that points to the log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from danvan_desktop.errors import UserError

log = logging.getLogger(__name__)

# Boxes without a parent would be garbage-collected as soon as they are opened.
_open_boxes: set[QMessageBox] = set()


def _open(box: QMessageBox) -> QMessageBox:
    _open_boxes.add(box)
    box.finished.connect(lambda _code: _open_boxes.discard(box))
    box.open()
    return box


def show_user_error(parent: QWidget | None, title: str, error: UserError) -> QMessageBox:
    """Show a problem the user can act on, in Vietnamese; returns the (open) message box."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, str(error), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("userErrorBox")
    return _open(box)


def show_unexpected_error(parent: QWidget | None, error: BaseException, log_file: Path | None) -> QMessageBox:
    where = f"\n\nChi tiết kỹ thuật đã được ghi vào tệp nhật ký:\n{log_file}" if log_file else ""
    text = (
        "Chương trình gặp lỗi ngoài dự kiến. Dữ liệu đã lưu không bị mất; thao tác vừa rồi có thể "
        f"chưa hoàn thành.\n\nLỗi: {type(error).__name__}: {error}{where}\n\n"
        "Vui lòng gửi tệp nhật ký cho bộ phận hỗ trợ."
    )
    box = QMessageBox(
        QMessageBox.Icon.Critical, "Lỗi ngoài dự kiến", text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("unexpectedErrorBox")
    return _open(box)


def report_exception(parent: QWidget | None, error: BaseException, log_file: Path | None) -> QMessageBox:
    """Route an exception to the right dialog (used by background tasks and the excepthook)."""
    if isinstance(error, UserError):
        log.info("user error: %s (%s)", error.message, error.detail)
        return show_user_error(parent, "Không thực hiện được", error)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return show_unexpected_error(parent, error, log_file)


def install_excepthook(log_file: Path | None) -> None:
    """Errors escaping Qt slots end in a dialog instead of a silent crash."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        if QApplication.instance() is None:
            sys.__excepthook__(kind, error, tb)
            return
        report_exception(QApplication.activeWindow(), error.with_traceback(tb), log_file)

    sys.excepthook = hook
