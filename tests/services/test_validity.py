"""Validity at entry: a unit takes data only for periods it existed in, as do the units its fields name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit, Record
from danvan_desktop.services.entry.entry import ValidationFailedError, Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit, successors, valid_units
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.validity import UnitValidityError

BRANCH = {"to_chuc": "HLHPN", "ten_chi_hoi": "Chi hội Phụ nữ xã", "hoi_vien": 450, "doi_tuong": 600}


def _save(db: Database, form_id: str, unit: str, period: str, values: dict[str, object]) -> None:
    with db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        unit_row, period_row = find_unit(session, unit), get_period(session, period)
        save_entry(session, get_form(form_id), unit_row.id, period_row.id, values, writer=writer)


def _record_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Record)) or 0


def test_abolished_commune_refuses_a_period_after_it_ended(commune_db: Database) -> None:
    with pytest.raises(UnitValidityError) as info:
        _save(commune_db, "to_chuc_doan_the", "DH-PHUCCHU", "2026", BRANCH)
    message = info.value.message
    assert message.startswith("Xã Phúc Chu (DH-PHUCCHU) chỉ có hiệu lực đến 30/06/2025")
    assert "kỳ «Năm 2026» (01/01/2026–31/12/2026)" in message
    # Lineage says where the figures of that period belong, found by query, not by name.
    with commune_db.session() as session:
        now = [u for u in successors(session, find_unit(session, "DH-PHUCCHU")) if u.valid_to is None]
    assert now and all(f"({u.code})" in message for u in now)
    assert info.value.exit_code == 2
    assert _record_count(commune_db) == 0
    _save(commune_db, "to_chuc_doan_the", "DH-PHUCCHU", "2025-H1", BRANCH)
    _save(commune_db, "to_chuc_doan_the", "DH-PHUCCHU", "2025", BRANCH)  # it existed half of that year
    assert _record_count(commune_db) == 2


def test_new_commune_refuses_a_period_before_it_existed(demo_db: Database) -> None:
    with demo_db.session() as session:
        new = next(u for u in session.scalars(select(OrgUnit)) if u.valid_from == dt.date(2025, 7, 1))
        code, label = new.code, new.name
    with pytest.raises(UnitValidityError) as info:
        _save(demo_db, "to_chuc_doan_the", code, "2023", BRANCH)
    assert f"({code}) chỉ có hiệu lực từ 01/07/2025" in info.value.message
    assert label in info.value.message and "«Năm 2023»" in info.value.message
    assert _record_count(demo_db) == 0


@pytest.mark.parametrize(
    ("form_id", "values"),
    [
        ("nha_van_hoa", {"tinh_trang": "xay_moi"}),  # the village of a cultural house
        ("to_chuc_doan_the", BRANCH),  # the village of a branch (chi hội)
    ],
)
def test_village_field_refuses_a_village_closed_before_the_period(
    demo_db: Database, form_id: str, values: dict[str, object]
) -> None:
    with demo_db.transaction() as session:
        village = next(
            u
            for u in valid_units(session.scalars(select(OrgUnit)), dt.date(2023, 1, 1), dt.date(2023, 1, 1))
            if u.parent is not None and u.parent.code == "DH-PHUCCHU"
        )
        village.valid_to = dt.date(2022, 12, 31)  # merged into a neighbour, as villages are
        code, name = village.code, village.name
    with pytest.raises(ValidationFailedError) as info:
        _save(demo_db, form_id, "DH-PHUCCHU", "2023", {**values, "xom": code})
    assert f"{name} ({code}) chỉ có hiệu lực đến 31/12/2022, không nhận số liệu kỳ «Năm 2023»" in (
        info.value.message
    )
    assert _record_count(demo_db) == 0
    _save(demo_db, form_id, "DH-PHUCCHU", "2022", {**values, "xom": code})  # its own time: accepted
    assert _record_count(demo_db) == 1
