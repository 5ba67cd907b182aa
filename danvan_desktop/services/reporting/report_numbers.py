"""The document-number register: the next free number of a series, and every number ever issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from danvan_desktop.db.models import DocumentNumber
from danvan_desktop.errors import UserError
from danvan_desktop.text import nfc

# A number is taken when it is recorded, and it is recorded in the same transaction that writes the
# PDF (services.report_output.save_report): a failed write leaves no gap in the register, and a
# recorded number always has its file. Rows are never deleted or renumbered, so a number, once
# issued, is never issued again in its series — even if its file is later lost.


class NumberUsedError(UserError):
    """The number asked for is already in the register for that series."""


@dataclass(frozen=True)
class IssuedNumber:
    """One line of the register, detached from the session."""

    series: str
    number: int
    profile: str
    issued_at: dt.datetime
    title: str
    unit: str
    period: str
    file_name: str


def next_number(session: Session, series: str) -> int:
    """One more than the highest number issued in `series` (1 for a new year or term)."""
    highest = session.scalar(select(func.max(DocumentNumber.number)).where(DocumentNumber.series == series))
    return (highest or 0) + 1


def find_number(session: Session, series: str, number: int) -> IssuedNumber | None:
    row = session.scalars(
        select(DocumentNumber).where(DocumentNumber.series == series, DocumentNumber.number == number)
    ).first()
    return _issued(row) if row is not None else None


def _used_message(series: str, number: int, issued: IssuedNumber | None) -> str:
    symbol, _, span = series.partition(":")
    text = f"Số {number} ({symbol}, {span}) đã được dùng"
    if issued is not None:
        text += f" cho «{issued.title}» ngày {issued.issued_at:%d/%m/%Y}, tệp {issued.file_name}"
    return f"{text}. Mỗi số chỉ cấp một lần; hãy bỏ số để lấy số tiếp theo trong sổ đăng ký văn bản."


def check_unused(session: Session, series: str, number: int) -> None:
    issued = find_number(session, series, number)
    if issued is not None:
        raise NumberUsedError(_used_message(series, number, issued))


def record_number(
    session: Session,
    *,
    profile: str,
    series: str,
    number: int,
    title: str,
    unit: str,
    period: str,
    file_name: str,
    issued_at: dt.datetime | None = None,
) -> IssuedNumber:
    """Enter `number` in the register; refused when the series already has it (even concurrently)."""
    if number < 1:
        raise UserError("Số văn bản phải là số nguyên dương.")
    check_unused(session, series, number)
    row = DocumentNumber(
        profile=profile,
        series=nfc(series),
        number=number,
        issued_at=issued_at or dt.datetime.now().replace(microsecond=0),
        title=nfc(title)[:500],
        unit=unit,
        period=period,
        file_name=nfc(file_name)[:300],
    )
    session.add(row)
    try:
        session.flush()  # the unique (series, number) index decides a race with another writer
    except IntegrityError as exc:
        raise NumberUsedError(_used_message(series, number, None), detail=repr(exc)) from exc
    return _issued(row)


def list_numbers(session: Session, series: str | None = None) -> list[IssuedNumber]:
    """The register, newest series and number first."""
    stmt = select(DocumentNumber)
    if series is not None:
        stmt = stmt.where(DocumentNumber.series == series)
    rows = session.scalars(stmt.order_by(DocumentNumber.issued_at.desc(), DocumentNumber.number.desc()))
    return [_issued(row) for row in rows]


def _issued(row: DocumentNumber) -> IssuedNumber:
    return IssuedNumber(
        series=row.series,
        number=row.number,
        profile=row.profile,
        issued_at=row.issued_at,
        title=row.title,
        unit=row.unit,
        period=row.period,
        file_name=row.file_name,
    )
