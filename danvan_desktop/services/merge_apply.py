"""Writing a merge plan into the database (inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record, RecordConflict, RecordHistory
from danvan_desktop.services.entry import search_text
from danvan_desktop.services.forms import form_registry
from danvan_desktop.services.merge_plan import MergePlan, RecordResult
from danvan_desktop.services.periods import get_period
from danvan_desktop.services.records import next_local_change
from danvan_desktop.services.vectors import merged
from danvan_desktop.text import nfc_deep


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _history(session: Session, record: Record) -> None:
    session.add(
        RecordHistory(
            record_id=record.id,
            form_version=record.form_version,
            values=record.values,
            version_vector=record.version_vector,
            deleted=record.deleted,
            changed_by=record.updated_by,
            changed_at=record.updated_at,
            change="merge",
        )
    )


def _search(plan: MergePlan, result: RecordResult, values: dict[str, object]) -> str:
    incoming = result.incoming
    form = form_registry()[incoming.form_id]
    context = plan.contexts.get((incoming.form_id, result.unit_id or 0, incoming.period_code))
    if context is None:  # tombstones are not validated, so they have no context yet
        return ""
    return search_text(form, values, context)


def apply_plan(session: Session, plan: MergePlan, package_id: str, *, user: str) -> None:
    """Store new and newer records, keep conflicts for a person, leave the rest alone."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for result in plan.results:
        incoming = result.incoming
        if result.outcome == "conflict":
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
            continue
        if result.merge_vector:
            local = session.get_one(Record, incoming.id)
            local.version_vector = merged(local.version_vector, incoming.version_vector)
            local.local_change = next_local_change(session)
            continue
        if result.outcome not in ("new", "updated"):
            continue
        period = get_period(session, incoming.period_code)
        values = nfc_deep(incoming.values)
        record = session.get(Record, incoming.id)
        if record is None:
            record = Record(
                id=incoming.id,
                created_by=incoming.created_by,
                created_at=_naive_utc(incoming.created_at),
                origin_site=incoming.origin_site,
            )
            session.add(record)
        record.form_id, record.form_version = incoming.form_id, incoming.form_version
        record.org_unit_id, record.period_id = result.unit_id or 0, period.id
        record.values = values
        record.version_vector = dict(incoming.version_vector)
        record.deleted = incoming.deleted
        record.updated_by, record.updated_at = incoming.updated_by, _naive_utc(incoming.updated_at)
        record.search_text = _search(plan, result, values) or record.search_text or ""
        record.local_change = next_local_change(session)
        session.flush()
        _history(session, record)
