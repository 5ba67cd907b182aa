"""Records as they travel in packages: which ones an office sends, and their portable form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, Record, UnitLineage


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat() + "Z"  # stored as naive UTC


def parse_time(text: str) -> dt.datetime:
    """An ISO time from a package, as the naive UTC the database stores."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def office_unit_ids(session: Session, office_unit_id: int) -> set[int]:
    """The office's unit, every unit ever under it, and the units merged into any of those."""
    return set(office_unit_limits(session, office_unit_id))


def office_unit_limits(session: Session, office_unit_id: int) -> dict[int, dt.date | None]:
    """office_unit_ids with, for each unit, the day its periods must begin before (None: any).

    A unit the office holds only as lineage (a former commune merged into it, and its villages)
    is its history: its records count for periods that began before the merge, never after
    (the origin rule's own reading of lineage, see exchange/origin.py).
    """
    parents = dict(session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all())
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    merged_into: dict[int, list[tuple[int, dt.date]]] = {}
    lineage = select(UnitLineage.from_unit_id, UnitLineage.to_unit_id, UnitLineage.effective)
    for source, target, effective in session.execute(lineage):
        merged_into.setdefault(target, []).append((source, effective))
    found: dict[int, dt.date | None] = {}
    queue: list[tuple[int, dt.date | None]] = [(office_unit_id, None)]
    while queue:
        unit, limit = queue.pop()
        if unit in found and not _looser(limit, found[unit]):
            continue
        found[unit] = limit
        queue.extend((child, limit) for child in children.get(unit, []))
        for source, effective in merged_into.get(unit, []):
            queue.append((source, effective if limit is None else min(limit, effective)))
    return found


def _looser(new: dt.date | None, old: dt.date | None) -> bool:
    """Whether limit `new` lets more periods in than `old` (None lets every period in)."""
    return old is not None and (new is None or new > old)


def portable(record: Record, unit_code: str, period_code: str) -> dict[str, Any]:
    """The record as a package line (see docs/package-format.md)."""
    return {
        "id": record.id,
        "form_id": record.form_id,
        "form_version": record.form_version,
        "unit_code": unit_code,
        "period_code": period_code,
        "values": record.values,
        "version_vector": record.version_vector,
        "deleted": record.deleted,
        "created_by": record.created_by,
        "created_at": _iso(record.created_at),
        "updated_by": record.updated_by,
        "updated_at": _iso(record.updated_at),
        "origin_site": record.origin_site,
        # Optional since 0.x (issue 13): absent for records saved before accounts.
        **({"updated_by_name": record.updated_by_name} if record.updated_by_name else {}),
    }


def records_to_send(
    session: Session,
    office_unit_id: int,
    *,
    after_change: int = 0,
    up_to_change: int | None = None,
    period_codes: Sequence[str] = (),
) -> Iterator[dict[str, Any]]:
    """Every record of the office's units (its own and merged ones), tombstones included."""
    units = {
        u.id: u.code
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(office_unit_ids(session, office_unit_id)))
        )
    }
    periods = dict(session.execute(select(Period.id, Period.code)).all())
    stmt = select(Record).where(Record.org_unit_id.in_(units), Record.local_change > after_change)
    if up_to_change is not None:
        stmt = stmt.where(Record.local_change <= up_to_change)
    if period_codes:
        wanted = [pid for pid, code in periods.items() if code in set(period_codes)]
        stmt = stmt.where(Record.period_id.in_(wanted))
    for record in session.scalars(stmt.order_by(Record.local_change).execution_options(yield_per=1000)):
        yield portable(record, units[record.org_unit_id], periods[record.period_id])
