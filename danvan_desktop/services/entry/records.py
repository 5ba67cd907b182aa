"""Saving form records: NFC values, a version vector per record, every version kept in history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.text import nfc, nfc_deep, search_text_for


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as naive UTC


def _bump(vector: dict[str, int], site_id: str) -> dict[str, int]:
    bumped = dict(vector)
    bumped[site_id] = bumped.get(site_id, 0) + 1
    return bumped


def next_local_change(session: Session) -> int:
    """The next value of this database's change counter (indexed, so this is one lookup)."""
    return (session.scalar(select(func.max(Record.local_change))) or 0) + 1


# A history row is the record as it now is: history column <- record column.
_HISTORY_FROM_RECORD = {
    "record_id": "id",
    "form_version": "form_version",
    "values": "values",
    "version_vector": "version_vector",
    "deleted": "deleted",
    "changed_by": "updated_by",
    "changed_by_name": "updated_by_name",
    "changed_at": "updated_at",
}


def remember_version(session: Session, record: Record, change: str) -> None:
    """Append the record as it now is to its history (create, update, delete, restore, merge)."""
    columns = {target: getattr(record, source) for target, source in _HISTORY_FROM_RECORD.items()}
    session.add(RecordHistory(**columns, change=change))


def remember_stored_versions(session: Session, changes: range, change: str) -> None:
    """remember_version for the records just written in bulk with local_change in `changes`.

    SQLite copies the rows itself: a merged package's values are not serialized a second time.
    """
    if not changes:
        return
    record = Record.metadata.tables[Record.__tablename__]
    history = RecordHistory.metadata.tables[RecordHistory.__tablename__]
    sources = [record.c[source] for source in _HISTORY_FROM_RECORD.values()]
    rows = select(*sources, literal(change)).where(
        record.c.local_change >= changes.start, record.c.local_change < changes.stop
    )
    session.execute(insert(history).from_select([*_HISTORY_FROM_RECORD, "change"], rows))


def create_record(
    session: Session,
    *,
    site_id: str,
    user: str,
    form_id: str,
    form_version: int,
    org_unit_id: int,
    period_id: int,
    values: dict[str, Any],
    record_id: str | None = None,
    search_text: str | None = None,
    user_name: str | None = None,
) -> Record:
    now = _now()
    record = Record(
        id=record_id or str(uuid.uuid4()),
        form_id=form_id,
        form_version=form_version,
        org_unit_id=org_unit_id,
        period_id=period_id,
        values=nfc_deep(values),
        created_by=nfc(user),
        created_at=now,
        updated_by=nfc(user),
        updated_by_name=nfc(user_name) if user_name else None,
        updated_at=now,
        version_vector={site_id: 1},
        deleted=False,
        origin_site=site_id,
        local_change=next_local_change(session),
    )
    record.search_text = search_text if search_text is not None else search_text_for(record.values)
    session.add(record)
    session.flush()
    remember_version(session, record, "create")
    return record


def update_record(
    session: Session,
    record: Record,
    *,
    site_id: str,
    user: str,
    values: dict[str, Any],
    form_version: int,
    search_text: str | None = None,
    user_name: str | None = None,
) -> Record:
    """Replace the values; the previous ones stay in history."""
    record.values = nfc_deep(values)
    record.search_text = search_text if search_text is not None else search_text_for(record.values)
    record.form_version = form_version
    record.updated_by, record.updated_at = nfc(user), _now()
    record.updated_by_name = nfc(user_name) if user_name else None
    record.version_vector = _bump(record.version_vector, site_id)
    record.local_change = next_local_change(session)
    session.flush()
    remember_version(session, record, "update")
    return record


def set_deleted(
    session: Session, record: Record, *, site_id: str, user: str, deleted: bool, user_name: str | None = None
) -> Record:
    """Tombstone (or restore) a record; it is never removed, so the deletion can travel."""
    record.deleted = deleted
    record.updated_by, record.updated_at = nfc(user), _now()
    record.updated_by_name = nfc(user_name) if user_name else None
    record.version_vector = _bump(record.version_vector, site_id)
    record.local_change = next_local_change(session)
    session.flush()
    remember_version(session, record, "delete" if deleted else "restore")
    return record


# (values, version vector, deleted, form version) of a record or of one of its history rows.
Version = tuple[dict[str, Any], dict[str, int], bool, int]


def history_matches(last: Version, current: Version) -> bool:
    """The history rule: does the last history row account for the record as it now is?

    It must hold the current content (values, deleted, form version) exactly, and its version
    vector must be dominated by the current one (no site counter ahead of the record's). A merge
    that only joins vectors (the same edit made on both sides) advances the record's vector and
    writes no history row, on purpose: no content changed, and the row it would add would say
    nothing. So the vectors may differ, the content may not. `danvan check` applies this rule.
    """
    last_values, last_vector, last_deleted, last_form = last
    values, vector, deleted, form_version = current
    if (last_values, bool(last_deleted), last_form) != (values, bool(deleted), form_version):
        return False
    return all(vector.get(site, 0) >= count for site, count in last_vector.items())
