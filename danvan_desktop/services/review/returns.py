"""Returns (unit × period × form) through review: submit, receive, approve or return, comments, reopen."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Installation, OrgUnit, Period, Record, ReviewComment, ReviewReturn
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.accounts import Actor, require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.text import nfc

DANG_NHAP, DA_NOP, DA_NHAN, DA_DUYET, TRA_LAI = "dang_nhap", "da_nop", "da_nhan", "da_duyet", "tra_lai"
STATE_LABELS = {
    DANG_NHAP: "Đang nhập",
    DA_NOP: "Đã nộp",
    DA_NHAN: "Đã nhận",
    DA_DUYET: "Đã duyệt",
    TRA_LAI: "Trả lại",
}
# While a return waits for the office above or has been approved, its period stays locked at the unit.
WAITING = (DA_NOP, DA_NHAN)


class ReviewError(UserError):
    """A review action that does not fit the return's state, unit or form."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def office_unit(session: Session) -> OrgUnit:
    installation = session.scalars(select(Installation)).one()
    return session.get_one(OrgUnit, installation.office_unit_id)


def find_return(session: Session, unit_id: int, period_id: int, form_id: str) -> ReviewReturn | None:
    return session.scalar(
        select(ReviewReturn).where(
            ReviewReturn.org_unit_id == unit_id,
            ReviewReturn.period_id == period_id,
            ReviewReturn.form_id == form_id,
        )
    )


def state_of(session: Session, unit_id: int, period_id: int, form_id: str) -> str:
    row = find_return(session, unit_id, period_id, form_id)
    return row.state if row is not None else DANG_NHAP


def set_state(
    session: Session,
    unit_id: int,
    period_id: int,
    form_id: str,
    state: str,
    actor: Actor,
    *,
    note: str | None = None,
    revision: int | None = None,
) -> ReviewReturn:
    """Move the return to `state`: a new revision (or the one a statement from the other end carries)."""
    row = find_return(session, unit_id, period_id, form_id)
    if row is None:
        row = ReviewReturn(org_unit_id=unit_id, period_id=period_id, form_id=form_id, revision=0)
        session.add(row)
    row.state = state
    row.revision = revision if revision is not None else row.revision + 1
    row.changed_at = now()
    row.changed_by = actor.writer_name
    row.changed_by_name = actor.full_name if actor.id is not None else None
    row.note = nfc(note) if note else None
    if state != DA_DUYET:
        row.reopen_reason = row.reopen_requested_at = row.reopen_requested_by_name = None
    session.flush()
    return row


@dataclass(frozen=True)
class Target:
    """The return an action is about, found from its codes."""

    unit: OrgUnit
    period: Period
    form_id: str
    form_title: str

    def describe(self) -> str:
        return f"{self.form_title} — {unit_label(self.unit)} — kỳ {self.period.code}"


def target(session: Session, unit_code: str, form_id: str, period_code: str) -> Target:
    forms = form_registry()
    if form_id not in forms:
        raise ReviewError(f"Không có biểu mẫu «{form_id}» (xem `danvan forms list`).")
    unit = find_unit(session, unit_code)
    period = get_period(session, period_code, create=False)
    return Target(unit, period, form_id, forms[form_id].title)


def _under_office(session: Session, tgt: Target) -> OrgUnit:
    """The office, refusing a unit that is not strictly under it for the return's period."""
    from danvan_desktop.services.exchange.origin import Hierarchy

    office = office_unit(session)
    if tgt.unit.id == office.id or not Hierarchy.load(session).is_under(
        tgt.unit.code, office.code, tgt.period.code
    ):
        raise ReviewError(
            f"{unit_label(tgt.unit)} không phải đơn vị trực thuộc {unit_label(office)} trong kỳ "
            f"{tgt.period.code}: chỉ duyệt được báo cáo của đơn vị cấp dưới."
        )
    return office


def submit_return(session: Session, form_id: str, period_code: str, *, note: str = "") -> ReviewReturn:
    """The unit's leader submits its own return: the period locks; the next package says so."""
    from danvan_desktop.services.entry.locking import lock_period

    actor = require_in(session, "return.submit")
    office = office_unit(session)
    tgt = target(session, office.code, form_id, period_code)
    state = state_of(session, office.id, tgt.period.id, form_id)
    if state not in (DANG_NHAP, TRA_LAI):
        raise ReviewError(
            f"Báo cáo {tgt.describe()} đang ở trạng thái «{STATE_LABELS[state]}»: không nộp lại."
        )
    row = set_state(session, office.id, tgt.period.id, form_id, DA_NOP, actor, note=note)
    lock_period(session, office.id, tgt.period.id, user=actor.writer_name, note=f"Nộp {tgt.form_title}")
    record_action(
        session, "review.submit", unit_id=office.id, period_id=tgt.period.id, form_id=form_id, detail=note
    )
    return row


