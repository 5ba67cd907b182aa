"""`danvan records delete/restore`, and a deletion against an edit decided on the command line."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from danvan_desktop.db.engine import open_database
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.cli.conftest import run
from tests.cli.test_maintenance_cli import held_by_another_process, office  # noqa: F401  (fixtures)
from tests.cli.test_package_cli import exchange  # noqa: F401  (a fixture: two offices and a package)

FORM = ["--form", "to_chuc_doan_the", "--unit", "DH-PHUCCHU", "--period", "2023"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record_ids(capsys: pytest.CaptureFixture[str], db: Path, folder: Path) -> dict[str, str]:
    """Branch name -> record id, read from the spreadsheet export as a clerk would."""
    sheet = folder / f"{db.stem}-ma.xlsx"
    assert run(capsys, "--db", db, "sheet", "export", *FORM, "--out", sheet)[0] == 0
    data = load_workbook(sheet)["Dữ liệu"]
    labels = [c.value for c in data[2]]
    name = labels.index("Tên chi hội, chi đoàn")
    return {str(row[name]): str(row[0]) for row in data.iter_rows(min_row=3, values_only=True) if row[0]}


def _history(db: Path, record_id: str) -> list[tuple[str, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT change, deleted FROM record_history WHERE record_id = ? ORDER BY id", (record_id,)
        ).fetchall()
    finally:
        conn.close()


def _edit_members(capsys: pytest.CaptureFixture[str], db: Path, folder: Path, members: int) -> None:
    sheet = folder / f"{db.stem}-{members}.xlsx"
    assert run(capsys, "--db", db, "sheet", "export", *FORM, "--out", sheet)[0] == 0
    book = load_workbook(sheet)
    data = book["Dữ liệu"]
    column = [c.value for c in data[2]].index("Số hội viên, đoàn viên") + 1
    for row in range(3, data.max_row + 1):
        if data.cell(row, column).value == 450:
            data.cell(row, column).value = members
    book.save(sheet)
    assert run(capsys, "--db", db, "load", *FORM, sheet)[0] == 0


def test_delete_and_restore_write_history(
    exchange: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    commune = exchange["commune"]
    record_id = _record_ids(capsys, commune, exchange["folder"])["Chi hội Phụ nữ xã"]
    code, out, err = run(capsys, "--db", commune, "records", "delete", record_id[:8])
    assert code == 0 and err == ""
    assert f"Đã xóa bản ghi {record_id} (" in out and "Phúc Chu" in out
    assert "Chi hội Phụ nữ xã" not in _record_ids(capsys, commune, exchange["folder"])
    code, out, _ = run(capsys, "--db", commune, "records", "delete", record_id)
    assert code == 0 and "không thay đổi gì" in out
    assert run(capsys, "--db", commune, "records", "restore", record_id)[0] == 0
    assert _history(commune, record_id) == [("create", 0), ("delete", 1), ("restore", 0)]
    assert run(capsys, "--db", commune, "check")[0] == 0


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("abc", "không hợp lệ"),
        ("0000000000", "Không tìm thấy bản ghi"),
        ("%%%%%%%%", "không hợp lệ"),
    ],
)
def test_bad_record_id_is_refused(
    exchange: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    given: str,
    words: str,
) -> None:
    commune = exchange["commune"]
    before = _sha(commune)
    code, out, err = run(capsys, "--db", commune, "records", "delete", given)
    assert code == 2 and out == "" and err.startswith("Lỗi: ") and words in err
    assert _sha(commune) == before


def test_delete_in_a_locked_period_is_refused(
    exchange: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    commune = exchange["commune"]
    record_id = _record_ids(capsys, commune, exchange["folder"])["Chi hội Phụ nữ xã"]
    db = open_database(commune)
    with db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        lock_period(session, unit.id, period.id, user="Nguyễn Thị Lan")
    db.close()
    before = _sha(commune)
    code, out, err = run(capsys, "--db", commune, "records", "delete", record_id)
    assert code == 2 and out == ""
    assert "đã được chốt gửi" in err and "Traceback" not in err
    assert _sha(commune) == before


def test_deletion_against_an_edit_listed_and_resolved(
    exchange: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, commune, district = exchange["folder"], exchange["commune"], exchange["district"]
    assert run(capsys, "--db", district, "import", "--accept-new-site", exchange["package"])[0] == 0
    record_id = _record_ids(capsys, commune, folder)["Chi hội Phụ nữ xã"]
    # The district corrects the branch while the commune deletes it.
    _edit_members(capsys, district, folder, 460)
    assert run(capsys, "--db", commune, "records", "delete", record_id)[0] == 0
    second = folder / "pc-2.danvan"
    assert run(capsys, "--db", commune, "export", "--since-last", "--out", second)[0] == 0
    assert run(capsys, "--db", district, "import", second)[0] == 1
    code, listing, _ = run(capsys, "--db", district, "conflicts", "list")
    assert code == 1
    assert "Trạng thái: đang có «đang dùng», trong gói «đã xóa»" in listing
    assert "đang có «460», trong gói «450»" in listing
    conflict_id = listing.split("[", 1)[1].split("]", 1)[0]
    code, out, _ = run(capsys, "--db", district, "conflicts", "resolve", conflict_id, "--take-incoming")
    assert code == 0 and f"Đã giải quyết xung đột số {conflict_id}." in out
    assert "Chi hội Phụ nữ xã" not in _record_ids(capsys, district, folder)
    assert run(capsys, "--db", district, "conflicts", "list")[0] == 0
    assert run(capsys, "--db", district, "check")[0] == 0


@pytest.mark.sqlite_only(
    reason="the window's file lock; a server's writers take turns (test_server_concurrency.py)"
)
def test_delete_waits_for_no_one_while_the_window_holds_the_database(
    held_by_another_process: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    held = held_by_another_process
    conn = sqlite3.connect(held)
    [(record_id,)] = conn.execute("SELECT id FROM record").fetchall()
    conn.close()
    before = _sha(held)
    code, out, err = run(capsys, "--db", held, "records", "delete", record_id)
    assert code == 2 and out == "" and "đang được mở" in err
    assert _sha(held) == before
