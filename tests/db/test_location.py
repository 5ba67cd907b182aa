"""--db and DANVAN_DATABASE_URL: a path stays a SQLite file, a PostgreSQL URL names a server, any
other URL is refused in Vietnamese and never becomes a file; passwords are never shown."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main
from danvan_desktop.db.location import (
    UnsupportedDatabaseError,
    database_label,
    is_server_file,
    read_server_file,
    resolve_database,
)
from tests.cli.conftest import close_log_handlers
from tests.databases import TestServer

SECRET = "mat-khau-bi-mat"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    finally:
        close_log_handlers()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("text", ["danvan.sqlite3", "thư mục/dữ liệu.sqlite3", r"C:\DanVan\danvan.sqlite3"])
def test_a_plain_path_stays_a_file(text: str, tmp_path: Path) -> None:
    assert resolve_database(text, tmp_path) == Path(text)


def test_a_sqlite_url_is_its_file(tmp_path: Path) -> None:
    assert resolve_database(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path) == tmp_path / "x.sqlite3"


def test_a_postgresql_url_becomes_an_owner_only_connection_file(tmp_path: Path) -> None:
    path = resolve_database(f"postgresql://can_bo:{SECRET}@may-chu.local:5433/danvan", tmp_path)
    assert is_server_file(path) and path.is_relative_to(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    url = read_server_file(path).url
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+pg8000",
        "may-chu.local",
        5433,
        "danvan",
    )
    assert url.password == SECRET
    assert SECRET not in database_label(path) and "may-chu.local:5433/danvan" in database_label(path)
    # The same server again: the same file, the keys/ beside it stay the office's.
    assert resolve_database(f"postgres://can_bo:{SECRET}@may-chu.local:5433/danvan", tmp_path) == path


def test_the_driver_may_be_named(tmp_path: Path) -> None:
    path = resolve_database(f"postgresql+pg8000://can_bo:{SECRET}@may-chu.local/danvan", tmp_path)
    assert read_server_file(path).url.drivername == "postgresql+pg8000"
    assert path == resolve_database(f"postgresql://can_bo:{SECRET}@may-chu.local/danvan", tmp_path)


def test_a_connection_file_written_for_psycopg_still_opens(tmp_path: Path) -> None:
    """Builds before pg8000 wrote postgresql+psycopg:// into the file: the same server, read as pg8000."""
    path = tmp_path / "danvan.danvan-server"
    path.write_text(json.dumps({"url": f"postgresql+psycopg://can_bo:{SECRET}@may-chu/danvan"}))
    url = read_server_file(path).url
    assert (url.drivername, url.host, url.database, url.password) == (
        "postgresql+pg8000",
        "may-chu",
        "danvan",
        SECRET,
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"mysql://root:{SECRET}@may-chu/danvan", "không dùng «mysql»"),
        (f"postgresql+asyncpg://u:{SECRET}@h/danvan", "trình kết nối «asyncpg»"),
        # psycopg's libpq did not fit the bundle: the message names the forms this build reads.
        (f"postgresql+psycopg://u:{SECRET}@h/danvan", "bỏ phần «+psycopg» (dạng postgresql://…)"),
        (f"postgresql+psycopg2://u:{SECRET}@h/danvan", "hoặc ghi «postgresql+pg8000://…»"),
        (f"postgresql://u:{SECRET}@may-chu:5432/", "thiếu tên cơ sở dữ liệu"),
        ("https://example.org/danvan", "không dùng «https»"),
        ("sqlite://", "thiếu đường dẫn tệp"),
        (f"postgresql://u:{SECRET}@h/danvan?sslmode=verify", "sslmode=verify không có"),
        (f"postgresql://u:{SECRET}@h/danvan?sslmode=verify-full", "cần tệp chứng chỉ CA"),
    ],
)
def test_other_urls_are_refused(text: str, why: str, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedDatabaseError) as refused:
        resolve_database(text, tmp_path)
    assert why in refused.value.message and SECRET not in refused.value.message
    assert refused.value.exit_code == 2


@pytest.mark.parametrize("option", [True, False])
def test_init_on_an_unsupported_url_creates_no_file(
    option: bool, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `danvan --db mysql://…/danvan init` made a SQLite file named `mysql:/…` and exited 0."""
    monkeypatch.chdir(tmp_path)
    url = f"mysql://root:{SECRET}@may-chu/danvan"
    if option:
        code, out, err = run(capsys, "--db", url, "init", "--unit", "DH-PHUCCHU")
    else:
        monkeypatch.setenv("DANVAN_DATABASE_URL", url)
        code, out, err = run(capsys, "init", "--unit", "DH-PHUCCHU")
    assert code == 2 and out == ""
    assert err.startswith("Lỗi: Không dùng được địa chỉ cơ sở dữ liệu") and "Traceback" not in err
    assert SECRET not in err
    assert [p.name for p in tmp_path.iterdir() if p.name != "userdata"] == []
    log = (tmp_path / "userdata" / "logs" / "danvan.log").read_text(encoding="utf-8")
    assert SECRET not in log


@pytest.mark.server_only
def test_init_and_info_on_a_server_never_show_the_password(
    pg: TestServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = read_server_file(pg.empty_database(tmp_path / "srv", "x")).url.database
    # A password even where the test server trusts 127.0.0.1 (CI): libpq sends it only if asked.
    url = pg.url.set(database=name, drivername="postgresql", password=pg.url.password or SECRET)
    text = url.render_as_string(hide_password=False)
    code, out, err = run(capsys, "--db", text, "init", "--unit", "DH-PHUCCHU")
    assert (code, err) == (0, ""), err
    code, out, err = run(capsys, "--db", text, "info")
    assert code == 0 and f"/{name}" in out and "Xã Phúc Chu" in out
    code, _, err = run(capsys, "--db", text, "init", "--unit", "DH-PHUCCHU")
    assert code == 2 and "đã được khai báo" in err
    password = url.password
    assert password and password not in out
    log = (tmp_path / "userdata" / "logs" / "danvan.log").read_text(encoding="utf-8")
    for shown in (out, err, log):
        assert f":{password}@" not in shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["srv", "userdata"]  # no file named after the URL
    assert os.listdir(tmp_path / "userdata" / "may-chu")
    assert json.loads(next((tmp_path / "userdata" / "may-chu").rglob("*.danvan-server")).read_text())["url"]
