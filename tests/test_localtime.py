"""Stored times in the computer's local time: naive values are the database's UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan_desktop.localtime import local_date_text, local_time_text, to_local


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Ho_Chi_Minh", "05/03/2024 14:28"),
        ("UTC", "05/03/2024 07:28"),
        ("Europe/Paris", "05/03/2024 08:28"),
    ],
    indirect=["zone"],
)
def test_a_stored_utc_time_reads_as_the_local_clock(zone: str, shown: str) -> None:
    stored = dt.datetime(2024, 3, 5, 7, 28, 41)  # naive UTC, as the database keeps it
    assert local_time_text(stored) == shown
    assert local_time_text(stored.replace(tzinfo=dt.UTC)) == shown  # an aware time is the same moment
    assert to_local(stored).utcoffset() is not None


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh"], indirect=True)
def test_the_local_day_is_the_one_shown_after_midnight(zone: str) -> None:
    # 20:30 UTC on 31/12 is already 03:30 on 1/1 in Vietnam: a lock made then is dated the new year.
    assert local_date_text(dt.datetime(2023, 12, 31, 20, 30)) == "01/01/2024"
