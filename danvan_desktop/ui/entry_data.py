"""What the entry pages read and write: a form's lists, the lock note, saving, a record's history."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Period
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.entry.entry import (
    FormContext,
    SaveResult,
    current_writer,
    form_context,
    record_history,
    save_entry,
)
from danvan_desktop.services.entry.locking import get_lock
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.history_dialog import HistoryDialog


def lock_reason(db: Database, target: EntryTarget) -> str | None:
    """Why this unit's period is read-only here: submitted, or an account without an entry role."""
    from danvan_desktop.services.office.accounts import current_actor, may, needed_roles_text

    with db.session() as session:
        lock = get_lock(session, target.unit_id, target.period_id)
        actor = current_actor(session)
    if lock is None:
        if may(actor, "record.edit"):
            return None
        return f"Tài khoản «{actor.login}» chỉ được xem số liệu. {needed_roles_text('record.edit')}"
    return (
        f"Số liệu kỳ «{target.period_label}» của {target.unit_label} đã chốt lúc "
        f"{local_time_text(lock.locked_at)} ({lock.locked_by}): chỉ xem. "
        "Muốn sửa, chọn menu Kỳ báo cáo → Mở lại kỳ báo cáo."
    )


def load_context(db: Database, form: FormDef, target: EntryTarget) -> FormContext:
    with db.session() as session:
        return form_context(session, form, target.unit_id, session.get_one(Period, target.period_id))


def store(
    db: Database,
    form: FormDef,
    target: EntryTarget,
    values: dict[str, object],
    record_id: str | None,
    *,
    expected_change: int | None = None,
) -> str:
    return store_checked(db, form, target, values, record_id, expected_change=expected_change).record_id


def store_checked(
    db: Database,
    form: FormDef,
    target: EntryTarget,
    values: dict[str, object],
    record_id: str | None,
    *,
    expected_change: int | None,
) -> SaveResult:
    """Save what the screen shows; refused (StaleRecordError) when the record was saved elsewhere
    since the screen read it at `expected_change` (two PCs on one server, or two windows)."""
    with db.transaction() as session:
        writer = current_writer(session, target.site_id)
        return save_entry(
            session,
            form,
            target.unit_id,
            target.period_id,
            values,
            writer=writer,
            record_id=record_id,
            expected_change=expected_change,
        )


def show_history(parent: QWidget, db: Database, form: FormDef, record_id: str, title: str) -> None:
    with db.session() as session:
        entries = record_history(session, form, record_id)
    HistoryDialog(title, entries, parent).exec()
