"""Every shipped form in forms/ validates, is written in NFC and its expressions run on sample data."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from danvan_desktop import paths
from danvan_desktop.formspec.expressions import evaluate
from danvan_desktop.formspec.model import NUMERIC_TYPES, FieldDef, FormDef

EXPECTED_KINDS = {
    "ho_so_xa": "aggregate",
    "tien_do_ntm": "aggregate",
    "nha_van_hoa": "register",
    "dong_gop_nhan_dan": "register",
    "mo_hinh_dan_van_kheo": "register",
    "phong_trao_thi_dua": "register",
    "to_chuc_doan_the": "register",
    "doi_thoai_tiep_dan": "register",
    "dan_chu_co_so": "aggregate",
    "chi_tieu_de_an_05": "register",
    "kiem_tra_giam_sat": "register",
    "bao_cao_tong_hop": "aggregate",
}

FORM_FILES = sorted(paths.forms_dir().glob("*.yaml"))


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path.name
    return data


def _form(form_id: str) -> FormDef:
    return FormDef.model_validate(_raw(paths.forms_dir() / f"{form_id}.yaml"))


def _all_forms() -> list[FormDef]:
    return [FormDef.model_validate(_raw(path)) for path in FORM_FILES]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _sample(field: FieldDef) -> object:
    """A plausible non-empty value of the field's type."""
    samples: dict[str, object] = {
        "integer": 10,
        "decimal": 3.5,
        "money": 1_000_000,
        "area": 25.5,
        "labour_days": 12.0,
        "percent": 50.0,
        "text": "Mẫu",
        "long_text": "Nội dung mẫu",
        "date": "2023-02-05",
        "yes_no": True,
        "org_unit": "DH-PHUCCHU-01",
        "organization": "HLHPN",
        "ratio": {"num": 1, "den": 2},
    }
    if field.type == "choice":
        assert field.choices
        return field.choices[0].value
    if field.type == "multi_choice":
        return [c.value for c in field.choices[:2]] if field.choices else ["1", "2", "3"]
    return samples[field.type]


def _expressions(form: FormDef) -> Iterator[tuple[str, str]]:
    for field in form.fields():
        if field.relevant:
            yield f"{field.id}.relevant", field.relevant
        if field.computed:
            yield f"{field.id}.computed", field.computed
    for rule in form.rules:
        yield f"rule {rule.id}", rule.check


