"""Bounded values: numbers, dates and computed results end in a per-field error, never an exception."""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from danvan_desktop import paths
from danvan_desktop.formspec.bounds import MAX_MAGNITUDE
from danvan_desktop.formspec.loader import FormSpecError, load_form_file
from danvan_desktop.formspec.model import NUMERIC_TYPES, FieldDef, FormDef
from danvan_desktop.formspec.validate import ValidationContext, clean_and_validate
from danvan_desktop.formspec.values import ValueParseError, coerce_value, format_value, parse_input
from danvan_desktop.services.office.forms import form_registry

# Keep Hypothesis's example cache out of the repository (as tests/transport/test_fuzz.py does).
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "danvan-desktop-hypothesis")

FORM = """\
id: bien
version: 1
title: Biểu thử giới hạn
kind: aggregate
sections:
  - title: Số liệu
    fields:
      - {id: so_ho, type: integer, label: Số hộ}
      - {id: so_nguoi, type: integer, label: Số người, min: 0, max: 5000}
      - {id: dien_tich, type: area, label: Diện tích}
      - {id: kinh_phi, type: money, label: Kinh phí}
      - {id: ty_le, type: percent, label: Tỷ lệ, decimals: 1}
      - {id: thanh_tien, type: money, label: Thành tiền, computed: kinh_phi * dien_tich}
      - id: tong
        type: decimal
        label: Tổng cộng
        computed: "sum(kinh_phi, dien_tich, so_ho)"
      - {id: ngay_hop, type: date, label: Ngày họp}
      - {id: ngay_ky, type: date, label: Ngày ký, min: 2021-01-01, max: 2025-12-31}
      - {id: xa_dat, type: ratio, label: Số xã đạt chuẩn}
rules:
  - id: ho_it_hon_nguoi
    check: so_ho <= so_nguoi
    message: Số hộ không được nhiều hơn số người.
    fields: [so_ho]
"""

TODAY = dt.date(2026, 6, 15)
CTX = ValidationContext(today=TODAY)


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> FormDef:
    path = tmp_path_factory.mktemp("bounds") / "bien.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form_file(path)


def errors(form: FormDef, values: dict[str, object]) -> dict[str | None, str]:
    _, issues = clean_and_validate(form, values, CTX)
    return {i.field_id: i.message for i in issues if i.severity == "error"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (10**400, "vượt giới hạn"),
        (-(10**400), "vượt giới hạn"),
        (10**15, "vượt giới hạn"),
        (-1e308, "vượt giới hạn"),
        (1e308, "vượt giới hạn"),
        (math.inf, "không phải là số hữu hạn"),
        (-math.inf, "không phải là số hữu hạn"),
        (math.nan, "không phải là số hữu hạn"),
        (True, "phải là số nguyên"),
        (False, "phải là số nguyên"),
        (1.5, "phải là số nguyên"),
        ("12", "phải là số nguyên"),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_out_of_bounds_integer_is_an_error_naming_the_field(
    form: FormDef, value: object, reason: str
) -> None:
    # so_ho feeds a computed field and a rule: the bound must be checked before either runs.
    found = errors(form, {"so_ho": value, "so_nguoi": 10})
    assert set(found) == {"so_ho"}
    assert found["so_ho"].startswith("«Số hộ»") and reason in found["so_ho"]


@pytest.mark.parametrize("value", [10**400, -1e308, 1e300, math.nan, True], ids=lambda v: repr(v)[:24])
def test_out_of_bounds_inputs_of_a_product_never_reach_it(form: FormDef, value: object) -> None:
    cleaned, issues = clean_and_validate(form, {"kinh_phi": value, "dien_tich": 2.5}, CTX)
    assert [i.field_id for i in issues] == ["kinh_phi"]
    assert cleaned["thanh_tien"] is None and cleaned["tong"] is None


def test_largest_allowed_values_pass_and_format(form: FormDef) -> None:
    top = MAX_MAGNITUDE - 1
    cleaned, issues = clean_and_validate(form, {"so_ho": -top, "kinh_phi": top, "so_nguoi": 10}, CTX)
    assert issues == []
    assert format_value(form.field("kinh_phi"), cleaned["kinh_phi"]) == "999.999.999.999.999"
    assert format_value(form.field("so_ho"), cleaned["so_ho"]) == "-999.999.999.999.999"
    assert format_value(form.field("dien_tich"), 99_999_999_999.9999) == "99.999.999.999,9999"


def test_a_computed_product_past_the_bound_rejects_the_record(form: FormDef) -> None:
    # Both inputs are in range; their product (10^26) is no figure anyone reports.
    found = errors(form, {"kinh_phi": 10**14, "dien_tich": 10**12})
    assert set(found) == {"thanh_tien"}
    assert found["thanh_tien"] == (
        "«Thành tiền» (trường tự tính) ra kết quả vượt giới hạn ±999.999.999.999.999; "
        "hãy kiểm tra các số liệu dùng để tính."
    )


def test_a_computed_float_overflow_rejects_the_record(form: FormDef) -> None:
    # In-range inputs multiplied as floats: 9.9e14 * 9.9e14 does not overflow, but is out of range.
    found = errors(form, {"kinh_phi": 990_000_000_000_000, "dien_tich": 9.9e14})
    assert "thanh_tien" in found


def test_decimals_beyond_the_default_are_refused_in_a_record(form: FormDef) -> None:
    assert "quá 4 chữ số thập phân" in errors(form, {"dien_tich": 1e-7})["dien_tich"]
    assert "quá 1 chữ số thập phân" in errors(form, {"ty_le": 72.75})["ty_le"]
    assert errors(form, {"dien_tich": 2941.8612, "ty_le": 72.7}) == {}
    assert errors(form, {"dien_tich": -0.0}) == {}


def test_declared_ranges_still_apply(form: FormDef) -> None:
    assert errors(form, {"so_nguoi": 5001})["so_nguoi"] == "«Số người» không được lớn hơn 5.000."
    assert errors(form, {"ty_le": 100.5})["ty_le"] == "«Tỷ lệ» không được lớn hơn 100."


def test_ratio_parts_are_bounded(form: FormDef) -> None:
    found = errors(form, {"xa_dat": {"num": 10**400, "den": 10**401}})
    assert "vượt giới hạn" in found["xa_dat"]
    assert errors(form, {"xa_dat": {"num": 16, "den": 22}}) == {}
    with pytest.raises(ValueParseError):
        coerce_value(form.field("xa_dat"), {"num": math.inf, "den": 3})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1944-12-31", "sớm hơn 01/01/1945"),
        ("2031-06-16", "muộn hơn 15/06/2031"),
        ("2999-01-01", "muộn hơn 15/06/2031"),
        ("2023-02-30", "không phải là ngày hợp lệ"),
        ("2023-W01-1", "không phải là ngày hợp lệ"),
        (20230205, "không phải là ngày hợp lệ"),
    ],
)
def test_dates_outside_the_default_range_are_refused(form: FormDef, value: object, reason: str) -> None:
    assert reason in errors(form, {"ngay_hop": value})["ngay_hop"]


