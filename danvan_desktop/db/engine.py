"""Open, create and check the app's database: a SQLite file (WAL, foreign keys) or a shared server."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from danvan_desktop.db import migrate, server, snapshots
from danvan_desktop.db.location import database_label, is_server_file
from danvan_desktop.errors import (
    DatabaseExistsError,
    DatabaseLockedError,
    DatabaseMissingError,
    DatabaseNotWritableError,
    DiskFullError,
    ForeignDatabaseError,
    NewerDatabaseError,
    NotADatabaseError,
    UpgradeFailedError,
    UserError,
)

log = logging.getLogger(__name__)

# Written into the SQLite header so that we recognise our own files ("DVN1").
APPLICATION_ID = 0x44564E31


@dataclass
class Database:
    """An open database: its file (or server connection file), engine and session factory."""

    path: Path
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def sign_in(self, actor: object) -> None:
        """Sessions opened from now on carry the signed-in account in `session.info["actor"]`
        (services.office.accounts.current_actor reads it; this layer knows nothing of accounts)."""
        self._sessions.configure(info={"actor": actor})

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success, rolled back (and translated) on failure.

        On a server, one writing transaction at a time (what SQLite's file lock gives): reads stay
        concurrent, and everything read after the lock sees every write committed before it.
        """
        with guard_writes(self.path), self._sessions.begin() as session:
            if self.is_server:
                server.lock_for_writing(session.connection())
            yield session

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_server(self) -> bool:
        return is_server_file(self.path)

    @property
    def label(self) -> str:
        """The file, or the server's address without its password: what people may be shown."""
        return database_label(self.path)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # 64 MiB of pages (SQLite's default is 2 MiB), taken only as pages are read: a package merged into
    # a district's hundreds of thousands of records touches thousands of index pages keyed by random
    # UUIDs, which a small cache reads again and again from the file (bench/merge.py).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _make_engine(path: Path) -> Engine:
    if is_server_file(path):
        return server.make_server_engine(path)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    return engine


@contextlib.contextmanager
def guard_writes(path: Path) -> Iterator[None]:
    """Turn low-level disk and permission failures into messages a clerk can act on."""
    try:
        yield
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        if is_server_file(path) and isinstance(exc, DBAPIError):
            user_error = server.translate_server_error(exc, path)
        else:
            user_error = translate_error(exc, path)
        if user_error is None:
            raise  # not the user's doing (a constraint, a bug): keep the original for the log
        raise user_error from exc


_NOT_WRITABLE_HINTS = ("readonly", "read-only", "unable to open", "permission", "access")


