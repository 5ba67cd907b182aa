"""Period locking: a submitted period is read-only for its unit until explicitly reopened."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import AuditEntry, OrgUnit, Period, PeriodLock
from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_date_text
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.text import nfc


class PeriodLockedError(UserError):
    """A change was attempted in a submitted (locked) period."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def get_lock(session: Session, unit_id: int, period_id: int) -> PeriodLock | None:
    return session.get(PeriodLock, (unit_id, period_id))


def ensure_unlocked(session: Session, unit_id: int, period_id: int) -> None:
    """Raise a Vietnamese error when the unit's period has been submitted."""
    lock = get_lock(session, unit_id, period_id)
    if lock is None:
        return
    unit = session.get_one(OrgUnit, unit_id)
    period = session.get_one(Period, period_id)
    raise PeriodLockedError(
        f"Số liệu của {unit_label(unit)} kỳ «{period.label}» đã được chốt gửi ngày "
        f"{local_date_text(lock.locked_at)} ({lock.locked_by}); không sửa được. "
        "Muốn sửa, hãy mở lại kỳ báo cáo (thao tác được ghi nhật ký)."
    )


def _audit(session: Session, user: str, action: str, unit_id: int, period_id: int, detail: str) -> None:
    from danvan_desktop.services.office.audit import record_action

    record_action(session, action, user=user, unit_id=unit_id, period_id=period_id, detail=detail)


def lock_period(session: Session, unit_id: int, period_id: int, *, user: str, note: str = "") -> PeriodLock:
    """Mark the unit's period submitted; locking twice keeps the first lock."""
    require_in(session, "period.lock")
    existing = get_lock(session, unit_id, period_id)
    if existing is not None:
        return existing
    lock = PeriodLock(
        org_unit_id=unit_id, period_id=period_id, locked_by=nfc(user), locked_at=_now(), note=nfc(note)
    )
    session.add(lock)
    _audit(session, user, "lock", unit_id, period_id, note)
    session.flush()
    return lock


def reopen_period(session: Session, unit_id: int, period_id: int, *, user: str, reason: str) -> None:
    """Reopen a submitted period; the reason is mandatory and kept in the audit log."""
    require_in(session, "period.reopen")
    if not reason.strip():
        raise UserError("Phải nêu lý do mở lại kỳ báo cáo đã chốt.")
    lock = get_lock(session, unit_id, period_id)
    if lock is None:
        raise UserError("Kỳ báo cáo này chưa được chốt nên không cần mở lại.")
    from danvan_desktop.services.review.returns import ensure_reopenable

    ensure_reopenable(session, unit_id, period_id)  # a return waiting above or approved: not by hand
    session.delete(lock)
    _audit(session, user, "reopen", unit_id, period_id, reason)
    session.flush()


def audit_trail(session: Session, unit_id: int, period_id: int) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.org_unit_id == unit_id, AuditEntry.period_id == period_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(session.scalars(stmt))
