"""`danvan load` and `danvan sheet export`: exit codes 0/1/2, and a refused load changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Period, Record
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.cli.conftest import run

TARGET = ("--form", "to_chuc_doan_the", "--unit", "DH-PHUCCHU", "--period", "2023")
HEADER = "Tổ chức;Tên chi hội, chi đoàn;Số hội viên, đoàn viên;Số người thuộc đối tượng tập hợp"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return path


def records(db_path: Path) -> list[dict[str, object]]:
    db = open_database(db_path)
    try:
        with db.session() as session:
            return [r.values for r in session.scalars(select(Record).order_by(Record.created_at))]
    finally:
        db.close()


def seed_branches(db_path: Path, *names: str) -> None:
    db = open_database(db_path)
    try:
        with db.transaction() as session:
            writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
            unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
            for name in names:
                values = {"to_chuc": "HLHPN", "ten_chi_hoi": name, "hoi_vien": 40, "doi_tuong": 60}
                save_entry(session, get_form("to_chuc_doan_the"), unit.id, period.id, values, writer=writer)
    finally:
        db.close()


def test_help_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["load", "--help"], ["sheet", "export", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "mã biểu mẫu" in out and "kỳ báo cáo" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "nạp số liệu từ bảng tính Excel" in out and "xuất bảng tính Excel" in out


def test_export_then_load_back_exits_0(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    seed_branches(demo_path, "Chi hội A", "Chi hội B")
    out = tmp_path / "doan_the.xlsx"
    code, stdout, err = run(capsys, "--db", demo_path, "sheet", "export", *TARGET, "--out", out)
    assert code == 0, err
    assert f"Đã xuất 2 dòng của biểu «Mặt trận và các đoàn thể: chi hội, chi đoàn» ra {out}" in stdout
    before = sha256(demo_path)
    code, stdout, err = run(capsys, "--db", demo_path, "load", *TARGET, out)
    assert code == 0, err
    assert "Đã nạp 2/2 dòng: 0 thêm mới, 0 cập nhật, 2 không thay đổi." in stdout
    assert sha256(demo_path) == before


def test_new_rows_load_with_exit_0_and_twice_without_duplicates(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "moi.csv", "Hội LHPN;Chi hội A;10;20", "Hội ND;Chi hội B;5;")
    assert run(capsys, "--db", demo_path, "load", *TARGET, path)[0] == 0
    code, stdout, _ = run(capsys, "--db", demo_path, "load", *TARGET, path)
    assert code == 0 and "2 không thay đổi" in stdout
    assert [r["ten_chi_hoi"] for r in records(demo_path)] == ["Chi hội A", "Chi hội B"]


def test_rejected_rows_exit_1_and_change_nothing(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "loi.csv", "Hội LHPN;Chi hội A;10;20", "Hội LHPN;Chi hội B;mười;20")
    before = sha256(demo_path)
    # A month period not yet in the database: a refused load must not create it either.
    target = [*TARGET[:-1], "2023-M05"]
    code, stdout, err = run(capsys, "--db", demo_path, "load", *target, path)
    assert code == 1
    assert "Dòng 3: «Số hội viên, đoàn viên»: «mười» không phải là số." in err
    assert "Chưa lưu dòng nào: 1/2 dòng có lỗi." in stdout and "--keep-good" in err
    assert sha256(demo_path) == before
    db = open_database(demo_path)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Period).where(Period.code == "2023-M05")) == 0
    db.close()


def test_keep_good_exit_1_stores_the_good_rows(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "loi.csv", "Hội LHPN;Chi hội A;10;20", "Hội LHPN;Chi hội B;70;60")
    code, stdout, err = run(capsys, "--db", demo_path, "load", *TARGET, "--keep-good", path)
    assert code == 1
    assert "Dòng 3: Số hội viên không được lớn hơn số người thuộc đối tượng tập hợp." in err
    assert "Đã nạp 1/2 dòng: 1 thêm mới" in stdout
    assert [r["ten_chi_hoi"] for r in records(demo_path)] == ["Chi hội A"]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("columns", "Thiếu cột bắt buộc «Tên chi hội, chi đoàn»."),
        ("pdf", "không phải là bảng tính Excel (.xlsx) hay tệp CSV"),
        ("form", "Không có biểu mẫu «khong_co»"),
        ("locked", "đã được chốt"),
        ("unit", "Không tìm thấy đơn vị có mã «XA-KHONG-CO»"),
    ],
)
def test_file_level_problems_exit_2_and_change_nothing(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path, case: str, message: str
) -> None:
    path = csv_file(tmp_path / "tot.csv", "Hội LHPN;Chi hội A;10;20")
    target: Sequence[str] = TARGET
    if case == "columns":
        path.write_text("Tổ chức;Số hội viên\nMTTQ;10\n", encoding="utf-8")
    elif case == "pdf":
        path = tmp_path / "bao_cao.xlsx"
        path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    elif case == "form":
        target = ["--form", "khong_co", *TARGET[2:]]
    elif case == "unit":
        target = [*TARGET[:3], "XA-KHONG-CO", *TARGET[4:]]
    elif case == "locked":
        db = open_database(demo_path)
        with db.transaction() as session:
            unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
            lock_period(session, unit.id, period.id, user="Lan", note="Đã gửi huyện")
        db.close()
    before = sha256(demo_path)
    code, stdout, err = run(capsys, "--db", demo_path, "load", *target, path)
    assert code == 2, stdout + err
    assert message in err
    assert sha256(demo_path) == before


def test_unit_defaults_to_the_office(
    capsys: pytest.CaptureFixture[str], commune_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "moi.csv", "Hội LHPN;Chi hội Phụ nữ xã;120;300")
    code, _, err = run(
        capsys, "--db", commune_path, "load", "--form", "to_chuc_doan_the", "--period", "2023", path
    )
    assert code == 0, err
    db = open_database(commune_path)
    with db.session() as session:
        record = session.scalars(select(Record)).one()
        assert record.org_unit_id == load_installation(session).office_unit_id
    db.close()


def test_export_needs_an_xlsx_name(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--db", demo_path, "sheet", "export", *TARGET, "--out", tmp_path / "x.csv")
    assert code == 2 and "phải có đuôi .xlsx" in err
    assert not (tmp_path / "x.csv").exists()
