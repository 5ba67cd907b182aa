"""An aggregate form opened above the units that fill it: their values summed, read-only, unit by unit.

Numbers add; a computed field (a ratio) is computed again from the summed numerators and denominators,
never an average of the units' percentages; a choice becomes "16/22 xã" per option; a typed percentage,
which carries no denominator, is not added up, nor is a field the form marks `aggregate: none` (an order
number), while `mean` gives "bình quân 15,2 tiêu chí/xã" and `max` the highest unit's value, named.
Units are the summary's by validity (home_units): a form describing a state counts the units standing
at the period's end, one of events adds every part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.models import Period, Record
from danvan_desktop.formspec.expressions import evaluate, referenced_names
from danvan_desktop.formspec.model import NUMERIC_TYPES, ChoiceDef, FieldDef, FormDef
from danvan_desktop.formspec.numbers import format_number
from danvan_desktop.formspec.values import format_value
from danvan_desktop.services.entry.entry import criteria_in_force
from danvan_desktop.services.reporting.home_units import FLOWS, UnitIndex, load_span, tiles_of

ADDING = frozenset({"integer", "decimal", "money", "area", "labour_days"})
WRITTEN = frozenset({"text", "long_text", "date"})
NOT_ADDED = "không cộng dồn giữa các đơn vị"
MAX_NAMED = 2  # units named after a highest value; more tie: "(3 đơn vị)"


@dataclass(frozen=True)
class TotalsLine:
    """A row of the totals table: a section heading, a field, or one option of a choice field."""

    label: str
    total: str
    cells: tuple[str, ...] = ()  # one per unit, in the order of FormTotals.units
    kind: str = "field"  # "section" | "field" | "option"
    note: str = ""  # why the total is empty ("tỷ lệ nhập tay không cộng được")


@dataclass
class FormTotals:
    form_id: str
    title: str
    unit_label: str
    period_label: str
    units: tuple[str, ...]  # the column heads: the units' labels
    counted: tuple[bool, ...]  # whether each unit's values are in the totals (states: at the end)
    reported: int
    expected: int
    word: str  # "xã" when every unit is one, else "đơn vị"
    lines: list[TotalsLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self, label: str, kind: str = "field") -> TotalsLine:
        for candidate in self.lines:
            if candidate.label == label and candidate.kind == kind:
                return candidate
        raise KeyError(label)


def _merge(form: FormDef, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A unit's values over its tiles: numbers of an event form add, anything else is the last one's."""
    merged: dict[str, Any] = {}
    for values in rows:
        for key, value in values.items():
            spec = next((f for f in form.fields() if f.id == key), None)
            old = merged.get(key)
            addable = spec is not None and _adds(spec)
            if addable and _is_number(old) and _is_number(value):
                merged[key] = old + value
            else:
                merged[key] = value
    for spec in form.computed_fields:  # again from the added numbers
        merged[spec.id] = _compute(spec, merged)
    return merged


def _adds(spec: FieldDef) -> bool:
    """A typed number whose units' values add up (counts, money, area, labour days)."""
    return spec.type in ADDING and spec.computed is None and spec.combines == "sum"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compute(spec: FieldDef, values: Mapping[str, Any]) -> Any:
    try:
        return evaluate(spec.computed or "", values)
    except (TypeError, ZeroDivisionError, ValueError):
        return None


def form_totals(session: Session, form: FormDef, unit_id: int, period_id: int) -> FormTotals:
    """The totals of `form` over the units under `unit_id` that fill it, for one period."""
    index = UnitIndex(session)
    span = load_span(session, period_id)
    unit = index.unit(unit_id)
    parts = [p for p in index.parts(unit_id, span) if form.applies_to(p.unit.kind)]
    if UnitKind(unit.kind).is_commune_level:
        parts = []  # a commune fills commune forms itself; its villages have no totals of their own
    tiles = tiles_of(session, parts, [form.id], span)
    flows = form.id in FLOWS
    wanted = {
        (u, pid): u for (u, _), periods in tiles.items() for pid in (periods if flows else periods[-1:])
    }
    stored: dict[int, list[dict[str, Any]]] = {}
    if wanted:
        stmt = select(Record.org_unit_id, Record.period_id, Record.values).where(
            Record.form_id == form.id,
            Record.org_unit_id.in_({u for u, _ in wanted}),
            Record.period_id.in_({p for _, p in wanted}),
            Record.deleted.is_(False),
        )
        for u, pid, values in session.execute(stmt.order_by(Record.created_at, Record.id)):
            if (u, pid) in wanted:
                stored.setdefault(u, []).append(values)
    per_unit = {p.unit.id: _merge(form, stored[p.unit.id]) for p in parts if p.unit.id in stored}
    counted = tuple(p.unit.id in per_unit and (flows or p.at_end) for p in parts)
    kinds = {p.unit.kind for p in parts}
    word = UnitKind(kinds.pop()).label if len(kinds) == 1 else "đơn vị"
    totals = FormTotals(
        form.id,
        form.title,
        unit.label,
        span.label,
        tuple(p.label for p in parts),
        counted,
        sum(counted),
        sum(1 for p in parts if flows or p.at_end),
        word,
    )
    counted_values = [per_unit[p.unit.id] for p, c in zip(parts, counted, strict=True) if c]
    names = [p.label for p, c in zip(parts, counted, strict=True) if c]  # of counted_values, in order
    cells = [per_unit.get(p.unit.id, {}) for p in parts]
    period = session.get_one(Period, period_id)
    criteria = criteria_in_force(session, period)
    criteria_choices = (
        [ChoiceDef(value=str(c.number), label=f"{c.number}. {c.name}") for c in criteria.criteria]
        if criteria is not None
        else []
    )
    for section in form.sections:
        totals.lines.append(TotalsLine(section.title, "", kind="section"))
        for spec in section.fields:
            choices = criteria_choices if spec.choices_from == "ntm_criteria" else spec.choices
            totals.lines.extend(_lines(form, spec, choices, counted_values, cells, totals, names))
    if any(not p.at_end for p in parts) and not flows:
        totals.notes.append(
            "Số liệu tại thời điểm cuối kỳ: chỉ cộng các đơn vị có hiệu lực ngày cuối kỳ; đơn vị cũ "
            "(đến trước ngày đó) hiện số liệu riêng, không cộng vào tổng."
        )
    return totals


