"""Bounds of an incoming package record beyond its values: its timestamps and its period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

from danvan_desktop.catalog.periods import parse_period_code
from danvan_desktop.errors import UserError
from danvan_desktop.services.periods import PERIOD_FLOOR_YEAR, period_problem
from danvan_desktop.transport.schema import PackageRecord

# A site's clock may run a little fast (time zones set wrong, no network time): a day is plenty;
# a record "written" later than that after it arrived was not written by a working clock.
CLOCK_SKEW = dt.timedelta(days=1)
EARLIEST_TIMESTAMP = dt.datetime(PERIOD_FLOOR_YEAR, 1, 1, tzinfo=dt.UTC)

_TIMESTAMP_NAMES = {"created_at": "thời điểm tạo", "updated_at": "thời điểm sửa"}


def _day(moment: dt.datetime) -> str:
    # Not strftime: %Y writes year 1 as "1" on some platforms and "0001" on others.
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"


def _timestamp_problem(name: str, moment: dt.datetime, received_at: dt.datetime) -> str | None:
    what = _TIMESTAMP_NAMES[name]
    if moment < EARLIEST_TIMESTAMP:
        return f"{what} bản ghi ({_day(moment)}) trước năm {PERIOD_FLOOR_YEAR}"
    if moment > received_at + CLOCK_SKEW:
        return (
            f"{what} bản ghi ({_day(moment)} {moment:%H:%M} UTC) muộn hơn lúc nhận gói "
            f"quá {CLOCK_SKEW.days} ngày"
        )
    return None


def record_problem(
    incoming: PackageRecord,
    received_at: dt.datetime | None = None,
    known_periods: Container[str] = (),
) -> str | None:
    """Why an incoming record is refused for its timestamps or its period, else None.

    `received_at` is when the package arrives (aware; default now). A period already in
    `known_periods` exists in the database, so no period would be created for it; an unknown or
    malformed code is left to the planner, which rejects it with its own reason.
    """
    now = received_at or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:  # naive times are UTC throughout the database
        now = now.replace(tzinfo=dt.UTC)
    for name in ("created_at", "updated_at"):
        problem = _timestamp_problem(name, getattr(incoming, name), now)
        if problem:
            return problem
    if incoming.period_code not in known_periods:
        try:
            spec = parse_period_code(incoming.period_code)
        except UserError:
            return None
        return period_problem(spec, now.date())
    return None
