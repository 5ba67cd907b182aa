"""`danvan report` and `danvan settings`: a PDF on success; on bad input a clear message, exit 2, no file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database
from danvan_desktop.reports.profile import profiles_dir
from danvan_desktop.reports.render import write_atomically
from tests.reports.pdfcheck import text, unembedded

OLD = b"%PDF-1.4 an earlier return that must survive a failed run"


def _report(db: Database, out: Path, *extra: str, unit: str = "DH-PHUCCHU", period: str = "2023") -> int:
    args = ["--db", str(db.path), "report", "--kind", "return", "--unit", unit, "--period", period]
    return main([*args, "--out", str(out), "--date", "2023-02-05", *extra])


def test_return_from_the_command_line(
    phuc_chu_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bao-cao.pdf"
    assert _report(phuc_chu_db, out, "--profile", "dang", "--number", "15") == 0
    assert "Đã ghi" in capsys.readouterr().out
    content = text(out)
    assert "Số 15-BC/ĐU" in content and "ngày 05 tháng 02 năm 2023" in content
    assert unembedded(out) == []


def test_summary_and_register_from_the_command_line(district_db: Database, tmp_path: Path) -> None:
    summary, register = tmp_path / "tong-hop.pdf", tmp_path / "danh-sach.pdf"
    base = ["--db", str(district_db.path), "report", "--unit", "DH", "--period", "2023"]
    assert main([*base, "--kind", "summary", "--out", str(summary)]) == 0
    assert "16/22 xã đạt chuẩn nông thôn mới" in text(summary)
    assert main([*base, "--kind", "register", "--form", "nha_van_hoa", "--out", str(register)]) == 0
    assert "Nhà văn hóa xóm" in text(register)


@pytest.mark.parametrize(
    ("extra", "unit", "period", "message"),
    [
        (["--profile", "hanh_chinh"], "DH-PHUCCHU", "2023", "Không có mẫu văn bản «hanh_chinh»"),
        ([], "DH-PHUCCHU", "2022", "chưa có số liệu nào trong kỳ Năm 2022"),
        ([], "DH-BAOLINH", "2023", "chưa có số liệu nào"),
        ([], "TN-DINHHOA", "2023", "không thuộc phạm vi của Huyện Định Hóa"),
        ([], "XX-KHONGCO", "2023", "Không tìm thấy đơn vị"),
        ([], "DH-PHUCCHU", "2023-X7", "Chưa có kỳ báo cáo «2023-X7»"),
    ],
)
def test_bad_input_is_refused_before_any_file(
    commune_data_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    unit: str,
    period: str,
    message: str,
) -> None:
    out = tmp_path / "bao-cao.pdf"
    out.write_bytes(OLD)
    assert _report(commune_data_db, out, *extra, unit=unit, period=period) == 2
    assert message in capsys.readouterr().err
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".tmp")) == ["bao-cao.pdf"]


def test_empty_signer_name_is_refused(
    commune_data_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(commune_data_db.path), "settings", "set", "signer.name", ""]) == 0
    out = tmp_path / "bao-cao.pdf"
    assert _report(commune_data_db, out) == 2
    err = capsys.readouterr().err
    assert "họ và tên người ký" in err and "danvan settings set signer.name" in err
    assert not out.exists()


def test_broken_office_profile_names_file_and_field(
    commune_data_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "profiles"
    own.mkdir()
    data = yaml.safe_load((profiles_dir() / "nha_nuoc.yaml").read_text(encoding="utf-8"))
    data["signature"]["collective"] = ""
    (own / "ubnd.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "bao-cao.pdf"
    assert _report(commune_data_db, out, "--profile", "ubnd", "--profiles-dir", str(own)) == 2
    err = capsys.readouterr().err
    assert str(own / "ubnd.yaml") in err and "«signature.collective»: không được để trống" in err
    assert not out.exists()


def test_settings_list_and_set(commune_data_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(commune_data_db.path), "settings"]
    assert main([*db, "set", "signer.title", "Trưởng ban"]) == 0
    assert main([*db, "set", "khong.co", "x"]) == 2
    assert main([*db, "set", "report.profile", "khong_co"]) == 2
    assert main([*db, "list"]) == 0
    out = capsys.readouterr().out
    assert "signer.title" in out and "Trưởng ban" in out and "office.abbreviation" in out


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bao-cao.pdf"
    out.write_bytes(OLD)

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(Exception, match="Không ghi được"):
        write_atomically(out, b"%PDF-1.4 new")
    assert out.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.pdf"]
