"""Check a record against its form: relevance, computed fields, types, ranges, choices and rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import logging
import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Literal

from danvan_desktop.formspec.bounds import (
    MAX_MAGNITUDE,
    date_problem,
    input_problem,
    is_number,
    magnitude_problem,
    number_problem,
)
from danvan_desktop.formspec.expressions import evaluate, referenced_names
from danvan_desktop.formspec.model import NUMERIC_TYPES, WHOLE_NUMBER_TYPES, FieldDef, FormDef
from danvan_desktop.formspec.values import TYPE_NAMES, ValueParseError, coerce_value, format_number
from danvan_desktop.formspec.versions import with_aliases

log = logging.getLogger(__name__)

# Evaluation errors that mean "some input is missing or zero", not "the record is wrong":
# None < 3 is a TypeError, members / eligible with eligible = 0 divides by zero.
_NOT_YET = (TypeError, ZeroDivisionError, ValueError, OverflowError, decimal.InvalidOperation)


@dataclasses.dataclass(frozen=True)
class Issue:
    """A problem found in a record; `fields` lists every field a failed rule names."""

    field_id: str | None
    message: str
    severity: Literal["error", "warning"]
    rule_id: str | None = None
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ValidationContext:
    """What the catalog knows at entry time; a check whose data is absent here is skipped."""

    choices: Mapping[str, Collection[str]] = dataclasses.field(default_factory=dict)  # by field id
    org_units: Collection[str] | None = None  # unit codes allowed in org_unit fields
    org_units_by_level: Mapping[str, Collection[str]] = dataclasses.field(default_factory=dict)
    organizations: Collection[str] | None = None  # organization codes from the catalog
    # Units that exist but not in the record's period: code -> why (their validity dates).
    unit_refusals: Mapping[str, str] = dataclasses.field(default_factory=dict)
    today: dt.date | None = None  # for the default date bounds; None means the real today

    def day(self) -> dt.date:
        return self.today or dt.date.today()


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _try(expr: str, values: Mapping[str, object]) -> tuple[bool, object]:
    try:
        return True, evaluate(expr, values)
    except _NOT_YET:
        return False, None


def relevant_field_ids(form: FormDef, values: Mapping[str, object]) -> set[str]:
    """Ids of the fields shown and checked for `values`.

    Fields are decided top to bottom and a hidden field reads as empty to the fields after it, so
    a question that depends on a hidden answer is hidden too. A condition that cannot be
    evaluated yet (it compares a missing number) hides the field until its inputs are filled.
    """
    if not form.has_relevance:
        return set(form.field_ids)
    visible = dict(values)
    ids: set[str] = set()
    for field in form.fields():
        if field.relevant is None:
            shown = True
        else:
            done, result = _try(field.relevant, visible)
            shown = done and bool(result)
        if shown:
            ids.add(field.id)
        else:
            visible[field.id] = None
    return ids


def _computed_value(field: FieldDef, result: object) -> tuple[object, str | None]:
    """The value to store for a computed result, and the bound it breaks (value None then)."""
    if field.type in NUMERIC_TYPES and is_number(result):
        assert isinstance(result, int | float)
        # Bounded inputs can still multiply past any real figure (or to inf): the record is
        # refused rather than stored with a number no screen or return can show.
        if magnitude_problem(field, result):
            return None, (
                f"«{field.label}» (trường tự tính) ra kết quả vượt giới hạn "
                f"±{format_number(MAX_MAGNITUDE - 1)}; hãy kiểm tra các số liệu dùng để tính."
            )
    if field.type in WHOLE_NUMBER_TYPES and isinstance(result, float):
        # A whole-number field computed by division: round half up, as on paper.
        result = int(Decimal(str(result)).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP))
    try:
        return coerce_value(field, result), None
    except ValueParseError:
        log.warning("computed field %s produced an unusable value %r", field.id, result)
        return None, None


def _compute(form: FormDef, values: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    result = dict(values)
    problems: dict[str, str] = {}
    for field in form.computed_fields:
        assert field.computed is not None
        done, value = _try(field.computed, result)
        result[field.id], problem = _computed_value(field, value) if done else (None, None)
        if problem:
            problems[field.id] = problem
    return result, problems


def apply_computed(form: FormDef, values: Mapping[str, object]) -> dict[str, object]:
    """A copy of `values` with every computed field recalculated (top to bottom).

    A computed field is None while an input is missing or a denominator is 0, and when its
    result is out of bounds (clean_and_validate reports that as an error).
    """
    return _compute(form, values)[0]


def _bounded_inputs(
    form: FormDef, values: Mapping[str, object], today: dt.date
) -> tuple[dict[str, object], dict[str, str]]:
    """Known fields only; a number, date or ratio out of bounds is taken out, with its message.

    This runs before relevance, computed fields and rules, so no expression ever sees 10**400,
    1e308, NaN or True in a number field.
    """
    inputs: dict[str, object] = {}
    problems: dict[str, str] = {}
    values = with_aliases(form, values)  # a record of an older version: renamed fields keep their value
    for field in form.fields():
        if field.id not in values:
            continue
        value = values[field.id]
        if field.computed is None and (problem := input_problem(field, value, today)):
            problems[field.id] = problem
            value = None
        inputs[field.id] = value
    return inputs, problems


def _settle(
    form: FormDef, values: Mapping[str, object], today: dt.date
) -> tuple[dict[str, object], set[str], dict[str, str]]:
    """Known, bounded inputs, hidden ones emptied, computed fields recalculated from what is shown.

    Also returns the shown inputs and computed results that are out of bounds (id -> message).
    """
    inputs, problems = _bounded_inputs(form, values, today)
    if not form.has_relevance:  # nothing hidden: one pass of the computed fields settles it
        settled, overflow = _compute(form, inputs)
        return settled, set(form.field_ids), {**problems, **overflow}
    relevant = relevant_field_ids(form, apply_computed(form, inputs))
    shown = {k: (v if k in relevant else None) for k, v in inputs.items()}
    settled, overflow = _compute(form, shown)
    final = relevant_field_ids(form, settled)
    # A hidden field's value is dropped, not checked, whatever it was (as before bounds existed).
    return settled, final, {k: m for k, m in {**problems, **overflow}.items() if k in final}


def clean_values(form: FormDef, values: Mapping[str, object]) -> dict[str, object]:
    """The values to store: unknown and hidden fields dropped, computed fields filled in."""
    return clean_and_validate(form, values)[0]


def _allowed_choices(field: FieldDef, ctx: ValidationContext) -> Collection[str] | None:
    if field.id in ctx.choices:
        return ctx.choices[field.id]
    return field.choice_values


def _check_text(field: FieldDef, value: object) -> str | None:
    label = f"«{field.label}»"
    if not isinstance(value, str):
        return f"{label} phải là {TYPE_NAMES[field.type]}."
    if field.max_length is not None and len(value) > field.max_length:
        return f"{label} dài quá {field.max_length} ký tự (hiện có {len(value)})."
    if field.pattern is not None and not re.fullmatch(field.pattern, value):
        return (
            f"{label}: {field.pattern_message}" if field.pattern_message else f"{label} không đúng định dạng."
        )
    return None


def _check_ratio(field: FieldDef, value: object) -> str | None:
    label = f"«{field.label}»"
    num = value.get("num") if isinstance(value, dict) else None
    den = value.get("den") if isinstance(value, dict) else None
    if not (isinstance(num, int) and isinstance(den, int)) or isinstance(num, bool) or isinstance(den, bool):
        return f"{label} phải là {TYPE_NAMES['ratio']}."
    if den <= 0:
        return f"{label}: mẫu số phải lớn hơn 0."
    if num < 0:
        return f"{label}: tử số không được âm."
    if num > den:
        return f"{label}: tử số ({format_number(num)}) không được lớn hơn mẫu số ({format_number(den)})."
    return None


def _check_code(field: FieldDef, value: object, ctx: ValidationContext) -> str | None:
    label = f"«{field.label}»"
    if not isinstance(value, str):
        return f"{label} phải là {TYPE_NAMES[field.type]}."
    if field.type == "org_unit":
        allowed = ctx.org_units_by_level.get(field.unit_level, ctx.org_units)
        what = "đơn vị"
    else:
        allowed, what = ctx.organizations, "tổ chức"
    if allowed is not None and value not in allowed:
        if field.type == "org_unit" and value in ctx.unit_refusals:
            return f"{label}: {ctx.unit_refusals[value]}."
        return f"{label}: không có {what} mã «{value}» trong danh mục."
    return None


def _check_value(field: FieldDef, value: object, ctx: ValidationContext) -> str | None:
    """The message for a stored value that breaks the field's own constraints, else None."""
    label = f"«{field.label}»"
    kind = field.type
    if kind in NUMERIC_TYPES:
        return number_problem(field, value)
    if kind in ("text", "long_text"):
        return _check_text(field, value)
    if kind == "ratio":
        return _check_ratio(field, value)
    if kind in ("org_unit", "organization"):
        return _check_code(field, value, ctx)
    if kind == "yes_no":
        return None if isinstance(value, bool) else f"{label} phải là {TYPE_NAMES[kind]}."
    if kind == "date":
        return date_problem(field, value, ctx.day())
    codes = [value] if kind == "choice" else value
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return f"{label} phải là {TYPE_NAMES[kind]}."
    allowed = _allowed_choices(field, ctx)
    bad = [c for c in codes if allowed is not None and c not in allowed]
    if bad:
        return f"{label}: «{bad[0]}» không có trong danh sách lựa chọn."
    return None


