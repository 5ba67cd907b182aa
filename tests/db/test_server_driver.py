"""The PostgreSQL driver (pg8000) as the program uses it: what a clerk is told when the server cannot
be reached or refuses, integrity errors by their SQLSTATE, and a statement longer than the connect
timeout left to run."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from danvan_desktop.db import server
from danvan_desktop.db.engine import read_revision
from danvan_desktop.db.location import read_server_file, write_server_file
from tests.databases import TestServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _connection_file(tmp_path: Path, url: str) -> Path:
    from danvan_desktop.db.location import server_url

    return write_server_file(tmp_path / "x.danvan-server", server_url(url))


def test_a_server_that_refuses_the_connection_is_said(tmp_path: Path) -> None:
    path = _connection_file(tmp_path, f"postgresql://can_bo:bi-mat@127.0.0.1:{_free_port()}/danvan")
    with pytest.raises(server.ServerUnreachableError) as told:
        read_revision(path)
    assert "Không kết nối được máy chủ cơ sở dữ liệu" in told.value.message
    assert "bi-mat" not in told.value.message


@pytest.mark.server_only
@pytest.mark.parametrize(
    "change", [{"database": "khong_co_csdl_nay"}, {"username": "khong_co_ai"}], ids=["database", "role"]
)
def test_an_unknown_database_or_login_is_said(pg: TestServer, tmp_path: Path, change: dict[str, str]) -> None:
    path = write_server_file(tmp_path / "x.danvan-server", pg.url.set(**change))
    with pytest.raises(server.ServerUnreachableError) as told:
        read_revision(path)
    assert "kiểm tra máy chủ đã bật, địa chỉ, tên đăng nhập và mật khẩu" in told.value.message


@pytest.mark.server_only
def test_a_foreign_key_violation_is_an_integrity_error(pg: TestServer, tmp_path: Path) -> None:
    """pg8000 itself calls it ProgrammingError; callers catch IntegrityError, as with any driver."""
    engine = server.make_server_engine(pg.empty_database(tmp_path, "fk"))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE parent (id integer PRIMARY KEY)")
            conn.exec_driver_sql("CREATE TABLE child (parent_id integer NOT NULL REFERENCES parent (id))")
        for sql in ("INSERT INTO child VALUES (7)", "INSERT INTO child VALUES (NULL)"):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.mark.server_only
def test_only_connecting_is_timed(pg: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save may wait for another PC's import far longer than connecting may take."""
    monkeypatch.setattr(server, "CONNECT_TIMEOUT_S", 0.5)
    engine = server.make_server_engine(pg.empty_database(tmp_path, "slow"))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_sleep(1.5), 'xong'")).one()[1] == "xong"
    finally:
        engine.dispose()
    assert read_server_file(tmp_path / "slow.danvan-server").url.drivername == "postgresql+pg8000"


@pytest.mark.server_only
def test_a_local_unix_socket_may_be_named(pg: TestServer, tmp_path: Path) -> None:
    with pg.admin.connect() as conn:
        folder = str(conn.exec_driver_sql("SHOW unix_socket_directories").scalar()).split(",")[0].strip()
        port = conn.exec_driver_sql("SHOW port").scalar()
    empty = read_server_file(pg.empty_database(tmp_path, "tcp")).url.database
    url = pg.url.set(host=None, port=None, database=empty, query={"unix_sock": f"{folder}/.s.PGSQL.{port}"})
    path = write_server_file(tmp_path / "x.danvan-server", url)
    assert read_revision(path) is None  # reached, and empty
