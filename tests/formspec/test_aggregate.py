"""`aggregate` on number fields: how units' values combine above them; a wrong use refused by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from danvan_desktop.formspec.loader import FormSpecError, check_form_files, load_form_data
from danvan_desktop.services.office.form_versions import check_definition
from danvan_desktop.services.office.forms import get_form

FORM = """\
id: thu
version: 1
title: Biểu thử
kind: aggregate
sections:
  - title: Chung
    fields:
      - id: so_ho
        type: integer
        label: Số hộ
      - id: so_dan_toc
        type: integer
        label: Số dân tộc
        aggregate: {so_dan_toc}
      - id: ty_le
        type: percent
        label: Tỷ lệ
        aggregate: {ty_le}
      - id: ghi_chu
        type: text
        label: Ghi chú
        aggregate: {ghi_chu}
"""


def _problems(tmp_path: Path, **marks: str) -> list[str]:
    values = {"so_dan_toc": "max", "ty_le": "none", "ghi_chu": "null", **marks}
    path = tmp_path / "thu.yaml"
    path.write_text(FORM.format(**values), encoding="utf-8")
    return [str(p) for p in check_form_files([path])]


def test_a_good_mark_loads(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []


def test_an_unknown_way_names_the_line_and_the_allowed_ones(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, so_dan_toc="average")
    assert problem.endswith(
        "thu.yaml:14: so_dan_toc.aggregate: giá trị «average» không hợp lệ; "
        "cho phép: 'sum', 'mean', 'max' hoặc 'none'"
    )


def test_a_percentage_is_never_summed_nor_averaged(tmp_path: Path) -> None:
    for way in ("sum", "mean"):
        [problem] = _problems(tmp_path, ty_le=way)
        assert "thu.yaml:18: ty_le.aggregate: tỷ lệ phần trăm không được cộng hay lấy bình quân" in problem
        assert "tính lại từ tử số và mẫu số" in problem


def test_only_number_fields_take_it(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, ghi_chu="none")
    assert "thu.yaml:22: ghi_chu.aggregate: «aggregate» chỉ dùng cho trường số" in problem


def test_a_near_miss_of_the_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "thu.yaml"
    text = FORM.format(so_dan_toc="max", ty_le="none", ghi_chu="null").replace(
        "aggregate: max", "agregate: max"
    )
    path.write_text(text, encoding="utf-8")
    [problem] = [str(p) for p in check_form_files([path])]
    assert "không có trường «agregate» trong định nghĩa biểu mẫu; có phải là «aggregate»?" in problem


def test_the_shipped_forms_mark_what_does_not_add_up() -> None:
    def combines(form_id: str, field_id: str) -> str:
        return get_form(form_id).field(field_id).combines

    assert combines("ho_so_xa", "so_dan_toc") == "max"
    assert combines("ho_so_xa", "so_ho") == "sum"  # counts, money, area, labour days: the default
    assert combines("ho_so_xa", "ty_le_ho_ngheo") == "none"  # a percentage, computed or typed
    assert combines("tien_do_ntm", "so_tieu_chi_dat") == "mean"
    assert combines("tien_do_ntm", "so_tieu_chi_phan_dau") == "mean"
    assert combines("tien_do_ntm", "von_nhan_dan") == "sum"
    assert {combines("chi_tieu_de_an_05", f) for f in ("so_thu_tu", "chi_tieu", "ket_qua")} == {"none"}


def test_a_key_unknown_here_in_a_received_definition_asks_for_an_update() -> None:
    """What an installation one release behind does with a key a newer one sends (here: a made-up one)."""
    data: dict[str, Any] = get_form("ho_so_xa").model_dump(mode="json", exclude_defaults=True)
    data["sections"][0]["fields"][0]["weighting"] = "so_ho"
    with pytest.raises(FormSpecError) as caught:
        load_form_data(data, "định nghĩa thứ 1")
    assert "không có trường «weighting» trong định nghĩa biểu mẫu" in str(caught.value)
    assert "phiên bản chương trình mới hơn: hãy cập nhật" in str(caught.value)


def test_a_definition_from_above_with_a_wrong_way_is_refused_as_a_file_is() -> None:
    """A reply's form definitions go through the same check (services/office/form_versions)."""
    data: dict[str, Any] = get_form("tien_do_ntm").model_dump(mode="json", exclude_defaults=True)
    data["version"] = 2
    data["sections"][3]["fields"][0]["aggregate"] = "sum"  # von_ngan_sach: fine, the default
    data["sections"][0]["fields"][1]["aggregate"] = "average"  # so_tieu_chi_dat
    with pytest.raises(FormSpecError) as caught:
        check_definition(data, "định nghĩa thứ 1")
    assert str(caught.value).splitlines()[1:] == [
        "định nghĩa thứ 1:1: so_tieu_chi_dat.aggregate: giá trị «average» không hợp lệ; "
        "cho phép: 'sum', 'mean', 'max' hoặc 'none'"
    ]
    data["sections"][0]["fields"][1]["aggregate"] = "mean"
    assert check_definition(data, "định nghĩa thứ 1").field("von_ngan_sach").combines == "sum"