def _lines(
    form: FormDef,
    spec: FieldDef,
    choices: Sequence[ChoiceDef] | None,
    counted: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    totals: FormTotals,
    names: Sequence[str],
) -> list[TotalsLine]:
    def shown(values: Mapping[str, Any]) -> str:
        return format_value(spec, values.get(spec.id), choices) if values else ""

    per_unit = tuple(shown(v) for v in cells)
    of = f"/{totals.reported} {totals.word}"
    if spec.type in NUMERIC_TYPES and spec.aggregate not in (None, "sum"):
        return [_combined(spec, counted, names, per_unit, totals.word)]
    if _adds(spec):
        numbers = [v[spec.id] for v in counted if _is_number(v.get(spec.id))]
        total = format_value(spec, sum(numbers)) if numbers else ""
        return [TotalsLine(spec.label, total, per_unit)]
    if spec.computed is not None:
        inputs = referenced_names(spec.computed)
        summable = all(n in form.field_ids and _adds(form.field(n)) for n in inputs)
        if summable and spec.type in NUMERIC_TYPES:
            sums = {n: _sum_of(counted, n) for n in inputs}
            return [TotalsLine(spec.label, format_value(spec, _compute(spec, sums)), per_unit)]
        return [TotalsLine(spec.label, "", per_unit, note="không cộng được giữa các đơn vị")]
    if spec.type == "percent":
        return [TotalsLine(spec.label, "", per_unit, note="tỷ lệ nhập tay: không cộng, không lấy bình quân")]
    if spec.type == "ratio":
        pairs = [v[spec.id] for v in counted if isinstance(v.get(spec.id), dict)]
        num, den = sum(int(p.get("num", 0)) for p in pairs), sum(int(p.get("den", 0)) for p in pairs)
        total = format_value(spec, {"num": num, "den": den}) if pairs else ""
        return [TotalsLine(spec.label, total, per_unit)]
    if spec.type in ("choice", "multi_choice", "yes_no"):
        options = (
            [(True, "Có"), (False, "Không")]
            if spec.type == "yes_no"
            else [(c.value, c.label) for c in choices or []]
        )
        answered = sum(1 for v in counted if v.get(spec.id) not in (None, [], ""))
        lines = [TotalsLine(spec.label, f"{answered}{of} trả lời", per_unit)]
        for value, label in options:
            chosen = [_has(v.get(spec.id), value) for v in counted]
            marks = tuple("x" if v and _has(v.get(spec.id), value) else "" for v in cells)
            lines.append(TotalsLine(label, f"{sum(chosen)}{of}", marks, kind="option"))
        return lines
    if spec.type in WRITTEN:
        written = sum(1 for v in counted if v.get(spec.id) not in (None, ""))
        short = tuple(_short(s) for s in per_unit)
        return [TotalsLine(spec.label, f"đã ghi {written}{of}", short)]
    return []


def _combined(
    spec: FieldDef, counted: list[dict[str, Any]], names: Sequence[str], cells: tuple[str, ...], word: str
) -> TotalsLine:
    """A number the form says does not add up: none, the mean per unit, or the highest unit's, named."""
    found = [(v[spec.id], name) for v, name in zip(counted, names, strict=True) if _is_number(v.get(spec.id))]
    if spec.combines == "none" or not found:
        return TotalsLine(spec.label, "", cells, note=NOT_ADDED)
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.combines == "mean":
        mean = sum(value for value, _ in found) / len(found)
        total = f"bình quân {format_number(mean, 1)}{unit}/{word}"
        return TotalsLine(spec.label, total, cells, note=f"{NOT_ADDED}: bình quân của {len(found)} {word}")
    high = max(value for value, _ in found)
    holders = [name for value, name in found if value == high]
    who = ", ".join(holders) if len(holders) <= MAX_NAMED else f"{len(holders)} {word}"
    total = f"cao nhất {format_value(spec, high)}{unit} ({who})"
    return TotalsLine(spec.label, total, cells, note=f"{NOT_ADDED}: số cao nhất của một {word}")


def _has(stored: object, value: object) -> bool:
    if isinstance(stored, list):
        return value in stored
    return stored is not None and stored == value


def _sum_of(values: list[dict[str, Any]], key: str) -> float | None:
    numbers = [v[key] for v in values if _is_number(v.get(key))]
    return sum(numbers) if numbers else None


def _short(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 60 else line[:57] + "…"
