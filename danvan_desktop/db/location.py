"""Where the database is: a SQLite file (a plain path) or a shared PostgreSQL server (a URL).

A server is reached through a small connection file (`*.danvan-server`, owner-only, it holds the
password) in the data folder, so that everything that names "the database" by a path (the recent
list, the last-opened note, the keys/ and backups/ folders beside it) works the same for both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.atomic_files import atomic_file
from danvan_desktop.errors import UserError

if TYPE_CHECKING:  # SQLAlchemy only when a URL is read: building the CLI's parser loads no database
    from sqlalchemy.engine import URL

URL_ENV = "DANVAN_DATABASE_URL"
SERVER_SUFFIX = ".danvan-server"
SERVERS_FOLDER = "may-chu"  # in the data folder: one sub-folder (connection file, keys/) per server
# pg8000: pure Python, the same on Windows and Linux, ~0.5 MB in the bundle (psycopg's libpq, 11 MB,
# did not fit the bundle's budget). postgresql:// and postgresql+pg8000:// name it; connection files
# written by builds that used psycopg say postgresql+psycopg:// and are read as pg8000 too.
DRIVER = "postgresql+pg8000"
DRIVER_NAME = "pg8000"
SERVER_BACKENDS = ("postgresql", "postgres")
# What connection files written while the build used psycopg say: the same server, read with pg8000.
_LEGACY_DRIVER = re.compile(r"^postgresql\+psycopg://")
# TLS, named as libpq names it (an administrator's habit, and pg_dump reads the same): `?sslmode=…`
# (prefer when absent: encrypted when the server offers it, its certificate unchecked) and
# `&sslrootcert=PATH`, the office's CA file that verify-ca and verify-full check the server against.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
SSL_MODE, SSL_ROOT_CERT = "sslmode", "sslrootcert"
# "scheme://": a Windows path (C:\x, C:/x) never has two slashes right after the colon.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


class UnsupportedDatabaseError(UserError):
    """A --db value that is a URL of a kind this program cannot use."""


@dataclass(frozen=True)
class ServerConnection:
    """The server a connection file points at."""

    url: URL

    @property
    def label(self) -> str:
        """The address as people may see it: the password never appears."""
        return masked(self.url)


def looks_like_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def masked(url: URL | str) -> str:
    from sqlalchemy.engine import URL, make_url

    url = url if isinstance(url, URL) else make_url(url)
    query = {k: v for k, v in url.query.items() if k not in (SSL_MODE, SSL_ROOT_CERT)}  # noise to a clerk
    shown = URL.create(  # built anew: URL.set() cannot take the password away
        url.get_backend_name(), url.username, None, url.host, url.port, url.database, query
    )
    return shown.render_as_string(hide_password=True)


def _refuse(text: str, why: str, detail: str = "") -> UnsupportedDatabaseError:
    return UnsupportedDatabaseError(
        f"Không dùng được địa chỉ cơ sở dữ liệu «{_mask_text(text)}»: {why} "
        "Hãy ghi đường dẫn tới tệp dữ liệu, hoặc địa chỉ máy chủ dạng "
        "postgresql://tên-đăng-nhập@máy-chủ:5432/tên-cơ-sở-dữ-liệu.",
        detail=detail,
    )


def _mask_text(text: str) -> str:
    """A URL as typed, its password hidden even when SQLAlchemy cannot read the rest."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text.strip())


def server_url(text: str) -> URL:
    """The PostgreSQL URL in `text`, with this build's driver; anything else is refused."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except ArgumentError as exc:
        raise _refuse(text, "địa chỉ không đúng dạng.", detail=str(exc)) from exc
    backend = url.get_backend_name()
    driver = url.drivername.partition("+")[2]  # get_driver_name() would load the dialect
    if backend not in SERVER_BACKENDS:
        raise _refuse(
            text, f"chương trình chỉ dùng tệp SQLite hoặc máy chủ PostgreSQL, không dùng «{backend}»."
        )
    if driver and driver != DRIVER_NAME:
        raise _refuse(
            text,
            f"trình kết nối «{driver}» không có trong bản cài này; hãy bỏ phần «+{driver}» "
            f"(dạng postgresql://…) hoặc ghi «postgresql+{DRIVER_NAME}://…».",
        )
    if not url.database:
        raise _refuse(text, "thiếu tên cơ sở dữ liệu sau dấu / cuối cùng.")
    mode = url.query.get(SSL_MODE, "prefer")
    if mode not in SSL_MODES:
        raise _refuse(
            text, f"chế độ mã hóa sslmode={mode} không có; hãy dùng một trong: {', '.join(SSL_MODES)}."
        )
    if mode.startswith("verify") and not url.query.get(SSL_ROOT_CERT):
        raise _refuse(
            text,
            f"sslmode={mode} cần tệp chứng chỉ CA của máy chủ: thêm &sslrootcert=đường/dẫn/ca.crt.",
        )
    return url.set(drivername=DRIVER)


def is_server_file(path: Path) -> bool:
    return Path(path).suffix == SERVER_SUFFIX


def _slug(url: URL) -> str:
    raw = f"{url.host or 'localhost'}-{url.port or 5432}-{url.database}"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", raw)


def server_file_for(url: URL, data_dir: Path) -> Path:
    """The connection file of the server `url` in the data folder (one per host, port and database)."""
    return data_dir / SERVERS_FOLDER / _slug(url) / f"{url.database}{SERVER_SUFFIX}"


def write_server_file(path: Path, url: URL) -> Path:
    """Keep `url` in the owner-only connection file `path` (rewritten only when it changed)."""
    url = url.set(drivername=DRIVER)
    text = json.dumps({"url": url.render_as_string(hide_password=False)}, ensure_ascii=False)
    try:
        if path.read_text(encoding="utf-8").strip() == text:
            return path
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, private=True) as handle:
        handle.write((text + "\n").encode("utf-8"))
    return path


def read_server_file(path: Path) -> ServerConnection:
    """The server named by the connection file `path` (a UserError when it is missing or damaged)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return ServerConnection(server_url(_LEGACY_DRIVER.sub("postgresql://", str(data["url"]))))
    except FileNotFoundError as exc:
        raise UserError(
            f"Không có tệp kết nối máy chủ {path}. Hãy khai báo lại máy chủ dùng chung "
            "(tùy chọn --db postgresql://…).",
            detail=repr(exc),
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            f"Tệp kết nối máy chủ {path} bị hỏng. Hãy khai báo lại máy chủ dùng chung "
            "(tùy chọn --db postgresql://…).",
            detail=repr(exc),
        ) from exc


def resolve_database(text: str | Path, data_dir: Path) -> Path:
    """A --db value as the path the program works with: a file stays a file, a sqlite:/// URL
    becomes its file, a PostgreSQL URL becomes its connection file; any other URL is refused."""
    if isinstance(text, Path) or not looks_like_url(text):
        return Path(text)
    if text.strip().lower().startswith("sqlite:"):
        from sqlalchemy.engine import make_url

        database = make_url(text.strip()).database
        if not database or database == ":memory:":
            raise _refuse(text, "thiếu đường dẫn tệp (dạng sqlite:///đường/dẫn/tệp.sqlite3).")
        return Path(database)
    url = server_url(text)
    return write_server_file(server_file_for(url, data_dir), url)


def database_label(path: Path) -> str:
    """How to name the database to a person: the file, or the server's address without password."""
    if is_server_file(path):
        try:
            return read_server_file(path).label
        except UserError:
            return str(path)
    return str(path)
