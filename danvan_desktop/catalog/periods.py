"""Reporting periods and their stable text codes ("2023", "2023-H1", "2023-Q2", "2023-M05")."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from danvan_desktop.errors import UnknownPeriodError


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    NINE_MONTHS = "nine_months"
    PHASE = "phase"  # a programme review: sơ kết / tổng kết


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    kind: PeriodKind
    start: dt.date
    end: dt.date
    label: str


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]|M(?:0[1-9]|1[0-2])|9M))?$")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period_code(code: str) -> PeriodSpec:
    """Turn a calendar period code into its dates and Vietnamese label."""
    match = _PATTERN.match(code.strip().upper())
    if not match:
        raise UnknownPeriodError(
            f"Mã kỳ báo cáo «{code}» không hợp lệ. Dạng đúng: 2023 (năm), 2023-H1 (6 tháng), "
            "2023-Q2 (quý), 2023-M05 (tháng), 2023-9M (9 tháng)."
        )
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise UnknownPeriodError(f"Năm {year} của kỳ báo cáo «{code}» nằm ngoài khoảng cho phép.")
    part = match["part"]
    if part is None:
        return PeriodSpec(
            str(year), PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), f"Năm {year}"
        )
    if part.startswith("H"):
        half = int(part[1])
        start = dt.date(year, 1 if half == 1 else 7, 1)
        end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
        label = f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"
        return PeriodSpec(f"{year}-{part}", PeriodKind.HALF, start, end, label)
    if part.startswith("Q"):
        quarter = int(part[1])
        first = 3 * quarter - 2
        spec_end = _month_end(year, first + 2)
        label = f"Quý {_ROMAN[quarter]}/{year}"
        return PeriodSpec(f"{year}-{part}", PeriodKind.QUARTER, dt.date(year, first, 1), spec_end, label)
    if part == "9M":
        return PeriodSpec(
            f"{year}-9M",
            PeriodKind.NINE_MONTHS,
            dt.date(year, 1, 1),
            dt.date(year, 9, 30),
            f"9 tháng năm {year}",
        )
    month = int(part[1:])
    return PeriodSpec(
        f"{year}-{part}",
        PeriodKind.MONTH,
        dt.date(year, month, 1),
        _month_end(year, month),
        f"Tháng {month}/{year}",
    )


def standard_periods(first_year: int, last_year: int) -> list[PeriodSpec]:
    """Year, halves, quarters and nine months for each year: what the period selector offers."""
    specs = []
    for year in range(first_year, last_year + 1):
        for suffix in ("", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4", "-9M"):
            specs.append(parse_period_code(f"{year}{suffix}"))
    return specs


SORT_KEY_ORDER = {
    PeriodKind.YEAR: 0,
    PeriodKind.NINE_MONTHS: 1,
    PeriodKind.HALF: 2,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 4,
    PeriodKind.PHASE: 5,
}
