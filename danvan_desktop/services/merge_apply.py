"""Writing a merge plan into the database (inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record, RecordConflict
from danvan_desktop.services.entry import search_text
from danvan_desktop.services.merge_plan import MergePlan, RecordResult
from danvan_desktop.services.periods import get_period
from danvan_desktop.services.records import next_local_change, remember_version
from danvan_desktop.services.vectors import merged
from danvan_desktop.text import nfc_deep


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _search(plan: MergePlan, result: RecordResult, values: dict[str, object]) -> str:
    incoming = result.incoming
    context = plan.contexts.get((incoming.form_id, result.unit_id or 0, incoming.period_code))
    if context is None:  # tombstones are not validated, so they have no context yet
        return ""
    return search_text(plan.forms[incoming.form_id], values, context)


def apply_plan(session: Session, plan: MergePlan, package_id: str, *, user: str) -> None:
    """Store new and newer records, keep conflicts for a person, leave the rest alone.

    Written for packages of thousands of records: periods are looked up once per code, the
    change counter is read once, existing rows are fetched in batches, and the session flushes
    once at the end (ids are UUIDs, so nothing waits for the database to number a row).
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    change = next_local_change(session)
    periods: dict[str, int] = {}
    wanted = [r.incoming.id for r in plan.results if r.outcome in ("updated",) or r.merge_vector]
    existing: dict[str, Record] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        existing.update({r.id: r for r in session.scalars(select(Record).where(Record.id.in_(batch)))})
    for result in plan.results:
        incoming = result.incoming
        if result.outcome == "conflict":
            _keep_conflict(session, result, package_id, now)
            continue
        if result.merge_vector:
            local = existing[incoming.id]
            local.version_vector = merged(local.version_vector, incoming.version_vector)
            local.local_change, change = change, change + 1
            continue
        if result.outcome not in ("new", "updated"):
            continue
        if incoming.period_code not in periods:
            periods[incoming.period_code] = get_period(session, incoming.period_code).id
        values = nfc_deep(incoming.values)
        record = existing.get(incoming.id)
        if record is None:
            record = Record(
                id=incoming.id,
                created_by=incoming.created_by,
                created_at=_naive_utc(incoming.created_at),
                origin_site=incoming.origin_site,
            )
            session.add(record)
        record.form_id, record.form_version = incoming.form_id, incoming.form_version
        record.org_unit_id, record.period_id = result.unit_id or 0, periods[incoming.period_code]
        record.values = values
        record.version_vector = dict(incoming.version_vector)
        record.deleted = incoming.deleted
        record.updated_by, record.updated_at = incoming.updated_by, _naive_utc(incoming.updated_at)
        record.search_text = _search(plan, result, values) or record.search_text or ""
        record.local_change, change = change, change + 1
        remember_version(session, record, "merge")
    session.flush()


def _keep_conflict(session: Session, result: RecordResult, package_id: str, now: dt.datetime) -> None:
    incoming = result.incoming
    pending = session.scalars(
        select(RecordConflict).where(
            RecordConflict.record_id == incoming.id, RecordConflict.resolved_at.is_(None)
        )
    ).all()
    if not any(c.incoming.get("version_vector") == incoming.version_vector for c in pending):
        session.add(
            RecordConflict(
                record_id=incoming.id,
                package_id=package_id,
                incoming=incoming.model_dump(mode="json"),
                detected_at=now,
            )
        )
