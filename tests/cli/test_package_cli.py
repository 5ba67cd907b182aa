"""Package exchange on the command line: each bad input refused clearly, the database unchanged."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main

ROWS = (
    "Tổ chức;Tên chi hội, chi đoàn;Số hội viên, đoàn viên;Số người thuộc đối tượng tập hợp\n"
    "Hội LHPN;Chi hội Phụ nữ xã;450;600\n"
    "Đoàn TN;Chi đoàn xã;120;300\n"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def exchange(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    commune, district = tmp_path / "pc" / "pc.sqlite3", tmp_path / "dh" / "dh.sqlite3"
    assert main(["--db", str(commune), "init", "--unit", "DH-PHUCCHU"]) == 0
    assert main(["--db", str(district), "init", "--unit", "DH"]) == 0
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    assert (
        main(["--db", str(commune), "load", "--form", "to_chuc_doan_the", "--period", "2023", str(rows)]) == 0
    )
    package = tmp_path / "pc-1.danvan"
    assert main(["--db", str(commune), "export", "--out", str(package)]) == 0
    capsys.readouterr()
    return {"commune": commune, "district": district, "package": package, "folder": tmp_path}


def _import(db: Path, *args: str) -> int:
    return main(["--db", str(db), "import", *args])


def test_export_then_import_and_reimport(
    exchange: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    district, package = exchange["district"], exchange["package"]
    assert _import(district, "--accept-new-site", str(package)) == 0
    assert "2 mới" in capsys.readouterr().out
    assert _import(district, "--json", str(package)) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert report["status"] == "duplicate"


def _not_zip(data: bytes) -> bytes:
    return b"Day khong phai goi du lieu"


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_crc(data: bytes) -> bytes:
    spot = data.find(b"records.jsonl") + 40  # inside the member's compressed data
    return data[:spot] + bytes([data[spot] ^ 0xFF]) + data[spot + 1 :]


def _records_swapped(data: bytes, folder: Path) -> bytes:
    source, target = folder / "in.zip", folder / "out.zip"
    source.write_bytes(data)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        zout.writestr("manifest.json", zin.read("manifest.json"))
        zout.writestr("records.jsonl", zin.read("records.jsonl").replace(b"450", b"999"))
    return target.read_bytes()


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_not_zip, "không phải"),
        (_truncated, "cắt cụt"),
        (_bad_crc, "hỏng"),
        (_records_swapped, "bị sửa"),
    ],
)
def test_damaged_package_is_refused_and_nothing_changes(
    exchange: dict[str, Path], capsys: pytest.CaptureFixture[str], damage: Callable[..., bytes], words: str
) -> None:
    district, package = exchange["district"], exchange["package"]
    data = package.read_bytes()
    damaged = damage(data, exchange["folder"]) if damage is _records_swapped else damage(data)
    package.write_bytes(damaged)
    before = _sha(district)
    assert _import(district, "--accept-new-site", str(package)) == 2
    out, err = capsys.readouterr()
    assert "✗" in err and words in err.lower() and not out, (out, err)
    assert _sha(district) == before


def test_own_package_is_refused(exchange: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    commune = exchange["commune"]
    before = _sha(commune)
    assert _import(commune, str(exchange["package"])) == 2
    assert "chính máy này" in capsys.readouterr().err
    assert _sha(commune) == before


def test_encrypted_package_needs_the_right_passphrase(
    exchange: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, commune, district = exchange["folder"], exchange["commune"], exchange["district"]
    secret, wrong = folder / "secret.txt", folder / "wrong.txt"
    secret.write_text("Định Hóa 2023\n", encoding="utf-8")
    wrong.write_text("sai mat khau\n", encoding="utf-8")
    sealed = folder / "pc-sealed.danvan"
    assert main(["--db", str(commune), "export", "--out", str(sealed), "--passphrase-file", str(secret)]) == 0
    before = _sha(district)
    assert _import(district, "--accept-new-site", str(sealed)) == 2
    assert "mật khẩu" in capsys.readouterr().err
    assert _import(district, "--accept-new-site", "--passphrase-file", str(wrong), str(sealed)) == 2
    assert "sai mật khẩu" in capsys.readouterr().err
    assert _sha(district) == before
    assert _import(district, "--accept-new-site", "--passphrase-file", str(secret), str(sealed)) == 0


def test_units_outside_the_office_are_rejected_and_nothing_changes(
    exchange: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    other = exchange["folder"] / "bl" / "bl.sqlite3"
    assert main(["--db", str(other), "init", "--unit", "DH-BAOLINH"]) == 0
    before = _sha(other)
    assert _import(other, "--accept-new-site", str(exchange["package"])) == 1
    err = capsys.readouterr().err
    assert "ngoài phạm vi" in err and "không thay đổi" in err
    assert _sha(other) == before


def test_conflicts_listed_and_resolved(exchange: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder, commune, district = exchange["folder"], exchange["commune"], exchange["district"]
    assert _import(district, "--accept-new-site", str(exchange["package"])) == 0
    # Both offices change the same branch: the district via its own load, the commune too.
    from openpyxl import load_workbook

    for db, members in ((district, 460), (commune, 470)):
        sheet = folder / f"{members}.xlsx"
        args = ["sheet", "export", "--form", "to_chuc_doan_the", "--unit", "DH-PHUCCHU", "--period", "2023"]
        assert main(["--db", str(db), *args, "--out", str(sheet)]) == 0
        book = load_workbook(sheet)
        data = book["Dữ liệu"]
        labels = [c.value for c in data[2]]
        column = labels.index("Số hội viên, đoàn viên") + 1
        for row in range(3, data.max_row + 1):
            if data.cell(row, column).value == 450:
                data.cell(row, column).value = members
        book.save(sheet)
        load = ["load", "--form", "to_chuc_doan_the", "--unit", "DH-PHUCCHU", "--period", "2023", str(sheet)]
        assert main(["--db", str(db), *load]) == 0
    second = folder / "pc-2.danvan"
    assert main(["--db", str(commune), "export", "--since-last", "--out", str(second)]) == 0
    capsys.readouterr()
    assert _import(district, str(second)) == 1
    capsys.readouterr()
    assert main(["--db", str(district), "conflicts", "list"]) == 1
    listing = capsys.readouterr().out
    assert "đang có «460», trong gói «470»" in listing
    conflict_id = listing.split("[", 1)[1].split("]", 1)[0]
    assert main(["--db", str(district), "conflicts", "resolve", conflict_id, "--take-incoming"]) == 0
    assert main(["--db", str(district), "conflicts", "list"]) == 0
