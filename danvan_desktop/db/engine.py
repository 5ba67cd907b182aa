"""Open, create and check the app's SQLite database (WAL, foreign keys, schema version)."""

from __future__ import annotations

import contextlib
import datetime as dt
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

from danvan_desktop.db import migrate
from danvan_desktop.errors import (
    DatabaseExistsError,
    DatabaseLockedError,
    DatabaseMissingError,
    DatabaseNotWritableError,
    DiskFullError,
    ForeignDatabaseError,
    NewerDatabaseError,
    NotADatabaseError,
    UserError,
)

log = logging.getLogger(__name__)

# Written into the SQLite header so that we recognise our own files ("DVN1").
APPLICATION_ID = 0x44564E31


@dataclass
class Database:
    """An open database: its file, engine and session factory."""

    path: Path
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success, rolled back (and translated) on failure."""
        with guard_writes(self.path), self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    return engine


@contextlib.contextmanager
def guard_writes(path: Path) -> Iterator[None]:
    """Turn low-level disk and permission failures into messages a clerk can act on."""
    try:
        yield
    except (DBAPIError, sqlite3.Error, OSError) as exc:
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
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
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
    """Open an existing database, upgrading an older schema after a backup copy."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseMissingError(
            f"Không có tệp cơ sở dữ liệu {path}. Hãy chạy `danvan init` hoặc mở chương trình "
            "để khai báo đơn vị lần đầu."
        )
    revision = read_revision(path)
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
        _backup_before_upgrade(path, revision, backup_dir or path.parent / "backups")
    db = Database(path, _make_engine(path))
    with guard_writes(path), db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        if revision != migrate.HEAD_REVISION:
            log.info("upgrading %s from %s to %s", path, revision, migrate.HEAD_REVISION)
            migrate.upgrade_to_head(conn)
    return db


def _backup_before_upgrade(path: Path, revision: str, backup_dir: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{path.stem}-truoc-nang-cap-{revision}-{stamp}.sqlite3"
    with guard_writes(target):
        backup_dir.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(path)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # SQLite's online backup API: consistent even in WAL mode
        finally:
            dest.close()
            source.close()
    log.info("backup before upgrade written to %s", target)
    return target


def create_database(path: Path, populate: Callable[[Session], None]) -> Database:
    """Create a new database atomically: built in a temporary file, renamed when complete."""
    path = Path(path)
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
