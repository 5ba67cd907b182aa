"""The Backups dialog: lists copies, backs up now, restores after confirmation and says so.

Copying and restoring run in the background: the tests wait for the outcome with `waitSignal` or
`waitUntil`, and a copy held back by an event shows the busy state for as long as it lasts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from danvan_desktop.errors import UserError
from danvan_desktop.services.maintenance import backups
from danvan_desktop.services.maintenance.backups import make_backup
from danvan_desktop.ui.backups_dialog import BackupsDialog, install_backup_menu

pytestmark = pytest.mark.sqlite_only(reason="the Backups dialog lists and restores copies of the SQLite file")

TIMEOUT = 20000  # ms; a 2-core machine running other tests may be slow, a hang still fails


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold `make_backup` in the background until the test opens the gate: (started, release)."""
    started, release = threading.Event(), threading.Event()
    real = backups.make_backup

    def held(*args: object, **kwargs: object) -> Path:
        started.set()
        release.wait(timeout=TIMEOUT / 1000)  # never a thread left hanging when a test fails
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backups, "make_backup", held)
    yield started, release
    release.set()


def test_backup_now_and_restore(qtbot: QtBot, commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    make_backup(commune_path, folder, "hang-ngay")
    dialog = BackupsDialog(commune_path, folder)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "Tự động hằng ngày"
    assert not dialog.restore_button.isEnabled()
    dialog.table.selectRow(0)
    daily = dialog.selected()
    assert daily is not None and dialog.restore_button.isEnabled()
    with qtbot.waitSignal(dialog.backed_up, timeout=TIMEOUT) as backed_up:
        dialog.backup_button.click()
    [target] = backed_up.args
    assert target.exists() and dialog.table.rowCount() == 2
    assert dialog.message.text() == f"Đã sao lưu vào {target.name}."
    assert dialog.table.item(0, 1).text() == "Sao lưu thủ công"  # newest first
    assert dialog.selected() == daily and dialog.table.currentRow() == 1  # the choice follows its file
    assert dialog.restore_button.isEnabled()
    events: list[object] = []
    dialog.about_to_restore.connect(lambda: events.append("closing"))
    dialog.confirm = lambda _text: False  # type: ignore[method-assign]
    assert dialog.restore_selected() is False and events == []
    dialog.confirm = lambda _text: True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.restored, timeout=TIMEOUT) as signal:
        assert dialog.restore_selected() is True
        assert events == ["closing"] and dialog.busy  # the caller closed its connections first
        assert dialog.message.text() == "Đang khôi phục…" and not dialog.backup_button.isEnabled()
    assert signal.args == [commune_path]
    assert not dialog.busy and dialog.table.rowCount() == 3 and dialog.selected() == daily
    [safety] = folder.glob("*truoc-khoi-phuc*.sqlite3")
    assert "Đã khôi phục bản sao lưu ngày" in dialog.message.text() and safety.name in dialog.message.text()
    assert dialog.backup_button.isEnabled() and dialog.close_button.isEnabled()


def test_dialog_is_busy_and_stays_open_while_a_backup_runs(
    qtbot: QtBot, commune_path: Path, tmp_path: Path, gate: tuple[threading.Event, threading.Event]
) -> None:
    started, release = gate
    dialog = BackupsDialog(commune_path, tmp_path / "bk")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.backup_button.click()
    assert not dialog.backup_button.isEnabled() and not dialog.restore_button.isEnabled()
    assert not dialog.close_button.isEnabled() and dialog.progress.isVisible()
    assert dialog.message.text() == "Đang sao lưu…"
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)  # the copy is under way, the event loop still runs
    assert dialog.backup_now() is False  # one at a time
    dialog.reject()  # Esc or the window's close button: ignored until the copy is done
    assert dialog.isVisible() and dialog.busy
    with qtbot.waitSignal(dialog.backed_up, timeout=TIMEOUT):
        release.set()
    assert dialog.backup_button.isEnabled() and dialog.close_button.isEnabled()
    assert not dialog.progress.isVisible() and dialog.table.rowCount() == 1
    dialog.reject()
    assert not dialog.isVisible()


