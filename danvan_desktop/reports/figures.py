"""Numbers as the returns print them (Babel, vi_VN): counts, money in tables, areas, ratios, phrases."""

from __future__ import annotations

import decimal
from decimal import Decimal

from babel.numbers import format_percent

from danvan_desktop.formspec.values import LOCALE, format_number
from danvan_desktop.reports.profile import DocumentProfile, MoneyPhrase


def count(value: float) -> str:
    return format_number(round(value), 0)


def area(value: float) -> str:
    return format_number(value, 1)


def money(profile: DocumentProfile, value: float) -> str:
    """Money in a table, in the profile's unit (triệu đồng): 1.950.000.000 -> "1.950"."""
    spec = profile.tables
    return format_number(Decimal(str(value)) / spec.money_factor, spec.money_decimals)


def percent(numerator: float, denominator: float) -> str:
    """ "72,7%"; empty when there is nothing to divide by."""
    if not denominator:
        return ""
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        share = Decimal(str(numerator)) / Decimal(str(denominator))
        return format_percent(share, format="#,##0.#%", locale=LOCALE)


def ratio(numerator: int, denominator: int) -> str:
    return f"{count(numerator)}/{count(denominator)}"


def approximate_money(spec: MoneyPhrase, amount: float) -> str:
    """ "gần 2 tỷ đồng", "hơn 1,2 tỷ đồng", "350 triệu đồng": a rounded figure with its qualifier."""
    exact = Decimal(str(amount))
    factor, unit = next(((f, u) for f, u in spec.units if exact >= f), spec.units[-1])
    scaled = exact / factor
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        rounded = scaled.quantize(Decimal(1).scaleb(-spec.decimals))
    approx = spec.below if rounded > scaled else spec.above if rounded < scaled else ""
    text = spec.template.format(approx=approx, number=format_number(rounded, spec.decimals), unit=unit)
    return " ".join(text.split())
