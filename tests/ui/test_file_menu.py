"""The File menu: switching the window to another office's database, the recent list, refusals."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from danvan_desktop.app import open_office
from danvan_desktop.db.engine import Database
from danvan_desktop.db.instance_lock import InstanceLock, lock_path
from danvan_desktop.errors import DatabaseLockedError
from danvan_desktop.paths import user_paths
from danvan_desktop.services.office.recent_databases import load_recent, remember_database
from danvan_desktop.ui.first_run import FirstRunDialog
from danvan_desktop.ui.main_window import MainWindow
from tests.ui.test_main_window import open_window

TIMEOUT = 30_000


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database) -> Iterator[MainWindow]:
    """The demo district's window, holding its lock, switching the way app.py sets it up."""
    window = open_window(qtbot, demo_db)
    window.database_switcher.adopt(
        InstanceLock(demo_db.path).acquire(), lambda path: open_office(path, user_paths())
    )
    yield window
    if window.db is not None:
        window.db.close()
    window.database_switcher.release()


def _error_boxes(window: MainWindow) -> list[str]:
    return [b.text() for b in window.findChildren(QMessageBox) if b.isVisible()]


def _recent_texts(window: MainWindow) -> list[tuple[str, bool]]:
    window.database_switcher.fill_recent_menu()
    return [(a.text(), a.isEnabled()) for a in window.database_switcher.recent_menu.actions() if a.text()]


def _assert_locked(path: Path) -> None:
    with pytest.raises(DatabaseLockedError):
        InstanceLock(path).acquire()


@pytest.mark.sqlite_only(reason="switching among SQLite files, their locks and copies")
def test_opening_another_database_switches_the_window_and_the_lock(
    qtbot: QtBot, window: MainWindow, demo_db: Database, commune_path: Path
) -> None:
    switcher = window.database_switcher
    demo = demo_db.path.resolve()
    assert [(r.path, r.office) for r in switcher.recent()] == [(demo, "Huyện Định Hóa")]
    _assert_locked(demo_db.path)
    with qtbot.waitSignal(switcher.switched, timeout=TIMEOUT):
        assert switcher.open_database(commune_path) is True
    assert window.windowTitle() == "Dân Vận Desktop — Xã Phúc Chu"
    assert window.db is not None and window.db.path == commune_path
    assert window.office_status.text() == "Đơn vị: Xã Phúc Chu (đơn vị báo cáo)"
    assert [(r.path, r.office) for r in switcher.recent()] == [
        (commune_path.resolve(), "Xã Phúc Chu"),
        (demo, "Huyện Định Hóa"),
    ]
    _assert_locked(commune_path)
    InstanceLock(demo_db.path).acquire().release()  # the district's file was let go
    assert _recent_texts(window) == [
        (f"&1 Xã Phúc Chu — {commune_path.resolve()} (đang mở)", False),
        (f"&2 Huyện Định Hóa — {demo}", True),
    ]
    with qtbot.waitSignal(switcher.switched, timeout=TIMEOUT):  # and back, from the recent list
        switcher.recent_menu.actions()[1].trigger()
    assert window.windowTitle() == "Dân Vận Desktop — Huyện Định Hóa"
    assert [r.path for r in switcher.recent()] == [demo, commune_path.resolve()]


def test_a_missing_recent_file_is_greyed_then_said_and_dropped(
    qtbot: QtBot, window: MainWindow, demo_db: Database, tmp_path: Path
) -> None:
    switcher = window.database_switcher
    gone = tmp_path / "usb" / "bao-cuong.sqlite3"
    remember_database(switcher.list_file, gone, "Xã Bảo Cường")
    texts = _recent_texts(window)
    assert (f"&1 Xã Bảo Cường — {gone} (không tìm thấy tệp)", False) in texts
    assert ("&Bỏ các tệp không còn tồn tại khỏi danh sách", True) in texts
    assert switcher.open_recent(gone) is False
    boxes = _error_boxes(window)
    assert len(boxes) == 1 and "Không tìm thấy tệp cơ sở dữ liệu" in boxes[0]
    assert "Đã bỏ tệp này khỏi danh sách mở gần đây" in boxes[0]
    assert [r.path for r in load_recent(switcher.list_file)] == [demo_db.path.resolve()]
    assert window.db is demo_db and window.windowTitle() == "Dân Vận Desktop — Huyện Định Hóa"


@pytest.mark.sqlite_only(reason="switching among SQLite files, their locks and copies")
def test_files_that_are_not_ours_or_are_newer_are_refused_and_nothing_changes(
    qtbot: QtBot, window: MainWindow, demo_db: Database, commune_path: Path, tmp_path: Path
) -> None:
    switcher = window.database_switcher
    bogus = tmp_path / "bao-cao.sqlite3"
    bogus.write_bytes(b"PK\x03\x04 not a database")
    assert switcher.open_database(bogus) is False
    assert "không phải là cơ sở dữ liệu" in _error_boxes(window)[-1]
    assert not lock_path(bogus).exists()  # no lock file left beside somebody else's file
    newer = tmp_path / "newer" / "phucchu.sqlite3"
    newer.parent.mkdir()
    shutil.copyfile(commune_path, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    with qtbot.waitSignal(switcher.failed, timeout=TIMEOUT):
        switcher.open_database(newer)
    assert "phiên bản Dân Vận Desktop mới hơn" in _error_boxes(window)[-1]
    InstanceLock(newer).acquire().release()  # its lock was given back
    assert window.db is demo_db and window.windowTitle() == "Dân Vận Desktop — Huyện Định Hóa"
    assert window.menuBar().isEnabled() and window.form_area.isEnabled()
    assert [r.path for r in switcher.recent()] == [demo_db.path.resolve()]
    _assert_locked(demo_db.path)


@pytest.mark.sqlite_only(reason="switching among SQLite files, their locks and copies")
def test_a_database_open_elsewhere_is_refused_and_unsaved_changes_can_keep_the_window(
    qtbot: QtBot, window: MainWindow, demo_db: Database, commune_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switcher = window.database_switcher
    with InstanceLock(commune_path):  # another window has it
        assert switcher.open_database(commune_path) is False
        assert "đang được mở trong một cửa sổ Dân Vận Desktop khác" in _error_boxes(window)[-1]
    monkeypatch.setattr(window.form_area, "maybe_leave", lambda: False)  # the clerk chose "Hủy"
    assert switcher.open_database(commune_path) is False
    InstanceLock(commune_path).acquire().release()
    assert window.db is demo_db


@pytest.mark.sqlite_only(reason="switching among SQLite files, their locks and copies")
def test_creating_a_new_office_database_switches_to_it(
    qtbot: QtBot, window: MainWindow, demo_db: Database, tmp_path: Path
) -> None:
    switcher = window.database_switcher
    assert switcher.create_at(demo_db.path) is False  # never over an existing file
    assert "không ghi đè" in _error_boxes(window)[-1]
    target = tmp_path / "moi" / "phuc-chu"
    assert switcher.create_at(target) is True
    dialog = switcher.new_dialog
    assert isinstance(dialog, FirstRunDialog) and dialog.isVisible()
    dialog.show_former.setChecked(True)  # Phúc Chu is a former commune (history work)
    for ch in "phuc chu":
        qtbot.keyClick(dialog.search, ch)
    with qtbot.waitSignal(switcher.switched, timeout=TIMEOUT):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert window.windowTitle() == "Dân Vận Desktop — Xã Phúc Chu"
    assert window.db is not None and window.db.path == target.with_name("phuc-chu.sqlite3")
    assert switcher.recent()[0].path == window.db.path.resolve()
