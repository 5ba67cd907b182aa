"""Conflicts from merging: concurrent edits of one record, resolved only by a person's decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, Record, RecordConflict
from danvan_desktop.errors import UserError
from danvan_desktop.services.entry import records
from danvan_desktop.services.entry.entry import (
    FieldChange,
    ValidationFailedError,
    Writer,
    check_values,
    form_context,
    search_text,
    value_changes,
)
from danvan_desktop.services.entry.locking import ensure_unlocked
from danvan_desktop.services.exchange.vectors import merged
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.orgunits import unit_label

Choice = Literal["local", "incoming", "fields"]


@dataclass(frozen=True)
class PendingConflict:
    """Both versions of a record, side by side, for the person who decides."""

    id: int
    record_id: str
    form_id: str
    form_title: str
    unit_label: str
    period_label: str
    local_values: dict[str, Any]
    incoming_values: dict[str, Any]
    local_deleted: bool
    incoming_deleted: bool
    incoming_by: str
    changes: list[FieldChange]  # old = local, new = incoming
    field_ids: list[str]  # the fields that differ, in form order

    @property
    def local_state(self) -> str:
        return state_label(self.local_deleted)

    @property
    def incoming_state(self) -> str:
        return state_label(self.incoming_deleted)


def state_label(deleted: bool) -> str:
    """A version's state as a person reads it: a deletion against an edit is a difference too."""
    return "đã xóa" if deleted else "đang dùng"


def pending_conflicts(session: Session) -> list[PendingConflict]:
    forms = forms_in_force(session)
    rows = session.scalars(
        select(RecordConflict).where(RecordConflict.resolved_at.is_(None)).order_by(RecordConflict.id)
    ).all()
    result = []
    for conflict in rows:
        record = session.get_one(Record, conflict.record_id)
        form = forms.get(record.form_id)
        incoming = dict(conflict.incoming.get("values", {}))
        local = dict(record.values)
        differing = [k for k in dict.fromkeys([*local, *incoming]) if local.get(k) != incoming.get(k)]
        if form is not None:
            order = {f.id: n for n, f in enumerate(form.fields())}
            differing.sort(key=lambda k: order.get(k, len(order)))
        result.append(
            PendingConflict(
                id=conflict.id,
                record_id=record.id,
                form_id=record.form_id,
                form_title=form.title if form else record.form_id,
                unit_label=unit_label(session.get_one(OrgUnit, record.org_unit_id)),
                period_label=session.get_one(Period, record.period_id).label,
                local_values=local,
                incoming_values=incoming,
                local_deleted=record.deleted,
                incoming_deleted=bool(conflict.incoming.get("deleted")),
                incoming_by=str(conflict.incoming.get("updated_by", "")),
                changes=value_changes(form, local, incoming),
                field_ids=differing,
            )
        )
    return result


CHOICE_LABELS = {"local": "giữ bản của đơn vị", "incoming": "lấy bản nhận được", "fields": "lấy từng trường"}


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    choice: Choice,
    writer: Writer,
    incoming_fields: Collection[str] = (),
) -> Record:
    """Apply a person's decision: keep the local version, take the incoming one, or mix per field.

    The result is a new edit by this site that has seen both versions (merged vector plus one),
    so it wins everywhere it travels; the losing values stay in the record's history.
    """
    require_in(session, "conflict.resolve")
    conflict = session.get(RecordConflict, conflict_id)
    if conflict is None or conflict.resolved_at is not None:
        raise UserError("Xung đột này không còn chờ xử lý (có thể đã được giải quyết).")
    record = session.get_one(Record, conflict.record_id)
    ensure_unlocked(session, record.org_unit_id, record.period_id)
    incoming = dict(conflict.incoming.get("values", {}))
    if choice == "local":
        values, deleted = dict(record.values), record.deleted
    elif choice == "incoming":
        values, deleted = incoming, bool(conflict.incoming.get("deleted"))
    else:
        unknown = set(incoming_fields) - (set(incoming) | set(record.values))
        if unknown:
            raise UserError(f"Trường không có trong bản ghi: {', '.join(sorted(unknown))}.")
        values = dict(record.values)
        for key in incoming_fields:
            if key in incoming:
                values[key] = incoming[key]
            else:
                values.pop(key, None)
        deleted = record.deleted
    form = forms_in_force(session).get(record.form_id)
    shown: str | None = None  # the search text a save from the screen would store
    if form is not None and not deleted:  # a mix of two valid versions may still break a rule
        period = session.get_one(Period, record.period_id)
        context = form_context(session, form, record.org_unit_id, period)
        values, issues = check_values(session, form, record.org_unit_id, period, values, context)
        if any(i.severity == "error" for i in issues):
            raise ValidationFailedError(issues)
        shown = search_text(form, values, context)
    changes = value_changes(form, record.values, values)
    record_action(
        session,
        "conflict.resolve",
        unit_id=record.org_unit_id,
        period_id=record.period_id,
        form_id=record.form_id,
        record_id=record.id,
        old="; ".join(f"{c.label}: {c.old}" for c in changes if c.old) or None,
        new="; ".join(f"{c.label}: {c.new}" for c in changes if c.new) or None,
        detail=CHOICE_LABELS[choice],
    )
    record.version_vector = merged(record.version_vector, conflict.incoming.get("version_vector", {}))
    record.deleted = deleted
    records.update_record(
        session,
        record,
        site_id=writer.site_id,
        user=writer.user,
        user_name=writer.name,
        values=values,
        form_version=record.form_version,
        search_text=shown,
    )
    conflict.resolved_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conflict.resolution = choice
    conflict.resolved_by = writer.user
    session.flush()
    return record
