"""The printed returns read back: profile header lines, number, date, signer, recipients, key figures."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from pypdf import PdfReader

from danvan_desktop.db.engine import Database
from danvan_desktop.reports.commune_return import build_commune_return
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.reports.register_print import build_register_printout
from danvan_desktop.reports.render import render_pdf
from danvan_desktop.reports.summary_return import build_summary_return
from danvan_desktop.services.reporting import commune_return_data, register_data, summary_data
from tests.reports.pdfcheck import landscape_pages, pages_text, text, unembedded
from tests.tools import require_program

DATE = dt.date(2023, 2, 5)


def _commune_pdf(db: Database, tmp_path: Path, profile_name: str, number: int | None = 5) -> Path:
    profile = load_profile(profile_name)
    with db.session() as session:
        data = commune_return_data(session, "DH-PHUCCHU", "2023")
    out = tmp_path / f"bao-cao-{profile_name}.pdf"
    render_pdf(build_commune_return(data, profile, date=DATE, number=number), profile, out)
    return out


def test_state_return_has_the_letterhead_signer_and_figures(phuc_chu_db: Database, tmp_path: Path) -> None:
    pdf = _commune_pdf(phuc_chu_db, tmp_path, "nha_nuoc")
    content = text(pdf)
    for line in (
        "ĐẢNG BỘ HUYỆN ĐỊNH HÓA",
        "ĐẢNG ỦY XÃ PHÚC CHU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/BC-ĐU",
        "Phúc Chu, ngày 05 tháng 02 năm 2023",
        "BÁO CÁO",
        "Kết quả công tác dân vận năm 2023",
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "1. Công tác lãnh đạo, chỉ đạo",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "Nà Lom./.",
        "KT. BÍ THƯ",
        "PHÓ BÍ THƯ",
        "Nguyễn Văn Hải",
        "Nơi nhận:",
        "- Ban Dân vận Huyện ủy;",
        "- Lưu: VT.",
        "PHỤ LỤC",
        "(Kèm theo Báo cáo số 05/BC-ĐU ngày 05/2/2023)",
    ):
        assert line in content, line
    assert "BẢN SAO" not in content  # its own return, issued: no copy mark
    # Contributions: 125,5 + 48 million đồng, 1.234,5 + 150 m², 640 + 310 labour days.
    assert "173,5" in content and "1.384,5" in content and "950" in content
    # Branches 115 of 140 people (82,1%); petitions 6 of 8 resolved (75%).
    assert "82,1%" in content and "75%" in content
    assert "Phụ nữ xóm Làng Hoèn" not in content  # models are counted in the return, listed in registers
    assert "Kinh tế" in content and "Quốc phòng - an ninh" in content


def test_party_return_uses_the_party_layout(phuc_chu_db: Database, tmp_path: Path) -> None:
    content = text(_commune_pdf(phuc_chu_db, tmp_path, "dang"))
    for line in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ HUYỆN ĐỊNH HÓA",
        "ĐẢNG ỦY XÃ PHÚC CHU",
        "*",
        "Số 5-BC/ĐU",
        "Phúc Chu, ngày 05 tháng 02 năm 2023",
        "K/T BÍ THƯ",
        "PHÓ BÍ THƯ",
        "Nơi nhận:",
        "- Lưu Văn phòng Đảng ủy.",
    ):
        assert line in content, line
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" not in content and "./." not in content


def test_only_embedded_font_subsets_and_metadata(phuc_chu_db: Database, tmp_path: Path) -> None:
    pdf = _commune_pdf(phuc_chu_db, tmp_path, "nha_nuoc")
    assert unembedded(pdf) == []
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert meta.author == "ĐẢNG ỦY XÃ PHÚC CHU"
    assert meta.title is not None and "Kết quả công tác dân vận năm 2023" in meta.title
    assert meta.subject is not None and "Xã Phúc Chu" in meta.subject
    assert meta.creation_date is not None


def test_page_numbers_from_page_two_and_landscape_annex(phuc_chu_db: Database, tmp_path: Path) -> None:
    pdf = _commune_pdf(phuc_chu_db, tmp_path, "nha_nuoc", number=None)
    pages = pages_text(pdf)
    assert len(pages) >= 3
    assert not pages[0].strip().startswith("1")
    for number, page in enumerate(pages[1:], start=2):
        assert page.strip().splitlines()[0].strip() == str(number)
    assert landscape_pages(pdf)  # the contributions and cultural-house tables are wide
    assert "Số: " in pages[0] and "/BC-ĐU" in pages[0]  # the number left blank for the clerk


def test_district_summary_states_the_inspection_figures(district_db: Database, tmp_path: Path) -> None:
    profile = load_profile("nha_nuoc")
    with district_db.session() as session:
        data = summary_data(session, "DH", "2023")
    out = tmp_path / "tong-hop.pdf"
    pages = render_pdf(build_summary_return(data, profile, date=DATE, number=12), profile, out)
    content = text(out)
    for phrase in (
        "16/22 xã đạt chuẩn nông thôn mới",
        "169/228 nhà văn hóa",
        "231 mô hình dân vận khéo",
        "gần 2 tỷ đồng",
        "Số đơn vị đã gửi đủ số liệu: 22/23",
        "Xã Trung Lương",
        "Số: 12/BC-BDVHU",
    ):
        assert phrase in content, phrase
    assert "1.950" in content  # the money total in triệu đồng in the table
    assert pages >= 8
    per_page = pages_text(out)
    listed = [i for i, p in enumerate(per_page) if "Được công nhận (cấp" in p]  # the model list's rows
    assert len(listed) >= 3
    missing = [i + 1 for i in listed if "Tên mô hình, điển hình" not in per_page[i]]
    assert missing == [], [per_page[i - 1][:200] for i in missing]  # header row on every page
    assert unembedded(out) == []


def test_register_printout_is_landscape_with_every_row(district_db: Database, tmp_path: Path) -> None:
    profile = load_profile("dang")
    with district_db.session() as session:
        data = register_data(session, "mo_hinh_dan_van_kheo", "DH-PHUCCHU", "2023")
    out = tmp_path / "danh-sach.pdf"
    render_pdf(build_register_printout(data, date=dt.date(2023, 12, 15)), profile, out)
    content = text(out)
    assert len(data.rows) >= 3
    assert "DANH SÁCH" in content and f"Tổng số: {len(data.rows)} dòng" in content
    names = [" ".join(row[0].split()) for row in data.rows]  # the first listed column: the model's name
    assert [n for n in names if n not in content] == []
    assert "Định Hóa, ngày 15 tháng 12 năm 2023" in content
    assert landscape_pages(out) == list(range(1, len(PdfReader(out).pages) + 1))


def test_pdftotext_reads_the_exact_vietnamese(phuc_chu_db: Database, tmp_path: Path) -> None:
    require_program("pdftotext", "poppler-utils")
    pdf = _commune_pdf(phuc_chu_db, tmp_path, "nha_nuoc")
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Phúc Chu, ngày 05 tháng 02 năm 2023" in out
    assert "Độc lập - Tự do - Hạnh phúc" in out


def test_first_page_renders_to_png(phuc_chu_db: Database, tmp_path: Path) -> None:
    require_program("pdftoppm", "poppler-utils")
    pdf = _commune_pdf(phuc_chu_db, tmp_path, "nha_nuoc")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
