"""Project 05 in the returns: the indicator table (plan, result, share, assessment) read back from PDFs."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from danvan_desktop.db.engine import Database
from danvan_desktop.reports.commune_return import build_commune_return
from danvan_desktop.reports.indicators_table import indicators_table
from danvan_desktop.reports.model import IndicatorRow
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.reports.render import render_pdf
from danvan_desktop.reports.summary_return import build_summary_return
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting import commune_return_data, summary_data
from danvan_desktop.services.reporting.indicators import ntm_by_year, office_indicators
from tests.reports.factories import _save, writer_for
from tests.reports.pdfcheck import text, unembedded
from tests.tools import require_program

DATE = dt.date(2024, 1, 20)
TITLE = "Kết quả thực hiện các chỉ tiêu Đề án 05-ĐA/TU"


def _indicator(
    number: int, name: str, unit: str, target: float, result: float, kind: str
) -> dict[str, object]:
    row: dict[str, object] = {
        "so_thu_tu": number,
        "ten_chi_tieu": name,
        "don_vi_tinh": unit,
        "loai_chi_tieu": kind,
        "chi_tieu": target,
        "ket_qua": result,
    }
    if (result > target) if kind == "khong_che" else (result < target):
        row["ghi_chu"] = "Nguyên nhân nêu trong báo cáo."
    return row


def _enter(db: Database, unit: str, rows: list[dict[str, object]]) -> None:
    with db.transaction() as session:
        unit_id, period_id = find_unit(session, unit).id, get_period(session, "2023").id
        _save(session, writer_for(session), "chi_tieu_de_an_05", unit_id, period_id, rows)


def _lines(pdf: Path) -> list[str]:
    """pdftotext -layout: a table row stays on one line, cells in order."""
    require_program("pdftotext", "poppler-utils")
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [" ".join(line.split()) for line in out.stdout.splitlines()]


def test_commune_return_lists_the_indicators_with_share_and_assessment(
    phuc_chu_db: Database, tmp_path: Path
) -> None:
    _enter(
        phuc_chu_db,
        "DH-PHUCCHU",
        [
            _indicator(3, "Số vụ khiếu kiện đông người", "vụ", 2, 1, "khong_che"),  # under the cap: reached
            _indicator(1, "Tỷ lệ chi bộ ban hành kế hoạch", "%", 100, 90, "phan_dau"),
            _indicator(2, "Số mô hình được công nhận", "mô hình", 10, 12, "phan_dau"),
            _indicator(4, "Số vụ việc phức tạp", "vụ", 2, 3, "khong_che"),  # over the cap: not reached
        ],
    )
    profile = load_profile("nha_nuoc")
    with phuc_chu_db.session() as session:
        data = commune_return_data(session, "DH-PHUCCHU", "2023")
    out = tmp_path / "xa.pdf"
    render_pdf(build_commune_return(data, profile, date=DATE, number=3), profile, out)
    content = text(out)
    assert TITLE in content
    lines = _lines(out)
    rows = [line for line in lines if line[:2] in ("1 ", "2 ", "3 ", "4 ") and ("vụ" in line or "%" in line)]
    assert "1 Tỷ lệ chi bộ ban hành kế hoạch % 100 90 90% Không đạt" in rows
    assert "2 Số mô hình được công nhận mô hình 10 12 120% Vượt chỉ tiêu" in rows
    assert "3 Số vụ khiếu kiện đông người (*) vụ 2 1 50% Đạt" in rows
    assert "4 Số vụ việc phức tạp (*) vụ 2 3 150% Không đạt" in rows
    assert "Số chỉ tiêu đạt và vượt: 2/4" in content
    assert "Chỉ tiêu khống chế: đạt khi kết quả không vượt mức đề ra" in content
    assert "Tỷ lệ thực hiện so với kế hoạch các chỉ tiêu Đề án 05-ĐA/TU" in content  # the chart's title
    assert unembedded(out) == []


def test_summary_lists_the_district_indicators_with_units_reaching_them(
    district_db: Database, tmp_path: Path
) -> None:
    profile = load_profile("nha_nuoc")
    with district_db.session() as session:
        data = summary_data(session, "DH", "2023")
    out = tmp_path / "tong-hop.pdf"
    render_pdf(build_summary_return(data, profile, date=DATE, number=4), profile, out)
    content = text(out)
    assert TITLE in content and "Số đơn vị đạt" in content
    # The district's own target of 16 xã met, and 16 met (the demo's figure); no commune has the indicator.
    assert "9 Số xã đạt chuẩn nông thôn mới xã 16 16 100% Đạt Số chỉ tiêu đạt và vượt" in content
    # Every one of the 22 communes that reported had no mass complaint against a cap of none: all reached.
    assert "7 Số vụ khiếu kiện đông người, vượt cấp (*) vụ 0 0 Đạt 22/22" in content
    assert "6 Tỷ lệ tập hợp phụ nữ vào tổ chức Hội % 85 87,65 103,1% Vượt chỉ tiêu 21/22" in content
    assert "Nhân dân đóng góp tiền và hiện vật theo đơn vị" in content  # the contributions chart
    assert unembedded(out) == []


def test_office_without_its_own_indicators_puts_the_units_together(demo_db: Database) -> None:
    _enter(
        demo_db,
        "DH-PHUCCHU",
        [
            _indicator(1, "Số mô hình được công nhận", "mô hình", 10, 12, "phan_dau"),
            _indicator(2, "Tỷ lệ hộ gia đình văn hóa", "%", 90, 80, "phan_dau"),
        ],
    )
    _enter(
        demo_db,
        "DH-BAOLINH",
        [
            _indicator(1, "Số  mô hình được CÔNG NHẬN", "mô hình", 5, 4, "phan_dau"),  # the same indicator
            _indicator(2, "Tỷ lệ hộ gia đình văn hóa", "%", 90, 95, "phan_dau"),
        ],
    )
    with demo_db.session() as session:
        units = [find_unit(session, c).id for c in ("DH-PHUCCHU", "DH-BAOLINH")]
        rows = office_indicators(session, find_unit(session, "DH").id, units, get_period(session, "2023").id)
    assert [r.name for r in rows] == ["Số mô hình được công nhận", "Tỷ lệ hộ gia đình văn hóa"]
    models, share = rows
    assert (models.target, models.result, models.units_reached) == (15, 16, (1, 2))
    assert models.assessment == "Vượt chỉ tiêu"
    # Shares are not added up across units: no figure, only how many units reached theirs.
    assert (share.target, share.result, share.units_reached) == (None, None, (1, 2))
    assert share.assessment == "Chưa có kết quả"
    printed = indicators_table(rows, units_label="Số đơn vị đạt")
    assert printed.rows[0][3:] == ("15", "16", "106,7%", "Vượt chỉ tiêu", "1/2")
    assert printed.rows[1][3:] == ("", "", "", "Theo đơn vị", "1/2")
    assert "không cộng giữa các đơn vị" in printed.note


def test_a_cap_is_reached_by_not_exceeding_it() -> None:
    def row(target: float, result: float, restrictive: bool) -> IndicatorRow:
        return IndicatorRow(1, "x", "vụ", target, result, restrictive)

    assert row(2, 2, True).assessment == "Đạt" and row(2, 0, True).assessment == "Đạt"
    assert row(2, 3, True).assessment == "Không đạt"
    assert row(2, 3, False).assessment == "Vượt chỉ tiêu" and row(2, 2, False).assessment == "Đạt"
    assert row(2, 1, False).assessment == "Không đạt"


def test_new_rural_standing_over_the_years(demo_db: Database) -> None:
    met = {"muc_dat": "dat_chuan", "so_quyet_dinh": "1234/QĐ-UBND", "ngay_quyet_dinh": "2021-12-01"}
    with demo_db.transaction() as session:
        writer = writer_for(session)
        for unit, code, values in (
            ("DH-PHUCCHU", "2022", {"muc_dat": "chua_dat"}),
            ("DH-BAOLINH", "2022", met),
            ("DH-PHUCCHU", "2023", met),
            ("DH-BAOLINH", "2023", met),
            ("DH-KIMPHUONG", "2023", {"muc_dat": "chua_dat"}),
        ):
            unit_id, period_id = find_unit(session, unit).id, get_period(session, code).id
            _save(session, writer, "tien_do_ntm", unit_id, period_id, [values])
        district = find_unit(session, "DH").id
        assert ntm_by_year(session, district, 2023) == (("2022", 1, 2), ("2023", 2, 3))
        assert ntm_by_year(session, district, 2022) == (("2022", 1, 2),)  # nothing after the period
