"""Backups of a shared PostgreSQL server: pg_dump / pg_restore (custom format), the signing key
zipped beside each dump, as a SQLite copy keeps its own (no Qt)."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from danvan_desktop.db import migrate
from danvan_desktop.db.location import SSL_MODE, SSL_ROOT_CERT, read_server_file
from danvan_desktop.db.snapshots import keys_archive_for, zip_keys
from danvan_desktop.errors import NewerDatabaseError, NotADatabaseError, UserError

log = logging.getLogger(__name__)

DUMP_SUFFIX = ".dump"
NOTE_SUFFIX = ".info.json"  # beside a dump: the record count of its snapshot, for the list of backups
# pg_dump --verbose: "pg_dump: dumping contents of table "public.record"" as it reaches each table.
_TABLE = re.compile(r'dumping contents of table "?(?:public\.)?([^" ]+)"?')
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


def _run(
    program: str,
    args: list[str],
    connection_file: Path,
    progress: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program; the password goes through the environment, never argv.
    `progress` hears the tables named in its --verbose lines as they come."""
    url = read_server_file(connection_file).url
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "danvan"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for key, variable in ((SSL_MODE, "PGSSLMODE"), (SSL_ROOT_CERT, "PGSSLROOTCERT")):
        if url.query.get(key):  # the same TLS checks as the program's own connection
            env[variable] = str(url.query[key])
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
    command = [find_program(program), *args, *connection, "--no-password"]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        errors = []
        for line in process.stderr:  # stdout stays empty: every program here writes to a file
            match = _TABLE.search(line)
            if match is None:
                errors.append(line)
            elif progress is not None:
                progress(match.group(1))
        out = process.stdout.read()
    return subprocess.CompletedProcess(command, process.returncode, out, "".join(errors))


def _failed(what: str, connection_file: Path, result: subprocess.CompletedProcess[str]) -> UserError:
    from danvan_desktop.db.location import database_label

    return UserError(
        f"{what} cơ sở dữ liệu trên máy chủ {database_label(connection_file)} không thành công. "
        "Hãy kiểm tra máy chủ đã bật, tài khoản có quyền, rồi thử lại; dữ liệu không bị thay đổi.",
        detail=f"exit {result.returncode}: {result.stderr.strip()[-2000:]}",  # the error comes last
    )


def dump_path(connection_file: Path, backup_dir: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_dir / f"{connection_file.stem}-{stamp}-{reason}{DUMP_SUFFIX}"


def make_server_backup(
    connection_file: Path,
    backup_dir: Path,
    reason: str,
    *,
    target: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """pg_dump (custom format: compressed, restorable table by table) with the keys zipped beside it
    and the record count of the same snapshot in a small note; the name appears only once all are
    complete. `progress` hears each table pg_dump reaches (it runs for minutes on a large office)."""
    target = target or dump_path(connection_file, backup_dir, reason)
    temp = target.with_name(target.name + ".dang-ghi")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.unlink(missing_ok=True)
        with _snapshot(connection_file) as (snapshot, records, revision):
            args = ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            result = _run("pg_dump", [*args, "--verbose", "--file", str(temp)], connection_file, progress)
        if result.returncode != 0:
            raise _failed("Sao lưu", connection_file, result)
        zip_keys(connection_file, keys_archive_for(target))
        write_note(target, records, revision)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
            note_for(target).unlink(missing_ok=True)
        raise
    log.info("server backup (%s, %d records) written to %s", reason, records, target)
    return target


@contextlib.contextmanager
def _snapshot(connection_file: Path) -> Iterator[tuple[str, int, str]]:
    """A snapshot of the server exported for pg_dump (--snapshot), with the record count and schema
    revision read in it: what the list of backups shows is exactly what the dump holds."""
    from sqlalchemy.exc import DBAPIError

    from danvan_desktop.db.location import database_label
    from danvan_desktop.db.server import make_server_engine, server_revision, translate_server_error

    engine = make_server_engine(connection_file)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            revision = server_revision(conn, connection_file)  # a foreign database is refused here
            if revision is None:
                raise UserError(
                    f"Cơ sở dữ liệu {database_label(connection_file)} trên máy chủ còn trống, chưa có gì "
                    "để sao lưu. Hãy chạy `danvan init` để khai báo đơn vị."
                )
            records = int(conn.exec_driver_sql("SELECT count(*) FROM record").scalar_one())
            yield snapshot, records, revision  # the snapshot lives as long as this transaction
    except DBAPIError as exc:
        raise translate_server_error(exc, connection_file) or exc from exc
    finally:
        engine.dispose()


def note_for(dump: Path) -> Path:
    return dump.with_name(dump.name + NOTE_SUFFIX)


def write_note(dump: Path, records: int, revision: str) -> None:
    note = note_for(dump)
    note.write_text(json.dumps({"records": records, "revision": revision}) + "\n", encoding="utf-8")


def read_note_count(dump: Path) -> int | None:
    """The record count noted beside a dump (None when the note is missing or unreadable)."""
    try:
        value = json.loads(note_for(dump).read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None


def inspect_dump(dump: Path) -> tuple[int | None, str | None, bool]:
    """Record count, schema revision and whether the dump can be restored by this build."""
    try:
        revision = dump_revision(dump)
    except UserError:
        return None, None, False
    return read_note_count(dump), revision, migrate.is_known_revision(revision)


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


def restore_server_backup(dump: Path, connection_file: Path, backup_dir: Path) -> Path | None:
    """Replace the server's data with `dump` in one transaction, after a safety dump; return it
    (None for an empty database: a new server being given an office's data back)."""
    revision = dump_revision(dump)
    if not migrate.is_known_revision(revision):
        raise NewerDatabaseError(
            f"Bản sao lưu {dump.name} được tạo bởi phiên bản Dân Vận Desktop mới hơn phiên bản đang cài. "
            "Hãy cài phiên bản mới nhất rồi khôi phục lại; dữ liệu hiện tại không bị thay đổi.",
            detail=f"revision {revision} unknown to this build",
        )
    from danvan_desktop.db.server import read_server_revision
    from danvan_desktop.services.maintenance.backups import BEFORE_RESTORE_REASON, _restore_keys

    empty = read_server_revision(connection_file) is None  # a foreign database is refused here
    safety = None if empty else make_server_backup(connection_file, backup_dir, BEFORE_RESTORE_REASON)
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
