"""Field values in Vietnamese: parse typed input, coerce imported cells, format for display."""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import math
import re
from collections.abc import Sequence
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import NumberFormatError, format_percent, parse_decimal

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.bounds import allowed_decimals, magnitude_problem
from danvan_desktop.formspec.model import NUMERIC_TYPES, WHOLE_NUMBER_TYPES, ChoiceDef, FieldDef
from danvan_desktop.formspec.model import TYPE_NAMES as TYPE_NAMES

# LOCALE, format_number and TYPE_NAMES are re-exported: screens and reports import them from here.
from danvan_desktop.formspec.numbers import LOCALE as LOCALE
from danvan_desktop.formspec.numbers import as_decimal, number_pattern
from danvan_desktop.formspec.numbers import format_number as format_number
from danvan_desktop.text import fold, nfc

# Babel also reads "1e5", "NaN", "1_000" and non-ASCII digits; none of them is something a
# commune officer means to type, so only digits, "." and "," (and a sign) reach Babel at all.
_NUMBER_SHAPE = re.compile(r"[+-]?(?:[0-9][0-9.,]*|,[0-9]+)")
_DATE_VN = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_RATIO = re.compile(r"(.+?)\s*/\s*(.+)")
_YES = frozenset({"co", "x", "1", "true", "yes", "dung"})
_NO = frozenset({"khong", "0", "false", "no", "sai"})
_MIN_YEAR, _MAX_YEAR = 1900, 2100  # catches "05/02/0223"-style typos


class ValueParseError(UserError):
    """Input that cannot be read as a value of the field's type; the message names the field."""


def _fail(field: FieldDef, reason: str) -> ValueParseError:
    return ValueParseError(f"«{field.label}»: {reason}")


# ---------------------------------------------------------------------------------------- numbers


def _strip_unit(field: FieldDef, text: str) -> str:
    # "150 hộ" or "16/22 xã" typed with the unit shown next to the input is still a number.
    unit = nfc(field.unit or "")
    if unit and len(text) > len(unit) and text[-len(unit) :].casefold() == unit.casefold():
        return text[: -len(unit)].rstrip()
    return text


def _read_decimal(field: FieldDef, text: str) -> Decimal:
    body = text.replace("\u00a0", "").strip()
    if not _NUMBER_SHAPE.fullmatch(body):
        raise _fail(field, f"«{text}» không phải là số.")
    try:
        return parse_decimal(body, locale=LOCALE, strict=True)
    except NumberFormatError as exc:
        hints = [s for s in exc.suggestions or [] if field.type not in WHOLE_NUMBER_TYPES or "," not in s]
        hint = " Có phải ý bạn là " + " hoặc ".join(f"«{s}»" for s in hints) + "?" if hints else ""
        raise _fail(
            field,
            f"«{text}» viết chưa đúng: dấu chấm để phân cách hàng nghìn (1.234.567), "
            f"dấu phẩy trước phần thập phân (2,5).{hint}",
        ) from exc


def _store_number(field: FieldDef, number: Decimal) -> int | float:
    # Size first: quantizing or converting 1e308 or 10**400 would raise instead of answering.
    if problem := magnitude_problem(field, number):
        raise ValueParseError(problem)
    if field.type in WHOLE_NUMBER_TYPES:
        if number != number.to_integral_value():
            raise _fail(field, f"phải là {TYPE_NAMES[field.type]}, không có phần thập phân.")
        return int(number)
    # Half-up, as people round by hand and as the printed returns are checked.
    step = Decimal(1).scaleb(-allowed_decimals(field))
    return float(number.quantize(step, rounding=decimal.ROUND_HALF_UP))


# ------------------------------------------------------------------------------------------ dates


