"""Numbers written the Vietnamese way (Babel): 1.234.567 and 2.941,86."""

from __future__ import annotations

import decimal
from decimal import Decimal

from babel.numbers import format_decimal

LOCALE = "vi_VN"  # "." groups thousands, "," is the decimal mark


def number_pattern(decimals: int | None) -> str:
    """The Babel pattern for `decimals` places; trailing zeros are dropped ("72,7%", not "72,70%")."""
    if decimals is None:
        return "#,##0.######"
    return "#,##0" + ("." + "#" * decimals if decimals else "")


def as_decimal(value: int | float | Decimal) -> Decimal:
    # str() first: Decimal(0.1) would carry the binary float's 55 digits into the output.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """A number the Vietnamese way: 1.234.567 and 2.941,86 (half-up rounding)."""
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return format_decimal(as_decimal(value), format=number_pattern(decimals), locale=LOCALE)
