"""Maintenance on the command line: backup, restore, check; bad input refused, the database unchanged."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main
from danvan_desktop.db.instance_lock import InstanceLock, lock_path
from tests.cli.conftest import run

ROWS = (
    "Tổ chức;Tên chi hội, chi đoàn;Số hội viên, đoàn viên;Số người thuộc đối tượng tập hợp\n"
    "Hội LHPN;Chi hội Phụ nữ xã;450;600\n"
)

pytestmark = pytest.mark.sqlite_only(
    reason="SQLite file copies and the window's file lock (server: test_server_maintenance.py)"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def office(commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    load = ["load", "--form", "to_chuc_doan_the", "--period", "2023", str(rows)]
    assert main(["--db", str(commune_path), *load]) == 0
    capsys.readouterr()
    return commune_path


def test_backup_list_check_restore(office: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(office), "backup"]) == 0
    copy = next((data_dir / "backups").glob("*.sqlite3"))
    assert str(copy) in capsys.readouterr().out
    assert main(["--db", str(office), "backups"]) == 0
    assert "1 bản ghi" in capsys.readouterr().out
    assert main(["--db", str(office), "check"]) == 0
    conn = sqlite3.connect(office)
    conn.execute("DELETE FROM record_history")
    conn.commit()
    conn.close()
    assert main(["--db", str(office), "check"]) == 2
    assert "không có dòng lịch sử" in capsys.readouterr().err
    assert main(["--db", str(office), "restore", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục" in out and "truoc-khoi-phuc" in out
    assert main(["--db", str(office), "check"]) == 0


def test_backup_out_file(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "usb" / "ban-sao.sqlite3"
    assert main(["--db", str(office), "backup", "--out", str(out)]) == 0
    assert out.is_file() and out.with_name(out.name + ".keys.zip").is_file()


def test_restore_refuses_a_file_that_is_not_ours(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "anh.sqlite3"
    bogus.write_bytes(b"\x89PNG" * 2000)
    before = _sha(office)
    assert main(["--db", str(office), "restore", str(bogus)]) == 2
    assert "không phải" in capsys.readouterr().err
    assert _sha(office) == before


def test_backup_into_a_folder_that_cannot_exist(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "la-tep"
    blocker.write_text("x")
    before = _sha(office)
    assert main(["--db", str(office), "backup", "--out", str(blocker / "bk" / "a.sqlite3")]) == 2
    assert "Không ghi được" in capsys.readouterr().err
    assert _sha(office) == before


@pytest.fixture
def mount_point(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    point = tmp_path / "mnt"
    point.mkdir()
    mounted: list[str] = []
    yield point, mounted
    if mounted:
        subprocess.run(["umount", str(point)], check=False)


def _mount(point: Path, options: str, mounted: list[str]) -> None:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace').strip()}")
    mounted.append(options)


def test_disk_full_during_backup(
    office: Path, mount_point: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    point, mounted = mount_point
    _mount(point, "size=64k", mounted)
    before = _sha(office)
    assert main(["--db", str(office), "backup", "--out", str(point / "a.sqlite3")]) == 2
    assert "đã đầy" in capsys.readouterr().err
    assert _sha(office) == before
    assert list(point.iterdir()) == []  # no half-written copy left behind


def test_read_only_data_folder(
    office: Path, mount_point: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    point, mounted = mount_point
    _mount(point, "size=8m", mounted)
    db = point / "danvan.sqlite3"
    db.write_bytes(office.read_bytes())
    good = point / "good.sqlite3"
    good.write_bytes(office.read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    before = _sha(db)
    assert main(["--db", str(db), "restore", str(good)]) == 2
    assert "Không ghi được" in capsys.readouterr().err
    assert _sha(db) == before


HOLD = """
import sys, time
from pathlib import Path
from danvan_desktop.db.instance_lock import InstanceLock

lock = InstanceLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held_by_another_process(office: Path) -> Iterator[Path]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(office)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield office
    finally:
        proc.kill()
        proc.communicate()


def test_lock_refuses_a_second_writer(
    held_by_another_process: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = held_by_another_process
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", str(office), "backup", "--out", str(copy)]) == 0  # reading is allowed
    before = _sha(office)
    assert main(["--db", str(office), "restore", str(copy)]) == 2
    assert "đang được mở" in capsys.readouterr().err
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    load = ["load", "--form", "to_chuc_doan_the", "--period", "2024", str(rows)]
    assert main(["--db", str(office), *load]) == 2
    assert _sha(office) == before
    with pytest.raises(Exception, match="đang được mở"):
        InstanceLock(office).acquire()


@pytest.mark.slow
def test_second_gui_instance_exits_with_a_message(held_by_another_process: Path, data_dir: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANVAN_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "danvan_desktop", "--db", str(held_by_another_process), "gui"]
    command.append("--quit-when-shown")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert "đang được mở trong một cửa sổ Dân Vận Desktop khác" in result.stderr


def test_lock_is_released_when_the_holder_dies(office: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(office)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    proc.kill()
    proc.communicate()
    deadline = time.monotonic() + 5
    while True:
        try:
            with InstanceLock(office):
                break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert lock_path(office).exists()


def test_an_upgrade_on_open_waits_for_the_window_holding_the_database(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Even a reading command upgrades an older schema when it opens it: that is a write.
    old = tmp_path / "cu.sqlite3"
    saved = Path(__file__).parents[1] / "data" / "databases" / "0003_transport.sqlite3"
    old.write_bytes(saved.read_bytes())
    before = _sha(old)
    with InstanceLock(old):
        code, _, err = run(capsys, "--db", old, "info")
    assert code != 0
    assert "đang được mở" in err
    assert _sha(old) == before
    assert run(capsys, "--db", old, "info")[0] == 0  # once the window is closed, the upgrade happens
    assert _sha(old) != before