def _parse_date(field: FieldDef, text: str) -> str:
    match = _DATE_VN.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif iso := _DATE_ISO.fullmatch(text):
        year, month, day = (int(g) for g in iso.groups())
    else:
        raise _fail(field, f"«{text}» không phải là ngày; nhập theo dạng ngày/tháng/năm, ví dụ 05/02/2023.")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _fail(field, f"năm {year} trong «{text}» không hợp lý.")
    if not 1 <= month <= 12:
        raise _fail(field, f"«{text}»: không có tháng {month}.")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise _fail(
            field,
            f"ngày «{text}» không tồn tại: tháng {month} năm {year} chỉ có {days_in_month} ngày.",
        )
    return dt.date(year, month, day).isoformat()


# ---------------------------------------------------------------------------------------- choices


def _options(field: FieldDef, choices: Sequence[ChoiceDef] | None) -> Sequence[ChoiceDef] | None:
    return choices if choices is not None else field.choices


def _resolve_choice(text: str, options: Sequence[ChoiceDef] | None) -> str | None:
    """The value code `text` names (code or label, accents and case ignored); None if none."""
    if options is None:
        return text  # dynamic choices not supplied here: validation checks the code later
    folded = fold(text)
    for option in options:
        if text == option.value or folded in (fold(option.value), fold(option.label)):
            return option.value
    return None


def _unknown_choice(field: FieldDef, text: str, options: Sequence[ChoiceDef]) -> ValueParseError:
    listed = "; ".join(o.label for o in options[:12]) + ("; …" if len(options) > 12 else "")
    return _fail(field, f"«{text}» không có trong danh sách: {listed}.")


def _parse_multi(field: FieldDef, text: str, options: Sequence[ChoiceDef] | None) -> list[str] | None:
    codes: list[str] = []
    if options is None:  # codes never contain "," or ";", so either separates them
        return list(dict.fromkeys(p.strip() for p in re.split(r"[;,]", text) if p.strip())) or None
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        code = _resolve_choice(part, options)
        if code is not None:
            codes.append(code)
            continue
        # "1, 5, 17" is how criteria numbers get typed; ";" stays the separator because labels
        # may contain commas, so a comma list is only tried when the whole part is no label.
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        resolved = [_resolve_choice(p, options) for p in pieces]
        if len(pieces) < 2 or any(r is None for r in resolved):
            bad = next((p for p, r in zip(pieces, resolved, strict=True) if r is None), part)
            raise _unknown_choice(field, bad, options)
        codes.extend(r for r in resolved if r is not None)
    order = {o.value: i for i, o in enumerate(options)}
    return sorted(dict.fromkeys(codes), key=lambda c: order[c]) or None


# ------------------------------------------------------------------------------------------ input


def parse_input(field: FieldDef, text: str, choices: Sequence[ChoiceDef] | None = None) -> object:
    """Read what a user typed into `field`; "" means no value (None).

    `choices` replaces `field.choices` for fields whose choices come from the catalog
    (`choices_from`). Raises ValueParseError with a Vietnamese message naming the field.
    """
    text = nfc(text).strip()
    if not text:
        return None
    kind = field.type
    if kind in NUMERIC_TYPES:
        body = _strip_unit(field, text)
        if kind == "percent":
            body = body.removesuffix("%").rstrip()
        return _store_number(field, _read_decimal(field, body))
    if kind == "date":
        return _parse_date(field, text)
    if kind == "yes_no":
        folded = fold(text)
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise _fail(field, f"«{text}» không hiểu được; nhập «có» hoặc «không».")
    if kind == "choice":
        options = _options(field, choices)
        code = _resolve_choice(text, options)
        if code is None:
            assert options is not None
            raise _unknown_choice(field, text, options)
        return code
    if kind == "multi_choice":
        return _parse_multi(field, text, _options(field, choices))
    if kind == "ratio":
        return _parse_ratio(field, text)
    if kind in ("org_unit", "organization"):
        return text.upper()  # catalog codes are upper-case ASCII
    if kind == "long_text":
        return "\n".join(line.rstrip() for line in text.splitlines())
    return text


