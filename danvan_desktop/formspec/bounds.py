"""The bounds every stored number and date keeps, checked before any arithmetic or formatting."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from danvan_desktop.formspec.model import NUMERIC_TYPES, TYPE_NAMES, WHOLE_NUMBER_TYPES, FieldDef
from danvan_desktop.formspec.numbers import as_decimal, format_number

# No real figure of a commune, district or province reaches 10^15 (a province's yearly budget is
# about 10^13 đồng), and 10^15 with 4 decimals is 19 digits: far inside Decimal's 28-digit
# context, so rounding, Babel formatting and sums of a few thousand such values stay exact.
MAX_MAGNITUDE = 10**15  # |x| < MAX_MAGNITUDE for every number field, declared bounds or not
DEFAULT_DECIMALS = 4  # places kept when a form declares no `decimals`
# Dates: nothing a mass-mobilization office records predates the Republic (1945); a date more
# than five years ahead is a typo or a forged package. A form may narrow (or widen) these.
DEFAULT_FIRST_DATE = dt.date(1945, 1, 1)
DEFAULT_YEARS_AHEAD = 5


def _label(field: FieldDef) -> str:
    return f"«{field.label}»"


def allowed_decimals(field: FieldDef) -> int:
    """Decimal places a value of a number field may have."""
    if field.type in WHOLE_NUMBER_TYPES:
        return 0
    return DEFAULT_DECIMALS if field.decimals is None else field.decimals


def number_range(field: FieldDef) -> tuple[float | None, float | None]:
    """The form's own bounds of a number field (a percent is 0-100 unless it says otherwise)."""
    low = field.min if isinstance(field.min, int | float) else None
    high = field.max if isinstance(field.max, int | float) else None
    if field.type == "percent":
        low = 0 if low is None else low
        high = 100 if high is None else high
    return low, high


def is_number(value: object) -> bool:
    """An int, float or Decimal, but not a bool: True is no count of anything."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def magnitude_problem(field: FieldDef, value: int | float | Decimal) -> str | None:
    """Not finite or not below MAX_MAGNITUDE; compares without converting (10**400 stays an int)."""
    # Decimal's own test: math.isfinite would convert a 400-digit Decimal to float, i.e. to inf.
    finite = (
        value.is_finite()
        if isinstance(value, Decimal)
        else not isinstance(value, float) or math.isfinite(value)
    )
    if not finite:
        return f"{_label(field)}: giá trị không phải là số hữu hạn."
    if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        return (
            f"{_label(field)}: số vượt giới hạn, phải nằm trong khoảng ±{format_number(MAX_MAGNITUDE - 1)}."
        )
    return None


def number_problem(field: FieldDef, value: object) -> str | None:
    """Why `value` cannot be stored in number field `field` (type, size, decimals, range), else None."""
    if type(value) is int and -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        # The common case (a count), without Decimal: a whole number has no decimals to check.
        low, high = number_range(field)
        if (low is None or value >= low) and (high is None or value <= high):
            return None
    if not is_number(value):
        return f"{_label(field)} phải là {TYPE_NAMES[field.type]}."
    assert isinstance(value, int | float | Decimal)
    problem = magnitude_problem(field, value)
    if problem:
        return problem
    number = as_decimal(value)  # safe now: at most 15 digits before the decimal mark
    places = allowed_decimals(field)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            return f"{_label(field)} phải là số nguyên."
        return f"{_label(field)} có quá {places} chữ số thập phân."
    low, high = number_range(field)
    if low is not None and value < low:
        return f"{_label(field)} phải từ {format_number(low)} trở lên."
    if high is not None and value > high:
        return f"{_label(field)} không được lớn hơn {format_number(high)}."
    return None


def _years_ahead(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def date_range(field: FieldDef, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last date a date field accepts: the form's own, else the defaults."""
    low = field.min if isinstance(field.min, dt.date) else DEFAULT_FIRST_DATE
    high = field.max if isinstance(field.max, dt.date) else _years_ahead(today, DEFAULT_YEARS_AHEAD)
    return low, high


def date_problem(field: FieldDef, value: object, today: dt.date) -> str | None:
    """Why `value` (stored ISO text) is no date of `field` or lies outside its range, else None."""
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or day.isoformat() != value:
        return f"{_label(field)} không phải là ngày hợp lệ."
    low, high = date_range(field, today)
    if day < low:
        return f"{_label(field)}: ngày {day:%d/%m/%Y} sớm hơn {low:%d/%m/%Y}."
    if day > high:
        return f"{_label(field)}: ngày {day:%d/%m/%Y} muộn hơn {high:%d/%m/%Y}."
    return None


def count_problem(field: FieldDef, value: object) -> str | None:
    """A ratio's numerator or denominator: a whole number 0 <= n < MAX_MAGNITUDE."""
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{_label(field)} phải là {TYPE_NAMES['ratio']}."
    return magnitude_problem(field, value)


def input_problem(field: FieldDef, value: object, today: dt.date) -> str | None:
    """The bound a stored value of `field` breaks, for the checks run before any computation.

    Only numbers, dates and ratios have bounds here; other types are checked by the validator.
    None (no value) is always within bounds.
    """
    if value is None:
        return None
    if field.type in NUMERIC_TYPES:
        return number_problem(field, value)
    if field.type == "date":
        return date_problem(field, value, today)
    if field.type == "ratio" and isinstance(value, dict):
        for part in ("num", "den"):
            if part in value and (problem := count_problem(field, value[part])):
                return problem
    return None


def declared_bounds_problem(field: FieldDef) -> str | None:
    """A form file's min/max that does not fit the field: wrong kind, reversed, or too large."""
    low, high = field.min, field.max
    if low is None and high is None:
        return None
    if field.type in NUMERIC_TYPES:
        if isinstance(low, dt.date) or isinstance(high, dt.date):
            return "min/max của trường số phải là số"
        if any(b is not None and not -MAX_MAGNITUDE < b < MAX_MAGNITUDE for b in (low, high)):
            return f"min/max phải nằm trong khoảng ±{format_number(MAX_MAGNITUDE - 1)}"
        if low is not None and high is not None and low > high:
            return f"min ({format_number(low)}) lớn hơn max ({format_number(high)})"
        return None
    if field.type == "date":
        if not all(b is None or isinstance(b, dt.date) for b in (low, high)):
            return "min/max của trường ngày phải là ngày dạng yyyy-mm-dd"
        if isinstance(low, dt.date) and isinstance(high, dt.date) and low > high:
            return f"min ({low:%d/%m/%Y}) muộn hơn max ({high:%d/%m/%Y})"
        return None
    return "min/max chỉ dùng cho trường số hoặc trường ngày"
