"""Backups: consistent copies with the signing key, listing, retention, daily copy, safe restore."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from danvan_desktop.errors import NewerDatabaseError, NotADatabaseError, UserError
from danvan_desktop.services.maintenance import backups
from danvan_desktop.services.maintenance.backups import (
    daily_backup_if_due,
    list_backups,
    make_backup,
    prune_backups,
    restore_backup,
)

pytestmark = pytest.mark.sqlite_only(
    reason="copies of the SQLite file (server dumps: tests/cli/test_server_maintenance.py)"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _touch_backup(folder: Path, when: dt.datetime, reason: str = "thu-cong") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"db-{when:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"
    path.write_bytes(b"")
    return path


def test_backup_is_listed_with_reason_count_and_key(commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    target = make_backup(commune_path, folder, "thu-cong")
    assert target.parent == folder and "thu-cong" in target.name
    assert not list(folder.glob("*.dang-ghi"))
    (info,) = list_backups(folder)
    assert info.path == target and info.reason == "thu-cong" and info.valid
    assert info.record_count == 0 and info.size == target.stat().st_size
    assert info.keys_archive is not None
    assert abs(info.created - dt.datetime.now()) < dt.timedelta(minutes=1)


def test_retention_keeps_last_ten_and_newest_of_each_month(tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    start = dt.datetime(2024, 1, 1, 8)
    made = [_touch_backup(folder, start + dt.timedelta(days=3 * i)) for i in range(40)]  # ~4 months
    removed = prune_backups(folder, keep_last=10)
    kept = {p for p in made if p.exists()}
    assert set(made[-10:]) <= kept
    months = {}
    for path in made:
        created = backups._parse_name(path)[0]
        months[(created.year, created.month)] = path  # the last one seen is the newest
    assert set(months.values()) <= kept
    assert kept.isdisjoint(removed) and len(kept) + len(removed) == 40


def test_daily_backup_once_a_day(commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    today = dt.date.today()
    assert daily_backup_if_due(commune_path, folder, today) is not None
    assert daily_backup_if_due(commune_path, folder, today) is None
    assert daily_backup_if_due(commune_path, folder, today + dt.timedelta(days=1)) is not None


def test_restore_brings_back_data_and_key_after_a_safety_copy(commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    good = make_backup(commune_path, folder, "thu-cong")
    keys = commune_path.parent / "keys"
    key_files = {p.name: p.read_bytes() for p in keys.iterdir()}
    conn = sqlite3.connect(commune_path)
    conn.execute("INSERT INTO setting(key, value) VALUES ('sau-sao-luu', 'x')")
    conn.commit()
    conn.close()
    for p in keys.iterdir():
        p.unlink()
    safety = restore_backup(good, commune_path, folder)
    assert safety is not None and safety.exists() and "truoc-khoi-phuc" in safety.name
    conn = sqlite3.connect(commune_path)
    assert conn.execute("SELECT count(*) FROM setting WHERE key='sau-sao-luu'").fetchone()[0] == 0
    conn.close()
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == key_files
    conn = sqlite3.connect(safety)  # the safety copy holds the state that was replaced
    assert conn.execute("SELECT count(*) FROM setting WHERE key='sau-sao-luu'").fetchone()[0] == 1
    conn.close()


def _damaged_copy(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(b ^ 0xFF for b in data[middle : middle + 4096])
    target.write_bytes(bytes(data))
    return target


def _newer_copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    conn = sqlite3.connect(target)
    conn.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    conn.commit()
    conn.close()
    return target


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda src, t: (t.write_bytes(b"PK\x03\x04 not ours" * 100), t)[1], NotADatabaseError, "không phải"),
        (_damaged_copy, NotADatabaseError, "hỏng"),
        (_newer_copy, NewerDatabaseError, "mới hơn"),
    ],
    ids=["not-ours", "damaged", "newer-schema"],
)
def test_restore_refuses_bad_copies_and_leaves_the_database(
    commune_path: Path, tmp_path: Path, make, error: type[UserError], words: str
) -> None:
    good = make_backup(commune_path, tmp_path / "src", "thu-cong")
    bad = make(good, tmp_path / "bad.sqlite3")
    before = _sha(commune_path)
    with pytest.raises(error, match=words):
        restore_backup(bad, commune_path, tmp_path / "bk")
    assert _sha(commune_path) == before
    assert not (tmp_path / "bk").exists()  # refused before any safety copy was needed
    assert not list(commune_path.parent.glob("*.dang-khoi-phuc"))
    if bad.stat().st_size > 4096:
        assert not [i for i in list_backups(tmp_path) if i.path == bad and i.valid]


def test_start_check_names_the_newest_good_backup(commune_path: Path, tmp_path: Path) -> None:
    from danvan_desktop.app import check_at_start

    folder = tmp_path / "bk"
    check_at_start(commune_path, folder)  # healthy: the day's copy is made
    (daily,) = list_backups(folder)
    _damaged_copy(commune_path, commune_path)
    before = _sha(commune_path)
    with pytest.raises(UserError, match="bị hỏng") as caught:
        check_at_start(commune_path, folder)
    assert str(daily.path) in str(caught.value) and "danvan restore" in str(caught.value)
    assert _sha(commune_path) == before and len(list_backups(folder)) == 1