def test_every_expected_form_is_shipped() -> None:
    assert {path.stem for path in FORM_FILES} == set(EXPECTED_KINDS)


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_form_file_validates(path: Path) -> None:
    form = FormDef.model_validate(_raw(path))
    assert form.id == path.stem
    assert form.kind == EXPECTED_KINDS[form.id]
    assert form.version == 1
    assert form.description
    ids = [field.id for field in form.fields()]
    assert len(ids) == len(set(ids)), "duplicate field ids"
    for field in form.fields():
        if field.type in ("choice", "multi_choice") and field.choices:
            values = [c.value for c in field.choices]
            assert len(values) == len(set(values)), field.id
        if field.type in NUMERIC_TYPES and not field.computed:
            assert field.min is not None and field.min >= 0, field.id
            assert field.max is not None, field.id
        if field.type == "org_unit":
            assert field.unit_level == "village", field.id
    for rule in form.rules:
        assert set(rule.fields) <= set(ids), rule.id


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_form_text_is_nfc(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    for value in _strings(_raw(path)):
        assert unicodedata.is_normalized("NFC", value), value


def test_register_forms_have_columns_and_title() -> None:
    for form in _all_forms():
        ids = {field.id for field in form.fields()}
        if form.kind == "register":
            assert 4 <= len(form.list_columns) <= 7, form.id
            assert set(form.list_columns) <= ids, form.id
            assert form.record_title in ids, form.id
        else:
            assert not form.list_columns, form.id


def test_forms_load_with_the_loader() -> None:
    try:
        loader = importlib.import_module("danvan_desktop.formspec.loader")
    except ModuleNotFoundError:
        pytest.skip("danvan_desktop.formspec.loader is not written yet")
    forms = loader.load_forms(paths.forms_dir())
    assert set(forms) == set(EXPECTED_KINDS)


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_expressions_run_on_empty_and_full_records(path: Path) -> None:
    form = FormDef.model_validate(_raw(path))
    full = {field.id: _sample(field) for field in form.fields()}
    for values in ({}, full):
        for where, expr in _expressions(form):
            result = evaluate(expr, values)
            if not where.endswith(".computed"):
                assert isinstance(result, bool), (where, result)
        for field in form.fields():
            if not field.computed:
                continue
            result = evaluate(field.computed, values)
            if result is None:
                continue
            if field.type in NUMERIC_TYPES:
                assert isinstance(result, int | float) and not isinstance(result, bool), field.id
            elif field.type == "choice":
                assert field.choices and result in {c.value for c in field.choices}, field.id


def _computed(form_id: str, field_id: str, values: Mapping[str, object]) -> object:
    expr = _form(form_id).field(field_id).computed
    assert expr
    return evaluate(expr, values)


def _passes(form_id: str, rule_id: str, values: Mapping[str, object]) -> bool:
    (rule,) = [r for r in _form(form_id).rules if r.id == rule_id]
    return evaluate(rule.check, values) is True


def test_computed_values() -> None:
    assert _computed("to_chuc_doan_the", "ty_le_tap_hop", {"hoi_vien": 5, "doi_tuong": 10}) == 50.0
    assert _computed("to_chuc_doan_the", "ty_le_tap_hop", {"hoi_vien": 5, "doi_tuong": 0}) is None
    assert _computed("to_chuc_doan_the", "ty_le_tap_hop", {"hoi_vien": 5}) is None
    assert _computed("tien_do_ntm", "so_tieu_chi_dat", {"tieu_chi_dat": ["1", "2", "17"]}) == 3
    assert _computed("tien_do_ntm", "so_tieu_chi_dat", {}) is None
    assert _computed("ho_so_xa", "ty_le_xom_co_nha_van_hoa", {"so_nha_van_hoa": 169, "so_xom": 228}) == 74.1
    assert (
        _computed(
            "ho_so_xa",
            "ty_le_dan_toc_thieu_so",
            {"so_nhan_khau": 1000, "dan_toc_tay": 500, "dan_toc_dao": 227},
        )
        == 72.7
    )
    house = {
        "ngan_sach_nha_nuoc": 300_000_000,
        "nhan_dan_dong_gop_tien": 150_000_000,
        "hien_vat_quy_doi": 50_000_000,
    }
    assert _computed("nha_van_hoa", "tong_kinh_phi", house) == 500_000_000
    assert _computed("nha_van_hoa", "ty_le_nhan_dan_dong_gop", house) == 40.0
    assert _computed("nha_van_hoa", "tong_kinh_phi", {"dat_hien": 200}) is None
    project = {"dong_gop_tien": 20_000_000, "ngan_sach_nha_nuoc": 80_000_000}
    assert _computed("dong_gop_nhan_dan", "nhan_dan_dong_gop", project) == 20_000_000
    assert _computed("dong_gop_nhan_dan", "tong_gia_tri", project) == 100_000_000
    assert _computed("dong_gop_nhan_dan", "ty_le_nhan_dan", project) == 20.0
    assert (
        _computed("doi_thoai_tiep_dan", "ty_le_giai_quyet", {"so_kien_nghi": 8, "so_da_giai_quyet": 6})
        == 75.0
    )
    assert _computed("phong_trao_thi_dua", "tong_khen_thuong", {"khen_thuong_ca_nhan": 4}) == 4


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"chi_tieu": 100, "ket_qua": 120}, "vuot"),
        ({"chi_tieu": 100, "ket_qua": 100}, "dat"),
        ({"chi_tieu": 100, "ket_qua": 80}, "khong_dat"),
        ({"chi_tieu": 5, "ket_qua": 3, "loai_chi_tieu": "khong_che"}, "dat"),
        ({"chi_tieu": 5, "ket_qua": 7, "loai_chi_tieu": "khong_che"}, "khong_dat"),
        ({"chi_tieu": 5}, None),
    ],
)
def test_project_05_assessment(values: dict[str, object], expected: str | None) -> None:
    assert _computed("chi_tieu_de_an_05", "danh_gia", values) == expected


