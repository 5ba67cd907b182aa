"""The real GUI entry point, run as a process: window shown, data attached, bad files refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_desktop.app import open_office
from danvan_desktop.paths import user_paths

pytestmark = pytest.mark.slow


def _run_gui(db: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANVAN_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "danvan_desktop", "--db", str(db), "gui", "--quit-when-shown"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_gui_starts_and_fills_the_window(demo_path: Path, data_dir: Path) -> None:
    result = _run_gui(demo_path, data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["main-window-shown", "main-window-ready"]


def test_gui_refuses_a_file_that_is_not_a_database(tmp_path: Path, data_dir: Path) -> None:
    bogus = tmp_path / "bao-cao.sqlite3"
    bogus.write_bytes(b"PK\x03\x04 not a database")
    result = _run_gui(bogus, data_dir)
    assert result.returncode == 2
    assert "không phải là cơ sở dữ liệu" in result.stderr
    assert bogus.read_bytes() == b"PK\x03\x04 not a database"


def test_open_office_reads_identity_and_tree(demo_path: Path) -> None:
    db, snapshot = open_office(demo_path, user_paths())
    try:
        assert snapshot.installation.office_code == "DH"
        assert snapshot.period is not None and snapshot.period.code == "2023"
        assert snapshot.tree is not None and len(snapshot.tree.children) == 23
    finally:
        db.close()
