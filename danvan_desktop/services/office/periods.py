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
from danvan_desktop.db.models import OrgUnit, Period, Programme
from danvan_desktop.errors import UnknownPeriodError, UserError
from danvan_desktop.services.office.orgunits import is_valid_during

FIRST_YEAR = 2021  # Project 05 and the NTM 2021-2025 programme start here
# Calendar periods created on demand (entry, sheet load, package import) lie in these years.
# The floor is not FIRST_YEAR: offices key in the figures of earlier programmes (NTM 2010-2020)
# to compare with, but nothing they report predates 2000, the floor of record timestamps too.
# The ceiling: next year's plans are entered in December; anything later is a typo or a forgery.
PERIOD_FLOOR_YEAR = 2000
PERIOD_YEARS_AHEAD = 1


PERIOD_CODES_HINT = "Giai đoạn đề án (ví dụ DA05-TU-SK) và mọi kỳ dùng được: xem `danvan periods`."


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
    try:
        spec = allowed_period_spec(wanted, today)
    except UnknownPeriodError as exc:
        raise UnknownPeriodError(f"{exc.message} {PERIOD_CODES_HINT}") from exc
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


@dataclass(frozen=True)
class UsablePeriod:
    """A period code an office can enter, load, send or report for a unit."""

    code: str
    kind: str
    label: str
    start: dt.date
    end: dt.date
    programme: str | None  # the programme's code, for its review phases

    def to_json(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "programme": self.programme,
        }


def usable_periods(
    session: Session, unit: OrgUnit, today: dt.date, year: int | None = None
) -> list[UsablePeriod]:
    """Programme phases, then calendar periods year by year, that overlap the unit's validity.

    Without `year`: the years FIRST_YEAR to next year, without months (twelve a year would bury
    the rest); with it, that year's months too. Any year a period may be created in is accepted.
    """
    latest = today.year + PERIOD_YEARS_AHEAD  # the bounds of period_problem, for a whole year
    if year is not None and not PERIOD_FLOOR_YEAR <= year <= latest:
        raise UserError(
            f"Năm {year} nằm ngoài khoảng cho phép (từ năm {PERIOD_FLOOR_YEAR} đến năm {latest})."
        )
    first, last = (year, year) if year is not None else (FIRST_YEAR, latest)
    programmes = dict(session.execute(select(Programme.id, Programme.code)).all())
    phases = session.scalars(select(Period).where(Period.kind == PeriodKind.PHASE.value)).all()
    found = [
        UsablePeriod(p.code, p.kind, p.label, p.start, p.end, programmes.get(p.programme_id or 0))
        for p in sorted(phases, key=lambda p: (p.start, p.end, p.code))
        if p.start.year <= last and p.end.year >= first
    ]
    calendar = standard_periods(first, last)
    if year is not None:
        calendar += [parse_period_code(f"{year}-M{month:02d}") for month in range(1, 13)]
    found += [
        UsablePeriod(s.code, s.kind.value, s.label, s.start, s.end, None)
        for s in sorted(calendar, key=lambda s: (s.start.year, SORT_KEY_ORDER[s.kind], s.start))
    ]
    return [p for p in found if is_valid_during(unit, p.start, p.end)]
