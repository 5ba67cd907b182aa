"""Stored times (naive UTC in the database) shown in the computer's local time, one format everywhere."""

from __future__ import annotations

import datetime as dt


def to_local(moment: dt.datetime) -> dt.datetime:
    """`moment` in the computer's time zone: a naive time is UTC (as the database stores it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone()


def local_time_text(moment: dt.datetime) -> str:
    """ "dd/mm/yyyy HH:MM" in local time: what every screen and report shows for a stored moment."""
    return f"{to_local(moment):%d/%m/%Y %H:%M}"


def local_date_text(moment: dt.datetime) -> str:
    """ "dd/mm/yyyy" of the local day: near midnight the UTC day is another one."""
    return f"{to_local(moment):%d/%m/%Y}"
