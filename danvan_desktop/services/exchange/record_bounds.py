"""What an incoming record's form validation does not cover: its times, its period, stray values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping

from danvan_desktop.catalog.periods import parse_period_code
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.bounds import MAX_MAGNITUDE, input_problem
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.numbers import format_number
from danvan_desktop.services.office.periods import PERIOD_FLOOR_YEAR, period_problem
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


def _number_out_of_bounds(value: object) -> bool:
    """Whether a number anywhere in `value` (lists and objects walked) is beyond every real figure."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return not abs(value) < MAX_MAGNITUDE  # NaN compares false: out of bounds as well
    if isinstance(value, list):
        return any(_number_out_of_bounds(item) for item in value)
    if isinstance(value, dict):
        return any(_number_out_of_bounds(item) for item in value.values())
    return False


def values_problem(
    values: Mapping[str, object], form: FormDef | None, today: dt.date, *, tombstone: bool
) -> str | None:
    """A stored value no validation would catch, or None.

    A live record is validated against its form, but what is stored is the values as sent: a
    field of a newer form version (unknown here) or a hidden field keeps its value unchecked, and
    a tombstone is not validated at all. All of them are shown later, so every number anywhere
    gets the bound that holds for every real figure, and a tombstone's known fields their own.
    """
    fields = {f.id: f for f in form.fields()} if form is not None and tombstone else {}
    for key, value in values.items():
        field = fields.get(key)
        if field is not None and (problem := input_problem(field, value, today)):
            return problem
        if _number_out_of_bounds(value):
            return f"giá trị của trường «{key}» vượt giới hạn ±{format_number(MAX_MAGNITUDE - 1)}"
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