def test_failures_are_reported_and_the_database_is_reopened(
    qtbot: QtBot, commune_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bk"
    make_backup(commune_path, folder, "hang-ngay")
    dialog = BackupsDialog(commune_path, folder)
    qtbot.addWidget(dialog)

    def refuse(*_args: object, **_kwargs: object) -> None:  # restore_backup takes by= since accounts
        raise UserError("Ổ đĩa đã đầy.")

    monkeypatch.setattr(backups, "restore_backup", refuse)
    dialog.confirm = lambda _text: True  # type: ignore[method-assign]
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.restored, timeout=TIMEOUT) as signal:  # reopened even so
        dialog.restore_selected()
    assert signal.args == [commune_path]
    assert dialog.message.text() == "Chưa khôi phục được.\nỔ đĩa đã đầy."
    assert "b00020" in dialog.message.styleSheet() and dialog.restore_button.isEnabled()

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(backups, "make_backup", crash)
    dialog.backup_now()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert dialog.message.text() == "Chưa sao lưu được. (lỗi ngoài dự kiến)"
    boxes = [box for box in dialog.findChildren(QMessageBox) if box.objectName() == "unexpectedErrorBox"]
    assert len(boxes) == 1 and "RuntimeError: hỏng" in boxes[0].text()
    boxes[0].close()
    assert dialog.table.rowCount() == 1


def test_menu_is_added_to_a_main_window(qtbot: QtBot, commune_path: Path, tmp_path: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    events: list[object] = []
    menu = install_backup_menu(
        window,
        commune_path,
        tmp_path / "bk",
        before_restore=lambda: events.append(("closing", window.updatesEnabled())),
        on_restored=lambda path: events.append(("reopening", path, window.updatesEnabled())),
    )
    assert menu.title() == "&Sao lưu"
    [backup_now, manage] = menu.actions()
    assert backup_now.text() == "Sao lưu ngay" and manage.text().startswith("Các bản sao lưu")
    backup_now.trigger()
    assert not backup_now.isEnabled() and not manage.isEnabled()  # no restore during the copy
    assert window.statusBar().currentMessage() == "Đang sao lưu…"
    qtbot.waitUntil(backup_now.isEnabled, timeout=TIMEOUT)
    assert manage.isEnabled() and window.statusBar().currentMessage().startswith("Đã sao lưu vào ")
    assert len(list((tmp_path / "bk").glob("*.sqlite3"))) == 1
    manage.trigger()
    dialogs = window.findChildren(BackupsDialog)
    assert len(dialogs) == 1 and dialogs[0].table.rowCount() == 1
    dialog = dialogs[0]
    dialog.confirm = lambda _text: True  # type: ignore[method-assign]
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.restored, timeout=TIMEOUT):
        dialog.restore_selected()
    # The window does not repaint (and so read the file) between closing and reopening its database.
    assert events == [("closing", False), ("reopening", commune_path, False)]
    assert window.updatesEnabled()
    dialog.close()


def test_menu_reports_a_failed_backup(
    qtbot: QtBot, commune_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:  # make_backup takes progress= since issue 16
        raise UserError("Không ghi được vào thư mục sao lưu.")

    monkeypatch.setattr(backups, "make_backup", refuse)
    window = QMainWindow()
    qtbot.addWidget(window)
    [backup_now, _manage] = install_backup_menu(window, commune_path, tmp_path / "bk").actions()
    backup_now.trigger()
    qtbot.waitUntil(backup_now.isEnabled, timeout=TIMEOUT)
    [box] = [box for box in window.findChildren(QMessageBox) if box.objectName() == "userErrorBox"]
    assert box.text() == "Không ghi được vào thư mục sao lưu." and box.windowTitle() == "Sao lưu"
    assert window.statusBar().currentMessage() == ""
    box.close()


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
