"""`load` and `report` refuse a unit for a period outside its validity: exit 2, a clear message, no change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli.conftest import run

HEADER = "Tổ chức;Tên chi hội, chi đoàn;Số hội viên, đoàn viên;Số người thuộc đối tượng tập hợp"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet(path: Path) -> Path:
    path.write_text("\ufeff" + "\r\n".join([HEADER, "HLHPN;Chi hội Phụ nữ xã;450;600"]) + "\r\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("unit", "period", "expected"),
    [
        ("DH-PHUCCHU", "2026", "Xã Phúc Chu (DH-PHUCCHU) chỉ có hiệu lực đến 30/06/2025"),
        ("TN-DINHHOA", "2023", "Xã Định Hóa (TN-DINHHOA) chỉ có hiệu lực từ 01/07/2025"),
    ],
)
def test_load_outside_validity_stores_nothing(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], unit: str, period: str, expected: str
) -> None:
    before = sha256(demo_path)
    argv = ("--db", demo_path, "load", "--form", "to_chuc_doan_the", "--unit", unit, "--period", period)
    code, out, err = run(capsys, *argv, sheet(tmp_path / "chi-hoi.csv"))
    assert code == 2
    assert expected in err and f"«Năm {period}»" in err
    assert "Traceback" not in err and out == ""
    assert sha256(demo_path) == before


@pytest.mark.parametrize(
    ("kind", "unit", "expected"),
    [
        ("return", "DH-PHUCCHU", "Xã Phúc Chu (DH-PHUCCHU) chỉ có hiệu lực đến 30/06/2025"),
        ("summary", "DH", "Huyện Định Hóa (DH) chỉ có hiệu lực đến 30/06/2025"),
    ],
)
def test_report_outside_validity_is_refused_before_any_file(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, unit: str, expected: str
) -> None:
    out = tmp_path / "bao-cao.pdf"
    argv = ("--db", demo_path, "report", "--kind", kind, "--unit", unit, "--period", "2026", "--out", out)
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert f"{expected}, không nhận số liệu kỳ «Năm 2026»" in err
    assert not out.exists()