def test_date_range_follows_today_and_the_form(form: FormDef) -> None:
    assert errors(form, {"ngay_hop": "1945-01-01"}) == {}
    assert errors(form, {"ngay_hop": "2031-06-15"}) == {}
    assert errors(form, {"ngay_ky": "2023-02-05"}) == {}
    assert "sớm hơn 01/01/2021" in errors(form, {"ngay_ky": "2020-12-31"})["ngay_ky"]
    assert "muộn hơn 31/12/2025" in errors(form, {"ngay_ky": "2026-01-01"})["ngay_ky"]


def test_typed_and_imported_numbers_are_bounded_before_rounding(form: FormDef) -> None:
    money = form.field("kinh_phi")
    for raw in (10**400, -1e308, float("inf")):
        with pytest.raises(ValueParseError) as info:
            coerce_value(money, raw)
        assert info.value.message.startswith("«Kinh phí»")
    with pytest.raises(ValueParseError, match="vượt giới hạn"):
        parse_input(money, "1" + "0" * 400)
    with pytest.raises(ValueParseError, match="vượt giới hạn"):
        parse_input(money, "1.000.000.000.000.000")
    assert parse_input(money, "999.999.999.999.999") == 999_999_999_999_999
    # No declared decimals: kept to 4 places, half up.
    assert coerce_value(form.field("dien_tich"), 2.123456) == 2.1235


@pytest.mark.parametrize(
    ("field_yaml", "reason"),
    [
        (
            "{id: a, type: integer, label: A, max: 1.0e+16}",
            "min/max phải nằm trong khoảng ±999.999.999.999.999",
        ),
        ("{id: a, type: integer, label: A, min: 2021-01-01}", "min/max của trường số phải là số"),
        ("{id: a, type: date, label: A, max: 5}", "min/max của trường ngày phải là ngày"),
        ("{id: a, type: date, label: A, min: 2025-01-01, max: 2021-01-01}", "muộn hơn max"),
        ("{id: a, type: integer, label: A, min: 10, max: 5}", "min (10) lớn hơn max (5)"),
        ("{id: a, type: text, label: A, max: 5}", "min/max chỉ dùng cho trường số hoặc trường ngày"),
    ],
)
def test_form_files_declare_bounds_that_fit(tmp_path: Path, field_yaml: str, reason: str) -> None:
    path = tmp_path / "bien.yaml"
    body = "id: bien\nversion: 1\ntitle: Thử\nkind: aggregate\nsections:\n  - title: S\n    fields:\n"
    path.write_text(body + f"      - {field_yaml}\n", encoding="utf-8")
    with pytest.raises(FormSpecError) as info:
        load_form_file(path)
    assert reason in str(info.value)


# ------------------------------------------------------------------------- every shipped form

_SHIPPED = sorted(form_registry(paths.forms_dir()).values(), key=lambda f: f.id)
_NUMBER_FIELDS = [
    (form, field) for form in _SHIPPED for field in form.fields() if field.type in NUMERIC_TYPES
]

json_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**14, max_value=10**500),
    st.integers(min_value=-(10**500), max_value=-(10**14)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.sampled_from([-0.0, 0.0, 5e-324, -5e-324, 1.7976931348623157e308, -1e308, 10**400, True, False]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_NUMBER_FIELDS),
    st.dictionaries(st.sampled_from(range(64)), json_numbers, max_size=6),
    json_numbers,
)
def test_random_json_numbers_never_raise_in_shipped_forms(
    where: tuple[FormDef, FieldDef], others: dict[int, object], value: object
) -> None:
    form, field = where
    numeric = [f for f in form.fields() if f.type in NUMERIC_TYPES]
    values: dict[str, object] = {numeric[i % len(numeric)].id: v for i, v in others.items()}
    values[field.id] = value
    cleaned, issues = clean_and_validate(form, values, CTX)
    for key, stored in cleaned.items():
        shown = form.field(key)
        if shown.type in NUMERIC_TYPES and stored is not None:
            assert isinstance(stored, int | float) and not isinstance(stored, bool)
            assert abs(stored) < MAX_MAGNITUDE
            format_value(shown, stored)  # every number that passes can be shown
    assert all(i.message.startswith("«") or i.rule_id for i in issues)
