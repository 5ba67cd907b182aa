"""Copies of the database file and its signing keys: name, write, check and put back (no services)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import zipfile
from pathlib import Path

BACKUP_SUFFIX = ".sqlite3"
# The signing key travels in a zip beside each copy (`<copy>.keys.zip`): the SQLite file stays a
# plain database any tool can open, and a restore brings back the key that signs this site's packages.
KEYS_SUFFIX = ".keys.zip"
KEYS_FOLDER = "keys"  # beside the database file, so that a copy of the folder carries both
BEFORE_UPGRADE_REASON = "truoc-nang-cap"


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read `path`: it never creates the file nor writes to it."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def check_rows(path: Path, pragma: str = "quick_check") -> list[str]:
    """The rows of `PRAGMA quick_check` or `integrity_check` (["ok"] when sound); sqlite3.Error passes."""
    with contextlib.closing(read_only(path)) as conn:
        return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]


def check_problems(path: Path, pragma: str = "quick_check") -> list[str]:
    """What the check finds wrong (empty when sound); a file SQLite cannot read is one problem."""
    try:
        rows = check_rows(path, pragma)
    except sqlite3.Error as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def keys_archive_for(backup: Path) -> Path:
    return backup.with_name(backup.name + KEYS_SUFFIX)


def backup_path(db_path: Path, backup_dir: Path, reason: str) -> Path:
    """`<stem>-<date>-<time>-<µs>-<reason>.sqlite3`: the name the backups list reads date and reason from."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_dir / f"{Path(db_path).stem}-{stamp}-{reason}{BACKUP_SUFFIX}"


def copy_database(source_path: Path, target: Path) -> None:
    """SQLite online backup into `target`, left as a single self-contained file (no WAL)."""
    source = read_only(source_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # consistent even while another connection writes in WAL mode
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()


def zip_keys(db_path: Path, target: Path) -> None:
    """The files of the keys/ folder beside `db_path` zipped into `target` (nothing when there are none)."""
    keys = db_path.parent / KEYS_FOLDER
    files = sorted(p for p in keys.glob("*") if p.is_file()) if keys.is_dir() else []
    if not files:
        return
    temp = target.with_name(target.name + ".tmp")
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                archive.write(file, file.name)
        os.chmod(temp, 0o600)  # private signing keys: owner only, like keys/ itself
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def write_copy(db_path: Path, target: Path) -> None:
    """The database and its keys copied to `target`; the name appears only once the copy is complete."""
    temp = target.with_name(target.name + ".dang-ghi")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.unlink(missing_ok=True)
        copy_database(db_path, temp)
        zip_keys(db_path, keys_archive_for(target))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
            keys_archive_for(target).unlink(missing_ok=True)
        raise


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the file so that no stale -wal could be applied to a replacement."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(db_path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def swap_in(temp: Path, db_path: Path) -> None:
    """Replace `db_path` by the complete file `temp`; every connection to `db_path` must be closed.

    The old -wal and -shm go first: SQLite would replay a leftover log onto the new file, so a
    crash between the two steps must leave the old file without its log rather than the new one with it.
    """
    checkpoint(db_path)
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    os.replace(temp, db_path)


def put_back(copy: Path, db_path: Path) -> None:
    """Replace the database with `copy` atomically: copied beside it, checked, then renamed over it."""
    temp = db_path.with_name(db_path.name + ".dang-khoi-phuc")
    try:
        temp.unlink(missing_ok=True)
        copy_database(copy, temp)
        problems = check_problems(temp)
        if problems:
            raise sqlite3.DatabaseError(f"copy {copy} is damaged: {'; '.join(problems[:5])}")
        swap_in(temp, db_path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
