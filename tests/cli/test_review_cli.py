"""`danvan review`, `danvan reply`, `danvan inbox`: the review over the command line, with roles."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import run
from tests.cli.test_package_cli import ROWS

FORM, PERIOD = "to_chuc_doan_the", "2023"


@pytest.fixture
def offices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """A commune (no accounts) and its district with a leader-administrator «binh» and a clerk «lan»."""
    commune, district = tmp_path / "pc" / "pc.sqlite3", tmp_path / "dh" / "dh.sqlite3"
    assert run(capsys, "--db", commune, "init", "--unit", "DH-PHUCCHU")[0] == 0
    assert run(capsys, "--db", district, "init", "--unit", "DH")[0] == 0
    (tmp_path / "binh.txt").write_text("mật khẩu lãnh đạo\n", encoding="utf-8")
    (tmp_path / "lan.txt").write_text("mật khẩu nhập liệu\n", encoding="utf-8")
    code, _, err = run(
        capsys, "--db", district, "users", "add", "binh", "--name", "Nguyễn Văn Bình", "--roles", "lanh_dao",
        "--new-password-file", tmp_path / "binh.txt",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "--db", district, "--user", "binh", "--password-file", tmp_path / "binh.txt",
        "users", "add", "lan", "--name", "Trần Thị Lan", "--roles", "nhap_lieu",
        "--new-password-file", tmp_path / "lan.txt",
    )  # fmt: skip
    assert code == 0, err
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    assert run(capsys, "--db", commune, "load", "--form", FORM, "--period", PERIOD, rows)[0] == 0
    return {"commune": commune, "district": district, "folder": tmp_path}


def _as(who: str, offices: dict[str, Path]) -> list[str | Path]:
    return ["--db", offices["district"], "--user", who, "--password-file", offices["folder"] / f"{who}.txt"]


def test_submit_return_with_a_field_comment_reply_and_inbox(
    offices: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    commune, folder = offices["commune"], offices["folder"]
    code, out, err = run(capsys, "--db", commune, "review", "submit", FORM, PERIOD)
    assert code == 0 and "Đã nộp" in out, err
    assert run(capsys, "--db", commune, "export", "--out", folder / "pc-1.danvan")[0] == 0
    code, _, err = run(capsys, *_as("binh", offices), "import", "--accept-new-site", folder / "pc-1.danvan")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", offices["district"], "review", "list", "--state", "da_nhan")
    assert code == 0 and "Đã nhận" in out and "DH-PHUCCHU" in out

    # A clerk may comment but not decide; the refusal names the role, and nothing changes.
    code, _, err = run(capsys, *_as("lan", offices), "review", "approve", "DH-PHUCCHU", FORM, PERIOD)
    assert code == 2 and "Lãnh đạo" in err and "Traceback" not in err
    record_id = _first_record(offices["district"])
    code, out, err = run(
        capsys, *_as("lan", offices), "review", "comment", "DH-PHUCCHU", FORM, PERIOD,
        "Số hội viên chưa khớp sổ", "--record", record_id[:8], "--field", "hoi_vien",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, *_as("binh", offices), "review", "return", "DH-PHUCCHU", FORM, PERIOD, "--comment", "Xem lại"
    )
    assert code == 0, err
    code, out, err = run(capsys, *_as("lan", offices), "reply", "--out", folder / "replies")
    assert code == 0 and "Gói phản hồi số 1 cho Xã Phúc Chu" in out, err
    [reply] = list((folder / "replies").iterdir())

    code, out, err = run(capsys, "--db", commune, "import", "--accept-new-site", reply)
    assert code == 0 and "trả lại" in out, err
    code, out, _ = run(capsys, "--db", commune, "inbox")
    assert "Số hội viên chưa khớp sổ" in out and "«Số hội viên, đoàn viên»" in out
    code, out, _ = run(capsys, "--db", commune, "review", "list")
    assert "Trả lại" in out
    code, out, _ = run(capsys, "--db", commune, "review", "comments", "--open")
    assert out.count("•") == 2


def test_bad_review_input_is_refused_in_vietnamese(
    offices: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    district = offices["district"]
    for argv in (
        ("review", "approve", "DH-PHUCCHU", "bieu_mau_la", PERIOD),
        ("review", "approve", "DH-PHUCCHU", FORM, PERIOD),  # nothing submitted yet
        ("review", "approve", "DH", FORM, PERIOD),  # the district itself is not a unit under it
        ("reply", "--out", offices["folder"] / "r", "--unit", "TN"),
    ):
        code, _, err = run(capsys, *_as("binh", offices), *argv)
        assert code == 2 and err.strip() and "Traceback" not in err, (argv, err)
    code, _, err = run(capsys, "--db", district, "review", "approve", "DH-PHUCCHU", FORM, PERIOD)
    assert code == 2 and "--user" in err


def _first_record(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT id FROM record ORDER BY id").fetchone()[0])
    finally:
        conn.close()
