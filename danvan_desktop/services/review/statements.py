"""What travels about returns: the unit's statements upward, the office's decisions and comments downward."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, PeriodLock, ReviewComment, ReviewReturn
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.accounts import current_actor
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.services.review.returns import (
    DA_DUYET,
    DA_NHAN,
    DA_NOP,
    DANG_NHAP,
    STATE_LABELS,
    TRA_LAI,
    WAITING,
    find_return,
    now,
    set_state,
)
from danvan_desktop.transport.review_schema import CommentItem, ReturnItem, ReviewStatements
from danvan_desktop.transport.schema import format_utc

# What each end may say about a return: the unit submits; the office receives, decides, grants.
FROM_UNIT = frozenset({DA_NOP})
FROM_ABOVE = frozenset({DA_NHAN, DA_DUYET, TRA_LAI, DANG_NHAP})


def _codes(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    periods = dict(session.execute(select(Period.id, Period.code)).all())
    return units, periods


def _return_json(row: ReviewReturn, units: dict[int, str], periods: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": units[row.org_unit_id],
        "period": periods[row.period_id],
        "form": row.form_id,
        "state": row.state,
        "revision": max(row.revision, 1),
        "changed_at": format_utc(row.changed_at),
        "changed_by_name": row.changed_by_name or row.changed_by,
        "note": row.note,
    }
    if row.reopen_requested_at is not None:
        data["reopen_reason"] = row.reopen_reason or ""
        data["reopen_requested_at"] = format_utc(row.reopen_requested_at)
    return data


def statements_to_send(session: Session, office_id: int) -> dict[str, Any] | None:
    """The office's own returns and the comments it resolved, for the next package upward."""
    units, periods = _codes(session)
    rows = session.scalars(
        select(ReviewReturn).where(ReviewReturn.org_unit_id == office_id).order_by(ReviewReturn.id)
    ).all()
    resolved = session.scalars(
        select(ReviewComment)
        .where(ReviewComment.org_unit_id == office_id, ReviewComment.resolved_at.is_not(None))
        .order_by(ReviewComment.id)
    ).all()
    if not rows and not resolved:
        return None
    return {
        "returns": [_return_json(row, units, periods) for row in rows],
        "resolved": [
            {
                "comment": c.id,
                "resolved_at": format_utc(c.resolved_at),
                "resolved_by_name": c.resolved_by_name or "",
            }
            for c in resolved
            if c.resolved_at is not None
        ],
    }


def foreign_statements(session: Session, statements: ReviewStatements, sender: str) -> list[str]:
    """Units of the statements that are not the sender's own or under it: a forgery signal."""
    from danvan_desktop.services.exchange.origin import Hierarchy

    hierarchy = Hierarchy.load(session)
    foreign = [r.unit for r in statements.returns if hierarchy.is_under(r.unit, sender, r.period) is False]
    for resolution in statements.resolved:
        comment = session.get(ReviewComment, resolution.comment)
        if comment is None:
            continue
        unit = session.get_one(OrgUnit, comment.org_unit_id)
        period = session.get_one(Period, comment.period_id)
        if hierarchy.is_under(unit.code, sender, period.code) is False:
            foreign.append(unit.code)
    return sorted(set(foreign))


