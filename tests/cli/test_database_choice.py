"""The window and the commands use the same database: `make run` opens the demo, `danvan info` finds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_desktop import paths
from danvan_desktop.app import open_office
from danvan_desktop.database_choice import (
    DATABASE_ENV,
    LAST_OPENED_FILE_NAME,
    choose_database,
    last_opened,
    remember_opened,
)
from tests.cli.conftest import run


@pytest.fixture
def user(data_dir: Path) -> paths.UserPaths:
    data_dir.mkdir(parents=True, exist_ok=True)
    return paths.user_paths()


def _open_in_window(path: Path, user: paths.UserPaths) -> None:
    """What the window does when it opens a database (app.open_office runs in its background thread)."""
    db, _snapshot = open_office(path, user)
    db.close()


def test_make_run_opens_the_demo_and_info_finds_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    """`make run` on a new machine (`danvan gui --demo-if-missing`, here offscreen), then `danvan info`."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", paths.DATA_DIR_ENV: str(data_dir)}
    env.pop(DATABASE_ENV, None)
    command = [sys.executable, "-m", "danvan_desktop", "gui", "--demo-if-missing", "--quit-when-shown"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "main-window-ready" in result.stdout
    demo = data_dir / paths.DEMO_FILE_NAME
    assert demo.is_file()

    code, out, err = run(capsys, "info")
    assert code == 0, err
    assert f"Cơ sở dữ liệu: {demo} (tệp cửa sổ chương trình đã mở lần gần nhất)" in out
    assert "Huyện Định Hóa (DH)" in out


@pytest.mark.sqlite_only(reason="copies a template file into the data folder: the choice among its files")
def test_the_commands_follow_the_database_the_window_opened_last(
    capsys: pytest.CaptureFixture[str], user: paths.UserPaths, demo_template: Path
) -> None:
    shutil.copyfile(demo_template, user.demo_database)
    assert run(capsys, "init", "--unit", "DH-PHUCCHU")[0] == 0  # a real office beside the demo

    code, out, _ = run(capsys, "info")  # init notes the office it made
    assert code == 0
    assert f"Cơ sở dữ liệu: {user.default_database} (tệp cửa sổ chương trình đã mở lần gần nhất)" in out

    _open_in_window(user.demo_database, user)  # e.g. `danvan --db …/demo.sqlite3`
    code, out, _ = run(capsys, "info")
    assert f"Cơ sở dữ liệu: {user.demo_database} (tệp cửa sổ chương trình đã mở lần gần nhất)" in out
    assert "Huyện Định Hóa (DH)" in out

    _open_in_window(user.default_database, user)
    code, out, _ = run(capsys, "info")
    assert f"Cơ sở dữ liệu: {user.default_database} (tệp cửa sổ chương trình đã mở lần gần nhất)" in out
    assert "Xã Phúc Chu (DH-PHUCCHU)" in out


@pytest.mark.sqlite_only(reason="copies a template file into the data folder: the choice among its files")
def test_a_write_command_waits_for_the_window_on_the_database_it_shows(
    capsys: pytest.CaptureFixture[str], user: paths.UserPaths, demo_template: Path
) -> None:
    """The lock a command checks is the one on the file the window holds, not on danvan.sqlite3."""
    from danvan_desktop.db.instance_lock import InstanceLock

    shutil.copyfile(demo_template, user.demo_database)
    _open_in_window(user.demo_database, user)
    lock = InstanceLock(user.demo_database)
    lock.acquire()
    try:
        code, out, err = run(capsys, "records", "delete", "00000000")
    finally:
        lock.release()
    assert code == 2
    assert out == ""
    assert f"Cơ sở dữ liệu {user.demo_database} đang được mở trong một cửa sổ" in err, err


def test_the_rule_in_order(user: paths.UserPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    office, demo = user.default_database, user.demo_database
    assert choose_database(None, user) == choose_database(None, user, creating=True)
    assert (choose_database(None, user).path, choose_database(None, user).source) == (office, "none")

    demo.write_bytes(b"")
    assert (choose_database(None, user).path, choose_database(None, user).source) == (demo, "demo")
    assert (
        choose_database(None, user, creating=True).path == office
    )  # declaring an office never opens the demo

    office.write_bytes(b"")
    assert (choose_database(None, user).path, choose_database(None, user).source) == (office, "office")

    elsewhere = tmp_path / "xa khác" / "Định Hóa.sqlite3"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"")
    remember_opened(user, elsewhere)
    assert (choose_database(None, user).path, choose_database(None, user).source) == (elsewhere, "last")
    assert choose_database(None, user, creating=True).path == office

    monkeypatch.setenv(DATABASE_ENV, str(demo))
    assert (choose_database(None, user).path, choose_database(None, user).source) == (demo, "env")
    explicit = tmp_path / "given.sqlite3"
    assert (choose_database(explicit, user).path, choose_database(explicit, user).source) == (
        explicit,
        "option",
    )
    monkeypatch.delenv(DATABASE_ENV)

    elsewhere.unlink()  # the remembered file is gone: back to the data folder's own
    assert choose_database(None, user).source == "office"


def test_the_note_is_replaced_whole_and_a_bad_one_is_ignored(user: paths.UserPaths, tmp_path: Path) -> None:
    first, second = tmp_path / "một.sqlite3", tmp_path / "hai.sqlite3"
    remember_opened(user, first)
    remember_opened(user, second)
    assert last_opened(user) == second
    assert [p.name for p in user.data_dir.iterdir()] == [LAST_OPENED_FILE_NAME]  # no temporary left behind

    (user.data_dir / LAST_OPENED_FILE_NAME).write_bytes(b"\xff\xfe garbage")
    assert last_opened(user) is None
    assert choose_database(None, user).source == "none"


def test_info_without_any_database_says_what_to_do(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, "info")
    assert code == 2
    assert out == ""
    assert f"Không có tệp cơ sở dữ liệu {data_dir / paths.DATABASE_FILE_NAME}" in err