def _parse_ratio(field: FieldDef, text: str) -> dict[str, int]:
    match = _RATIO.fullmatch(_strip_unit(field, text))
    if not match:
        raise _fail(field, f"«{text}» không phải là tỷ số; nhập dạng a/b, ví dụ 16/22.")
    parts = []
    for part in match.groups():
        number = _read_decimal(field, part)
        if number != number.to_integral_value() or number < 0:
            raise _fail(field, f"«{text}»: tử số và mẫu số phải là số nguyên không âm.")
        parts.append(int(number))
    return {"num": parts[0], "den": parts[1]}


def coerce_value(field: FieldDef, raw: object, choices: Sequence[ChoiceDef] | None = None) -> object:
    """Bring a value from a spreadsheet cell or a package to the stored form (same rules as input).

    A percent arrives as the number shown (72.7), not as Excel's fraction (0.727): the cell's
    number format is not visible here, so the caller must convert a fraction first.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return parse_input(field, raw, choices)
    kind = field.type
    if isinstance(raw, bool):
        if kind == "yes_no":
            return raw
    elif isinstance(raw, int | float | Decimal):
        number = as_decimal(raw)
        if kind in NUMERIC_TYPES:
            return _store_number(field, number)
        if kind == "yes_no" and number in (0, 1):
            return number == 1
        if number.is_finite() and number == number.to_integral_value() and kind != "date":
            # A code or a criterion number the spreadsheet turned into a number (17.0 -> "17").
            return parse_input(field, str(int(number)), choices)
    elif isinstance(raw, dt.date):
        if kind == "date":
            # datetime is a date subclass; a spreadsheet date cell arrives as midnight datetime.
            return (raw.date() if isinstance(raw, dt.datetime) else raw).isoformat()
    elif isinstance(raw, dict):
        if kind == "ratio" and set(raw) == {"num", "den"}:
            num, den = raw["num"], raw["den"]
            if _is_count(num) and _is_count(den):
                return {"num": int(num), "den": int(den)}
    elif isinstance(raw, list | tuple) and kind == "multi_choice":
        texts = [_cell_text(v) for v in raw]
        return _parse_multi(field, "; ".join(t for t in texts if t), _options(field, choices))
    raise _fail(field, f"giá trị «{raw}» không dùng được cho kiểu {TYPE_NAMES[kind]}.")


def _is_count(value: object) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False  # int(inf) raises
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 and value == int(value)
    )


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else nfc(str(value)).strip()


# ---------------------------------------------------------------------------------------- display


def format_bound(bound: float | dt.date | None) -> str:
    """A form's declared min/max as shown in messages and sheet guides: 1.000 or 01/01/2000."""
    if bound is None:
        return ""
    if isinstance(bound, dt.date):
        return f"{bound:%d/%m/%Y}"
    return format_number(bound)


def format_value(field: FieldDef, value: object, choices: Sequence[ChoiceDef] | None = None) -> str:
    """The stored `value` as shown to a Vietnamese reader; "" for no value."""
    if value is None:
        return ""
    kind = field.type
    if kind in NUMERIC_TYPES and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        decimals = 0 if kind in WHOLE_NUMBER_TYPES else field.decimals
        if kind == "percent":
            pattern = number_pattern(decimals) + "%"
            with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
                return format_percent(as_decimal(value) / 100, format=pattern, locale=LOCALE)
        return format_number(value, decimals)
    if kind == "date" and isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value), "dd/MM/yyyy", locale=LOCALE)
        except ValueError:
            return value
    if kind == "yes_no" and isinstance(value, bool):
        return "Có" if value else "Không"
    if kind in ("choice", "multi_choice"):
        labels = {o.value: o.label for o in _options(field, choices) or []}
        codes = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(c), str(c)) for c in codes)
    if kind == "ratio" and isinstance(value, dict) and {"num", "den"} <= set(value):
        num, den = value["num"], value["den"]
        if isinstance(num, int) and isinstance(den, int):
            return f"{format_number(num, 0)}/{format_number(den, 0)}"
    return str(value)
