"""Record bounds beyond values: the years a period may be created in, and incoming timestamps."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Period
from danvan_desktop.errors import UnknownPeriodError
from danvan_desktop.services.exchange.record_bounds import CLOCK_SKEW, record_problem
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.transport.schema import PackageRecord

RECEIVED = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
TODAY = RECEIVED.date()


def incoming(**changes: object) -> PackageRecord:
    fields: dict[str, object] = {
        "id": str(uuid.UUID(int=7)),
        "form_id": "to_chuc_doan_the",
        "form_version": 1,
        "unit_code": "DH-PHUCCHU",
        "period_code": "2025",
        "values": {"hoi_vien": 450},
        "version_vector": {"site-a": 1},
        "deleted": False,
        "created_by": "Nguyễn Thị Lan",
        "created_at": "2025-02-05T08:30:00Z",
        "updated_by": "Nguyễn Thị Lan",
        "updated_at": "2026-03-10T08:00:00Z",
        "origin_site": "site-a",
    }
    fields.update(changes)
    return PackageRecord.model_validate(fields)


def test_an_ordinary_record_passes() -> None:
    assert record_problem(incoming(), RECEIVED) is None
    # The clock skew allowance: a site whose clock runs a few hours fast is no forger.
    late = (RECEIVED + CLOCK_SKEW).isoformat()
    assert record_problem(incoming(updated_at=late), RECEIVED) is None
    assert record_problem(incoming(created_at="2000-01-01T00:00:00Z"), RECEIVED) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"updated_at": "9999-12-31T23:59:59Z"},
            "thời điểm sửa bản ghi (31/12/9999 23:59 UTC) muộn hơn lúc nhận gói quá 1 ngày",
        ),
        (
            {"created_at": "2026-03-11T08:00:01Z"},
            ("thời điểm tạo bản ghi (11/03/2026 08:00 UTC) muộn hơn lúc nhận gói quá 1 ngày"),
        ),
        ({"created_at": "1999-12-31T23:59:59Z"}, "thời điểm tạo bản ghi (31/12/1999) trước năm 2000"),
        ({"updated_at": "0001-01-01T00:00:00Z"}, "thời điểm sửa bản ghi (01/01/0001) trước năm 2000"),
    ],
)
def test_timestamps_out_of_bounds(changes: dict[str, object], reason: str) -> None:
    assert record_problem(incoming(**changes), RECEIVED) == reason


@pytest.mark.parametrize(
    ("code", "label"),
    [("2099", "Năm 2099"), ("2028-Q1", "Quý I/2028"), ("1999-M12", "Tháng 12/1999"), ("1990", "Năm 1990")],
)
def test_periods_beyond_next_year_or_before_2000_are_refused(code: str, label: str) -> None:
    assert record_problem(incoming(period_code=code), RECEIVED) == (
        f"kỳ báo cáo «{label}» nằm ngoài khoảng cho phép (từ năm 2000 đến năm 2027)"
    )


def test_period_rule_leaves_existing_and_unparsable_codes_alone() -> None:
    assert record_problem(incoming(period_code="2027-H2"), RECEIVED) is None
    assert record_problem(incoming(period_code="2000-M01"), RECEIVED) is None
    # Already in the database (a catalog phase, or a period made before this rule): nothing created.
    assert record_problem(incoming(period_code="2099"), RECEIVED, known_periods={"2099"}) is None
    assert record_problem(incoming(period_code="DA05-TU-SK"), RECEIVED) is None  # the planner decides


def test_get_period_creates_only_allowed_years(commune_db: Database) -> None:
    with commune_db.transaction() as session:
        assert get_period(session, "2027-Q4", today=TODAY).label == "Quý IV/2027"
        for code in ("2028", "2099", "1999-H2"):
            with pytest.raises(UnknownPeriodError) as info:
                get_period(session, code, today=TODAY)
            assert "nằm ngoài khoảng cho phép (từ năm 2000 đến năm 2027)" in info.value.message
            assert session.scalar(select(Period).where(Period.code == code)) is None
        # Next year moves with the calendar.
        assert get_period(session, "2028", today=dt.date(2027, 1, 1)).label == "Năm 2028"
