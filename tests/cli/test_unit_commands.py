"""`danvan units list|add|rename|close|merge`: exit codes, Vietnamese messages, nothing stored on refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import OrgUnit
from tests.cli.conftest import run

TODAY = dt.date(2026, 12, 3)


def _today_commune(db_path: Path) -> tuple[str, str]:
    """A commune of today's province (any one) and another one beside it."""
    db = open_database(db_path)
    with db.session() as session:
        province = session.scalar(select(OrgUnit).where(OrgUnit.code == "TN"))
        assert province is not None
        codes = sorted(
            session.scalars(
                select(OrgUnit.code).where(
                    OrgUnit.parent_id == province.id,
                    OrgUnit.kind.in_(["xa", "phuong"]),
                    OrgUnit.valid_from <= TODAY,
                    OrgUnit.valid_to.is_(None),
                )
            )
        )
    db.close()
    return codes[0], codes[1]


@pytest.fixture
def office(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, str]:
    probe = tmp_path / "probe.sqlite3"
    assert run(capsys, "--db", probe, "init", "--unit", "TN")[0] == 0
    own, other = _today_commune(probe)
    path = tmp_path / "xa.sqlite3"
    assert run(capsys, "--db", path, "init", "--unit", own)[0] == 0
    return path, own, other


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(capsys: pytest.CaptureFixture[str], db: Path, *argv: str, words: str) -> None:
    before = _sha(db)
    status, out, err = run(capsys, "--db", db, "units", *argv)
    assert status == 2, (status, out, err)
    assert "Traceback" not in err and words in err, err
    assert _sha(db) == before


def test_add_list_rename_close_merge(
    office: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, own, _ = office
    status, out, _ = run(capsys, "--db", db, "units", "list")
    assert status == 0 and "chưa khai báo xóm" in out
    status, out, err = run(
        capsys, "--db", db, "units", "add", "Bản Lác", "Na\u0300 Mo\u0300n", "--from", "01/07/2025"
    )
    assert status == 0, err
    assert out.splitlines() == [
        f"Đã thêm Xóm Bản Lác (mã {own}-01).",
        f"Đã thêm Xóm Nà Mòn (mã {own}-02).",  # typed decomposed, stored NFC
    ]
    status, out, err = run(capsys, "--db", db, "units", "add", "Số 3", "--kind", "to_dan_pho")
    assert status == 0 and f"Tổ dân phố Số 3 (mã {own}-03)" in out, err
    status, out, _ = run(capsys, "--db", db, "units", "rename", f"{own}-01", "Bản Lác Trên")
    assert status == 0 and f"Xóm Bản Lác Trên (mã {own}-01 giữ nguyên)" in out
    status, out, _ = run(capsys, "--db", db, "units", "close", f"{own}-03", "--last-day", "2026-06-30")
    assert status == 0 and "hết hiệu lực sau ngày 30/06/2026" in out
    status, out, err = run(
        capsys,
        "--db",
        db,
        "units",
        "merge",
        f"{own}-01",
        f"{own}-02",
        "--on",
        "2026-01-01",
        "--name",
        "Đồng Tâm",
    )
    assert status == 0 and "Đã sáp nhập vào Xóm Đồng Tâm" in out, err
    status, out, _ = run(capsys, "--db", db, "units", "list")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 4, out
    assert any(
        "Xóm Bản Lác Trên" in line and "sáp nhập vào Xóm Đồng Tâm (từ 01/01/2026)" in line for line in lines
    )
    status, out, _ = run(capsys, "--db", db, "units", "list", "--on", "2026-12-03")
    assert status == 0 and [line.split()[0] for line in out.splitlines()] == [f"{own}-04"]
    status, out, _ = run(capsys, "--db", db, "units", "--search", "dong tam")  # the catalog search stays
    assert status == 0 and "Xóm Đồng Tâm" in out


def test_refusals_exit_2_and_store_nothing(
    office: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, own, other = office
    assert run(capsys, "--db", db, "units", "add", "Bản Lác", "--code", "XOM-BL")[0] == 0
    _refused(capsys, db, "add", "Lạ", "--parent", other, words="không thuộc")
    _refused(
        capsys, db, "add", "Lạ", "--from", "2026-05-01", "--to", "2026-01-01", words="trước ngày bắt đầu"
    )
    _refused(capsys, db, "add", "Lạ", "--from", "2020-01-01", words="phải nằm trong thời gian")
    _refused(capsys, db, "add", "Lạ", "--code", "XOM-BL", words="đã dùng")
    _refused(capsys, db, "add", "Mới", "ban lac", words="trùng thời gian")  # the whole command or nothing
    _refused(capsys, db, "add", "Lạ", "--kind", "xa", words="Loại đơn vị «xa»")
    _refused(capsys, db, "rename", own, "Tên khác", words="không phải xóm, tổ dân phố")
    _refused(capsys, db, "close", "XOM-BL", "--last-day", "2020-01-01", words="không kết thúc trước")
    _refused(capsys, db, "close", "KHONG-CO", "--last-day", "2026-01-01", words="Không có đơn vị mã")
    before = _sha(db)
    with pytest.raises(SystemExit) as stopped:  # argparse: usage and the reason, exit 2
        run(capsys, "--db", db, "units", "close", "XOM-BL", "--last-day", "31/02/2026")
    assert stopped.value.code == 2 and "ngày «31/02/2026» không hợp lệ" in capsys.readouterr().err
    assert _sha(db) == before


def test_closing_a_village_with_later_records_is_refused(
    office: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, _, _ = office
    assert run(capsys, "--db", db, "units", "add", "Bản Lác", "--code", "XOM-BL")[0] == 0
    sheet = tmp_path / "nvh.csv"
    sheet.write_text("Xóm, tổ dân phố;Tình trạng\nXóm Bản Lác;Xây mới\n", encoding="utf-8")
    status, out, err = run(capsys, "--db", db, "load", "--form", "nha_van_hoa", "--period", "2026", sheet)
    assert status == 0, out + err
    _refused(capsys, db, "close", "XOM-BL", "--last-day", "2025-12-31", words="còn 1 bản ghi")


def test_names_with_their_kind_and_a_listing_without_signing_in(
    office: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`units add "Xóm Làng Quặng" "Tổ dân phố Số 3"` reads the kinds as the paste box does (never
    "Xóm Xóm Làng Quặng"), and `units list` in an office with accounts asks for no password."""
    db, own, _ = office
    password = tmp_path / "pw"
    password.write_text("mat-khau-dai-2026", encoding="utf-8")
    added = run(
        capsys, "--db", db, "users", "add", "lan", "--name", "Nguyễn Thị Lan", "--new-password-file", password
    )
    assert added[0] == 0, added
    status, out, err = run(
        capsys, "--db", db, "--user", "lan", "--password-file", password,
        "units", "add", "Xóm Làng Quặng", "Tổ dân phố Số 3",
    )  # fmt: skip
    assert status == 0, err
    assert out.splitlines() == [
        f"Đã thêm Xóm Làng Quặng (mã {own}-01).",
        f"Đã thêm Tổ dân phố Số 3 (mã {own}-02).",
    ]
    status, out, err = run(capsys, "--db", db, "units", "list")
    assert status == 0, err
    assert "Xóm Làng Quặng" in out and "Tổ dân phố Số 3" in out
