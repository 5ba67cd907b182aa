"""`danvan backup` / `restore` / `check` on a shared PostgreSQL server: pg_dump and pg_restore
(custom format) with the signing key beside the dump, the same messages and exit codes as a file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.cli.conftest import run
from tests.databases import TestServer
from tests.exchange.conftest import BRANCH

pytestmark = pytest.mark.server_only


def _records(path: Path) -> int:
    db = open_database(path)
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Record)) or 0)
    finally:
        db.close()


def _add(path: Path, members: int) -> None:
    db = open_database(path)
    try:
        with db.transaction() as session:
            save_entry(
                session,
                get_form("to_chuc_doan_the"),
                find_unit(session, "DH-PHUCCHU").id,
                get_period(session, "2023").id,
                {**BRANCH, "hoi_vien": members},
                writer=Writer(load_installation(session).site_id, "Lan"),
            )
    finally:
        db.close()


def test_backup_restore_and_check_on_the_server(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(commune_path, 450)
    dump = tmp_path / "ban-sao.dump"
    code, out, err = run(capsys, "--db", commune_path, "backup", "--out", dump)
    assert (code, err) == (0, ""), err
    assert out.startswith("Đã sao lưu postgresql://") and str(dump) in out
    assert dump.is_file() and dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    with zipfile.ZipFile(dump.with_name(dump.name + ".keys.zip")) as keys:
        assert [n for n in keys.namelist() if n.endswith(".pem")]

    _add(commune_path, 451)
    assert _records(commune_path) == 2
    code, out, err = run(capsys, "--db", commune_path, "check")
    assert code == 0 and "không phát hiện vấn đề nào" in out

    code, out, err = run(capsys, "--db", commune_path, "restore", dump)
    assert (code, err) == (0, ""), err
    assert "Đã khôi phục postgresql://" in out and "Dữ liệu trước khi khôi phục được giữ lại tại" in out
    assert _records(commune_path) == 1
    safety = Path(out.rsplit("giữ lại tại ", 1)[1].strip())
    assert safety.is_file() and safety.suffix == ".dump"


def test_restoring_what_is_not_a_dump_is_refused_and_nothing_changes(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(commune_path, 450)
    bogus = tmp_path / "khong-phai.dump"
    bogus.write_bytes(b"PGDMP but not really")
    code, out, err = run(capsys, "--db", commune_path, "restore", bogus)
    assert code == 2 and out == ""
    assert "không phải bản sao lưu máy chủ của Dân Vận Desktop" in err and "Traceback" not in err
    assert _records(commune_path) == 1


def test_check_on_the_server_finds_a_broken_history(
    commune_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(commune_path, 450)
    db = open_database(commune_path)
    with db.transaction() as session:
        session.execute(delete(RecordHistory))
    db.close()
    code, _, err = run(capsys, "--db", commune_path, "check")
    assert code == 2
    assert "phát hiện 1 vấn đề" in err and "không có dòng lịch sử nào" in err


def test_backups_lists_the_servers_dumps_and_restores_from_the_list(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`danvan backups` shows a server's dumps as it shows a file's copies: date, reason, records;
    the file it names restores; a SQLite copy in the same folder is not offered for a server."""
    from danvan_desktop import paths

    _add(commune_path, 450)
    code, out, err = run(capsys, "--db", commune_path, "backup")
    assert (code, err) == (0, ""), err
    (tmp_path / "userdata").mkdir(exist_ok=True)
    sqlite_copy = paths.user_paths().backup_dir / "danvan-20261201-080000-000000-thu-cong.sqlite3"
    sqlite_copy.write_bytes(b"")
    _add(commune_path, 451)
    code, out, err = run(capsys, "--db", commune_path, "backups")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0].startswith("Các bản sao lưu trong") and len(lines) == 2, out
    assert "thu-cong" in lines[1] and "1 bản ghi" in lines[1] and lines[1].endswith(".dump"), out
    assert "HỎNG" not in out and sqlite_copy.name not in out
    dump = paths.user_paths().backup_dir / lines[1].split()[-1]

    code, out, err = run(capsys, "--db", commune_path, "restore", dump)
    assert (code, err) == (0, ""), err
    assert _records(commune_path) == 1
    code, out, err = run(capsys, "--db", commune_path, "backups")
    assert "truoc-khoi-phuc" in out and "2 bản ghi" in out  # the safety dump, listed with its count


def test_a_file_copy_is_refused_by_a_server_and_a_dump_by_a_file(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from danvan_desktop.services.maintenance.backups import make_backup

    _add(commune_path, 450)
    dump = make_backup(commune_path, tmp_path / "bk", "thu-cong")
    copy = tmp_path / "bk" / "danvan-20261201-080000-000000-thu-cong.sqlite3"
    copy.write_bytes(b"SQLite format 3\x00")
    code, out, err = run(capsys, "--db", commune_path, "restore", copy)
    assert code == 2 and out == "" and "Traceback" not in err
    assert "không khôi phục được vào máy chủ dùng chung" in err
    assert _records(commune_path) == 1
    sqlite_db = tmp_path / "mot-tep.sqlite3"
    sqlite_db.write_bytes(b"")
    code, out, err = run(capsys, "--db", sqlite_db, "restore", dump)
    assert code == 2 and out == "" and "không khôi phục được vào tệp dữ liệu trên máy tính" in err
    assert sqlite_db.read_bytes() == b""


def test_an_empty_server_is_given_an_offices_data_back(
    commune_path: Path, tmp_path: Path, pg: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new server after a disaster: the dump restores into its empty database (nothing to keep)."""
    _add(commune_path, 450)
    dump = tmp_path / "ban-sao.dump"
    assert run(capsys, "--db", commune_path, "backup", "--out", dump)[0] == 0
    fresh = pg.empty_database(tmp_path / "moi", "danvan")
    code, out, err = run(capsys, "--db", fresh, "restore", dump)
    assert (code, err) == (0, ""), err
    assert "Đã khôi phục postgresql://" in out and "giữ lại tại" not in out
    assert _records(fresh) == 1
    assert [p.name for p in (fresh.parent / "keys").iterdir() if p.suffix == ".pem"]  # the key came back


def test_backing_up_an_empty_server_is_refused_and_said(
    tmp_path: Path, pg: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = pg.empty_database(tmp_path / "trong", "danvan")
    code, out, err = run(capsys, "--db", empty, "backup", "--out", tmp_path / "x.dump")
    assert code == 2 and out == "" and "Traceback" not in err
    assert "còn trống" in err and "danvan init" in err
    from danvan_desktop.errors import UserError
    from danvan_desktop.services.maintenance.backups import make_backup

    with pytest.raises(UserError) as told:  # the window's «Sao lưu ngay» reaches the service itself
        make_backup(empty, tmp_path / "bk", "thu-cong")
    assert "còn trống, chưa có gì để sao lưu" in told.value.message
    assert not list(tmp_path.glob("x.dump*")) and not list((tmp_path / "bk").glob("*"))
