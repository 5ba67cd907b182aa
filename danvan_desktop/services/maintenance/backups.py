"""Backups of the database and its signing key: make, list, prune, daily, restore (no Qt).

A SQLite file is copied (`.sqlite3`), a shared server dumped with pg_dump (`.dump`,
server_backups.py): both are listed, pruned, restored and named the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from danvan_desktop.db import migrate, snapshots
from danvan_desktop.db.engine import APPLICATION_ID, guard_writes, read_revision
from danvan_desktop.db.location import is_server_file
from danvan_desktop.db.snapshots import (
    BACKUP_SUFFIX,
    BEFORE_UPGRADE_REASON,
    KEYS_FOLDER,
    backup_path,
    copy_database,
    keys_archive_for,
    swap_in,
    write_copy,
    zip_keys,
)
from danvan_desktop.errors import NewerDatabaseError, NotADatabaseError, UserError
from danvan_desktop.services.maintenance import server_backups
from danvan_desktop.services.maintenance.server_backups import DUMP_SUFFIX
from danvan_desktop.services.office.accounts import Actor
from danvan_desktop.services.office.audit import record_file_action

log = logging.getLogger(__name__)

DAILY_REASON = "hang-ngay"
MANUAL_REASON = "thu-cong"
BEFORE_RESTORE_REASON = "truoc-khoi-phuc"
_STAMP = re.compile(r"(\d{8})-(\d{6})(?:-(\d{6}))?")


@dataclass(frozen=True)
class BackupInfo:
    """One backup copy as the Backups dialog and `danvan backups` show it."""

    path: Path
    created: dt.datetime
    reason: str
    size: int
    record_count: int | None
    revision: str | None
    valid: bool

    @property
    def keys_archive(self) -> Path | None:
        archive = keys_archive_for(self.path)
        return archive if archive.is_file() else None


def make_backup(
    db_path: Path,
    backup_dir: Path,
    reason: str,
    *,
    target: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """A consistent copy of the database (and its keys) named by date-time and reason: a file's
    online copy, or a server's pg_dump (`progress` hears the tables it reaches)."""
    db_path = Path(db_path)
    if is_server_file(db_path):
        return server_backups.make_server_backup(
            db_path, backup_dir, reason, target=target, progress=progress
        )
    target = target or backup_path(db_path, backup_dir, reason)
    with guard_writes(target):
        write_copy(db_path, target)
    log.info("backup (%s) written to %s", reason, target)
    return target


def make_manual_backup(
    db_path: Path, backup_dir: Path, *, by: Actor | None, progress: Callable[[str], None] | None = None
) -> Path:
    """A copy someone asked for in the window (which holds the database), entered in the audit trail."""
    target = make_backup(db_path, backup_dir, MANUAL_REASON, progress=progress)
    record_file_action(db_path, "backup.create", actor=by, detail=str(target))
    return target


def _parse_name(path: Path) -> tuple[dt.datetime, str]:
    match = _STAMP.search(path.stem)
    if match is None:
        return dt.datetime.fromtimestamp(path.stat().st_mtime), path.stem
    date, time, micro = match.groups()
    created = dt.datetime.strptime(date + time + (micro or "000000"), "%Y%m%d%H%M%S%f")
    rest = (path.stem[: match.start()] + "|" + path.stem[match.end() :]).split("|")
    reason = rest[1].strip("-") or rest[0].split("-", 1)[-1].strip("-")
    return created, reason


