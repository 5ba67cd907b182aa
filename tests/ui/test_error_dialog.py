"""Unexpected errors end in a Vietnamese dialog that names the log file, not a silent crash."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from danvan_desktop.errors import DiskFullError
from danvan_desktop.ui.error_dialog import install_excepthook, report_exception


def _boxes(name: str) -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.objectName() == name
    ]


def test_excepthook_shows_dialog_with_log_path(qtbot: QtBot, tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "danvan.log"
    previous = sys.excepthook
    try:
        install_excepthook(log_file)
        try:
            raise RuntimeError("hỏng")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    boxes = _boxes("unexpectedErrorBox")
    assert boxes, "no error dialog was shown"
    text = boxes[-1].text()
    assert "lỗi ngoài dự kiến" in text
    assert str(log_file) in text
    for box in boxes:
        box.close()


def test_user_error_is_a_warning_with_its_own_message(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = report_exception(parent, DiskFullError("Ổ đĩa đã đầy."), None)
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "Ổ đĩa đã đầy."
    box.close()
