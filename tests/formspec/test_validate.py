"""Record validation: required, relevance, computed fields, types, ranges, choices, ratios and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_desktop.formspec.loader import load_form_file
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.validate import (
    Issue,
    ValidationContext,
    apply_computed,
    clean_values,
    relevant_field_ids,
    validate_record,
)

FORM = """\
id: dan_van_xa
version: 1
title: Báo cáo công tác dân vận xã
kind: aggregate
sections:
  - title: Tập hợp hội viên
    fields:
      - {id: so_hoi_vien, type: integer, label: Số hội viên, min: 0, required: true}
      - {id: so_trong_do_tuoi, type: integer, label: Số người trong độ tuổi, min: 0}
      - id: ty_le_tap_hop
        type: percent
        label: Tỷ lệ tập hợp
        decimals: 1
        computed: so_hoi_vien / so_trong_do_tuoi * 100
      - {id: ty_le_ho_dat, type: percent, label: Tỷ lệ hộ đạt gia đình văn hóa}
  - title: Nhà văn hóa và nông thôn mới
    fields:
      - {id: so_xom, type: integer, label: Số xóm, min: 0}
      - {id: so_nha_van_hoa, type: integer, label: Số nhà văn hóa đã xây, min: 0, max: 500}
      - {id: xa_dat_chuan, type: ratio, label: Số xã đạt chuẩn NTM, unit: xã}
      - {id: tieu_chi, type: multi_choice, label: Tiêu chí đạt, choices_from: ntm_criteria}
      - {id: co_ho_tro, type: yes_no, label: Có hỗ trợ kinh phí}
      - {id: kinh_phi, type: money, label: Kinh phí hỗ trợ, min: 0, required: true, relevant: co_ho_tro}
      - id: ghi_chu_kinh_phi
        type: text
        label: Ghi chú kinh phí lớn
        relevant: kinh_phi > 1000000000
  - title: Mô hình
    fields:
      - id: trang_thai
        type: choice
        label: Trạng thái
        choices:
          - {value: dang_ky, label: Đăng ký}
          - {value: tham_dinh, label: Thẩm định}
          - {value: cong_nhan, label: Công nhận}
      - {id: so_quyet_dinh, type: text, label: Số quyết định công nhận, max_length: 20}
      - id: so_bao_cao
        type: text
        label: Số báo cáo
        pattern: "[0-9]{2}/BC-[A-Z]+"
        pattern_message: nhập theo dạng 05/BC-UBND.
      - {id: ngay_cong_nhan, type: date, label: Ngày công nhận}
      - {id: xom, type: org_unit, label: Xóm, unit_level: village}
      - {id: to_chuc, type: organization, label: Tổ chức phụ trách}
rules:
  - id: hoi_vien_trong_do_tuoi
    check: so_hoi_vien <= so_trong_do_tuoi
    message: Số hội viên không được nhiều hơn số người trong độ tuổi.
    fields: [so_hoi_vien, so_trong_do_tuoi]
  - id: nha_van_hoa_theo_xom
    check: so_nha_van_hoa <= so_xom
    message: Số nhà văn hóa đã xây không được nhiều hơn số xóm.
    fields: [so_nha_van_hoa]
  - id: quyet_dinh_khi_cong_nhan
    check: trang_thai != 'cong_nhan' or not is_empty(so_quyet_dinh)
    message: Mô hình đã công nhận phải có số quyết định.
    fields: [so_quyet_dinh]
  - id: ty_le_thap
    check: ty_le_tap_hop >= 50
    message: Tỷ lệ tập hợp dưới 50%, đề nghị kiểm tra lại số liệu.
    severity: warning
    fields: [ty_le_tap_hop]
