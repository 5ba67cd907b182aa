"""Test databases: SQLite files copied from templates, or on the PostgreSQL server of a test run
fresh databases cloned from templates and dropped after use.

Set DANVAN_TEST_DATABASE_URL (a role allowed to CREATE DATABASE, e.g.
postgresql://danvan:pw@localhost:54329/postgres) and the suite's database fixtures run on that
server instead of SQLite files (.ci/run does it for its second run).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from danvan_desktop.db.location import SERVER_SUFFIX, server_url, write_server_file
from danvan_desktop.db.snapshots import KEYS_FOLDER

TEST_URL_ENV = "DANVAN_TEST_DATABASE_URL"


def configured_url() -> URL | None:
    text = os.environ.get(TEST_URL_ENV, "").strip()
    return server_url(text) if text else None


class TestServer:
    """Creates and drops databases on the test server (names unique to this pytest process)."""

    __test__ = False  # not a test class

    def __init__(self, url: URL) -> None:
        self.url = url
        # pg8000 takes no sslmode (the app turns it into an SSL context): the admin connection is plain.
        plain = url.difference_update_query(["sslmode", "sslrootcert"])
        self.admin: Engine = create_engine(plain, isolation_level="AUTOCOMMIT")
        self._numbers = itertools.count(1)
        self.prefix = f"dvt_{os.getpid()}_"

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def new_name(self) -> str:
        return f"{self.prefix}{next(self._numbers)}"

    def connection_file(self, folder: Path, stem: str, database: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        return write_server_file(folder / f"{stem}{SERVER_SUFFIX}", self.url.set(database=database))

    def empty_database(self, folder: Path, stem: str) -> Path:
        """A new empty database and its connection file `folder/stem.danvan-server`."""
        name = self.new_name()
        self._run(f'CREATE DATABASE "{name}"')
        return self.connection_file(folder, stem, name)

    def clone(self, template: Path, folder: Path, stem: str) -> Path:
        """A copy of the template database (CREATE DATABASE … TEMPLATE) with the template's keys."""
        from danvan_desktop.db.location import read_server_file

        source = read_server_file(template).url.database
        name = self.new_name()
        # FILE_COPY: for a small database a straight file copy beats WAL-logging every page.
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        keys = template.parent / KEYS_FOLDER
        if keys.is_dir():
            shutil.copytree(keys, folder / KEYS_FOLDER, dirs_exist_ok=True)
        return self.connection_file(folder, stem, name)

    def drop_all(self) -> None:
        """Every database this process made (connections of a crashed test are cut)."""
        with self.admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": self.prefix + "%"}
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self, connection_file: Path) -> None:
        from danvan_desktop.db.location import read_server_file

        name = read_server_file(connection_file).url.database
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop_all()
        self.admin.dispose()


def copy_database(template: Path, folder: Path, stem: str, server: TestServer | None) -> Iterator[Path]:
    """A copy of a template database with its signing key (kept beside it in keys/), as a fixture
    body: the server's copy is dropped when the test is done."""
    if server is not None:
        target = server.clone(template, folder, stem)
        yield target
        server.drop(target)
        return
    target = folder / f"{stem}.sqlite3"
    shutil.copyfile(template, target)
    shutil.copytree(template.parent / KEYS_FOLDER, folder / KEYS_FOLDER, dirs_exist_ok=True)
    yield target


def template_location(folder: Path, stem: str, server: TestServer | None) -> Path:
    """Where a template database is built: a file, or an empty database on the server."""
    if server is None:
        return folder / f"{stem}.sqlite3"
    return server.empty_database(folder, stem)
