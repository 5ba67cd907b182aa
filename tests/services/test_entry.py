"""Entering data through the form rules: save, refuse, locks, delete/restore, history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import AuditEntry, Record, RecordHistory
from danvan_desktop.errors import UserError
from danvan_desktop.services.entry.entry import (
    ValidationFailedError,
    Writer,
    criteria_in_force,
    find_aggregate,
    form_context,
    record_history,
    save_entry,
    set_entry_deleted,
)
from danvan_desktop.services.entry.locking import PeriodLockedError, audit_trail, lock_period, reopen_period
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as s, s.begin():
        yield s


@pytest.fixture
def writer(session: Session) -> Writer:
    return Writer(load_installation(session).site_id, "Nguyễn Thị Lan")


def _branch(members: int, eligible: int) -> dict[str, object]:
    return {
        "to_chuc": "HLHPN",
        "xom": "DH-PHUCCHU-05",
        "ten_chi_hoi": "Chi hội Phụ nữ xóm Làng Hoèn",
        "hoi_vien": members,
        "doi_tuong": eligible,
    }


def _profile(villages: int, households: int = 612) -> dict[str, object]:
    return {"so_xom": villages, "so_ho": households, "so_nhan_khau": 2410}


def test_register_record_is_saved_with_computed_coverage(session: Session, writer: Writer) -> None:
    form = get_form("to_chuc_doan_the")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    result = save_entry(session, form, unit.id, period.id, _branch(45, 60), writer=writer)
    record = session.get_one(Record, result.record_id)
    assert record.values["ty_le_tap_hop"] == 75.0
    assert record.version_vector == {writer.site_id: 1}
    assert "chi hoi phu nu xom lang hoen" in record.search_text


def test_rule_breaking_values_are_refused_and_nothing_stored(session: Session, writer: Writer) -> None:
    form = get_form("to_chuc_doan_the")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    with pytest.raises(ValidationFailedError) as info:
        save_entry(session, form, unit.id, period.id, _branch(70, 60), writer=writer)
    assert "Chưa lưu được" in info.value.message
    assert any(i.rule_id for i in info.value.issues)
    assert session.scalar(select(func.count()).select_from(Record)) == 0


@pytest.mark.parametrize(
    ("form_id", "unit_code", "why"),
    [
        ("tien_do_ntm", "DH-CHOCHU", "không dành cho Thị trấn Chợ Chu"),  # new-rural criteria: xã only
        ("ho_so_xa", "DH", "không dành cho Huyện Định Hóa"),  # a commune form for the district
    ],
)
def test_a_form_is_refused_for_a_unit_it_is_not_meant_for(
    session: Session, writer: Writer, form_id: str, unit_code: str, why: str
) -> None:
    unit, period = find_unit(session, unit_code), get_period(session, "2023")
    with pytest.raises(UserError) as info:
        save_entry(session, get_form(form_id), unit.id, period.id, {}, writer=writer)
    assert why in info.value.message
    assert session.scalar(select(func.count()).select_from(Record)) == 0


def test_village_of_another_commune_is_refused(session: Session, writer: Writer) -> None:
    form = get_form("to_chuc_doan_the")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    values = {**_branch(10, 20), "xom": "DH-BAOLINH-01"}
    with pytest.raises(ValidationFailedError):
        save_entry(session, form, unit.id, period.id, values, writer=writer)


def test_aggregate_form_keeps_one_record_per_unit_and_period(session: Session, writer: Writer) -> None:
    form = get_form("ho_so_xa")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    first = save_entry(session, form, unit.id, period.id, _profile(6, 600), writer=writer)
    second = save_entry(session, form, unit.id, period.id, _profile(6, 612), writer=writer)
    again = save_entry(session, form, unit.id, period.id, _profile(6, 612), writer=writer)
    assert first.record_id == second.record_id == again.record_id
    assert (second.changed, again.changed) == (True, False)
    record = find_aggregate(session, "ho_so_xa", unit.id, period.id)
    assert record is not None and record.values["so_ho"] == 612
    assert record.version_vector == {writer.site_id: 2}


def test_locked_period_refuses_changes_until_reopened_with_a_reason(session: Session, writer: Writer) -> None:
    form = get_form("ho_so_xa")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    saved = save_entry(session, form, unit.id, period.id, _profile(6), writer=writer)
    lock_period(session, unit.id, period.id, user="Nguyễn Thị Lan", note="Đã gửi huyện")
    with pytest.raises(PeriodLockedError) as info:
        save_entry(session, form, unit.id, period.id, _profile(7), writer=writer)
    assert "đã được chốt" in info.value.message
    with pytest.raises(PeriodLockedError):
        set_entry_deleted(session, saved.record_id, writer=writer, deleted=True)
    with pytest.raises(UserError):
        reopen_period(session, unit.id, period.id, user="Nguyễn Thị Lan", reason="  ")
    reopen_period(
        session, unit.id, period.id, user="Hoàng Văn Dũng", reason="Sửa số xóm theo Nghị quyết sáp nhập"
    )
    save_entry(session, form, unit.id, period.id, _profile(7), writer=writer)
    trail = audit_trail(session, unit.id, period.id)
    # Since accounts (issue 13) every save is in the trail too, under the demo's single-user account.
    assert [(a.action, a.user) for a in trail] == [
        ("record.create", "minhhoa"),
        ("lock", "Nguyễn Thị Lan"),
        ("reopen", "Hoàng Văn Dũng"),
        ("record.update", "minhhoa"),
    ]
    # ... and nothing else but the two rows of the demo's own account (users.add, users.single).
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 4 + 2


def test_other_units_are_not_affected_by_a_lock(session: Session, writer: Writer) -> None:
    form = get_form("ho_so_xa")
    period = get_period(session, "2023")
    lock_period(session, find_unit(session, "DH-PHUCCHU").id, period.id, user="Lan")
    save_entry(session, form, find_unit(session, "DH-BAOLINH").id, period.id, _profile(9), writer=writer)


def test_delete_is_a_tombstone_and_restore_brings_it_back(session: Session, writer: Writer) -> None:
    form = get_form("to_chuc_doan_the")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    saved = save_entry(session, form, unit.id, period.id, _branch(45, 60), writer=writer)
    set_entry_deleted(session, saved.record_id, writer=writer, deleted=True)
    assert session.get_one(Record, saved.record_id).deleted
    set_entry_deleted(session, saved.record_id, writer=writer, deleted=False)
    record = session.get_one(Record, saved.record_id)
    assert not record.deleted and record.version_vector == {writer.site_id: 3}
    assert session.scalar(select(func.count()).select_from(RecordHistory)) == 3


def test_history_shows_who_changed_which_value(session: Session, writer: Writer) -> None:
    form = get_form("to_chuc_doan_the")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    saved = save_entry(session, form, unit.id, period.id, _branch(45, 60), writer=writer)
    other = Writer(writer.site_id, "Hoàng Văn Dũng")
    save_entry(
        session, form, unit.id, period.id, _branch(1450, 1600), writer=other, record_id=saved.record_id
    )
    history = record_history(session, form, saved.record_id)
    assert [h.change for h in history] == ["Tạo mới", "Sửa"]
    assert history[1].by == "Hoàng Văn Dũng"
    changes = {c.label: (c.old, c.new) for c in history[1].changes}
    assert changes["Số hội viên, đoàn viên"] == ("45", "1.450")


def test_criteria_set_follows_the_period(session: Session) -> None:
    in_2023 = criteria_in_force(session, get_period(session, "2023"))
    in_2026 = criteria_in_force(session, get_period(session, "2026"))
    assert in_2023 is not None and len(in_2023.criteria) == 19
    assert in_2026 is not None and len(in_2026.criteria) == 10
    form = get_form("tien_do_ntm")
    context = form_context(session, form, find_unit(session, "DH-PHUCCHU").id, get_period(session, "2023"))
    assert len(context.choices["tieu_chi_dat"]) == 19
    assert ("DH-PHUCCHU-05", "Xóm Làng Hoèn") in context.units
