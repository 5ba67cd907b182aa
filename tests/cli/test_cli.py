"""The batch commands, run in-process through cli.main (plus one real subprocess for --version)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop import APP_TITLE, __version__, paths
from danvan_desktop.catalog.loader import load_catalog_file
from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.location import database_label
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import OrgUnit
from tests.cli.conftest import run

COMMANDS = ("gui", "init", "demo", "units", "catalog", "info")

VILLAGES = """catalog_version: 1
title: "Xóm của xã Phúc Chu"
units:
  - {code: PC-01, name: "Đồng Hoàng", kind: xom, parent: DH-PHUCCHU,
     valid_from: 2020-01-01, valid_to: 2025-06-30}
  - {code: PC-02, name: "Khuôn Tát", kind: xom, parent: DH-PHUCCHU,
     valid_from: 2020-01-01, valid_to: 2025-06-30}
"""


HEADER = "catalog_version: 1\ntitle: x\nunits:\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert f"\n    {command} " in out, command
    assert "--db" in out
    assert paths.DATA_DIR_ENV in out


@pytest.mark.parametrize("command", ["init", "units", "catalog", "info", "demo"])
def test_each_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert f"danvan {command}" in capsys.readouterr().out


def test_version_in_a_subprocess(tmp_path: Path) -> None:
    env = dict(os.environ, **{paths.DATA_DIR_ENV: str(tmp_path / "userdata")})
    result = subprocess.run(
        [sys.executable, "-m", "danvan_desktop", "--version"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP_TITLE} {__version__}"


def test_building_the_command_line_loads_no_database_or_gui_library() -> None:
    # Every start, the window's included, parses arguments first: SQLAlchemy, pydantic and Qt load
    # only when a command needs them, so the window can appear before the database layer exists.
    probe = (
        "import sys\n"
        "from danvan_desktop.cli.main import build_parser\n"
        "build_parser()\n"
        "heavy = {'sqlalchemy', 'pydantic', 'PySide6', 'alembic'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_init_creates_the_database(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "init", "--unit", "dh-phucchu")
    assert code == 0, err
    database = data_dir / paths.DATABASE_FILE_NAME
    assert database.is_file()
    assert f"Đã tạo cơ sở dữ liệu {database}" in out
    assert "Xã Phúc Chu (DH-PHUCCHU), vai trò: đơn vị báo cáo" in out
    assert (data_dir / "logs" / "danvan.log").is_file()


def test_init_with_role_and_db_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "xa" / "dinh-hoa.sqlite3"
    code, out, _ = run(capsys, "--db", target, "init", "--unit", "TN-DINHHOA", "--role", "aggregating")
    assert code == 0
    assert target.is_file()
    assert "Xã Định Hóa (TN-DINHHOA), vai trò: đơn vị tổng hợp" in out


def test_init_unknown_unit_names_the_nearest_match(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, "init", "--unit", "phucchu")
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: Không tìm thấy đơn vị có mã «phucchu»")
    assert "DH-PHUCCHU (Xã Phúc Chu)" in err
    assert not (data_dir / paths.DATABASE_FILE_NAME).exists()


def test_init_bad_role_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["init", "--unit", "DH", "--role", "boss"])
    assert info.value.code == 2
    assert "--role" in capsys.readouterr().err


def test_init_twice_refuses_and_keeps_the_file(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert run(capsys, "init", "--unit", "DH-PHUCCHU")[0] == 0
    database = data_dir / paths.DATABASE_FILE_NAME
    before = sha256(database)
    code, out, err = run(capsys, "init", "--unit", "DH")
    assert code == 2
    assert "không ghi đè" in err
    assert out == ""
    assert sha256(database) == before


def test_demo_creates_a_database(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "demo", "--today", "2023-06-01")
    assert code == 0, err
    database = data_dir / paths.DEMO_FILE_NAME
    assert database.is_file()
    assert "23 đơn vị cấp xã, 228 xóm" in out
    assert f"danvan --db {database}" in out
    code, out, _ = run(capsys, "--db", database, "info")
    assert code == 0
    assert "Huyện Định Hóa (DH), vai trò: đơn vị tổng hợp" in out


def test_units_search_without_accents(capsys: pytest.CaptureFixture[str], demo_path: Path) -> None:
    code, out, _ = run(capsys, "--db", demo_path, "units", "--search", "dinh hoa")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("DH ") and "Huyện Định Hóa" in line for line in lines)
    assert any(
        line.startswith("TN-DINHHOA ") and "Xã Định Hóa" in line and "từ 01/07/2025" in line for line in lines
    )
    assert all("Định Biên" not in line for line in lines)


def test_units_on_a_date_and_no_match(capsys: pytest.CaptureFixture[str], demo_path: Path) -> None:
    code, out, _ = run(capsys, "--db", demo_path, "units", "--search", "dinh hoa", "--on", "2026-01-01")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["TN-DINHHOA"]
    code, out, _ = run(capsys, "--db", demo_path, "units", "--search", "khong co dau")
    assert code == 1
    assert "Không tìm thấy đơn vị nào." in out


def test_units_without_search_lists_everything(capsys: pytest.CaptureFixture[str], demo_path: Path) -> None:
    code, out, err = run(capsys, "--db", demo_path, "units")
    assert code == 0, err
    province = load_catalog_file(paths.catalog_dir() / "10_units_thai_nguyen.yaml")  # the demo's province
    assert len(out.splitlines()) == len(province.units) + 228  # and the demo's villages


def test_info(capsys: pytest.CaptureFixture[str], commune_path: Path) -> None:
    code, out, _ = run(capsys, "--db", commune_path, "info")
    assert code == 0
    assert f"Cơ sở dữ liệu: {database_label(commune_path)}" in out  # the file, or the server
    assert f"Phiên bản lược đồ: {HEAD_REVISION}" in out
    assert "Đơn vị sử dụng: Xã Phúc Chu (DH-PHUCCHU), vai trò: đơn vị báo cáo" in out
    assert "Mã cài đặt: " in out
    assert "0 bản ghi" in out


def test_info_without_database(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "info")
    assert code == 2
    assert "Không có tệp cơ sở dữ liệu" in err
    assert "danvan init" in err


def test_info_on_a_non_database_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "bao-cao.xlsx"
    bogus.write_bytes(b"PK\x03\x04" + b"\x00" * 4096)
    before = sha256(bogus)
    code, out, err = run(capsys, "--db", bogus, "info")
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: Tệp ")
    assert "không phải là cơ sở dữ liệu" in err
    assert "Traceback" not in err
    assert sha256(bogus) == before


def test_catalog_check_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(paths.catalog_dir().glob("*.yaml"))
    code, out, err = run(capsys, "catalog", "check", *files)
    assert code == 0, err
    units = sum(len(load_catalog_file(f).units) for f in files)  # every province of Vietnam, then and now
    assert units > 14000
    assert f"Danh mục hợp lệ: {len(files)} tệp, {units} đơn vị." in out


def test_catalog_check_user_file_against_database(
    capsys: pytest.CaptureFixture[str], commune_path: Path, tmp_path: Path
) -> None:
    user_file = tmp_path / "xom.yaml"
    user_file.write_text(VILLAGES, encoding="utf-8")
    code, out, _ = run(capsys, "--db", commune_path, "catalog", "check", user_file)
    assert code == 0
    assert "1 tệp, 2 đơn vị" in out
    code, _, err = run(capsys, "catalog", "check", user_file)  # no database: DH-PHUCCHU is unknown
    assert code == 2
    assert "không có đơn vị cấp trên mã DH-PHUCCHU" in err


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("units: [\n", "không đúng định dạng YAML"),
        (HEADER + "  - {code: A, kind: xa, valid_from: 2020-01-01}\n", "units.0.name: thiếu trường bắt buộc"),
        (
            HEADER + "  - {code: A, name: A, kind: xa, valid_from: 2023-02-30}\n",
            "units.0.valid_from: ngày không hợp lệ",
        ),
    ],
)
def test_catalog_check_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, words: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "catalog", "check", bad)
    assert code == 2
    assert out == ""
    assert words in err
    assert err.startswith("Lỗi: ")


def test_catalog_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "catalog", "check", tmp_path / "khong-co.yaml")
    assert code == 2
    assert "Không tìm thấy tệp danh mục" in err


def test_catalog_import(capsys: pytest.CaptureFixture[str], commune_path: Path, tmp_path: Path) -> None:
    user_file = tmp_path / "xom.yaml"
    user_file.write_text(VILLAGES, encoding="utf-8")
    code, out, err = run(capsys, "--db", commune_path, "catalog", "import", user_file)
    assert code == 0, err
    assert "Đã bổ sung danh mục: 2 đơn vị" in out
    db = open_database(commune_path)
    try:
        with db.session() as session:
            village = session.scalar(select(OrgUnit).where(OrgUnit.code == "PC-01"))
            assert village is not None
            assert (village.name, village.source) == ("Đồng Hoàng", "user")
    finally:
        db.close()
    code, out, _ = run(capsys, "--db", commune_path, "units", "--search", "dong hoang")
    assert code == 0
    assert "PC-01" in out
    assert "thuộc Xã Phúc Chu" in out


def test_catalog_import_bad_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], commune_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "xom.yaml"
    bad.write_text(VILLAGES.replace("DH-PHUCCHU", "DH-KHONGCO"), encoding="utf-8")
    before = sha256(commune_path)
    code, _, err = run(capsys, "--db", commune_path, "catalog", "import", bad)
    assert code == 2
    assert "DH-KHONGCO" in err
    assert sha256(commune_path) == before