def _inspect(path: Path) -> tuple[int | None, str | None, bool]:
    """Record count, schema revision and whether the copy can be restored (read-only look)."""
    if path.suffix == DUMP_SUFFIX:
        return server_backups.inspect_dump(path)
    try:
        revision = read_revision(path)
    except UserError:
        return None, None, False
    try:
        conn = snapshots.read_only(path)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            count = int(conn.execute("SELECT count(*) FROM record").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None, revision, False
    valid = ok and revision is not None and migrate.is_known_revision(revision)
    return count, revision, valid


def backup_suffix(db_path: Path) -> str:
    """What backups of this database are: server dumps, or copies of a file."""
    return DUMP_SUFFIX if is_server_file(Path(db_path)) else BACKUP_SUFFIX


def _entries(backup_dir: Path, suffix: str = BACKUP_SUFFIX) -> list[tuple[Path, dt.datetime, str]]:
    """(path, created, reason) of every copy of one kind, newest first, read from the names only."""
    if not backup_dir.is_dir():
        return []
    found = [(p, *_parse_name(p)) for p in backup_dir.glob(f"*{suffix}") if p.is_file()]
    return sorted(found, key=lambda entry: entry[1], reverse=True)


def list_backups(backup_dir: Path, db_path: Path | None = None) -> list[BackupInfo]:
    """The copies in `backup_dir` that can be restored into `db_path` (server dumps for a server,
    copies of a file otherwise; a file's when None), newest first, each looked into read-only."""
    infos = []
    suffix = BACKUP_SUFFIX if db_path is None else backup_suffix(db_path)
    for path, created, reason in _entries(backup_dir, suffix):
        count, revision, valid = _inspect(path)
        infos.append(BackupInfo(path, created, reason, path.stat().st_size, count, revision, valid))
    return infos


def newest_good_backup(backup_dir: Path) -> BackupInfo | None:
    return next((info for info in list_backups(backup_dir) if info.valid), None)


def prune_backups(backup_dir: Path, keep_last: int = 10) -> list[Path]:
    """Delete old copies, keeping the newest `keep_last`, the newest of every month and of every upgrade
    (of file copies and of server dumps, each kind on its own)."""
    return [*_prune(backup_dir, keep_last, BACKUP_SUFFIX), *_prune(backup_dir, keep_last, DUMP_SUFFIX)]


def _prune(backup_dir: Path, keep_last: int, suffix: str) -> list[Path]:
    entries = _entries(backup_dir, suffix)
    keep = {path for path, _created, _reason in entries[:keep_last]}
    months: set[tuple[int, int]] = set()
    upgrades: set[str] = set()
    for path, created, reason in entries:  # newest first: the first seen of a month is its newest
        if (created.year, created.month) not in months:
            months.add((created.year, created.month))
            keep.add(path)
        # A copy from before a schema upgrade is the only way back to that older version (an older
        # build cannot open the newer schema): daily copies never push out the newest one per revision.
        if reason.startswith(BEFORE_UPGRADE_REASON) and reason not in upgrades:
            upgrades.add(reason)
            keep.add(path)
    removed = []
    for path, _created, _reason in entries:
        if path not in keep:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                keys_archive_for(path).unlink(missing_ok=True)
                server_backups.note_for(path).unlink(missing_ok=True)
            removed.append(path)
    if removed:
        log.info("pruned %d old backups from %s", len(removed), backup_dir)
    return removed


def daily_backup_if_due(db_path: Path, backup_dir: Path, today: dt.date) -> Path | None:
    """The automatic copy of the day, made on the first start of that day (then old ones pruned)."""
    for _path, created, reason in _entries(backup_dir):
        if reason == DAILY_REASON and created.date() == today:
            return None
    target = make_backup(db_path, backup_dir, DAILY_REASON)
    prune_backups(backup_dir)
    return target


def check_restorable(backup: Path) -> str:
    """Refuse a copy that is not ours, is damaged or is newer than this build; return its revision."""
    if not backup.is_file():
        raise UserError(f"Không có tệp sao lưu {backup}.")
    revision = read_revision(backup)  # raises for foreign files and non-databases
    if revision is None:
        raise NotADatabaseError(f"Tệp {backup} không phải bản sao lưu dữ liệu của Dân Vận Desktop.")
    if not migrate.is_known_revision(revision):
        raise NewerDatabaseError(
            f"Bản sao lưu {backup.name} được tạo bởi phiên bản Dân Vận Desktop mới hơn phiên bản đang cài. "
            "Hãy cài phiên bản mới nhất rồi khôi phục lại; dữ liệu hiện tại không bị thay đổi.",
            detail=f"revision {revision} unknown to this build",
        )
    problems = _integrity(backup)
    if problems:
        raise NotADatabaseError(
            f"Bản sao lưu {backup.name} đã bị hỏng, không khôi phục được. Hãy chọn một bản sao lưu khác; "
            "dữ liệu hiện tại không bị thay đổi.",
            detail="; ".join(problems[:5]),
        )
    return revision


def _integrity(path: Path) -> list[str]:
    """integrity_check of a copy, which must also carry our application id."""
    problems = snapshots.check_problems(path, "integrity_check")
    if problems:
        return problems
    with contextlib.closing(snapshots.read_only(path)) as conn:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    return [] if app_id == APPLICATION_ID else [f"application_id={app_id:#x}"]


def _safety_copy(db_path: Path, backup_dir: Path) -> Path | None:
    """The current state before a restore: a proper backup, or a raw copy when the file is damaged."""
    if not db_path.exists():
        return None
    try:
        return make_backup(db_path, backup_dir, BEFORE_RESTORE_REASON)
    except NotADatabaseError:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = backup_dir / f"{db_path.stem}-{stamp}-{BEFORE_RESTORE_REASON}-hong{BACKUP_SUFFIX}.raw"
        with guard_writes(target):
            backup_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db_path, target)
            wal = db_path.with_name(db_path.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, target.with_name(target.name + "-wal"))
            zip_keys(db_path, keys_archive_for(target))
        return target