def test_cross_field_rules() -> None:
    assert _passes("ho_so_xa", "nha_van_hoa_khong_vuot_so_xom", {"so_nha_van_hoa": 169, "so_xom": 228})
    assert not _passes("ho_so_xa", "nha_van_hoa_khong_vuot_so_xom", {"so_nha_van_hoa": 12, "so_xom": 11})
    assert _passes("ho_so_xa", "nha_van_hoa_khong_vuot_so_xom", {"so_nha_van_hoa": 12})

    decision = "quyet_dinh_khi_dat_chuan"
    assert _passes("tien_do_ntm", decision, {"muc_dat": "chua_dat"})
    assert not _passes("tien_do_ntm", decision, {"muc_dat": "dat_chuan", "so_quyet_dinh": "1234/QĐ-UBND"})
    assert _passes(
        "tien_do_ntm",
        decision,
        {"muc_dat": "nang_cao", "so_quyet_dinh": "1/QĐ-UBND", "ngay_quyet_dinh": "2023-01-05"},
    )

    assert not _passes("to_chuc_doan_the", "hoi_vien_khong_vuot_doi_tuong", {"hoi_vien": 11, "doi_tuong": 10})
    assert _passes("to_chuc_doan_the", "hoi_vien_khong_vuot_doi_tuong", {"hoi_vien": 10, "doi_tuong": 10})

    petitions = "giai_quyet_khong_vuot_tiep_nhan"
    assert _passes(
        "doi_thoai_tiep_dan", petitions, {"so_kien_nghi": 8, "so_da_giai_quyet": 6, "so_dang_giai_quyet": 2}
    )
    assert not _passes(
        "doi_thoai_tiep_dan", petitions, {"so_kien_nghi": 8, "so_da_giai_quyet": 6, "so_dang_giai_quyet": 3}
    )

    recognised = "cong_nhan_phai_co_quyet_dinh"
    assert not _passes(
        "mo_hinh_dan_van_kheo", recognised, {"trang_thai": "cong_nhan", "so_quyet_dinh": "12-QĐ/ĐU"}
    )
    assert _passes("mo_hinh_dan_van_kheo", recognised, {"trang_thai": "dang_ky"})

    period = {"ngay_bat_dau": "2023-03-01", "ngay_ket_thuc": "2022-12-31"}
    assert not _passes("phong_trao_thi_dua", "ket_thuc_sau_bat_dau", period)
    assert _passes("phong_trao_thi_dua", "ket_thuc_sau_bat_dau", {"ngay_bat_dau": "2023-03-01"})
    deadline = {"ngay": "2023-05-10", "han_thuc_hien": "2023-05-09"}
    assert not _passes("kiem_tra_giam_sat", "han_sau_ngay_kiem_tra", deadline)
    assert _passes("dong_gop_nhan_dan", "so_ho_khong_am", {"so_ho_tham_gia": 0})
    assert not _passes("dong_gop_nhan_dan", "co_dong_gop_thi_co_ho", {"so_ho_tham_gia": 0, "dat_hien": 150})


def test_relevance() -> None:
    mo_hinh = _form("mo_hinh_dan_van_kheo")
    level = mo_hinh.field("cap_cong_nhan").relevant
    assert level
    assert evaluate(level, {"trang_thai": "cong_nhan"}) is True
    assert evaluate(level, {"trang_thai": "tham_dinh"}) is False
    ntm = _form("tien_do_ntm").field("so_quyet_dinh").relevant
    assert ntm
    assert evaluate(ntm, {"muc_dat": "kieu_mau"}) is True
    assert evaluate(ntm, {"muc_dat": "chua_dat"}) is False
    assert evaluate(ntm, {}) is False


@pytest.mark.parametrize(
    ("form_id", "field_id", "good", "bad"),
    [
        ("tien_do_ntm", "so_quyet_dinh", ["1234/QĐ-UBND", "45/2023/QĐ-UBND"], ["QĐ-UBND", "1234"]),
        ("tien_do_ntm", "nam_dat_chuan", ["2022"], ["22", "2022a"]),
        ("mo_hinh_dan_van_kheo", "nam_dang_ky", ["2021"], ["năm 2021"]),
        ("nha_van_hoa", "nam_hoan_thanh", ["1998"], ["3000"]),
    ],
)
def test_text_patterns(form_id: str, field_id: str, good: list[str], bad: list[str]) -> None:
    pattern = _form(form_id).field(field_id).pattern
    assert pattern
    assert all(re.fullmatch(pattern, text) for text in good)
    assert not any(re.fullmatch(pattern, text) for text in bad)
