"""Reading the review: returns with their states, comments, the inbox; for the screens and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import InboxItem, OrgUnit, Period, ReviewComment, ReviewReturn
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.services.review.returns import STATE_LABELS


@dataclass(frozen=True)
class ReturnRow:
    unit_code: str
    unit_label: str
    period_code: str
    form_id: str
    form_title: str
    state: str
    state_label: str
    changed_at: dt.datetime
    changed_by: str
    open_comments: int
    reopen_requested: bool
    reopen_reason: str


def review_rows(session: Session, *, period: str | None = None, state: str | None = None) -> list[ReturnRow]:
    """Every return this office holds a state for, by unit, period and form."""
    if state is not None and state not in STATE_LABELS:
        raise UserError(f"Trạng thái «{state}» không có; các trạng thái: {', '.join(STATE_LABELS)}.")
    stmt = (
        select(ReviewReturn, OrgUnit, Period)
        .join(OrgUnit, ReviewReturn.org_unit_id == OrgUnit.id)
        .join(Period, ReviewReturn.period_id == Period.id)
    )
    if period:
        stmt = stmt.where(Period.code == period)
    if state:
        stmt = stmt.where(ReviewReturn.state == state)
    open_counts = {
        (u, p, f): n
        for u, p, f, n in session.execute(
            select(ReviewComment.org_unit_id, ReviewComment.period_id, ReviewComment.form_id, func.count())
            .where(ReviewComment.resolved_at.is_(None))
            .group_by(ReviewComment.org_unit_id, ReviewComment.period_id, ReviewComment.form_id)
        ).all()
    }
    forms = form_registry()
    rows = []
    for ret, unit, per in session.execute(stmt).all():
        form = forms.get(ret.form_id)
        rows.append(
            ReturnRow(
                unit.code,
                unit_label(unit),
                per.code,
                ret.form_id,
                form.title if form else ret.form_id,
                ret.state,
                STATE_LABELS.get(ret.state, ret.state),
                ret.changed_at,
                ret.changed_by_name or ret.changed_by,
                open_counts.get((ret.org_unit_id, ret.period_id, ret.form_id), 0),
                ret.reopen_requested_at is not None,
                ret.reopen_reason or "",
            )
        )
    return sorted(rows, key=lambda r: (r.period_code, r.unit_code, r.form_id))


# The review state as the completeness view adds it to a cell that already says «Đã nhận» (records here).
COMPLETENESS_WORDS = {
    "dang_nhap": "mở lại",
    "da_nop": "đã nộp",
    "da_nhan": "chờ duyệt",
    "da_duyet": "đã duyệt",
    "tra_lai": "trả lại",
}


def review_states(session: Session, period_id: int) -> dict[tuple[int, str], str]:
    """(unit id, form id) → the return's review state, for one period (the completeness view shows it)."""
    rows = session.execute(
        select(ReviewReturn.org_unit_id, ReviewReturn.form_id, ReviewReturn.state).where(
            ReviewReturn.period_id == period_id
        )
    ).all()
    return {(unit_id, form_id): state for unit_id, form_id, state in rows}


@dataclass(frozen=True)
class CommentRow:
    id: str
    unit_code: str
    period_code: str
    form_id: str
    record_id: str | None
    field_id: str | None
    text: str
    author: str
    created_at: dt.datetime
    resolved: bool
    resolved_by: str


def comment_rows(
    session: Session,
    *,
    period: str | None = None,
    open_only: bool = False,
    unit_id: int | None = None,
    form_id: str | None = None,
    period_id: int | None = None,
) -> list[CommentRow]:
    stmt = (
        select(ReviewComment, OrgUnit.code, Period.code)
        .join(OrgUnit, ReviewComment.org_unit_id == OrgUnit.id)
        .join(Period, ReviewComment.period_id == Period.id)
        .order_by(ReviewComment.created_at)
    )
    if period:
        stmt = stmt.where(Period.code == period)
    if open_only:
        stmt = stmt.where(ReviewComment.resolved_at.is_(None))
    if unit_id is not None:
        stmt = stmt.where(ReviewComment.org_unit_id == unit_id)
    if form_id is not None:
        stmt = stmt.where(ReviewComment.form_id == form_id)
    if period_id is not None:
        stmt = stmt.where(ReviewComment.period_id == period_id)
    return [
        CommentRow(
            c.id,
            unit_code,
            period_code,
            c.form_id,
            c.record_id,
            c.field_id,
            c.text,
            c.author_name or c.author,
            c.created_at,
            c.resolved_at is not None,
            c.resolved_by_name or "",
        )
        for c, unit_code, period_code in session.execute(stmt).all()
    ]


def inbox_rows(session: Session, *, limit: int = 200) -> list[InboxItem]:
    """The newest first."""
    return list(
        session.scalars(
            select(InboxItem).order_by(InboxItem.received_at.desc(), InboxItem.id.desc()).limit(limit)
        )
    )
