"""A newer form version (pushed from above) keeps every stored record: new, removed, renamed fields, rules."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.loader import FormSpecError
from danvan_desktop.services.entry.entry import Writer, record_history, save_entry
from danvan_desktop.services.entry.form_upgrade import records_breaking_rules
from danvan_desktop.services.office.form_versions import (
    ORIGIN_ABOVE,
    ORIGIN_SHIPPED,
    canonical_json,
    check_definition,
    form_listing,
    forms_in_force,
    store_form_definition,
)
from danvan_desktop.services.office.forms import form_registry, get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period

FORM = "to_chuc_doan_the"


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as s, s.begin():
        yield s


@pytest.fixture
def writer(session: Session) -> Writer:
    return Writer(load_installation(session).site_id, "Nguyễn Thị Lan")


def version_two() -> dict[str, Any]:
    """to_chuc_doan_the v2: ghi_chu removed, hoi_vien renamed so_hoi_vien, a new field and a new rule."""
    data = copy.deepcopy(get_form(FORM).model_dump(mode="json", exclude_defaults=True))
    data["version"] = 2
    members = data["sections"][1]["fields"]
    for field in members:
        if field["id"] == "hoi_vien":
            field["id"], field["aliases"] = "so_hoi_vien", ["hoi_vien"]
        if field["id"] == "ty_le_tap_hop":
            field["computed"] = field["computed"].replace("hoi_vien", "so_hoi_vien")
    members.append({"id": "so_buoi_sinh_hoat", "type": "integer", "label": "Số buổi sinh hoạt", "min": 0})
    data["sections"][2]["fields"] = [f for f in data["sections"][2]["fields"] if f["id"] != "ghi_chu"]
    for rule in data["rules"]:
        rule["check"] = (
            rule["check"].replace("hoi_vien", "so_hoi_vien").replace("so_hoi_vien_moi", "hoi_vien_moi")
        )
        rule["fields"] = ["so_hoi_vien" if f == "hoi_vien" else f for f in rule["fields"]]
    data["rules"].append(
        {
            "id": "chi_hoi_tu_mot_hoi_vien",
            "check": "so_hoi_vien is None or so_hoi_vien >= 10",
            "message": "Chi hội phải có từ 10 hội viên trở lên.",
            "fields": ["so_hoi_vien"],
        }
    )
    data["list_columns"] = ["so_hoi_vien" if c == "hoi_vien" else c for c in data["list_columns"]]
    return data


def _branch(name: str, members: int) -> dict[str, object]:
    return {
        "to_chuc": "HLHPN",
        "ten_chi_hoi": name,
        "hoi_vien": members,
        "doi_tuong": 60,
        "ghi_chu": "Sinh hoạt đều",
    }


def _push(session: Session, data: dict[str, Any]) -> None:
    form = check_definition(data, "thử")
    store_form_definition(session, form, origin=ORIGIN_ABOVE, origin_unit_code="TN", stored_by="thu")


def test_every_shipped_form_survives_the_round_trip_through_data() -> None:
    for form in form_registry().values():
        again = check_definition(form.model_dump(mode="json", exclude_defaults=True), form.id)
        assert canonical_json(again) == canonical_json(form)


def test_a_pushed_version_keeps_old_records_readable_and_upgrades_them_on_save(
    session: Session, writer: Writer
) -> None:
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    v1 = get_form(FORM)
    saved = save_entry(
        session, v1, unit.id, period.id, _branch("Chi hội Phụ nữ xóm Đồng Danh", 45), writer=writer
    )
    _push(session, version_two())
    v2 = forms_in_force(session)[FORM]
    assert v2.version == 2 and "so_hoi_vien" in v2.field_ids
    record = session.get_one(Record, saved.record_id)
    assert record.form_version == 1 and record.values["hoi_vien"] == 45  # nothing rewritten silently
    assert records_breaking_rules(session) == []  # 45 members: the new rule holds, through the alias
    # The clerk opens and saves it: the renamed field keeps its value, the new one starts empty, the
    # removed one leaves the record but stays readable in its history.
    save_entry(session, v2, unit.id, period.id, dict(record.values), writer=writer, record_id=record.id)
    assert record.form_version == 2
    assert record.values["so_hoi_vien"] == 45 and record.values["ty_le_tap_hop"] == 75.0
    assert "hoi_vien" not in record.values and "so_buoi_sinh_hoat" not in record.values
    assert "ghi_chu" not in record.values
    first = session.scalars(select(RecordHistory).where(RecordHistory.record_id == record.id)).first()
    assert first is not None and first.form_version == 1 and first.values["ghi_chu"] == "Sinh hoạt đều"
    changes = [c for entry in record_history(session, v2, record.id) for c in entry.changes]
    # Named as version 1 named it, though version 2 no longer has the field.
    assert any((c.label, c.old, c.new) == ("Ghi chú", "Sinh hoạt đều", "") for c in changes), changes


def test_records_that_break_a_new_rule_are_listed_not_rejected(session: Session, writer: Writer) -> None:
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    v1 = get_form(FORM)
    small = save_entry(session, v1, unit.id, period.id, _branch("Chi đoàn xóm Hợp Thành", 6), writer=writer)
    save_entry(session, v1, unit.id, period.id, _branch("Chi hội Phụ nữ xóm Phố Ngữ", 40), writer=writer)
    _push(session, version_two())
    breaks = records_breaking_rules(session)
    assert [(b.record_id, b.record_version, b.form_version) for b in breaks] == [(small.record_id, 1, 2)]
    assert breaks[0].messages == ("Chi hội phải có từ 10 hội viên trở lên.",)
    assert breaks[0].title == "Chi đoàn xóm Hợp Thành" and breaks[0].unit_code == "DH-PHUCCHU"
    assert session.get_one(Record, small.record_id).values["hoi_vien"] == 6  # kept as entered


def test_the_pushed_version_is_in_force_and_listed_with_its_origin(session: Session) -> None:
    _push(session, version_two())
    listed = [f for f in form_listing(session) if f.form_id == FORM]
    assert [(f.version, f.origin, f.in_force) for f in listed] == [
        (2, ORIGIN_ABOVE, True),
        (1, ORIGIN_SHIPPED, False),
    ]
    assert listed[0].origin_label == "Cấp trên gửi xuống (TN)"
    others = [f for f in form_listing(session) if f.form_id != FORM]
    assert others and all(f.in_force and f.origin == ORIGIN_SHIPPED for f in others)


def test_one_version_number_means_one_text(session: Session) -> None:
    _push(session, version_two())
    _push(session, version_two())  # the same reply applied twice: nothing new
    changed = version_two()
    changed["title"] = "Một tiêu đề khác"
    with pytest.raises(UserError, match="đã có ở đây với nội dung khác"):
        _push(session, changed)
    shipped_other = get_form(FORM).model_dump(mode="json", exclude_defaults=True)
    shipped_other["title"] = "Sửa mà không tăng phiên bản"
    with pytest.raises(UserError, match="khác với phiên bản 1 kèm theo chương trình"):
        _push(session, shipped_other)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["sections"][1]["fields"][0].update(aliases=["doi_tuong"]), "đang là mã của một trường"),
        (lambda d: d["sections"][0]["fields"][0].update(aliases=["hoi_vien"]), "đã dùng cho trường"),
        (lambda d: d["rules"].append({"id": "x", "check": "__import__('os')", "message": "m"}), "rules"),
        (lambda d: d.update(version=0), "version"),
        (lambda d: d.update(extra="1"), "không có trường «extra»"),
    ],
)
def test_a_bad_definition_is_refused_by_formspec(change: Any, why: str) -> None:
    data = version_two()
    change(data)
    with pytest.raises(FormSpecError) as info:
        check_definition(data, "gói")
    assert why in str(info.value)
