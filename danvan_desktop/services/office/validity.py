"""A unit takes data only for periods that overlap its validity: the one check and its message."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import display_name
from danvan_desktop.db.models import OrgUnit, Period
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.orgunits import (
    Dated,
    is_valid_during,
    predecessors,
    successors,
    unit_label,
    valid_units,
)


class UnitValidityError(UserError):
    """Data for a unit in a period the unit did not exist in; nothing was stored."""


def span_text(unit: Dated) -> str:
    """ "có hiệu lực từ 01/07/2025", "có hiệu lực từ 01/01/1997 đến 30/06/2025"."""
    if unit.valid_to is None:
        return f"có hiệu lực từ {unit.valid_from:%d/%m/%Y}"
    return f"có hiệu lực từ {unit.valid_from:%d/%m/%Y} đến {unit.valid_to:%d/%m/%Y}"


def outside_validity(label: str, unit: Dated, period_label: str, start: dt.date, end: dt.date) -> str | None:
    """Why `unit` (named `label`) takes no data of the period, without a full stop; None when it does."""
    if is_valid_during(unit, start, end):
        return None
    if unit.valid_to is not None and unit.valid_to < start:
        bound = f"chỉ có hiệu lực đến {unit.valid_to:%d/%m/%Y}"
    else:
        bound = f"chỉ có hiệu lực từ {unit.valid_from:%d/%m/%Y}"
    return f"{label} {bound}, không nhận số liệu kỳ «{period_label}» ({start:%d/%m/%Y}–{end:%d/%m/%Y})"


def unit_period_problem(unit: OrgUnit, period: Period) -> str | None:
    """`outside_validity` for a stored unit and period: "Xã Phúc Chu (DH-PHUCCHU) chỉ có hiệu lực…"."""
    label = f"{unit_label(unit)} ({unit.code})"
    return outside_validity(label, unit, period.label, period.start, period.end)


def where_data_belongs(session: Session, unit: OrgUnit, start: dt.date, end: dt.date) -> str:
    """A hint naming the units that do cover the period through lineage, or "" when none is known."""
    if unit.valid_to is not None and unit.valid_to < start:
        names = [f"{unit_label(u)} ({u.code})" for u in valid_units(successors(session, unit), start, end)]
        return f" Số liệu kỳ này thuộc {', '.join(names)}." if names else ""
    names = [f"{unit_label(u)} ({u.code})" for u in valid_units(predecessors(session, unit), start, end)]
    if not names:
        return ""
    return f" Số liệu kỳ này nhập cho đơn vị cũ: {', '.join(names)}."


def ensure_valid_during(session: Session, unit: OrgUnit, period: Period) -> None:
    """Raise UnitValidityError (exit code 2) unless `unit` existed during `period`."""
    problem = unit_period_problem(unit, period)
    if problem is not None:
        hint = where_data_belongs(session, unit, period.start, period.end)
        raise UnitValidityError(
            f"{problem}.{hint}",
            detail=f"unit {unit.code} {unit.valid_from}..{unit.valid_to} outside period {period.code}",
        )


def field_unit_reasons(
    session: Session, root_id: int, period_label: str, start: dt.date, end: dt.date
) -> dict[str, str]:
    """For units ever under `root_id` that did not exist in the period: code -> why a field refuses it.

    The form's unit fields offer only the units valid in the period; a village closed or created
    at another time is refused with its dates rather than as unknown.
    """
    units = session.scalars(select(OrgUnit)).all()
    children: dict[int, list[OrgUnit]] = {}
    for unit in units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit)
    reasons: dict[str, str] = {}
    queue = list(children.get(root_id, []))
    while queue:
        unit = queue.pop()
        queue.extend(children.get(unit.id, []))
        label = f"{display_name(unit.kind, unit.name)} ({unit.code})"
        if problem := outside_validity(label, unit, period_label, start, end):
            reasons[unit.code] = problem
    return reasons
