"""Excel/CSV exchange: export, load back, the screen's checks per row, all or nothing, odd files."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.entry.entry import Writer, find_aggregate, save_entry
from danvan_desktop.services.entry.locking import PeriodLockedError, lock_period
from danvan_desktop.services.entry.spreadsheet_read import read_table
from danvan_desktop.services.entry.spreadsheets import (
    LoadCancelledError,
    LoadReport,
    SpreadsheetError,
    export_xlsx,
    load_rows,
    read_rows,
)
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period

UNIT, PERIOD = "DH-PHUCCHU", "2023"
BRANCH_HEADER = ["Tổ chức", "Xóm, tổ dân phố", "Tên chi hội, chi đoàn", "Số hội viên, đoàn viên"]
BRANCH_HEADER += ["Số người thuộc đối tượng tập hợp", "Xếp loại chất lượng"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as s, s.begin():
        yield s


@pytest.fixture
def writer(session: Session) -> Writer:
    return Writer(load_installation(session).site_id, "Nguyễn Thị Lan")


def ids(session: Session) -> tuple[int, int]:
    return find_unit(session, UNIT).id, get_period(session, PERIOD).id


def load(session: Session, writer: Writer, form_id: str, path: Path, **options: object) -> LoadReport:
    unit_id, period_id = ids(session)
    return load_rows(session, get_form(form_id), unit_id, period_id, path, writer=writer, **options)


def export(session: Session, form_id: str, out: Path) -> int:
    unit_id, period_id = ids(session)
    return export_xlsx(session, get_form(form_id), unit_id, period_id, out)


def count(session: Session, model: type[object] = Record) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def stored(session: Session, form_id: str = "to_chuc_doan_the") -> list[dict[str, object]]:
    records = session.scalars(select(Record).where(Record.form_id == form_id).order_by(Record.created_at))
    return [r.values for r in records]


def branch(name: str, members: int, eligible: int, **extra: object) -> dict[str, object]:
    return {"to_chuc": "HLHPN", "ten_chi_hoi": name, "hoi_vien": members, "doi_tuong": eligible, **extra}


def model(name: str) -> dict[str, object]:
    return {
        "ten_mo_hinh": name,
        "loai_mo_hinh": "tap_the",
        "to_chuc_phu_trach": "HLHPN",
        "xom": "DH-PHUCCHU-05",
        "linh_vuc": "kinh_te",
        "nam_dang_ky": "2023",
        "ket_qua_tien": 12_500_000,
        "ket_qua_dat_hien": 120.5,
        "trang_thai": "cong_nhan",
        "cap_cong_nhan": "xa",
        "so_quyet_dinh": "12/QĐ-UBND",
        "ngay_quyet_dinh": "2023-05-02",
        "tieu_bieu": True,
    }


def seed(session: Session, writer: Writer, form_id: str, rows: Sequence[dict[str, object]]) -> list[str]:
    unit_id, period_id = ids(session)
    form = get_form(form_id)
    return [save_entry(session, form, unit_id, period_id, r, writer=writer).record_id for r in rows]


def write_csv(path: Path, lines: Sequence[Sequence[str]], *, delimiter: str = ";", bom: bool = True) -> Path:
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def write_xlsx(path: Path, lines: Sequence[Sequence[object]]) -> Path:
    book = Workbook()
    for cells in lines:
        book.active.append(list(cells))
    book.save(path)
    return path


def column_of(sheet: Any, field_id: str) -> int:
    for cell in sheet[1]:
        if cell.value == field_id:
            return int(cell.column)
    raise KeyError(field_id)


# ------------------------------------------------------------------------------------------ export


def test_export_writes_typed_cells_drop_downs_and_a_guide(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    (record_id,) = seed(session, writer, "mo_hinh_dan_van_kheo", [model("Mô hình «Đường làng sạch»")])
    (tmp_path / "xuat").mkdir()
    out = tmp_path / "xuat" / "mo_hinh.xlsx"
    assert export(session, "mo_hinh_dan_van_kheo", out) == 1
    assert [p.name for p in out.parent.iterdir()] == ["mo_hinh.xlsx"]  # no temporary file left
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Dữ liệu", "Hướng dẫn"]
    sheet = book["Dữ liệu"]
    assert sheet.row_dimensions[1].hidden and sheet.freeze_panes == "B3"
    assert (sheet["A1"].value, sheet["A2"].value, sheet["A3"].value) == ("_id", "Mã bản ghi", record_id)
    assert sheet["B2"].value == "Tên mô hình, điển hình" and sheet["B2"].font.bold

    def cell(field_id: str) -> Any:
        return sheet.cell(3, column_of(sheet, field_id))

    assert cell("ket_qua_tien").value == 12_500_000
    assert cell("ket_qua_tien").number_format == "#,##0"
    assert cell("ngay_quyet_dinh").value == dt.datetime(2023, 5, 2)
    assert cell("ngay_quyet_dinh").number_format == "dd/mm/yyyy"
    assert cell("linh_vuc").value == "Kinh tế"
    assert cell("tieu_bieu").value == "Có"
    assert cell("xom").value == "Xóm Làng Hoèn"
    assert cell("to_chuc_phu_trach").value == "Hội LHPN"
    validated = {str(v.sqref).split(":")[0][:-1] for v in sheet.data_validations.dataValidation}
    letter = sheet.cell(3, column_of(sheet, "linh_vuc")).column_letter
    assert letter in validated
    guide = book["Hướng dẫn"]
    rows = [r for r in guide.iter_rows(values_only=True) if r[1] == "linh_vuc"]
    assert rows and rows[0][2] == "một lựa chọn" and rows[0][3] == "Có"
    assert "Xây dựng hệ thống chính trị" in rows[0][6]
    assert sum(1 for r in guide.iter_rows(values_only=True) if r[1] and r[1] != "Mã trường") == 19


def test_aggregate_form_exports_one_row_and_loads_back_into_the_same_record(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    (record_id,) = seed(
        session, writer, "tien_do_ntm", [{"tieu_chi_dat": ["1", "2", "17"], "muc_dat": "chua_dat"}]
    )
    out = tmp_path / "ntm.xlsx"
    assert export(session, "tien_do_ntm", out) == 1
    book = load_workbook(out)
    sheet = book["Dữ liệu"]
    assert sheet.max_row == 3
    chosen = sheet.cell(3, column_of(sheet, "tieu_chi_dat"))
    assert chosen.value == "1. Quy hoạch; 2. Giao thông; 17. Môi trường và an toàn thực phẩm"
    chosen.value = "1. Quy hoạch; 2. Giao thông; 3. Thủy lợi và phòng, chống thiên tai; 17"
    sheet.cell(3, 1).value = None  # the id is not needed: the unit's record is found by unit and period
    book.save(out)
    report = load(session, writer, "tien_do_ntm", out)
    assert (report.created, report.updated, report.rejected) == (0, 1, 0), report.rejected_rows
    unit_id, period_id = ids(session)
    record = find_aggregate(session, "tien_do_ntm", unit_id, period_id)
    assert record is not None and record.id == record_id
    assert record.values["tieu_chi_dat"] == ["1", "2", "3", "17"] and record.values["so_tieu_chi_dat"] == 4


def test_aggregate_sheet_with_two_rows_is_refused(session: Session, writer: Writer, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "hs.csv",
        [["Số xóm, tổ dân phố", "Số hộ", "Số nhân khẩu"], ["6", "600", "2.400"], ["7", "700", "2.800"]],
    )
    with pytest.raises(SpreadsheetError, match="chỉ có một dòng"):
        load(session, writer, "ho_so_xa", path)


# ------------------------------------------------------------------------------------- round trips


def test_export_then_load_is_a_no_op(session: Session, writer: Writer, tmp_path: Path) -> None:
    seed(
        session,
        writer,
        "to_chuc_doan_the",
        [
            branch("Chi hội Phụ nữ xóm Làng Hoèn", 45, 60, xom="DH-PHUCCHU-05", xep_loai="hoan_thanh_tot"),
            branch("Chi hội Phụ nữ xóm Độc Lập", 30, 41, hoi_vien_moi=3),
        ],
    )
    seed(
        session,
        writer,
        "mo_hinh_dan_van_kheo",
        [model("Mô hình A"), {**model("Mô hình B"), "trang_thai": "dang_ky"}],
    )
    before = (stored(session), count(session), count(session, RecordHistory))
    for form_id in ("to_chuc_doan_the", "mo_hinh_dan_van_kheo"):
        out = tmp_path / f"{form_id}.xlsx"
        assert export(session, form_id, out) == 2
        for _ in range(2):
            report = load(session, writer, form_id, out)
            assert (report.rows, report.unchanged, report.created, report.updated) == (2, 2, 0, 0)
            assert report.stored and not report.rejected_rows
    assert (stored(session), count(session), count(session, RecordHistory)) == before


def test_filled_in_export_with_reordered_columns_loads_back(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    (kept, changed) = seed(
        session, writer, "to_chuc_doan_the", [branch("Chi hội A", 45, 60), branch("Chi hội B", 30, 41)]
    )
    out = tmp_path / "doan_the.xlsx"
    export(session, "to_chuc_doan_the", out)
    exported = list(load_workbook(out)["Dữ liệu"].iter_rows(values_only=True))
    # The clerk moves columns around, edits one figure and types two new branches.
    order = [0, *reversed(range(1, len(exported[0])))]
    lines = [[row[i] for i in order] for row in exported]
    head = list(lines[0])
    lines[3][head.index("hoi_vien")] = 35
    new = {
        "to_chuc": "Đoàn TN",
        "ten_chi_hoi": "Chi đoàn xóm Làng Hoèn",
        "xom": "Xóm Làng Hoèn",
        "hoi_vien": "1.250",
        "doi_tuong": 1300,
        "xep_loai": "hoàn thành tốt nhiệm vụ",
    }
    lines.append([new.get(str(key)) for key in head])
    lines.append(
        [{"to_chuc": "HND", "ten_chi_hoi": "Chi hội Nông dân", "hoi_vien": 12}.get(str(key)) for key in head]
    )
    lines.append([None] * len(head))  # an empty row in between is skipped
    write_xlsx(out, lines)
    report = load(session, writer, "to_chuc_doan_the", out)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 1, 1, 0), (
        report.rejected_rows
    )
    assert session.get_one(Record, changed).values["hoi_vien"] == 35
    assert session.get_one(Record, kept).values["hoi_vien"] == 45
    values = stored(session)
    assert values[2]["to_chuc"] == "DTN" and values[2]["xom"] == "DH-PHUCCHU-05"
    assert values[2]["hoi_vien"] == 1250 and values[2]["xep_loai"] == "hoan_thanh_tot"
    assert values[3] == {
        "to_chuc": "HND",
        "ten_chi_hoi": "Chi hội Nông dân",
        "hoi_vien": 12,
        "ty_le_tap_hop": None,
    }
    again = load(session, writer, "to_chuc_doan_the", out)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert count(session) == 4


def test_csv_with_bom_and_semicolons(session: Session, writer: Writer, tmp_path: Path) -> None:
    lines = [
        ["STT", *BRANCH_HEADER],
        [
            "1",
            "Hội LHPN",
            "DH-PHUCCHU-05",
            '"Chi hội Phụ nữ xóm Làng Hoèn; khu A"',
            "1.250",
            "1.300",
            "Hoàn thành tốt nhiệm vụ",
        ],
        ["2", "MTTQ", "", "Ban công tác Mặt trận", "45", "", ""],
        ["3", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "doan_the.csv", lines)
    report = load(session, writer, "to_chuc_doan_the", path)
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    values = stored(session)
    assert values[0]["ten_chi_hoi"] == "Chi hội Phụ nữ xóm Làng Hoèn; khu A"
    assert values[0]["ty_le_tap_hop"] == 96.2 and values[1]["to_chuc"] == "MTTQ"
    assert load(session, writer, "to_chuc_doan_the", path).unchanged == 2


def test_comma_csv_without_bom_keyed_by_field_ids(session: Session, writer: Writer, tmp_path: Path) -> None:
    lines = [
        ["to_chuc", "ten_chi_hoi", "hoi_vien", "doi_tuong"],
        ["HCCB", '"Chi hội CCB, xóm Độc Lập"', "20", "22"],
    ]
    path = write_csv(tmp_path / "ccb.csv", lines, delimiter=",", bom=False)
    assert load(session, writer, "to_chuc_doan_the", path).created == 1
    assert stored(session)[0]["ten_chi_hoi"] == "Chi hội CCB, xóm Độc Lập"


def test_excel_csv_of_an_exported_sheet_keeps_the_id_row(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    (record_id,) = seed(session, writer, "to_chuc_doan_the", [branch("Chi hội A", 45, 60)])
    out = tmp_path / "doan_the.xlsx"
    export(session, "to_chuc_doan_the", out)
    table = [["" if v is None else str(v) for v, _ in row] for row in read_table(out)]
    table[2][table[0].index("hoi_vien")] = "50"
    report = load(session, writer, "to_chuc_doan_the", write_csv(tmp_path / "doan_the.csv", table))
    assert (report.updated, report.created) == (1, 0)
    assert session.get_one(Record, record_id).values["hoi_vien"] == 50


def test_nfd_text_is_normalized_and_accepted(session: Session, writer: Writer, tmp_path: Path) -> None:
    lines = [
        [nfd(h) for h in BRANCH_HEADER],
        [
            nfd("Hội LHPN"),
            nfd("Xóm Làng Hoèn"),
            nfd("Chi hội Phụ nữ xóm Làng Hoèn"),
            "10",
            "20",
            nfd("Hoàn thành nhiệm vụ"),
        ],
    ]
    report = load(session, writer, "to_chuc_doan_the", write_xlsx(tmp_path / "nfd.xlsx", lines))
    assert report.created == 1, report.rejected_rows
    values = stored(session)[0]
    assert values["ten_chi_hoi"] == "Chi hội Phụ nữ xóm Làng Hoèn"
    assert unicodedata.is_normalized("NFC", str(values["ten_chi_hoi"]))
    assert (values["xom"], values["xep_loai"]) == ("DH-PHUCCHU-05", "hoan_thanh")


# ---------------------------------------------------------------------------------- rejected rows


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"Số hội viên, đoàn viên": "mười"}, "Dòng 3: «Số hội viên, đoàn viên»: «mười» không phải là số."),
        ({"Xếp loại chất lượng": "Xuất sắc"}, "«Xếp loại chất lượng»: «Xuất sắc» không có trong danh sách"),
        (
            {"Số hội viên, đoàn viên": "70"},
            "Số hội viên không được lớn hơn số người thuộc đối tượng tập hợp.",
        ),
        ({"Tên chi hội, chi đoàn": ""}, "«Tên chi hội, chi đoàn» không được để trống."),
        (
            {"Xóm, tổ dân phố": "Xóm Bản Lác"},
            "«Xóm, tổ dân phố»: không có đơn vị «Xóm Bản Lác» trong danh mục.",
        ),
    ],
)
def test_bad_row_is_rejected_with_its_row_number(
    session: Session, writer: Writer, tmp_path: Path, cells: dict[str, str], expected: str
) -> None:
    good = {
        "Tổ chức": "Hội ND",
        "Tên chi hội, chi đoàn": "Chi hội Nông dân",
        "Số hội viên, đoàn viên": "40",
        "Số người thuộc đối tượng tập hợp": "60",
    }
    bad = {**good, "Tên chi hội, chi đoàn": "Chi hội khác", **cells}
    lines = [list(bad), [good.get(k, "") for k in bad], list(bad.values())]
    report = load(session, writer, "to_chuc_doan_the", write_xlsx(tmp_path / "bad.xlsx", lines))
    assert [p.row for p in report.rejected_rows] == [3]
    assert expected in report.rejected_rows[0].text()
    assert not report.stored and count(session) == 0
    assert "Chưa lưu dòng nào: 1/2 dòng có lỗi" in report.summary_vi()


def test_impossible_date_is_rejected(session: Session, writer: Writer, tmp_path: Path) -> None:
    header = [
        "Tên mô hình, điển hình",
        "Loại",
        "Lĩnh vực",
        "Năm đăng ký",
        "Tình trạng",
        "Cấp công nhận",
        "Số quyết định công nhận",
        "Ngày quyết định công nhận",
        "Tổ chức phụ trách",
    ]
    row = ["Mô hình A", "Mô hình (tập thể)", "Kinh tế", 2023, "Được công nhận", "Cấp xã", "12/QĐ"]
    lines = [
        header,
        [*row, "05/02/2023", "MTTQ"],
        [*row, "31/02/2023", "MTTQ"],
        [*row, dt.datetime(2023, 3, 1), "MTTQ"],
    ]
    report = load(session, writer, "mo_hinh_dan_van_kheo", write_xlsx(tmp_path / "mh.xlsx", lines))
    assert [p.text() for p in report.rejected_rows] == [
        "Dòng 3: «Ngày quyết định công nhận»: ngày «31/02/2023» không tồn tại: "
        "tháng 2 năm 2023 chỉ có 28 ngày."
    ]


def test_all_or_nothing_leaves_the_database_byte_for_byte_unchanged(demo_path: Path, tmp_path: Path) -> None:
    lines = [
        BRANCH_HEADER,
        ["Hội LHPN", "", "Chi hội A", "10", "20", ""],
        ["Hội LHPN", "", "Chi hội B", "mười", "20", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", lines)
    before = sha256(demo_path)
    db = open_database(demo_path)
    try:
        with db.transaction() as session:
            writer = Writer(load_installation(session).site_id, "Lan")
            unit_id, period_id = find_unit(session, UNIT).id, get_period(session, PERIOD, create=False).id
            report = load_rows(session, get_form("to_chuc_doan_the"), unit_id, period_id, path, writer=writer)
            assert report.rejected == 1 and not report.stored
    finally:
        db.close()
    assert sha256(demo_path) == before


def test_keep_good_stores_only_the_good_rows(session: Session, writer: Writer, tmp_path: Path) -> None:
    lines = [
        BRANCH_HEADER,
        ["Hội LHPN", "", "Chi hội A", "10", "20", ""],
        ["Hội LHPN", "", "Chi hội B", "mười", "20", ""],
        ["Hội ND", "", "Chi hội C", "5", "", ""],
    ]
    report = load(
        session, writer, "to_chuc_doan_the", write_csv(tmp_path / "mixed.csv", lines), keep_good=True
    )
    assert (report.created, report.rejected, report.stored) == (2, 1, True)
    assert [v["ten_chi_hoi"] for v in stored(session)] == ["Chi hội A", "Chi hội C"]
    assert (
        report.summary_vi()
        == "Đã nạp 2/3 dòng: 2 thêm mới, 0 cập nhật, 0 không thay đổi; 1 dòng có lỗi không được lưu."
    )


def test_record_ids_of_other_units_or_repeated_are_rejected(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    unit_id, period_id = ids(session)
    form = get_form("to_chuc_doan_the")
    other = save_entry(
        session,
        form,
        find_unit(session, "DH-BAOLINH").id,
        period_id,
        branch("Chi hội X", 1, 2),
        writer=writer,
    )
    (mine,) = seed(session, writer, "to_chuc_doan_the", [branch("Chi hội A", 10, 20)])
    header = ["Mã bản ghi", *BRANCH_HEADER[:1], BRANCH_HEADER[2], BRANCH_HEADER[3]]
    lines = [
        header,
        [other.record_id, "MTTQ", "Chi hội X", "3"],
        [mine, "MTTQ", "Chi hội A", "11"],
        [mine, "MTTQ", "Chi hội A", "12"],
        ["abc", "MTTQ", "Chi hội Y", "1"],
    ]
    report = load_rows(
        session, form, unit_id, period_id, write_csv(tmp_path / "ids.csv", lines), writer=writer
    )
    messages = [p.text() for p in report.rejected_rows]
    assert messages[0] == "Dòng 2: bản ghi này thuộc biểu mẫu, đơn vị hoặc kỳ báo cáo khác."
    assert messages[1] == "Dòng 4: «Mã bản ghi» trùng với dòng 3."
    assert messages[2].startswith("Dòng 5: «Mã bản ghi» «abc» không hợp lệ")


# ------------------------------------------------------------------------------ file-level problems


def test_wrong_columns_are_a_file_level_problem(session: Session, writer: Writer, tmp_path: Path) -> None:
    lines = [["Tổ chức", "Số hội viên", "Ghi chú thêm"], ["MTTQ", "10", "x"]]
    with pytest.raises(SpreadsheetError) as info:
        load(session, writer, "to_chuc_doan_the", write_csv(tmp_path / "cols.csv", lines))
    assert info.value.exit_code == 2
    assert info.value.problems == [
        "Cột B «Số hội viên» không thuộc biểu mẫu «Mặt trận và các đoàn thể: chi hội, chi đoàn».",
        "Cột C «Ghi chú thêm» không thuộc biểu mẫu «Mặt trận và các đoàn thể: chi hội, chi đoàn».",
        "Thiếu cột bắt buộc «Tên chi hội, chi đoàn».",
        "Thiếu cột bắt buộc «Số hội viên, đoàn viên».",
    ]
    assert count(session) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [  # the "ansi.csv" bytes are "Tên chi;Mã" in Windows-1258
        ("bao_cao.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\x00", "không phải là bảng tính Excel"),
        ("bao_cao.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "không phải là bảng tính Excel"),
        ("goi.xlsx", b"PK\x03\x04 not really a zip", "không phải là bảng tính Excel"),
        ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003"),
        ("ansi.csv", b"T\xean chi;Ma\xde\n", "không dùng bảng mã UTF-8"),
        ("trong.csv", b"", "không có dữ liệu"),
    ],
)
def test_files_that_are_no_spreadsheet_are_refused(
    session: Session, writer: Writer, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError, match=message):
        load(session, writer, "to_chuc_doan_the", path)


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "goi.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", "{}")
    with pytest.raises(SpreadsheetError, match="không phải là bảng tính Excel"):
        read_rows(path, get_form("to_chuc_doan_the"))


def test_locked_period_is_refused_before_reading(session: Session, writer: Writer, tmp_path: Path) -> None:
    unit_id, period_id = ids(session)
    lock_period(session, unit_id, period_id, user="Lan", note="Đã gửi huyện")
    with pytest.raises(PeriodLockedError, match="đã được chốt"):
        load(session, writer, "to_chuc_doan_the", tmp_path / "khong_co.xlsx")


def test_header_only_file_has_no_rows_to_load(session: Session, writer: Writer, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    assert export(session, "to_chuc_doan_the", out) == 0
    with pytest.raises(SpreadsheetError, match="không có dòng số liệu"):
        load(session, writer, "to_chuc_doan_the", out)


# ------------------------------------------------------------------------------- progress, cancel


def test_progress_is_reported_and_cancel_stores_nothing(demo_db: Database, tmp_path: Path) -> None:
    lines = [BRANCH_HEADER, *(["Hội LHPN", "", f"Chi hội {i}", "10", "20", ""] for i in range(5))]
    path = write_csv(tmp_path / "five.csv", lines)
    seen: list[tuple[int, int]] = []
    with pytest.raises(LoadCancelledError, match="Đã hủy"), demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Lan")
        load(
            session,
            writer,
            "to_chuc_doan_the",
            path,
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: len(seen) >= 7,
        )
    assert seen[:5] == [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10)] and len(seen) == 7
    with demo_db.session() as session:
        assert count(session) == 0
    done: list[tuple[int, int]] = []
    with demo_db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Lan")
        load(session, writer, "to_chuc_doan_the", path, progress=lambda d, t: done.append((d, t)))
    assert done[-1] == (10, 10)


def test_percent_cells_are_read_as_the_number_shown(tmp_path: Path) -> None:
    form = FormDef.model_validate(
        {
            "id": "thu",
            "version": 1,
            "title": "Thử",
            "kind": "register",
            "sections": [{"title": "A", "fields": [{"id": "ty_le", "type": "percent", "label": "Tỷ lệ"}]}],
        }
    )
    book = Workbook()
    book.active.append(["Tỷ lệ"])
    for value, fmt in ((0.727, "0.0%"), (72.7, "General"), (72.7, '0.0"%"')):
        book.active.append([value])
        book.active.cell(book.active.max_row, 1).number_format = fmt
    book.save(tmp_path / "pct.xlsx")
    assert [float(str(r.cells["ty_le"])) for r in read_rows(tmp_path / "pct.xlsx", form)] == [72.7] * 3


def test_aggregate_row_from_another_site_keeps_its_record_id(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    record_id = "6f1c2b1e-3d4a-4b5c-8d9e-0a1b2c3d4e5f"
    lines = [["Mã bản ghi", "Số xóm, tổ dân phố", "Số hộ", "Số nhân khẩu"], [record_id, 6, 612, "2.410"]]
    assert load(session, writer, "ho_so_xa", write_xlsx(tmp_path / "hs.xlsx", lines)).created == 1
    unit_id, period_id = ids(session)
    record = find_aggregate(session, "ho_so_xa", unit_id, period_id)
    assert record is not None and record.id == record_id and record.values["so_nhan_khau"] == 2410


def test_a_row_loaded_before_does_not_undo_a_later_edit(
    session: Session, writer: Writer, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "moi.csv", [BRANCH_HEADER, ["Hội LHPN", "", "Chi hội A", "10", "20", ""]])
    load(session, writer, "to_chuc_doan_the", path)
    (record,) = session.scalars(select(Record)).all()
    unit_id, period_id = ids(session)
    edited = {**record.values, "hoi_vien": 12}
    save_entry(
        session, get_form("to_chuc_doan_the"), unit_id, period_id, edited, writer=writer, record_id=record.id
    )
    assert load(session, writer, "to_chuc_doan_the", path).unchanged == 1
    assert session.get_one(Record, record.id).values["hoi_vien"] == 12 and count(session) == 1
