"""Period codes: dates and Vietnamese labels for years, halves, quarters, months and nine months."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from danvan_desktop.catalog.periods import PeriodKind, parse_period_code, standard_periods
from danvan_desktop.errors import UnknownPeriodError, UserError

D = dt.date


@pytest.mark.parametrize(
    ("code", "kind", "start", "end", "label"),
    [
        ("2023", PeriodKind.YEAR, D(2023, 1, 1), D(2023, 12, 31), "Năm 2023"),
        ("2023-H1", PeriodKind.HALF, D(2023, 1, 1), D(2023, 6, 30), "6 tháng đầu năm 2023"),
        ("2023-H2", PeriodKind.HALF, D(2023, 7, 1), D(2023, 12, 31), "6 tháng cuối năm 2023"),
        ("2023-Q1", PeriodKind.QUARTER, D(2023, 1, 1), D(2023, 3, 31), "Quý I/2023"),
        ("2023-Q2", PeriodKind.QUARTER, D(2023, 4, 1), D(2023, 6, 30), "Quý II/2023"),
        ("2023-Q3", PeriodKind.QUARTER, D(2023, 7, 1), D(2023, 9, 30), "Quý III/2023"),
        ("2023-Q4", PeriodKind.QUARTER, D(2023, 10, 1), D(2023, 12, 31), "Quý IV/2023"),
        ("2023-M01", PeriodKind.MONTH, D(2023, 1, 1), D(2023, 1, 31), "Tháng 1/2023"),
        ("2023-M02", PeriodKind.MONTH, D(2023, 2, 1), D(2023, 2, 28), "Tháng 2/2023"),
        ("2024-M02", PeriodKind.MONTH, D(2024, 2, 1), D(2024, 2, 29), "Tháng 2/2024"),
        ("2023-M04", PeriodKind.MONTH, D(2023, 4, 1), D(2023, 4, 30), "Tháng 4/2023"),
        ("2023-M12", PeriodKind.MONTH, D(2023, 12, 1), D(2023, 12, 31), "Tháng 12/2023"),
        ("2023-9M", PeriodKind.NINE_MONTHS, D(2023, 1, 1), D(2023, 9, 30), "9 tháng năm 2023"),
    ],
)
def test_parse_period_code(code: str, kind: PeriodKind, start: dt.date, end: dt.date, label: str) -> None:
    spec = parse_period_code(code)
    assert spec.code == code
    assert spec.kind is kind
    assert (spec.start, spec.end) == (start, end)
    assert spec.label == label


@pytest.mark.parametrize(
    ("given", "code"), [("2023-q2", "2023-Q2"), (" 2023-h1 ", "2023-H1"), ("2023-9m", "2023-9M")]
)
def test_codes_are_normalized(given: str, code: str) -> None:
    assert parse_period_code(given).code == code


def test_label_is_nfc() -> None:
    import unicodedata

    label = parse_period_code("2023-H1").label
    assert unicodedata.is_normalized("NFC", label)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "23",
        "abcd",
        "2023-",
        "2023Q2",
        "2023-Q0",
        "2023-Q5",
        "2023-H0",
        "2023-H3",
        "2023-M00",
        "2023-M13",
        "2023-M5",
        "2023-8M",
        "2023-Q2-M05",
        "Quý II/2023",
    ],
)
def test_invalid_codes_raise(code: str) -> None:
    with pytest.raises(UnknownPeriodError) as info:
        parse_period_code(code)
    assert "không hợp lệ" in info.value.message
    assert isinstance(info.value, UserError)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("code", ["1989", "2101-Q1", "0000"])
def test_years_out_of_range_raise(code: str) -> None:
    with pytest.raises(UnknownPeriodError, match="ngoài khoảng cho phép"):
        parse_period_code(code)


def test_standard_periods_cover_each_year() -> None:
    specs = standard_periods(2021, 2023)
    assert len(specs) == 3 * 8
    codes = [s.code for s in specs]
    assert len(set(codes)) == len(codes)
    assert codes[:8] == ["2021", "2021-H1", "2021-H2", "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4", "2021-9M"]
    for spec in specs:
        assert spec.start <= spec.end
        assert spec.start.year == spec.end.year


def test_quarters_tile_the_year() -> None:
    quarters = [parse_period_code(f"2023-Q{q}") for q in range(1, 5)]
    for before, after in itertools.pairwise(quarters):
        assert after.start - before.end == dt.timedelta(days=1)
    assert quarters[0].start == D(2023, 1, 1)
    assert quarters[-1].end == D(2023, 12, 31)