def translate_error(exc: BaseException, path: Path) -> UserError | None:
    """The user-facing form of a disk, lock or permission failure; None for anything else."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in text or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        return DiskFullError(
            f"Ổ đĩa chứa {path.parent} đã đầy, không ghi được dữ liệu. "
            "Hãy giải phóng dung lượng rồi thử lại; dữ liệu đã lưu trước đó không bị ảnh hưởng.",
            detail=str(exc),
        )
    if "not a database" in text or "malformed" in text:
        return NotADatabaseError(
            f"Tệp {path} không phải là cơ sở dữ liệu hợp lệ hoặc đã bị hỏng.", detail=str(exc)
        )
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"Cơ sở dữ liệu {path} đang được một chương trình khác sử dụng. "
            "Hãy đóng cửa sổ Dân Vận Desktop khác (nếu có) rồi thử lại.",
            detail=str(exc),
        )
    if isinstance(exc, OSError) or any(hint in text for hint in _NOT_WRITABLE_HINTS):
        return DatabaseNotWritableError(
            f"Không ghi được vào {path}. Hãy kiểm tra quyền ghi của thư mục hoặc chọn nơi lưu khác.",
            detail=str(exc),
        )
    return None


def read_revision(path: Path) -> str | None:
    """Check that `path` is our database and return its schema revision (None if empty)."""
    if is_server_file(path):
        return server.read_server_revision(path)
    try:
        conn = snapshots.read_only(path)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) or NotADatabaseError(
            f"Không mở được tệp {path}.", detail=str(exc)
        ) from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id != APPLICATION_ID:
            if not tables:
                return None  # an empty SQLite file: safe to initialise
            raise ForeignDatabaseError(
                f"Tệp {path} là cơ sở dữ liệu của chương trình khác, không phải của Dân Vận Desktop. "
                "Hãy chọn đúng tệp dữ liệu.",
                detail=f"application_id={app_id:#x}",
            )
        if "alembic_version" not in tables:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError as exc:
        raise NotADatabaseError(
            f"Tệp {path} không phải là cơ sở dữ liệu của Dân Vận Desktop (hoặc đã bị hỏng).",
            detail=str(exc),
        ) from exc
    finally:
        conn.close()


def open_database(path: Path, *, backup_dir: Path | None = None) -> Database:
    """Open an existing database; an older schema is backed up, upgraded and checked (or put back)."""
    path = Path(path)
    if is_server_file(path):
        return _open_server(path)
    if not path.is_file():
        raise DatabaseMissingError(
            f"Không có tệp cơ sở dữ liệu {path}. Hãy chạy `danvan init` hoặc mở chương trình "
            "để khai báo đơn vị lần đầu."
        )
    revision = read_revision(path)
    backup = None
    if revision != migrate.HEAD_REVISION:
        if revision is not None and not migrate.is_known_revision(revision):
            raise NewerDatabaseError(
                f"Tệp {path} được tạo bởi phiên bản Dân Vận Desktop mới hơn phiên bản đang cài. "
                "Hãy cài phiên bản mới nhất rồi mở lại; tệp không bị thay đổi.",
                detail=f"revision {revision} unknown to this build",
            )
        if revision is None:
            raise ForeignDatabaseError(
                f"Tệp {path} chưa được khởi tạo bởi Dân Vận Desktop. Hãy chạy `danvan init`.",
                detail="no schema revision",
            )
        backup = _backup_before_upgrade(path, revision, backup_dir or path.parent / "backups")
    db = Database(path, _make_engine(path))
    try:
        with guard_writes(path), db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            if backup is not None:
                log.info("upgrading %s from %s to %s", path, revision, migrate.HEAD_REVISION)
                migrate.upgrade_to_head(conn)
        if backup is not None:
            problems = upgrade_problems(db.engine)
            if problems:
                raise _CheckFailedError("; ".join(problems[:10]))
    except BaseException as exc:
        db.close()  # the file may be replaced below: no connection of ours may stay open on it
        if backup is None:
            raise
        failure = _undo_upgrade(path, backup, str(revision), exc)
        if not isinstance(exc, Exception):
            raise  # Ctrl-C still stops the program, with the file already put back
        raise failure from exc
    return db


def _open_server(path: Path) -> Database:
    db = Database(path, _make_engine(path))
    try:
        server.upgrade_server(db.engine, path)
    except BaseException:
        db.close()
        raise
    return db


class _CheckFailedError(Exception):
    """The upgraded file did not pass its checks (internal: turned into UpgradeFailedError)."""


def upgrade_problems(engine: Engine) -> list[str]:
    """What quick_check, foreign_key_check and the schema version find wrong after an upgrade."""
    with engine.connect() as conn:
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check")]
        problems = [] if rows == ["ok"] else rows
        problems += [
            f"foreign key: {table} row {rowid} refers to a missing {parent}"
            for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check")
        ]
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if version != migrate.HEAD_REVISION:
        problems.append(f"schema revision {version} after upgrade, expected {migrate.HEAD_REVISION}")
    return problems


def _undo_upgrade(path: Path, backup: Path, revision: str, exc: BaseException) -> UpgradeFailedError:
    """Put the pre-upgrade copy back over `path` and say so; the engine must already be disposed.

    A migration runs in one transaction, but SQLite commits some DDL and PRAGMAs on its own, so a
    failure can leave a half-upgraded file: only the copy made just before is a safe state.
    """
    detail = f"upgrade of {path} from {revision} to {migrate.HEAD_REVISION} failed: {exc!r}"
    if isinstance(exc, (UserError, _CheckFailedError)):
        log.warning("%s; putting back %s", detail, backup)
    else:  # a bug in a migration: the traceback is what support needs from the log
        log.error("%s; putting back %s", detail, backup, exc_info=exc)
    if isinstance(exc, UserError):
        cause = f"Nguyên nhân: {exc.message}"
    elif isinstance(exc, _CheckFailedError):
        cause = "Kiểm tra tệp sau khi nâng cấp phát hiện lỗi."
    else:
        cause = "Chương trình gặp lỗi trong lúc nâng cấp."
    try:
        snapshots.put_back(backup, path)
    except Exception as restore_exc:
        log.exception("could not put %s back over %s", backup, path)
        return UpgradeFailedError(
            f"Không nâng cấp được cơ sở dữ liệu {path} lên phiên bản mới và không tự đưa được tệp về "
            f"như trước. {cause} Đừng nhập số liệu vào tệp này. Bản sao lưu trước khi nâng cấp vẫn còn "
            f"nguyên tại: {backup} — hãy khôi phục bằng lệnh: "
            f'danvan --db "{path}" restore "{backup}", hoặc liên hệ cán bộ kỹ thuật.',
            backup,
            detail=f"{detail}; putting back failed: {restore_exc!r}",
        )
    log.info("put %s back from %s after the failed upgrade", path, backup)
    return UpgradeFailedError(
        f"Không nâng cấp được cơ sở dữ liệu {path} lên phiên bản mới của Dân Vận Desktop. {cause} "
        "Tệp dữ liệu đã được đưa về nguyên trạng như trước khi nâng cấp, không mất số liệu nào. "
        f"Bản sao lưu trước khi nâng cấp nằm tại: {backup}. "
        "Hãy báo cho cán bộ kỹ thuật, gửi kèm tệp nhật ký.",
        backup,
        detail=f"{detail}; restored from {backup}",
    )


def _backup_before_upgrade(path: Path, revision: str, backup_dir: Path) -> Path:
    """A copy with its keys, named like every other backup so that the Backups list shows it."""
    reason = f"{snapshots.BEFORE_UPGRADE_REASON}-{revision}"
    target = snapshots.backup_path(path, backup_dir, reason)
    with guard_writes(target):
        snapshots.write_copy(path, target)
    log.info("backup before upgrade written to %s", target)
    return target


def create_database(path: Path, populate: Callable[[Session], None]) -> Database:
    """Create a new database atomically: built in a temporary file, renamed when complete."""
    path = Path(path)
    if is_server_file(path):
        engine = _make_engine(path)
        try:
            server.create_server_database(engine, path, populate)
        finally:
            engine.dispose()
        return open_database(path)
    if path.exists() and path.stat().st_size > 0:
        raise DatabaseExistsError(
            f"Đã có tệp cơ sở dữ liệu {path}; không ghi đè lên dữ liệu đã có. "
            "Hãy chọn tệp khác (tùy chọn --db) hoặc chuyển tệp cũ đi nơi khác."
        )
    temp = path.with_name(path.name + ".dang-tao")
    try:
        with guard_writes(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(path.parent, os.W_OK):
                raise PermissionError(errno.EACCES, "folder not writable", str(path.parent))
            temp.unlink(missing_ok=True)
            engine = _make_engine(temp)
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                    migrate.upgrade_to_head(conn)
                    with Session(bind=conn) as session:
                        populate(session)
                        session.flush()
            finally:
                engine.dispose()
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    return open_database(path)