def decide_return(
    session: Session, unit_code: str, form_id: str, period_code: str, *, approve: bool, comment: str = ""
) -> ReviewReturn:
    """At the office above: approve (locks its copy) or return the unit's submitted return with comments."""
    from danvan_desktop.services.entry.locking import lock_period

    actor = require_in(session, "return.review")
    tgt = target(session, unit_code, form_id, period_code)
    _under_office(session, tgt)
    state = state_of(session, tgt.unit.id, tgt.period.id, form_id)
    if state not in WAITING:
        raise ReviewError(
            f"Báo cáo {tgt.describe()} đang ở trạng thái «{STATE_LABELS[state]}»: chỉ duyệt hoặc trả lại "
            "báo cáo đơn vị đã nộp."
        )
    text = nfc(comment).strip()
    if not approve and not text and not open_comments(session, tgt.unit.id, tgt.period.id, form_id):
        raise ReviewError("Trả lại báo cáo phải kèm ý kiến (--comment, hoặc góp ý từng trường trước).")
    if text:
        add_comment(session, unit_code, form_id, period_code, text)
    row = set_state(session, tgt.unit.id, tgt.period.id, form_id, DA_DUYET if approve else TRA_LAI, actor)
    if approve:
        lock_period(
            session, tgt.unit.id, tgt.period.id, user=actor.writer_name, note=f"Duyệt {tgt.form_title}"
        )
    record_action(
        session,
        "review.approve" if approve else "review.return",
        unit_id=tgt.unit.id,
        period_id=tgt.period.id,
        form_id=form_id,
        detail=text,
    )
    return row


def add_comment(
    session: Session,
    unit_code: str,
    form_id: str,
    period_code: str,
    text: str,
    *,
    record_id: str | None = None,
    field_id: str | None = None,
) -> ReviewComment:
    """A reviewer's comment on the whole return, one record, or one field of a record."""
    actor = require_in(session, "return.comment")
    tgt = target(session, unit_code, form_id, period_code)
    _under_office(session, tgt)
    body = nfc(text).strip()
    if not body:
        raise ReviewError("Ý kiến không được để trống.")
    if len(body) > 4000:
        raise ReviewError("Ý kiến dài quá 4000 ký tự.")
    if field_id is not None and record_id is None:
        raise ReviewError("Góp ý một trường phải chỉ rõ bản ghi (--record).")
    if record_id is not None:
        record_id = _record_of(session, tgt, record_id)
    if field_id is not None and field_id not in form_registry()[form_id].field_ids:
        raise ReviewError(f"Biểu mẫu «{tgt.form_title}» không có trường «{field_id}».")
    comment = ReviewComment(
        id=str(uuid.uuid4()),
        org_unit_id=tgt.unit.id,
        period_id=tgt.period.id,
        form_id=form_id,
        record_id=record_id,
        field_id=field_id,
        text=body,
        author=actor.writer_name,
        author_name=actor.full_name if actor.id is not None else None,
        created_at=now(),
    )
    session.add(comment)
    where = f" (bản ghi {record_id[:8]}" + (f", trường {field_id})" if field_id else ")") if record_id else ""
    record_action(
        session,
        "review.comment",
        unit_id=tgt.unit.id,
        period_id=tgt.period.id,
        form_id=form_id,
        record_id=record_id,
        detail=body + where,
    )
    session.flush()
    return comment


def _record_of(session: Session, tgt: Target, record_id: str) -> str:
    """The record's full id (its first characters suffice when unique) within the return."""
    text = record_id.strip().lower()
    rows = session.scalars(
        select(Record.id).where(
            Record.id.startswith(text),
            Record.org_unit_id == tgt.unit.id,
            Record.period_id == tgt.period.id,
            Record.form_id == tgt.form_id,
        )
    ).all()
    if len(rows) != 1:
        raise ReviewError(
            f"Không tìm thấy đúng một bản ghi «{record_id}» trong báo cáo {tgt.describe()}"
            + (f" ({len(rows)} bản ghi khớp)." if rows else ".")
        )
    return rows[0]


def open_comments(session: Session, unit_id: int, period_id: int, form_id: str) -> list[ReviewComment]:
    return list(
        session.scalars(
            select(ReviewComment).where(
                ReviewComment.org_unit_id == unit_id,
                ReviewComment.period_id == period_id,
                ReviewComment.form_id == form_id,
                ReviewComment.resolved_at.is_(None),
            )
        )
    )


