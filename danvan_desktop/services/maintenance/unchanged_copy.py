"""The last verified copy of a database file, and whether the file is still as it was copied.

An import run copies the database first so that it can be undone. When nothing was written since
the last such copy (a preview, a run of duplicates, a second run after a cancelled one), that copy
already is the state before the import: copying the whole file again (seconds for a district's
database) would change nothing. "Nothing written" is read from the files themselves: SQLite in WAL
mode appends every commit to the -wal file (its size grows) or restarts that file (its header's
salt changes), and a checkpoint writes the main file; so the size, modification time and WAL header
of both files are compared with those noted before the copy was made, and after it (no write may
have slipped in while copying). The copy itself must pass quick_check and still be the file noted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from danvan_desktop.db.snapshots import KEYS_FOLDER, check_problems

log = logging.getLogger(__name__)

NOTE_NAME = "ban-sao-da-kiem-tra.json"  # in the backup folder: the last verified copy of the database
_WAL_HEADER = 32  # magic, version, page size, checkpoint sequence, salts, checksums


def file_stamp(db_path: Path) -> list[Any]:
    """What changes whenever a transaction commits (size and mtime of the file and its WAL, WAL header),
    and the signing keys beside it."""
    stamp: list[Any] = []
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        try:
            with path.open("rb") as handle:
                info = os.fstat(handle.fileno())
                header = handle.read(_WAL_HEADER).hex() if path != db_path else ""
        except FileNotFoundError:
            stamp.append(None)
            continue
        stamp.append([info.st_size, info.st_mtime_ns, header])
    keys = db_path.parent / KEYS_FOLDER  # the copy carries the signing keys too
    files = sorted(keys.iterdir()) if keys.is_dir() else []
    stamp.append([[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files if p.is_file()])
    return stamp


def _copy_stamp(copy: Path) -> list[int]:
    info = copy.stat()
    return [info.st_size, info.st_mtime_ns]


def remember_copy(db_path: Path, copy: Path, before: list[Any]) -> bool:
    """Note `copy` as the verified copy of `db_path`, whose stamp was `before` when copying began.

    Not noted (False) when the database changed while it was copied or the copy fails quick_check.
    """
    if file_stamp(db_path) != before or check_problems(copy):
        return False
    note = {
        "database": str(db_path.resolve()),
        "stamp": before,
        "copy": copy.name,
        "copy_stamp": _copy_stamp(copy),
    }
    target = copy.parent / NOTE_NAME
    temp = target.with_name(target.name + ".tmp")
    try:
        temp.write_text(json.dumps(note), encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        log.warning("could not note the verified copy %s", copy, exc_info=True)
        return False
    return True


def unchanged_copy(db_path: Path, backup_dir: Path) -> Path | None:
    """The last verified copy of `db_path` in `backup_dir` when the database has not changed since."""
    try:
        note = json.loads((backup_dir / NOTE_NAME).read_text(encoding="utf-8"))
        copy = backup_dir / str(note["copy"])
        same = (
            note["database"] == str(db_path.resolve())
            and note["stamp"] == file_stamp(db_path)
            and note["copy_stamp"] == _copy_stamp(copy)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return copy if same else None


def forget_copy(backup_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (backup_dir / NOTE_NAME).unlink()
