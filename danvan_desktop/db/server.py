"""The shared PostgreSQL server: engine, schema version, creation and upgrade (no file copies)."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from danvan_desktop.db import migrate
from danvan_desktop.db.location import SSL_MODE, SSL_ROOT_CERT, database_label, read_server_file
from danvan_desktop.errors import (
    DatabaseExistsError,
    DatabaseLockedError,
    DatabaseNotWritableError,
    ForeignDatabaseError,
    NewerDatabaseError,
    UserError,
)

log = logging.getLogger(__name__)

# pg_advisory_xact_lock keys (any fixed 64-bit numbers): the schema upgrade, the writers.
SCHEMA_LOCK = 0x44564E31_00000001
WRITE_LOCK = 0x44564E31_00000002
# How long a save waits for another PC's import before it is told to try again.
WRITE_WAIT = "60s"
CONNECT_TIMEOUT_S = 10


class ServerUnreachableError(UserError):
    """The server does not answer, or refuses the name and password."""


def make_server_engine(path: Path) -> Engine:
    url = read_server_file(path).url
    engine = create_engine(
        url.difference_update_query([SSL_MODE, SSL_ROOT_CERT]),  # pg8000 takes an SSL context instead
        pool_pre_ping=True,  # a server restarted overnight: the window reconnects instead of failing
        connect_args={"application_name": "danvan", "ssl_context": ssl_context(url, path)},
    )
    # pg8000 runs an executemany as one statement per row (a round trip each); with this, SQLAlchemy
    # sends the rows of an INSERT as multi-row VALUES batches instead (psycopg2's dialect does it
    # by default): the merge's apply step 87 s -> 27 s for 80,000 records (bench/merge_server.py).
    engine.dialect.use_insertmanyvalues_wo_returning = True
    event.listen(engine, "do_connect", _connect_socket)
    event.listen(engine, "handle_error", _integrity_by_sqlstate)
    return engine


def _integrity_by_sqlstate(context: ExceptionContext) -> BaseException | None:
    """pg8000 raises ProgrammingError for every server error but a duplicate key: a foreign key,
    not-null or check violation (SQLSTATE class 23) becomes IntegrityError, as with other drivers."""
    wrapped = context.sqlalchemy_exception
    if not isinstance(wrapped, DBAPIError) or isinstance(wrapped, IntegrityError):
        return None
    if not sqlstate(context.original_exception).startswith("23"):
        return None
    return IntegrityError(
        wrapped.statement,
        wrapped.params,
        context.original_exception,
        hide_parameters=wrapped.hide_parameters,
        connection_invalidated=wrapped.connection_invalidated,
        ismulti=wrapped.ismulti,
    )


def ssl_context(url: URL, path: Path) -> ssl.SSLContext | bool | None:
    """What pg8000 needs for the URL's sslmode, as libpq reads it: None tries TLS without checking
    the certificate and falls back to plain (prefer, allow); False never tries (disable); a context
    insists on TLS, checked against the office's CA (verify-ca), and the server's name (verify-full)."""
    mode = url.query.get(SSL_MODE, "prefer")
    if mode in ("prefer", "allow"):
        return None
    if mode == "disable":
        return False
    context = ssl.create_default_context()
    if mode == "require":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    ca = str(url.query.get(SSL_ROOT_CERT, ""))
    try:
        context.load_verify_locations(cafile=ca)
    except (OSError, ssl.SSLError) as exc:
        raise ServerUnreachableError(
            f"Không đọc được tệp chứng chỉ CA «{ca}» của máy chủ {database_label(path)}. Hãy kiểm tra "
            "đường dẫn tệp (sslrootcert) do cán bộ kỹ thuật cung cấp; xem docs/server.md.",
            detail=repr(exc),
        ) from exc
    context.check_hostname = mode == "verify-full"
    return context


def _connect_socket(_dialect: object, _record: object, args: list[Any], params: dict[str, Any]) -> Any:
    """The connection, over a socket opened here: pg8000's `timeout` would also cut every statement
    that runs longer (a save waiting WRITE_WAIT for another PC), so only the connecting is timed."""
    import pg8000

    if "unix_sock" in params:  # ?unix_sock=/run/postgresql/.s.PGSQL.5432: a local socket, pg8000's own
        return None
    # host stays in params: pg8000 names it to TLS, whose verify-full checks it against the certificate.
    params["host"] = params.get("host") or "localhost"
    address = (params["host"], params.pop("port", None) or 5432)
    try:
        sock = socket.create_connection(address, CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise pg8000.InterfaceError(f"Can't create a connection to {address[0]}:{address[1]}: {exc}") from exc
    try:
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)  # a PC that vanished frees its locks
        return pg8000.Connection(*args, sock=sock, **params)
    except ssl.SSLError as exc:  # not a driver error: said as one, so that the clerk is told (see below)
        sock.close()
        raise pg8000.InterfaceError(f"TLS: {exc}") from exc
    except BaseException:
        sock.close()  # refused login: no socket left to the garbage collector
        raise


def lock_for_writing(conn: Connection) -> None:
    """Wait for the other PCs' writing transactions; released by this one's commit or rollback."""
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_WAIT}'")
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


# SQLSTATE codes (PostgreSQL's "Errcodes" appendix) that a clerk can act on.
_UNREACHABLE = ("08", "28", "3D000", "57P01", "57P02", "57P03")  # connection, login, no such database
_LOCKED = ("55P03", "40P01", "40001")  # lock timeout, deadlock, serialization failure
_READ_ONLY = ("42501", "25006")  # no privilege, read-only transaction


def sqlstate(error: BaseException) -> str:
    """The SQLSTATE of a server error raised by pg8000 (its first argument holds the server's
    fields, "C" the code); "" for anything else."""
    fields = error.args[0] if error.args else None
    return str(fields.get("C", "")) if isinstance(fields, dict) else ""


def translate_server_error(exc: BaseException, path: Path) -> UserError | None:
    """The user-facing form of a connection, permission or lock failure on the server."""
    import pg8000

    orig = getattr(exc, "orig", exc)
    code = sqlstate(orig)
    where = database_label(path)
    # InterfaceError: no socket (refused, timed out, no such host) or a connection that broke.
    if isinstance(orig.__cause__, ssl.SSLCertVerificationError):
        return ServerUnreachableError(
            f"Không tin được máy chủ {where}: chứng chỉ của nó không do tệp CA đã chọn chứng nhận, hoặc "
            "không mang đúng tên máy chủ đã nhập. Không gửi mật khẩu và dữ liệu tới máy này. Hãy hỏi "
            "cán bộ kỹ thuật tệp CA đúng và tên máy chủ ghi trong chứng chỉ; xem docs/server.md.",
            detail=str(orig.__cause__),
        )
    if isinstance(orig, pg8000.InterfaceError) and "refuses SSL" in str(orig):
        return ServerUnreachableError(
            f"Máy chủ {where} không bật kết nối mã hóa (TLS) mà địa chỉ yêu cầu (sslmode). Hãy nhờ cán bộ "
            "kỹ thuật bật ssl trên máy chủ; xem docs/server.md.",
            detail=str(orig),
        )
    if isinstance(orig, pg8000.InterfaceError) or code.startswith(_UNREACHABLE):
        return ServerUnreachableError(
            f"Không kết nối được máy chủ cơ sở dữ liệu {where}. Hãy kiểm tra máy chủ đã bật, địa chỉ, "
            "tên đăng nhập và mật khẩu, rồi thử lại.",
            detail=str(orig),
        )
    if code in _LOCKED:
        return DatabaseLockedError(
            f"Một máy khác đang ghi cùng dữ liệu trên máy chủ {where}. Hãy thử lại sau giây lát.",
            detail=str(orig),
        )
    if code in _READ_ONLY:
        return DatabaseNotWritableError(
            f"Tài khoản đang dùng không được ghi vào cơ sở dữ liệu trên máy chủ {where}. "
            "Hãy nhờ cán bộ quản trị máy chủ cấp quyền.",
            detail=str(orig),
        )
    return None


def server_revision(conn: Connection, path: Path) -> str | None:
    """The schema revision on the server (None for an empty database); a foreign one is refused."""

    tables = set(inspect(conn).get_table_names())
    if not tables:
        return None
    if "alembic_version" not in tables or "installation" not in tables:
        raise ForeignDatabaseError(
            f"Cơ sở dữ liệu {database_label(path)} trên máy chủ đã có bảng của chương trình khác, "
            "không phải của Dân Vận Desktop. Hãy tạo một cơ sở dữ liệu trống riêng cho Dân Vận Desktop.",
            detail=f"tables: {sorted(tables)[:10]}",
        )
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def read_server_revision(path: Path) -> str | None:
    engine = make_server_engine(path)
    try:
        with engine.connect() as conn:
            return server_revision(conn, path)
    except DBAPIError as exc:
        raise translate_server_error(exc, path) or exc from exc
    finally:
        engine.dispose()


def upgrade_server(engine: Engine, path: Path) -> None:
    """Bring the server's schema to this build's head, in one transaction (DDL is transactional
    on PostgreSQL: a failed upgrade leaves nothing behind); an advisory lock keeps two PCs from
    upgrading at once, the second finds the work done."""

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            revision = server_revision(conn, path)
            if revision == migrate.HEAD_REVISION:
                return
            if revision is None:
                raise ForeignDatabaseError(
                    f"Cơ sở dữ liệu {database_label(path)} trên máy chủ còn trống. "
                    "Hãy chạy `danvan init` để khai báo đơn vị.",
                    detail="empty database",
                )
            if not migrate.is_known_revision(revision):
                raise NewerDatabaseError(
                    f"Cơ sở dữ liệu {database_label(path)} do phiên bản Dân Vận Desktop mới hơn tạo ra. "
                    "Hãy cài phiên bản mới nhất trên máy này rồi mở lại; dữ liệu không bị thay đổi.",
                    detail=f"revision {revision} unknown to this build",
                )
            log.info("upgrading the server database from %s to %s", revision, migrate.HEAD_REVISION)
            migrate.upgrade_to_head(conn)
    except DBAPIError as exc:
        raise translate_server_error(exc, path) or exc from exc


def create_server_database(engine: Engine, path: Path, populate: Callable[[Session], None]) -> None:
    """Build the schema and the office's first rows in one transaction on an empty database."""

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            if server_revision(conn, path) is not None:
                raise DatabaseExistsError(
                    f"Cơ sở dữ liệu {database_label(path)} trên máy chủ đã được khai báo; "
                    "không ghi đè lên dữ liệu đã có. Hãy mở nó, hoặc dùng một cơ sở dữ liệu trống khác."
                )
            migrate.upgrade_to_head(conn)
            with Session(bind=conn) as session:
                populate(session)
                session.flush()
    except DBAPIError as exc:
        raise translate_server_error(exc, path) or exc from exc


def probe_server(path: Path) -> str | None:
    """Connect to the server of the connection file `path` and return what its database holds:
    None when empty (ready for `init`), else the schema revision; unreachable or foreign: UserError."""
    return read_server_revision(path)
