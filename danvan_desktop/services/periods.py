"""Reporting periods in the database: create on demand, list for the period selector."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.periods import (
    SORT_KEY_ORDER,
    PeriodKind,
    parse_period_code,
    standard_periods,
)
from danvan_desktop.db.models import Period
from danvan_desktop.errors import UnknownPeriodError

FIRST_YEAR = 2021  # Project 05 and the NTM 2021-2025 programme start here


@dataclass(frozen=True)
class PeriodInfo:
    """A period detached from the session."""

    id: int
    code: str
    kind: str
    label: str
    start: dt.date
    end: dt.date


def ensure_standard_periods(session: Session, last_year: int, first_year: int = FIRST_YEAR) -> int:
    """Create the year/half/quarter/9-month periods of each year; returns how many were new."""
    existing = set(session.scalars(select(Period.code)))
    added = 0
    for spec in standard_periods(first_year, last_year):
        if spec.code not in existing:
            session.add(
                Period(
                    code=spec.code,
                    kind=spec.kind.value,
                    start=spec.start,
                    end=spec.end,
                    label=spec.label,
                )
            )
            added += 1
    session.flush()
    return added


def get_period(session: Session, code: str, *, create: bool = True) -> Period:
    """The period with `code`; calendar periods are created on first use."""
    wanted = code.strip().upper()
    period = session.scalar(select(Period).where(Period.code == wanted))
    if period is not None:
        return period
    if not create:
        raise UnknownPeriodError(f"Chưa có kỳ báo cáo «{code}» trong cơ sở dữ liệu.")
    spec = parse_period_code(wanted)
    period = Period(code=spec.code, kind=spec.kind.value, start=spec.start, end=spec.end, label=spec.label)
    session.add(period)
    session.flush()
    return period


def list_periods(session: Session) -> list[PeriodInfo]:
    """Newest year first; within a year: whole year, 9 months, halves, quarters, months."""
    periods = session.scalars(select(Period)).all()

    def key(p: Period) -> tuple[int, int, object]:
        return (-p.end.year, SORT_KEY_ORDER[PeriodKind(p.kind)], p.start)

    return [PeriodInfo(p.id, p.code, p.kind, p.label, p.start, p.end) for p in sorted(periods, key=key)]