def apply_statements(session: Session, statements: ReviewStatements, *, sender_label: str) -> list[str]:
    """At the office above: a submitted return becomes «đã nhận»; reopen requests and resolutions kept.

    Only what the unit may say is taken (a unit cannot approve itself); older revisions are ignored.
    Returns what changed, in words.
    """
    actor = current_actor(session)
    lines: list[str] = []
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    periods = {p.code: p for p in session.scalars(select(Period))}
    for stated in statements.returns:
        unit, period = units.get(stated.unit), periods.get(stated.period)
        if unit is None or period is None:
            continue
        row = find_return(session, unit.id, period.id, stated.form)
        if row is not None and stated.revision <= row.revision:
            continue
        state = row.state if row is not None else DANG_NHAP
        where = f"{_form_title(stated.form)} — {unit_label(unit)} — kỳ {period.code}"
        if stated.state in FROM_UNIT and state in (DANG_NHAP, TRA_LAI):
            set_state(session, unit.id, period.id, stated.form, DA_NOP, actor, revision=stated.revision)
            set_state(session, unit.id, period.id, stated.form, DA_NHAN, actor)
            record_action(
                session,
                "review.received",
                unit_id=unit.id,
                period_id=period.id,
                form_id=stated.form,
                detail=f"{sender_label} nộp ({stated.changed_by_name})",
            )
            lines.append(f"Đã nhận báo cáo {where}.")
        elif stated.reopen_reason is not None and state == DA_DUYET and row is not None:
            row.revision = stated.revision
            row.reopen_reason = stated.reopen_reason
            row.reopen_requested_at = (
                stated.reopen_requested_at.replace(tzinfo=None) if (stated.reopen_requested_at) else now()
            )
            row.reopen_requested_by_name = stated.changed_by_name
            lines.append(f"Đơn vị xin mở lại báo cáo đã duyệt {where}: {stated.reopen_reason}")
    for resolution in statements.resolved:
        comment = session.get(ReviewComment, resolution.comment)
        if comment is not None and comment.resolved_at is None:
            comment.resolved_at = resolution.resolved_at.replace(tzinfo=None)
            comment.resolved_by_name = resolution.resolved_by_name
            lines.append(f"Đơn vị đã sửa theo ý kiến: {comment.text[:80]}")
    session.flush()
    return lines


def reply_items(session: Session, unit_id: int) -> list[dict[str, Any]]:
    """The office's view of every return of the unit, and every comment on them, for its reply."""
    units, periods = _codes(session)
    items: list[dict[str, Any]] = []
    for row in session.scalars(
        select(ReviewReturn).where(ReviewReturn.org_unit_id == unit_id).order_by(ReviewReturn.id)
    ):
        if row.state in FROM_ABOVE:
            data = _return_json(row, units, periods)
            data.pop("reopen_reason", None)
            data.pop("reopen_requested_at", None)
            items.append({"type": "return", **data})
    for comment in session.scalars(
        select(ReviewComment).where(ReviewComment.org_unit_id == unit_id).order_by(ReviewComment.created_at)
    ):
        items.append(
            {
                "type": "comment",
                "id": comment.id,
                "unit": units[comment.org_unit_id],
                "period": periods[comment.period_id],
                "form": comment.form_id,
                "record_id": comment.record_id,
                "field_id": comment.field_id,
                "text": comment.text,
                "author_name": comment.author_name or comment.author,
                "created_at": format_utc(comment.created_at),
                "resolved_at": format_utc(comment.resolved_at) if comment.resolved_at else None,
                "resolved_by_name": comment.resolved_by_name,
            }
        )
    return items


@dataclass
class InboxLine:
    kind: str
    title: str
    detail: str
    unit: str | None = None
    period: str | None = None
    form: str | None = None


class ReplyContentError(UserError):
    """A reply speaking of another unit's returns: refused whole."""


