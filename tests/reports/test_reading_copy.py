"""Whose return it is: a unit's return at the office above is a marked, unnumbered reading copy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database
from danvan_desktop.services.reporting.issuing import issuing_role
from danvan_desktop.services.reporting.report_numbers import list_numbers
from tests.reports.pdfcheck import pages_text, text
from tests.tools import require_program

MARK = "BẢN SAO ĐỂ THEO DÕI – không phải văn bản phát hành"


def _report(db: Database, out: Path, *extra: str, unit: str = "DH-PHUCCHU", kind: str = "return") -> int:
    args = ["--db", str(db.path), "report", "--kind", kind, "--unit", unit, "--period", "2023"]
    return main([*args, "--out", str(out), "--date", "2023-02-05", *extra])


def _register(db: Database) -> list[tuple[str, int]]:
    with db.session() as session:
        return [(n.series, n.number) for n in list_numbers(session)]


def test_the_role_is_the_office_own_unit_or_a_reading_copy() -> None:
    assert issuing_role(7, 7) == "own"
    assert issuing_role(7, 12) == "reading_copy"


def test_a_commune_return_at_the_district_is_a_reading_copy(
    commune_data_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _register(commune_data_db)
    out = tmp_path / "phuc-chu.pdf"
    assert _report(commune_data_db, out, "--profile", "nha_nuoc") == 0
    said = capsys.readouterr().out
    assert "không có số văn bản" in said and "bản sao để theo dõi" in said
    pages = pages_text(out)
    assert len(pages) >= 3
    assert [i + 1 for i, p in enumerate(pages) if MARK not in " ".join(p.split())] == []  # every page
    content = text(out)
    for line in (
        "UBND HUYỆN ĐỊNH HÓA",  # the commune's superior body, from the office's tree
        "ỦY BAN NHÂN DÂN XÃ PHÚC CHU",  # the commune as issuing body
        "In từ số liệu của Xã Phúc Chu, tại Huyện Định Hóa, ngày 05/2/2023",
        "(đơn vị chưa gửi thông tin người ký)",
        "Đề nghị huyện hỗ trợ xi măng làm đường trục xóm Nà Lom./.",  # the commune's own words, unchanged
    ):
        assert line in content, line
    # Nothing of the district's: letterhead, signer, recipients, number or symbol.
    for foreign in ("BAN DÂN VẬN HUYỆN ỦY", "HUYỆN ỦY ĐỊNH HÓA", "Hoàng Thị Minh", "TRƯỞNG BAN", "BDVHU"):
        assert foreign not in content, foreign
    assert "Nơi nhận" not in content and "Ban Dân vận Tỉnh ủy" not in content
    assert "Số: 01" not in content and "Phúc Chu, ngày 05 tháng 02" not in content  # blank, as on a draft
    meta = PdfReader(out).metadata
    assert meta is not None and meta.title is not None and meta.title.startswith(MARK)
    assert meta.author == "ỦY BAN NHÂN DÂN XÃ PHÚC CHU"
    assert meta.get("/Keywords") == MARK
    assert _register(commune_data_db) == before == []


def test_the_party_reading_copy_names_the_commune_party_committee(
    commune_data_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "phuc-chu.pdf"
    assert _report(commune_data_db, out, "--profile", "dang") == 0
    content = text(out)
    assert "ĐẢNG BỘ HUYỆN ĐỊNH HÓA" in content and "ĐẢNG ỦY XÃ PHÚC CHU" in content
    assert MARK in content and "K/T" not in content and "BDVHU" not in content
    assert _register(commune_data_db) == []


def test_no_number_is_given_to_a_reading_copy(
    commune_data_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "phuc-chu.pdf"
    assert _report(commune_data_db, out, "--number", "5") == 2
    err = capsys.readouterr().err
    assert "Không cấp số 5 được" in err and "bản sao để theo dõi" in err and "Traceback" not in err
    assert not out.exists() and _register(commune_data_db) == []


def test_the_district_own_summary_is_still_issued_and_numbered(district_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "tong-hop.pdf"
    assert _report(district_db, out, unit="DH", kind="summary") == 0
    content = text(out)
    assert "Số: 01/BC-BDVHU" in content and "BAN DÂN VẬN HUYỆN ỦY" in content and MARK not in content
    assert _register(district_db) == [("BC-BDVHU:2023", 1)]


@pytest.mark.parametrize("profile", ["nha_nuoc", "dang"])
def test_a_register_printout_takes_no_report_number(
    district_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    out = tmp_path / "danh-sach.pdf"
    extra = ("--form", "mo_hinh_dan_van_kheo", "--profile", profile)
    assert _report(district_db, out, *extra, unit="DH", kind="register") == 0
    assert "không có số văn bản" in capsys.readouterr().out
    first = " ".join(pages_text(out)[0].split())
    assert "DANH SÁCH" in first and "BÁO CÁO" not in first
    assert "BC" not in first and "Số" not in first.split("DANH SÁCH")[0]  # no number line in the header
    assert _register(district_db) == []
    assert _report(district_db, out, *extra, "--number", "3", unit="DH", kind="register") == 2
    assert "Không cấp số 3 được" in capsys.readouterr().err and _register(district_db) == []


def test_a_register_printout_at_the_commune_takes_no_number(phuc_chu_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "danh-sach.pdf"
    assert _report(phuc_chu_db, out, "--form", "dong_gop_nhan_dan", kind="register") == 0
    assert "/BC-" not in text(out) and _register(phuc_chu_db) == []


def test_first_pages_as_a_user_sees_them(commune_data_db: Database, tmp_path: Path) -> None:
    """Page 1 of the reading copy rendered: the PNGs are kept in /tmp for a look."""
    require_program("pdftoppm", "poppler-utils")
    out = tmp_path / "phuc-chu.pdf"
    assert _report(commune_data_db, out, "--profile", "dang") == 0
    target = tmp_path / "copy"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(out), str(target)], check=True)
    (png,) = tmp_path.glob("copy*.png")
    assert png.stat().st_size > 5_000
