"""Reporting periods in the database: create on demand, list for the period selector."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.periods import (
    SORT_KEY_ORDER,
    PeriodKind,
    PeriodSpec,
    parse_period_code,
    standard_periods,
)
from danvan_desktop.db.models import Period
from danvan_desktop.errors import UnknownPeriodError

FIRST_YEAR = 2021  # Project 05 and the NTM 2021-2025 programme start here
# Calendar periods created on demand (entry, sheet load, package import) lie in these years.
# The floor is not FIRST_YEAR: offices key in the figures of earlier programmes (NTM 2010-2020)
# to compare with, but nothing they report predates 2000, the floor of record timestamps too.
# The ceiling: next year's plans are entered in December; anything later is a typo or a forgery.
PERIOD_FLOOR_YEAR = 2000
PERIOD_YEARS_AHEAD = 1


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


def period_problem(spec: PeriodSpec, today: dt.date) -> str | None:
    """Why a calendar period may not be created now (too early or too far ahead), else None.

    The one rule for every path that creates a period: entry, sheet load and package import.
    """
    last = today.year + PERIOD_YEARS_AHEAD
    if not PERIOD_FLOOR_YEAR <= spec.start.year <= last:
        return (
            f"kỳ báo cáo «{spec.label}» nằm ngoài khoảng cho phép (từ năm {PERIOD_FLOOR_YEAR} đến năm {last})"
        )
    return None


def allowed_period_spec(code: str, today: dt.date | None = None) -> PeriodSpec:
    """The dates of calendar period `code`, if it may be created; else UnknownPeriodError."""
    spec = parse_period_code(code)
    problem = period_problem(spec, today or dt.date.today())
    if problem:
        raise UnknownPeriodError(problem[0].upper() + problem[1:] + ".")
    return spec


def get_period(session: Session, code: str, *, create: bool = True, today: dt.date | None = None) -> Period:
    """The period with `code`; calendar periods within the allowed years are created on first use."""
    wanted = code.strip().upper()
    period = session.scalar(select(Period).where(Period.code == wanted))
    if period is not None:
        return period
    if not create:
        raise UnknownPeriodError(f"Chưa có kỳ báo cáo «{code}» trong cơ sở dữ liệu.")
    spec = allowed_period_spec(wanted, today)
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