def _restore_keys(archive: Path, db_path: Path) -> None:
    keys = db_path.parent / KEYS_FOLDER
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            if "/" in name or "\\" in name or name.startswith("."):
                continue  # only plain key files; never write outside keys/
            keys.mkdir(parents=True, exist_ok=True)
            target = keys / name
            temp = target.with_name(name + ".tmp")
            temp.write_bytes(zipped.read(name))
            os.chmod(temp, 0o600)
            os.replace(temp, target)


def _refuse_other_kind(backup: Path, db_path: Path) -> None:
    """A file's copy cannot go onto a server, nor a server's dump into a file."""
    if backup.suffix == backup_suffix(db_path) or not backup.is_file():
        return
    if is_server_file(db_path):
        raise NotADatabaseError(
            f"Bản sao lưu {backup.name} là bản sao của một tệp dữ liệu trên máy tính, không khôi phục được "
            "vào máy chủ dùng chung. Hãy chọn một bản sao lưu của máy chủ (tệp .dump); "
            "dữ liệu hiện tại không bị thay đổi."
        )
    raise NotADatabaseError(
        f"Bản sao lưu {backup.name} là bản sao lưu của máy chủ dùng chung (PostgreSQL), không khôi phục "
        "được vào tệp dữ liệu trên máy tính. Hãy mở máy chủ đó rồi khôi phục, hoặc chọn một bản sao lưu "
        "tệp (.sqlite3); dữ liệu hiện tại không bị thay đổi."
    )


def restore_backup(backup: Path, db_path: Path, backup_dir: Path, *, by: Actor | None = None) -> Path | None:
    """Replace the database with `backup` after a safety copy; return that copy's path.

    Every check and the copy into a temporary file happen before the current database is touched;
    any failure up to the final rename leaves it as it was. The caller must have closed its own
    connections (the GUI closes its engine first; the CLI holds the single-writer lock). A server
    is restored by pg_restore in one transaction, after a safety dump.
    """
    backup, db_path = Path(backup), Path(db_path)
    _refuse_other_kind(backup, db_path)
    if is_server_file(db_path):
        safety: Path | None = server_backups.restore_server_backup(backup, db_path, backup_dir)
        _audit_restore(db_path, backup, safety, by)
        return safety
    check_restorable(backup)
    temp = db_path.with_name(db_path.name + ".dang-khoi-phuc")
    try:
        with guard_writes(db_path):
            temp.unlink(missing_ok=True)
            copy_database(backup, temp)
            problems = _integrity(temp)
            if problems:
                raise NotADatabaseError(
                    f"Không chép được bản sao lưu {backup.name} nguyên vẹn; "
                    "dữ liệu hiện tại không bị thay đổi.",
                    detail="; ".join(problems[:5]),
                )
        safety = _safety_copy(db_path, backup_dir)
        with guard_writes(db_path):
            swap_in(temp, db_path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    archive = keys_archive_for(backup)
    if archive.is_file():
        with guard_writes(db_path):
            _restore_keys(archive, db_path)
    log.info("restored %s from %s (safety copy %s)", db_path, backup, safety)
    _audit_restore(db_path, backup, safety, by)
    return safety


def _audit_restore(db_path: Path, backup: Path, safety: Path | None, by: Actor | None) -> None:
    # Written into the restored data: it is the trail people will read from now on.
    kept = f"; dữ liệu trước đó giữ tại {safety.name}" if safety is not None else ""
    record_file_action(db_path, "backup.restore", actor=by, detail=f"từ bản sao lưu {backup.name}{kept}")
