"""Shared fixtures: offscreen Qt, a redirected data folder, template databases copied per test.

With DANVAN_TEST_DATABASE_URL set (tests/databases.py) the database fixtures live on that PostgreSQL
server, and tests marked `sqlite_only` (about SQLite files themselves) are skipped, saying why.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.demo.build import build_demo
from danvan_desktop.services.office.installation import initialize_database
from tests.databases import TestServer, configured_url, copy_database, template_location

ENGINE = "postgresql" if configured_url() is not None else "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): about SQLite files; skipped on a server run")
    config.addinivalue_line("markers", "server_only: needs DANVAN_TEST_DATABASE_URL (tests/databases.py)")
    if ENGINE == "postgresql":
        # A test that leaves a Database open to the garbage collector: sqlite3 says nothing, pg8000's
        # socket warns from __del__, during whichever later test happens to run then. Same silence for both.
        config.addinivalue_line("filterwarnings", "ignore:unclosed <socket.socket:ResourceWarning")


def pytest_report_header() -> str:
    return f"database engine: {ENGINE}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if ENGINE == "postgresql":
            marker = item.get_closest_marker("sqlite_only")
            if marker is not None:
                why = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
                item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))
        elif item.get_closest_marker("server_only") is not None:
            item.add_marker(pytest.mark.skip(reason="no test server (DANVAN_TEST_DATABASE_URL)"))


@pytest.fixture(scope="session")
def test_server() -> Iterator[TestServer | None]:
    """The PostgreSQL server of this run, or None on a SQLite run."""
    url = configured_url()
    if url is None:
        yield None
        return
    server = TestServer(url)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg(test_server: TestServer | None) -> TestServer:
    """The test server, for tests marked server_only."""
    assert test_server is not None
    return test_server


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user data folder; nothing touches the real profile."""
    folder = tmp_path / "userdata"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    monkeypatch.delenv("DANVAN_DATABASE", raising=False)  # database_choice: the folder's own files count
    return folder


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, test_server: TestServer | None) -> Path:
    path = template_location(tmp_path_factory.mktemp("templates"), "demo", test_server)
    # The district's units without records: tests enter the data they check (demo records: test_demo.py).
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), records=False).close()
    return path


@pytest.fixture(scope="session")
def commune_template(tmp_path_factory: pytest.TempPathFactory, test_server: TestServer | None) -> Path:
    path = template_location(tmp_path_factory.mktemp("templates"), "phucchu", test_server)
    initialize_database(path, "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir()).close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path, test_server: TestServer | None) -> Iterator[Path]:
    yield from copy_database(demo_template, tmp_path, "demo", test_server)


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    db = open_database(demo_path)
    yield db
    db.close()


@pytest.fixture
def commune_path(commune_template: Path, tmp_path: Path, test_server: TestServer | None) -> Iterator[Path]:
    yield from copy_database(commune_template, tmp_path, "phucchu", test_server)


@pytest.fixture
def commune_db(commune_path: Path) -> Iterator[Database]:
    db = open_database(commune_path)
    yield db
    db.close()


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The computer's time zone set to the test's parameter (indirect); the old one comes back after."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
