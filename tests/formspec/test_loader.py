"""The form loader accepts a good file and names file, line and place for every bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.check_command import run_forms_check
from danvan_desktop.formspec.loader import (
    FormProblem,
    FormSpecError,
    check_form_files,
    load_form_file,
    load_forms,
)

GOOD = """\
id: nha_van_hoa
version: 1
title: Nhà văn hóa xóm
kind: register
unit_level: village
list_columns: [ten_nha, trang_thai]
record_title: ten_nha
sections:
  - title: Thông tin chung
    fields:
      - id: ten_nha
        type: text
        label: Tên nhà văn hóa
        required: true
      - id: trang_thai
        type: choice
        label: Tình trạng
        choices:
          - {value: xay_moi, label: Xây mới}
          - {value: mo_rong, label: Mở rộng}
      - id: ngay_khoi_cong
        type: date
        label: Ngày khởi công
        default: 2023-02-05
      - id: tieu_chi
        type: multi_choice
        label: Tiêu chí liên quan
        choices_from: ntm_criteria
      - id: so_xom
        type: integer
        label: Số xóm
        min: 0
      - id: so_nha
        type: integer
        label: Số nhà đã xây
        min: 0
        relevant: so_xom > 0
rules:
  - id: nha_khong_qua_xom
    check: so_nha <= so_xom
    message: Số nhà văn hóa không được nhiều hơn số xóm.
    fields: [so_nha, so_xom]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` (so tests stay right when GOOD changes)."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def _problems(tmp_path: Path, text: str, name: str = "bad.yaml") -> list[FormProblem]:
    return check_form_files([_write(tmp_path, name, text)])


def _only(problems: list[FormProblem]) -> FormProblem:
    assert len(problems) == 1, problems
    return problems[0]


def test_good_file_loads_with_dates_kept_as_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "nha_van_hoa.yaml", GOOD)
    assert check_form_files([path]) == []
    form = load_form_file(path)
    assert form.id == "nha_van_hoa"
    assert [f.id for f in form.fields()][:2] == ["ten_nha", "trang_thai"]
    assert form.field("ngay_khoi_cong").default == "2023-02-05"


def test_unknown_field_type_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("type: integer\n        label: Số xóm", "type: integger\n        label: Số xóm")
    problem = _only(_problems(tmp_path, text))
    assert problem.file.endswith("bad.yaml")
    assert problem.line == _line_of(text, "type: integger")
    assert problem.field == "so_xom.type"
    assert "integger" in problem.reason and "integer" in problem.reason


EXTRA_FIELD = "      - id: ten_nha\n        type: text\n        label: Tên khác\n"


def test_duplicate_field_id_points_at_the_second_one(tmp_path: Path) -> None:
    text = GOOD.replace("rules:\n", EXTRA_FIELD + "rules:\n")
    problem = _only(_problems(tmp_path, text))
    assert problem.line == _line_of(text, "id: ten_nha", occurrence=2)
    assert problem.field == "ten_nha.id"
    assert "«ten_nha» bị trùng" in problem.reason
    assert f"dòng {_line_of(text, 'id: ten_nha')}" in problem.reason


def test_rule_naming_a_missing_field(tmp_path: Path) -> None:
    text = GOOD.replace("check: so_nha <= so_xom", "check: so_nha <= so_xom_typo")
    problem = _only(_problems(tmp_path, text))
    assert problem.file.endswith("bad.yaml")
    assert problem.line == _line_of(text, "check: so_nha <= so_xom_typo")
    assert problem.field == "rules.nha_khong_qua_xom.check"
    assert "so_xom_typo" in problem.reason and "«so_xom»" in problem.reason  # a suggestion


def test_rule_fields_list_column_and_record_title_must_exist(tmp_path: Path) -> None:
    text = (
        GOOD.replace("fields: [so_nha, so_xom]", "fields: [so_nha, khong_co]")
        .replace("list_columns: [ten_nha, trang_thai]", "list_columns: [ten_nha, cot_la]")
        .replace("record_title: ten_nha", "record_title: tieu_de")
    )
    problems = _problems(tmp_path, text)
    assert {(p.line, p.field) for p in problems} == {
        (_line_of(text, "fields: [so_nha, khong_co]"), "rules.nha_khong_qua_xom.fields[1]"),
        (_line_of(text, "list_columns:"), "list_columns[1]"),
        (_line_of(text, "record_title:"), "record_title"),
    }


def test_bad_yaml_reports_the_line(tmp_path: Path) -> None:
    text = GOOD.replace("        label: Số xóm", "       label: Số xóm")  # one space short
    problem = _only(_problems(tmp_path, text))
    assert problem.line == _line_of(text, "       label: Số xóm")
    assert "YAML" in problem.reason


def test_expression_syntax_error(tmp_path: Path) -> None:
    text = GOOD.replace("relevant: so_xom > 0", "relevant: so_xom >")
    problem = _only(_problems(tmp_path, text))
    assert problem.line == _line_of(text, "relevant: so_xom >")
    assert problem.field == "so_nha.relevant"
    assert "sai cú pháp" in problem.reason


def test_forbidden_function_in_expression(tmp_path: Path) -> None:
    text = GOOD.replace("relevant: so_xom > 0", "relevant: open('x')")
    assert "chỉ được gọi các hàm" in _only(_problems(tmp_path, text)).reason


def test_duplicate_rule_id(tmp_path: Path) -> None:
    text = GOOD + ("  - id: nha_khong_qua_xom\n    check: so_xom >= 0\n    message: Số xóm không âm.\n")
    problem = _only(_problems(tmp_path, text))
    assert problem.line == _line_of(text, "- id: nha_khong_qua_xom", occurrence=2)
    assert "bị trùng" in problem.reason


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "reason"),
    [
        (
            "        choices:\n          - {value: xay_moi, label: Xây mới}\n"
            "          - {value: mo_rong, label: Mở rộng}\n",
            "",
            "type: choice",
            "trang_thai.type",
            "choices",
        ),
        (
            "        label: Số xóm\n",
            "        label: Số xóm\n        choices: [{value: a, label: A}]\n",
            "choices: [{value: a",
            "so_xom.choices",
            "chỉ dùng cho kiểu choice",
        ),
        (
            "        label: Số xóm\n        min: 0",
            "        label: Số xóm\n        min: 5\n        max: 1",
            "min: 5",
            "so_xom.min",
            "lớn hơn max",
        ),
        (
            "        relevant: so_xom > 0",
            "        computed: so_xom * 2\n        required: true  # wrong",
            "required: true  # wrong",
            "so_nha.required",
            "không thể bắt buộc",
        ),
        (
            "        label: Số xóm\n",
            "        label: Số xóm\n        lable: x\n",
            "lable: x",
            "so_xom.lable",
            "«label»",
        ),
        (
            "        label: Số xóm\n",
            "        label: Số xóm\n        label: Lặp\n",
            "label: Lặp",
            "so_xom.label",
            "khóa bị lặp lại",
        ),
        (
            "        label: Số xóm\n",
            "        label: Số xóm\n        default: nhiều\n",
            "default: nhiều",
            "so_xom.default",
            "không phải là số",
        ),
        (
            "        label: Tên nhà văn hóa\n",
            "        label: Tên nhà văn hóa\n        pattern: '[a-'\n",
            "pattern: '[a-'",
            "ten_nha.pattern",
            "biểu thức chính quy",
        ),
    ],
)
def test_consistency_problems_have_line_and_place(
    tmp_path: Path, old: str, new: str, needle: str, field: str, reason: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new)
    problem = _only(_problems(tmp_path, text))
    assert (problem.line, problem.field) == (_line_of(text, needle), field)
    assert reason in problem.reason


def test_missing_required_key_points_at_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("        label: Số xóm\n", "")
    problem = _only(_problems(tmp_path, text))
    assert problem.line == _line_of(text, "- id: so_xom")
    assert "thiếu trường bắt buộc «label»" in problem.reason


@pytest.mark.parametrize(("text", "reason"), [("", "tệp rỗng"), ("- a\n- b\n", "khóa: giá trị")])
def test_empty_or_non_mapping_file(tmp_path: Path, text: str, reason: str) -> None:
    problem = _only(_problems(tmp_path, text))
    assert (problem.line, reason in problem.reason) == (1, True)


def test_load_forms_reports_duplicate_form_id_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    _write(tmp_path, "b.yaml", GOOD.replace("title: Nhà văn hóa xóm", "title: Bản sao"))
    with pytest.raises(FormSpecError) as caught:
        load_forms(tmp_path)
    error = caught.value
    assert isinstance(error, UserError) and error.exit_code == 2
    (problem,) = error.problems
    assert problem.file.endswith("b.yaml") and problem.line == 1 and "a.yaml" in problem.reason
    assert f"{problem.file}:1: id: mã biểu mẫu «nha_van_hoa»" in str(error)


def test_load_forms_lists_every_problem_as_file_line_field_reason(tmp_path: Path) -> None:
    bad = GOOD.replace("rules:\n", EXTRA_FIELD + "rules:\n").replace("check: so_nha", "check: so_nhaa")
    path = _write(tmp_path, "bad.yaml", bad)
    with pytest.raises(FormSpecError) as caught:
        load_forms(tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Định nghĩa biểu mẫu có 2 lỗi:"
    assert lines[1].startswith(f"{path}:{_line_of(bad, 'id: ten_nha', 2)}: ten_nha.id: ")
    assert lines[2].startswith(f"{path}:{_line_of(bad, 'check: so_nhaa')}: rules.nha_khong_qua_xom.check: ")


def test_load_forms_reads_only_yaml_files(tmp_path: Path) -> None:
    _write(tmp_path, "nha_van_hoa.yaml", GOOD)
    _write(tmp_path, "other.yaml", GOOD.replace("id: nha_van_hoa", "id: khac"))
    _write(tmp_path, "form.schema.json", "{}")
    assert list(load_forms(tmp_path)) == ["nha_van_hoa", "khac"]  # in file-name order


def test_load_form_file_raises_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormSpecError, match="không tìm thấy tệp"):
        load_form_file(tmp_path / "khong_co.yaml")


def test_nfd_text_in_a_form_file_is_stored_as_nfc(tmp_path: Path) -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", GOOD)
    form = load_form_file(_write(tmp_path, "nfd.yaml", text))
    assert form.title == unicodedata.normalize("NFC", "Nhà văn hóa xóm")


def test_forms_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, "good.yaml", GOOD)
    assert run_forms_check([good], tmp_path) == 0
    assert "không có lỗi" in capsys.readouterr().out

    bad_text = GOOD.replace("id: nha_van_hoa", "id: khac").replace("check: so_nha", "check: so_nhaa")
    bad = _write(tmp_path, "bad.yaml", bad_text)
    assert run_forms_check([], tmp_path) == 2  # no paths: every *.yaml in the folder
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err[0].startswith(f"{bad}:{_line_of(bad_text, 'check: so_nhaa')}: rules.nha_khong_qua_xom.check: ")
    assert captured.out.splitlines() == ["Đã kiểm tra 2 tệp biểu mẫu: 1 lỗi trong 1 tệp."]


def test_forms_check_command_on_an_empty_or_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_forms_check([], tmp_path) == 0
    assert run_forms_check([], tmp_path / "khong_co") == 2
    assert "không tìm thấy thư mục" in capsys.readouterr().err