def validate_record(
    form: FormDef, values: Mapping[str, object], ctx: ValidationContext | None = None
) -> list[Issue]:
    """Every problem in one record: field by field in form order, then the form's rules.

    Hidden (irrelevant) fields are not checked; computed fields are recalculated, not checked.
    A rule is skipped while an input it reads is empty or already has an error of its own.
    """
    ctx = ctx or ValidationContext()
    settled, relevant, bounds = _settle(form, values, ctx.day())
    return _issues(form, settled, relevant, bounds, ctx)


def clean_and_validate(
    form: FormDef, values: Mapping[str, object], ctx: ValidationContext | None = None
) -> tuple[dict[str, object], list[Issue]]:
    """clean_values and validate_record of the cleaned values, settling the record only once."""
    ctx = ctx or ValidationContext()
    settled, relevant, bounds = _settle(form, values, ctx.day())
    cleaned = {f.id: settled[f.id] for f in form.fields() if f.id in relevant and f.id in settled}
    return cleaned, _issues(form, settled, relevant, bounds, ctx)


def _issues(
    form: FormDef,
    settled: Mapping[str, object],
    relevant: set[str],
    bounds: Mapping[str, str],
    ctx: ValidationContext,
) -> list[Issue]:
    issues: list[Issue] = []
    for field in form.fields():
        if field.id in bounds:
            issues.append(Issue(field.id, bounds[field.id], "error"))
            continue
        if field.id not in relevant or field.computed is not None:
            continue
        value = settled.get(field.id)
        if _is_empty(value):
            if field.required:
                issues.append(Issue(field.id, f"«{field.label}» không được để trống.", "error"))
            continue
        message = _check_value(field, value, ctx)
        if message:
            issues.append(Issue(field.id, message, "error"))
    flagged = {i.field_id for i in issues}
    for rule in form.rules:
        names = referenced_names(rule.check)
        if names & flagged:
            continue  # the field's own message says more than a rule built on a wrong value
        done, passed = _try(rule.check, settled)
        if not done:
            if all(not _is_empty(settled.get(n)) for n in names):
                # Every input is there, so the rule itself is wrong for these types: a form bug.
                log.warning("rule %s of form %s cannot be evaluated", rule.id, form.id)
            continue
        if not passed:
            first = rule.fields[0] if rule.fields else None
            issues.append(Issue(first, rule.message, rule.severity, rule.id, tuple(rule.fields)))
    return issues
