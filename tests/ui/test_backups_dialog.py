"""The Backups dialog: lists copies, backs up now, restores after confirmation and says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from danvan_desktop.services.backups import make_backup
from danvan_desktop.ui.backups_dialog import BackupsDialog, install_backup_menu


def test_backup_now_and_restore(qtbot: QtBot, commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    make_backup(commune_path, folder, "hang-ngay")
    dialog = BackupsDialog(commune_path, folder)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "Tự động hằng ngày"
    assert not dialog.restore_button.isEnabled()
    dialog.backup_button.click()
    assert dialog.table.rowCount() == 2
    dialog.table.selectRow(1)
    assert dialog.restore_button.isEnabled()
    events: list[object] = []
    dialog.about_to_restore.connect(lambda: events.append("closing"))
    dialog.confirm = lambda _text: False  # type: ignore[method-assign]
    assert dialog.restore_selected() is None and events == []
    dialog.confirm = lambda _text: True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.restored) as signal:
        safety = dialog.restore_selected()
    assert signal.args == [commune_path]
    assert events == ["closing"] and safety is not None and safety.exists()
    assert dialog.table.rowCount() == 3


def test_menu_is_added_to_a_main_window(qtbot: QtBot, commune_path: Path, tmp_path: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = install_backup_menu(window, commune_path, tmp_path / "bk")
    assert menu.title() == "&Sao lưu"
    [backup_now, manage] = menu.actions()
    assert backup_now.text() == "Sao lưu ngay" and manage.text().startswith("Các bản sao lưu")
    backup_now.trigger()
    assert len(list((tmp_path / "bk").glob("*.sqlite3"))) == 1
    manage.trigger()
    dialogs = window.findChildren(BackupsDialog)
    assert len(dialogs) == 1 and dialogs[0].table.rowCount() == 1
    dialogs[0].close()


@pytest.mark.parametrize("valid", [False])
def test_damaged_copy_cannot_be_chosen(qtbot: QtBot, commune_path: Path, tmp_path: Path, valid: bool) -> None:
    folder = tmp_path / "bk"
    folder.mkdir()
    (folder / "db-20240101-080000-thu-cong.sqlite3").write_bytes(b"rac" * 1000)
    dialog = BackupsDialog(commune_path, folder)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled() is valid
    assert "(hỏng)" in dialog.table.item(0, 1).text()
