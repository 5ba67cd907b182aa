"""Vietnamese input, spreadsheet coercion and display of field values."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import ChoiceDef, FieldDef
from danvan_desktop.formspec.values import (
    ValueParseError,
    coerce_value,
    format_number,
    format_value,
    parse_input,
)

STATUS = [{"value": "dang_ky", "label": "Đăng ký"}, {"value": "cong_nhan", "label": "Công nhận"}]


def _field(kind: str, **extra: Any) -> FieldDef:
    return FieldDef.model_validate({"id": "x", "type": kind, "label": "Số hộ tham gia", **extra})


INTEGER = _field("integer")
MONEY = _field("money", unit="đồng")
DECIMAL2 = _field("decimal", decimals=2)
AREA = _field("area", unit="m²")
PERCENT = _field("percent", decimals=1)
DATE = _field("date")
YES_NO = _field("yes_no")
CHOICE = _field("choice", choices=STATUS)
FIELDS_OF_WORK = _field(
    "multi_choice",
    choices=[
        {"value": "kinh_te", "label": "Kinh tế"},
        {"value": "van_hoa_xa_hoi", "label": "Văn hóa, xã hội"},
        {"value": "quoc_phong_an_ninh", "label": "Quốc phòng-an ninh"},
    ],
)
CRITERIA = _field("multi_choice", choices_from="ntm_criteria")
RATIO = _field("ratio", unit="xã")
TEXT = _field("text")


@pytest.mark.parametrize(
    ("field", "text", "stored"),
    [
        (INTEGER, "1.234.567", 1234567),
        (INTEGER, "1234567", 1234567),
        (INTEGER, " 42 ", 42),
        (INTEGER, "-5", -5),
        (_field("integer", unit="hộ"), "150 hộ", 150),
        (MONEY, "1.950.000.000", 1950000000),
        (MONEY, "1.950.000.000 đồng", 1950000000),
        (MONEY, "1.000,00", 1000),
        (DECIMAL2, "2.941,86", 2941.86),
        (DECIMAL2, "2,675", 2.68),  # half up, not the float's 2.67
        (DECIMAL2, ",5", 0.5),
        (AREA, "120,5 m²", 120.5),
        (PERCENT, "72,7", 72.7),
        (PERCENT, "72,7%", 72.7),
        (PERCENT, "72,66 %", 72.7),
        (DATE, "05/02/2023", "2023-02-05"),
        (DATE, "5/2/2023", "2023-02-05"),
        (DATE, "29/02/2024", "2024-02-29"),
        (DATE, "2023-02-05", "2023-02-05"),
        (YES_NO, "có", True),
        (YES_NO, "Không", False),
        (YES_NO, "khong", False),
        (YES_NO, "x", True),
        (YES_NO, "1", True),
        (YES_NO, "0", False),
        (YES_NO, "TRUE", True),
        (YES_NO, "false", False),
        (CHOICE, "cong_nhan", "cong_nhan"),
        (CHOICE, "Công nhận", "cong_nhan"),
        (CHOICE, "cong nhan", "cong_nhan"),
        (CHOICE, "CÔNG NHẬN", "cong_nhan"),
        (FIELDS_OF_WORK, "Quốc phòng-an ninh; kinh te", ["kinh_te", "quoc_phong_an_ninh"]),
        (FIELDS_OF_WORK, "Văn hóa, xã hội", ["van_hoa_xa_hoi"]),  # a comma inside a label
        (FIELDS_OF_WORK, "kinh_te, van_hoa_xa_hoi", ["kinh_te", "van_hoa_xa_hoi"]),
        (FIELDS_OF_WORK, "kinh te; Kinh tế", ["kinh_te"]),
        (CRITERIA, "1, 5; 17", ["1", "5", "17"]),
        (RATIO, "16/22", {"num": 16, "den": 22}),
        (RATIO, "169 / 228 xã", {"num": 169, "den": 228}),
        (RATIO, "1.200/1.500", {"num": 1200, "den": 1500}),
        (TEXT, "  Xóm Bản Lanh  ", "Xóm Bản Lanh"),
        (INTEGER, "", None),
        (TEXT, "   ", None),
    ],
)
def test_parse_input(field: FieldDef, text: str, stored: object) -> None:
    value = parse_input(field, text)
    assert value == stored
    assert type(value) is type(stored)


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        (INTEGER, "1.5", "dấu chấm để phân cách hàng nghìn"),
        (DECIMAL2, "1.5", "«1,5»"),  # Babel's suggestion is passed on
        (DECIMAL2, "2,941.86", "«2.941,86»"),
        (INTEGER, "12.34.567", "«1.234.567»"),
        (INTEGER, "1,5", "không có phần thập phân"),
        (INTEGER, "abc", "không phải là số"),
        (INTEGER, "mười", "không phải là số"),
        (INTEGER, "1e5", "không phải là số"),
        (DECIMAL2, "NaN", "không phải là số"),
        (INTEGER, "1 234", "không phải là số"),
        (DATE, "31/02/2023", "tháng 2 năm 2023 chỉ có 28 ngày"),
        (DATE, "29/02/2023", "chỉ có 28 ngày"),
        (DATE, "01/13/2023", "không có tháng 13"),
        (DATE, "05/02/23", "ngày/tháng/năm"),
        (DATE, "05/02/0223", "không hợp lý"),
        (DATE, "hôm qua", "không phải là ngày"),
        (YES_NO, "có lẽ", "«có» hoặc «không»"),
        (CHOICE, "từ chối", "không có trong danh sách: Đăng ký; Công nhận"),
        (FIELDS_OF_WORK, "kinh tế; thể thao", "«thể thao» không có trong danh sách"),
        (RATIO, "16", "dạng a/b"),
        (RATIO, "16,5/22", "số nguyên không âm"),
        (RATIO, "-1/22", "số nguyên không âm"),
    ],
)
def test_parse_input_rejects_with_a_vietnamese_reason(field: FieldDef, text: str, reason: str) -> None:
    with pytest.raises(ValueParseError) as caught:
        parse_input(field, text)
    assert isinstance(caught.value, UserError)
    assert str(caught.value).startswith("«Số hộ tham gia»: ")
    assert reason in str(caught.value)


def test_nfd_input_is_normalized_not_rejected() -> None:
    nfd = unicodedata.normalize("NFD", "Nhà văn hóa Bản Lanh")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert parse_input(TEXT, nfd) == unicodedata.normalize("NFC", nfd)
    assert parse_input(CHOICE, unicodedata.normalize("NFD", "Công nhận")) == "cong_nhan"
    assert parse_input(YES_NO, unicodedata.normalize("NFD", "Không")) is False


def test_dynamic_choices_replace_the_field_choices() -> None:
    criteria = [ChoiceDef(value=str(n), label=f"Tiêu chí {n}") for n in range(1, 20)]
    assert parse_input(CRITERIA, "17; Tiêu chí 2", choices=criteria) == ["2", "17"]
    with pytest.raises(ValueParseError, match="«20» không có trong danh sách"):
        parse_input(CRITERIA, "1, 20", choices=criteria)
    assert format_value(CRITERIA, ["2", "17"], choices=criteria) == "Tiêu chí 2; Tiêu chí 17"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        (INTEGER, 1234567, "1.234.567"),
        (INTEGER, -1234, "-1.234"),
        (MONEY, 1950000000, "1.950.000.000"),
        (DECIMAL2, 2941.86, "2.941,86"),
        (DECIMAL2, 2941.5, "2.941,5"),
        (_field("decimal"), 0.1 + 0.2, "0,3"),
        (PERCENT, 72.7, "72,7%"),
        (PERCENT, 100.0, "100%"),
        (_field("percent", decimals=0), 72.5, "73%"),  # half up
        (RATIO, {"num": 16, "den": 22}, "16/22"),
        (RATIO, {"num": 1200, "den": 1500}, "1.200/1.500"),
        (DATE, "2023-02-05", "05/02/2023"),
        (CHOICE, "cong_nhan", "Công nhận"),
        (CHOICE, "khong_ro", "khong_ro"),  # a code no longer offered is still shown
        (FIELDS_OF_WORK, ["kinh_te", "quoc_phong_an_ninh"], "Kinh tế; Quốc phòng-an ninh"),
        (YES_NO, True, "Có"),
        (YES_NO, False, "Không"),
        (TEXT, "Xóm Đèo Muồng", "Xóm Đèo Muồng"),
        (INTEGER, None, ""),
    ],
)
def test_format_value(field: FieldDef, value: object, shown: str) -> None:
    assert format_value(field, value) == shown


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (INTEGER, 1234567),
        (MONEY, 1950000000),
        (DECIMAL2, 2941.86),
        (AREA, 0.125),
        (PERCENT, 72.7),
        (DATE, "2024-02-29"),
        (YES_NO, True),
        (YES_NO, False),
        (CHOICE, "dang_ky"),
        (FIELDS_OF_WORK, ["kinh_te", "van_hoa_xa_hoi", "quoc_phong_an_ninh"]),
        (RATIO, {"num": 169, "den": 228}),
        (TEXT, "Mô hình «Dân vận khéo»"),
    ],
)
def test_round_trip_through_display(field: FieldDef, value: object) -> None:
    assert parse_input(field, format_value(field, value)) == value


def test_format_number() -> None:
    assert format_number(1234567) == "1.234.567"
    assert format_number(2941.855, 2) == "2.941,86"
    assert format_number(12.0, 0) == "12"


@pytest.mark.parametrize(
    ("field", "raw", "stored"),
    [
        (INTEGER, 42, 42),
        (INTEGER, 42.0, 42),
        (INTEGER, "1.234", 1234),
        (DECIMAL2, 2941.856, 2941.86),
        (PERCENT, 72.66, 72.7),
        (MONEY, 1950000000, 1950000000),
        (DATE, dt.datetime(2023, 2, 5, 0, 0), "2023-02-05"),
        (DATE, dt.date(2023, 2, 5), "2023-02-05"),
        (DATE, "05/02/2023", "2023-02-05"),
        (YES_NO, True, True),
        (YES_NO, 0, False),
        (YES_NO, "có", True),
        (CHOICE, "Đăng ký", "dang_ky"),
        (CRITERIA, 17.0, ["17"]),
        (CRITERIA, [1, 5.0, "17"], ["1", "5", "17"]),
        (FIELDS_OF_WORK, ["Kinh tế", "quoc_phong_an_ninh"], ["kinh_te", "quoc_phong_an_ninh"]),
        (RATIO, {"num": 16, "den": 22}, {"num": 16, "den": 22}),
        (RATIO, "16/22", {"num": 16, "den": 22}),
        (TEXT, 912345678, "912345678"),
        (TEXT, None, None),
    ],
)
def test_coerce_value(field: FieldDef, raw: object, stored: object) -> None:
    assert coerce_value(field, raw) == stored


@pytest.mark.parametrize(
    ("field", "raw", "reason"),
    [
        (INTEGER, 1.5, "không có phần thập phân"),
        (INTEGER, True, "không dùng được cho kiểu số nguyên"),
        (DECIMAL2, float("nan"), "hữu hạn"),
        (DATE, 45000, "không dùng được cho kiểu ngày"),
        (DATE, "31/02/2023", "chỉ có 28 ngày"),
        (YES_NO, 2, "«có» hoặc «không»"),
        (RATIO, {"num": 1.5, "den": 2}, "tỷ số"),
        (CHOICE, dt.date(2023, 1, 1), "không dùng được"),
    ],
)
def test_coerce_value_rejects(field: FieldDef, raw: object, reason: str) -> None:
    with pytest.raises(ValueParseError, match=reason):
        coerce_value(field, raw)