def apply_reply_items(
    session: Session, items: list[ReturnItem | CommentItem], *, recipient: OrgUnit, file_name: str
) -> list[InboxLine]:
    """At the unit: the office's decisions (with the period's lock) and comments; what the inbox shows."""
    from danvan_desktop.services.entry.locking import get_lock
    from danvan_desktop.services.office.periods import get_period

    actor = current_actor(session)
    lines: list[InboxLine] = []
    for item in items:
        if item.unit != recipient.code:
            raise ReplyContentError(
                f"Gói {file_name} chứa ý kiến về báo cáo của đơn vị khác («{item.unit}»): đã từ chối cả gói, "
                "không lưu gì.",
                detail=f"reply item for {item.unit!r}, recipient {recipient.code!r}",
            )
        period = get_period(session, item.period)
        where = f"{_form_title(item.form)} — kỳ {period.code}"
        if isinstance(item, CommentItem):
            comment = session.get(ReviewComment, item.id)
            if comment is None:
                session.add(_comment_from(item, recipient.id, period.id))
                target = f" (bản ghi {item.record_id[:8]}" if item.record_id else ""
                target += (
                    f", «{_field_label(item.form, item.field_id)}»)"
                    if item.field_id
                    else (")" if item.record_id else "")
                )
                lines.append(
                    InboxLine(
                        "comment", f"Ý kiến về {where}{target}", item.text, item.unit, period.code, item.form
                    )
                )
            continue
        row = find_return(session, recipient.id, period.id, item.form)
        if item.state not in FROM_ABOVE or (row is not None and item.revision <= row.revision):
            continue
        set_state(
            session,
            recipient.id,
            period.id,
            item.form,
            item.state,
            actor,
            note=item.note,
            revision=item.revision,
        )
        lock = get_lock(session, recipient.id, period.id)
        if item.state == DA_DUYET and lock is None:
            session.add(
                PeriodLock(
                    org_unit_id=recipient.id,
                    period_id=period.id,
                    locked_by=actor.writer_name,
                    locked_at=now(),
                    note=f"Cấp trên đã duyệt {_form_title(item.form)}",
                )
            )
            record_action(
                session,
                "lock",
                unit_id=recipient.id,
                period_id=period.id,
                form_id=item.form,
                detail=f"cấp trên đã duyệt (gói {file_name})",
            )
        elif (
            item.state in (TRA_LAI, DANG_NHAP)
            and lock is not None
            and not _still_held(session, recipient.id, period.id)
        ):
            session.delete(lock)
            record_action(
                session,
                "reopen",
                unit_id=recipient.id,
                period_id=period.id,
                form_id=item.form,
                detail=f"cấp trên {STATE_LABELS[item.state].lower()} (gói {file_name})",
            )
        lines.append(
            InboxLine(
                "decision",
                f"{_decision_title(item.state)}: {where}",
                item.note or "",
                item.unit,
                period.code,
                item.form,
            )
        )
    session.flush()
    return lines


def _still_held(session: Session, unit_id: int, period_id: int) -> bool:
    """Another return of the period still waits above or is approved: the lock stays."""
    held = session.scalars(
        select(ReviewReturn.id).where(
            ReviewReturn.org_unit_id == unit_id,
            ReviewReturn.period_id == period_id,
            ReviewReturn.state.in_((*WAITING, DA_DUYET)),
        )
    ).first()
    return held is not None


def _comment_from(item: CommentItem, unit_id: int, period_id: int) -> ReviewComment:
    return ReviewComment(
        id=item.id,
        org_unit_id=unit_id,
        period_id=period_id,
        form_id=item.form,
        record_id=item.record_id,
        field_id=item.field_id,
        text=item.text,
        author=item.author_name,
        author_name=item.author_name,
        created_at=item.created_at.replace(tzinfo=None),
        resolved_at=item.resolved_at.replace(tzinfo=None) if item.resolved_at else None,
        resolved_by_name=item.resolved_by_name,
    )


def _decision_title(state: str) -> str:
    return {
        DA_NHAN: "Cấp trên đã nhận báo cáo",
        DA_DUYET: "Cấp trên đã duyệt báo cáo",
        TRA_LAI: "Cấp trên trả lại báo cáo",
        DANG_NHAP: "Cấp trên cho mở lại báo cáo",
    }[state]


def _field_label(form_id: str, field_id: str) -> str:
    form = form_registry().get(form_id)
    return next((f.label for f in form.fields() if f.id == field_id), field_id) if form else field_id


def _form_title(form_id: str) -> str:
    form = form_registry().get(form_id)
    return form.title if form is not None else form_id