"""


@pytest.fixture
def form(tmp_path: Path) -> FormDef:
    path = tmp_path / "dan_van_xa.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form_file(path)


GOOD = {"so_hoi_vien": 80, "so_trong_do_tuoi": 110, "so_xom": 12, "so_nha_van_hoa": 9}


def _messages(issues: list[Issue]) -> list[str]:
    return [i.message for i in issues]


def _only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, issues
    return issues[0]


def test_a_complete_good_record_has_no_issues(form: FormDef) -> None:
    assert validate_record(form, GOOD) == []


def test_empty_record_reports_only_the_relevant_required_fields(form: FormDef) -> None:
    issue = _only(validate_record(form, {}))
    assert issue == Issue("so_hoi_vien", "«Số hội viên» không được để trống.", "error")


def test_required_field_is_only_checked_while_relevant(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "co_ho_tro": False}) == []
    issue = _only(validate_record(form, {**GOOD, "co_ho_tro": True}))
    assert (issue.field_id, issue.message) == ("kinh_phi", "«Kinh phí hỗ trợ» không được để trống.")


def test_irrelevant_fields_are_ignored_even_when_invalid(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "co_ho_tro": False, "kinh_phi": -5}) == []
    issue = _only(validate_record(form, {**GOOD, "co_ho_tro": True, "kinh_phi": -5}))
    assert issue.message == "«Kinh phí hỗ trợ» phải từ 0 trở lên."


def test_relevance_follows_a_hidden_field(form: FormDef) -> None:
    values = {"co_ho_tro": True, "kinh_phi": 1_950_000_000}
    assert {"kinh_phi", "ghi_chu_kinh_phi"} <= relevant_field_ids(form, values)
    hidden = relevant_field_ids(form, {**values, "co_ho_tro": False})
    assert "kinh_phi" not in hidden and "ghi_chu_kinh_phi" not in hidden  # kinh_phi reads as empty
    assert "so_xom" in hidden


@pytest.mark.parametrize(
    ("members", "eligible", "coverage"),
    [(80, 110, 72.7), (110, 110, 100.0), (0, 5, 0.0), (3, 0, None), (None, 110, None), (80, None, None)],
)
def test_coverage_is_computed_and_empty_without_inputs(
    form: FormDef, members: int | None, eligible: int | None, coverage: float | None
) -> None:
    values = {"so_hoi_vien": members, "so_trong_do_tuoi": eligible, "ty_le_tap_hop": 5.0}
    computed = apply_computed(form, values)
    assert computed["ty_le_tap_hop"] == coverage
    assert values["ty_le_tap_hop"] == 5.0  # the input is left alone


def test_clean_values_drops_hidden_and_unknown_fields_and_fills_computed(form: FormDef) -> None:
    raw = {**GOOD, "co_ho_tro": False, "kinh_phi": 5000, "cot_la": 1, "ty_le_tap_hop": 1.0}
    assert clean_values(form, raw) == {**GOOD, "ty_le_tap_hop": 72.7, "co_ho_tro": False}


def test_min_max_messages_name_the_field(form: FormDef) -> None:
    # The rule "houses <= villages" stays quiet: the village count has its own error.
    assert _messages(validate_record(form, {**GOOD, "so_xom": -1})) == ["«Số xóm» phải từ 0 trở lên."]
    issue = _only(validate_record(form, {**GOOD, "so_xom": 1000, "so_nha_van_hoa": 501}))
    assert issue.message == "«Số nhà văn hóa đã xây» không được lớn hơn 500."


def test_percent_must_be_between_0_and_100(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "ty_le_ho_dat": 100.0}) == []
    assert _only(validate_record(form, {**GOOD, "ty_le_ho_dat": 100.5})).field_id == "ty_le_ho_dat"


@pytest.mark.parametrize(
    ("field_id", "value", "message"),
    [
        ("so_xom", "12", "«Số xóm» phải là số nguyên."),
        ("so_xom", 12.5, "«Số xóm» phải là số nguyên."),
        ("so_xom", True, "«Số xóm» phải là số nguyên."),
        ("co_ho_tro", "có", "«Có hỗ trợ kinh phí» phải là có/không."),
        ("ngay_cong_nhan", "2023-02-30", "«Ngày công nhận» không phải là ngày hợp lệ."),
        ("ngay_cong_nhan", "05/02/2023", "«Ngày công nhận» không phải là ngày hợp lệ."),
        ("trang_thai", "huy", "«Trạng thái»: «huy» không có trong danh sách lựa chọn."),
        ("tieu_chi", "1", "«Tiêu chí đạt» phải là danh sách lựa chọn."),
        ("so_quyet_dinh", "x" * 21, "«Số quyết định công nhận» dài quá 20 ký tự (hiện có 21)."),
        ("so_bao_cao", "5/BC", "«Số báo cáo»: nhập theo dạng 05/BC-UBND."),
        (
            "xa_dat_chuan",
            {"num": 17, "den": 16},
            "«Số xã đạt chuẩn NTM»: tử số (17) không được lớn hơn mẫu số (16).",
        ),
        ("xa_dat_chuan", {"num": 0, "den": 0}, "«Số xã đạt chuẩn NTM»: mẫu số phải lớn hơn 0."),
        ("xa_dat_chuan", {"num": -1, "den": 22}, "«Số xã đạt chuẩn NTM»: tử số không được âm."),
        ("xa_dat_chuan", "16/22", "«Số xã đạt chuẩn NTM» phải là tỷ số dạng a/b."),
    ],
)
def test_stored_values_of_the_wrong_shape(form: FormDef, field_id: str, value: object, message: str) -> None:
    issue = _only(validate_record(form, {**GOOD, "kinh_phi": 1000, field_id: value}))
    assert (issue.field_id, issue.message, issue.severity) == (field_id, message, "error")


def test_good_values_of_every_kind_pass(form: FormDef) -> None:
    values = {
        **GOOD,
        "xa_dat_chuan": {"num": 16, "den": 22},
        "tieu_chi": ["1", "17"],
        "trang_thai": "tham_dinh",
        "so_bao_cao": "05/BC-UBND",
        "ngay_cong_nhan": "2023-02-05",
        "xom": "DH-BANLANH",
        "to_chuc": "HOI-ND",
        "co_ho_tro": True,
        "kinh_phi": 1_950_000_000,
        "ghi_chu_kinh_phi": "Nhân dân đóng góp",
    }
    assert validate_record(form, values) == []


def test_context_supplies_dynamic_choices_and_catalog_codes(form: FormDef) -> None:
    ctx = ValidationContext(
        choices={"tieu_chi": {str(n) for n in range(1, 20)}},
        org_units={"DH-DINHHOA"},
        org_units_by_level={"village": {"DH-BANLANH"}},
        organizations={"HOI-ND"},
    )
    good = {**GOOD, "tieu_chi": ["1", "19"], "xom": "DH-BANLANH", "to_chuc": "HOI-ND"}
    assert validate_record(form, good, ctx) == []
    bad = {**GOOD, "tieu_chi": ["1", "20"], "xom": "DH-DINHHOA", "to_chuc": "HOI-XX"}
    assert _messages(validate_record(form, bad, ctx)) == [
        "«Tiêu chí đạt»: «20» không có trong danh sách lựa chọn.",
        "«Xóm»: không có đơn vị mã «DH-DINHHOA» trong danh mục.",
        "«Tổ chức phụ trách»: không có tổ chức mã «HOI-XX» trong danh mục.",
    ]
    assert validate_record(form, bad) == []  # without a catalog these checks are skipped


def test_rule_members_not_above_eligible(form: FormDef) -> None:
    issue = _only(validate_record(form, {**GOOD, "so_hoi_vien": 120}))
    assert issue == Issue(
        "so_hoi_vien",
        "Số hội viên không được nhiều hơn số người trong độ tuổi.",
        "error",
        "hoi_vien_trong_do_tuoi",
        ("so_hoi_vien", "so_trong_do_tuoi"),
    )


def test_rule_cultural_houses_not_above_villages(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "so_nha_van_hoa": 12}) == []
    issue = _only(validate_record(form, {**GOOD, "so_nha_van_hoa": 13}))
    assert (issue.rule_id, issue.field_id, issue.severity) == (
        "nha_van_hoa_theo_xom",
        "so_nha_van_hoa",
        "error",
    )


def test_rule_decision_required_when_recognised(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "trang_thai": "dang_ky"}) == []
    issue = _only(validate_record(form, {**GOOD, "trang_thai": "cong_nhan"}))
    assert (issue.rule_id, issue.field_id) == ("quyet_dinh_khi_cong_nhan", "so_quyet_dinh")
    assert issue.message == "Mô hình đã công nhận phải có số quyết định."
    assert validate_record(form, {**GOOD, "trang_thai": "cong_nhan", "so_quyet_dinh": "12/QĐ-UBND"}) == []


def test_warning_only_rule(form: FormDef) -> None:
    issue = _only(validate_record(form, {**GOOD, "so_hoi_vien": 40, "so_trong_do_tuoi": 100}))
    assert (issue.severity, issue.rule_id, issue.field_id) == ("warning", "ty_le_thap", "ty_le_tap_hop")
    assert not [i for i in validate_record(form, {**GOOD, "so_hoi_vien": 40}) if i.severity == "error"]


def test_rules_with_missing_inputs_are_skipped_not_failed(form: FormDef) -> None:
    values = {"so_hoi_vien": 80, "so_nha_van_hoa": 9}  # no eligible count, no village count
    assert validate_record(form, values) == []
    assert validate_record(form, {**GOOD, "so_trong_do_tuoi": 0}) == [
        Issue(
            "so_hoi_vien",
            "Số hội viên không được nhiều hơn số người trong độ tuổi.",
            "error",
            "hoi_vien_trong_do_tuoi",
            ("so_hoi_vien", "so_trong_do_tuoi"),
        )
    ]  # coverage 80/0 is empty, so only the comparison rule speaks


def test_unknown_keys_are_ignored_by_validation(form: FormDef) -> None:
    assert validate_record(form, {**GOOD, "khong_co": "x"}) == []
