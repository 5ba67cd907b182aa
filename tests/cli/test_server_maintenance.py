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
