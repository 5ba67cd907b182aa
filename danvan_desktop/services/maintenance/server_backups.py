"""Backups of a shared PostgreSQL server: pg_dump / pg_restore (custom format), the signing key
zipped beside each dump, as a SQLite copy keeps its own (no Qt)."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from danvan_desktop.db import migrate
from danvan_desktop.db.location import read_server_file
from danvan_desktop.db.snapshots import keys_archive_for, zip_keys
from danvan_desktop.errors import NewerDatabaseError, NotADatabaseError, UserError

log = logging.getLogger(__name__)

DUMP_SUFFIX = ".dump"
# Where the PostgreSQL installers put the client programs when they are not on PATH.
_SEARCH = (
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    r"C:\Program Files\PostgreSQL\*\bin",
)


def find_program(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest version in the usual install folders."""
    found = shutil.which(name)
    if found:
        return found
    exe = name + (".exe" if sys.platform == "win32" else "")
    candidates = [Path(folder) / exe for pattern in _SEARCH for folder in glob.glob(pattern)]
    existing = sorted(
        (c for c in candidates if c.is_file()), key=lambda p: _version_key(p.parent.parent.name)
    )
    if existing:
        return str(existing[-1])
    raise UserError(
        f"Không tìm thấy chương trình {name} của PostgreSQL trên máy này. Hãy cài «PostgreSQL client» "
        "(trên Windows: bộ cài PostgreSQL, chọn Command Line Tools) rồi thử lại; xem docs/server.md.",
        detail=f"{name} not on PATH nor in {_SEARCH}",
    )


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)) or (0,)


def _run(program: str, args: list[str], connection_file: Path) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program; the password goes through the environment, never argv."""
    url = read_server_file(connection_file).url
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "danvan"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    connection = [
        "--host",
        url.host or "localhost",
        "--port",
        str(url.port or 5432),
        "--dbname",
        str(url.database),
    ]
    if url.username:
        connection += ["--username", url.username]
    return subprocess.run(
        [find_program(program), *args, *connection, "--no-password"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _failed(what: str, connection_file: Path, result: subprocess.CompletedProcess[str]) -> UserError:
    from danvan_desktop.db.location import database_label

    return UserError(
        f"{what} cơ sở dữ liệu trên máy chủ {database_label(connection_file)} không thành công. "
        "Hãy kiểm tra máy chủ đã bật, tài khoản có quyền, rồi thử lại; dữ liệu không bị thay đổi.",
        detail=f"exit {result.returncode}: {result.stderr.strip()[:2000]}",
    )


def dump_path(connection_file: Path, backup_dir: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_dir / f"{connection_file.stem}-{stamp}-{reason}{DUMP_SUFFIX}"


def make_server_backup(
    connection_file: Path, backup_dir: Path, reason: str, *, target: Path | None = None
) -> Path:
    """pg_dump (custom format: compressed, restorable table by table) with the keys zipped beside it;
    the name appears only once both are complete."""
    target = target or dump_path(connection_file, backup_dir, reason)
    temp = target.with_name(target.name + ".dang-ghi")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.unlink(missing_ok=True)
        result = _run(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", "--file", str(temp)],
            connection_file,
        )
        if result.returncode != 0:
            raise _failed("Sao lưu", connection_file, result)
        zip_keys(connection_file, keys_archive_for(target))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    log.info("server backup (%s) written to %s", reason, target)
    return target


def dump_revision(dump: Path) -> str:
    """The schema revision inside a dump (read with pg_restore, nothing restored); a file that is
    not a dump of ours is refused."""
    if not dump.is_file():
        raise UserError(f"Không có tệp sao lưu {dump}.")
    result = subprocess.run(
        [find_program("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"^COPY [^\n]*alembic_version[^\n]*\n([^\n\\]+)\n", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise NotADatabaseError(
            f"Tệp {dump} không phải bản sao lưu máy chủ của Dân Vận Desktop (hoặc đã bị hỏng).",
            detail=result.stderr.strip()[:500],
        )
    return match.group(1).strip()


def restore_server_backup(dump: Path, connection_file: Path, backup_dir: Path) -> Path:
    """Replace the server's data with `dump` in one transaction, after a safety dump; return it."""
    revision = dump_revision(dump)
    if not migrate.is_known_revision(revision):
        raise NewerDatabaseError(
            f"Bản sao lưu {dump.name} được tạo bởi phiên bản Dân Vận Desktop mới hơn phiên bản đang cài. "
            "Hãy cài phiên bản mới nhất rồi khôi phục lại; dữ liệu hiện tại không bị thay đổi.",
            detail=f"revision {revision} unknown to this build",
        )
    from danvan_desktop.services.maintenance.backups import BEFORE_RESTORE_REASON, _restore_keys

    safety = make_server_backup(connection_file, backup_dir, BEFORE_RESTORE_REASON)
    # --single-transaction: a failure half-way leaves the server exactly as it was.
    result = _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            str(dump),
        ],
        connection_file,
    )
    if result.returncode != 0:
        raise _failed("Khôi phục", connection_file, result)
    archive = keys_archive_for(dump)
    if archive.is_file():
        _restore_keys(archive, connection_file)
    log.info("restored the server of %s from %s (safety dump %s)", connection_file, dump, safety)
    return safety