def resolve_comment(session: Session, comment_id: str) -> ReviewComment:
    """At the unit: mark a comment of the office above resolved (the next package says so)."""
    actor = require_in(session, "return.resolve")
    text = comment_id.strip().lower()
    rows = (
        session.scalars(select(ReviewComment).where(ReviewComment.id.startswith(text))).all() if text else []
    )
    if len(rows) != 1:
        raise ReviewError(f"Không tìm thấy đúng một ý kiến có mã «{comment_id}».")
    comment = rows[0]
    if comment.org_unit_id != office_unit(session).id:
        raise ReviewError("Ý kiến này gửi cho đơn vị cấp dưới: chỉ đơn vị đó đánh dấu đã sửa.")
    if comment.resolved_at is None:
        comment.resolved_at = now()
        comment.resolved_by_name = actor.full_name if actor.id is not None else actor.writer_name
        record_action(
            session,
            "review.resolve",
            unit_id=comment.org_unit_id,
            period_id=comment.period_id,
            form_id=comment.form_id,
            record_id=comment.record_id,
            detail=comment.text[:200],
        )
    return comment


def request_reopen(session: Session, form_id: str, period_code: str, reason: str) -> ReviewReturn:
    """At the unit: ask the office above to reopen an approved return; the next package carries it."""
    actor = require_in(session, "return.submit")
    office = office_unit(session)
    tgt = target(session, office.code, form_id, period_code)
    row = find_return(session, office.id, tgt.period.id, form_id)
    if row is None or row.state != DA_DUYET:
        raise ReviewError(f"Chỉ xin mở lại báo cáo đã được duyệt ({tgt.describe()} chưa được duyệt).")
    words = nfc(reason).strip()
    if not words:
        raise ReviewError("Phải nêu lý do xin mở lại báo cáo đã duyệt.")
    row.revision += 1
    row.reopen_reason, row.reopen_requested_at = words, now()
    row.reopen_requested_by_name = actor.full_name if actor.id is not None else actor.writer_name
    record_action(
        session,
        "review.reopen_request",
        unit_id=office.id,
        period_id=tgt.period.id,
        form_id=form_id,
        detail=words,
    )
    return row


def grant_reopen(
    session: Session, unit_code: str, form_id: str, period_code: str, note: str = ""
) -> ReviewReturn:
    """At the office above: grant a unit's request to reopen an approved return (unlocks both ends)."""
    from danvan_desktop.db.models import PeriodLock

    actor = require_in(session, "return.review")
    tgt = target(session, unit_code, form_id, period_code)
    _under_office(session, tgt)
    row = find_return(session, tgt.unit.id, tgt.period.id, form_id)
    if row is None or row.state != DA_DUYET or row.reopen_requested_at is None:
        raise ReviewError(f"Đơn vị chưa xin mở lại báo cáo {tgt.describe()}: không có gì để cho phép.")
    reason = row.reopen_reason or ""
    row = set_state(session, tgt.unit.id, tgt.period.id, form_id, DANG_NHAP, actor, note=note or None)
    if not any(state_of(session, tgt.unit.id, tgt.period.id, f) == DA_DUYET for f in form_registry()):
        lock = session.get(PeriodLock, (tgt.unit.id, tgt.period.id))
        if lock is not None:  # the office's copy of the unit's period opens for the corrected figures
            session.delete(lock)
    record_action(
        session,
        "review.reopen_grant",
        unit_id=tgt.unit.id,
        period_id=tgt.period.id,
        form_id=form_id,
        detail=f"Đơn vị xin: {reason}" + (f". Cấp trên: {note}" if note else ""),
    )
    return row


def ensure_reopenable(session: Session, unit_id: int, period_id: int) -> None:
    """Refuse reopening a period by hand while one of its returns waits above or is approved."""
    rows = session.scalars(
        select(ReviewReturn).where(
            ReviewReturn.org_unit_id == unit_id,
            ReviewReturn.period_id == period_id,
            ReviewReturn.state.in_((DA_NOP, DA_NHAN, DA_DUYET)),
        )
    ).all()
    if rows:
        row = rows[0]
        title = form_registry().get(row.form_id)
        raise ReviewError(
            f"Báo cáo «{title.title if title else row.form_id}» của kỳ này đang ở trạng thái "
            f"«{STATE_LABELS[row.state]}» ở cấp trên: không tự mở lại được. Báo cáo đã duyệt chỉ mở lại khi "
            "cấp trên cho phép (danvan review reopen-request); báo cáo đã nộp, hãy đề nghị cấp trên trả lại."
        )
