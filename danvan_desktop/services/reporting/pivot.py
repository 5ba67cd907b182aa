"""Cross-tab: one numeric field of a form summed, counted, averaged or its highest, by unit, period or choice.

A field the form says does not add up across units (`aggregate` other than sum, a percentage) is never
summed here: its default statistic is its own (max, else the mean) and a sum asked for is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.periods import SORT_KEY_ORDER, PeriodKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.dialect import POSTGRESQL, dialect_of, in_list, list_param, raw_rows
from danvan_desktop.db.models import Period
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import NUMERIC_TYPES, FieldDef, FormDef
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit, is_valid_during, unit_label
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.text import fold

Stat = Literal["sum", "count", "mean", "max"]
STATS: dict[str, str] = {"sum": "Tổng", "count": "Số bản ghi", "mean": "Bình quân", "max": "Cao nhất"}
UNIT, PERIOD, NONE = "unit", "period", ""
AXIS_NAMES = {UNIT: "Đơn vị", PERIOD: "Kỳ báo cáo"}
TOTAL_LABEL = "Cộng"
NO_CHOICE = "(chưa chọn)"
EMPTY_KEY = "\0"  # the key of records whose choice is empty: never a choice value


@dataclass(frozen=True)
class PivotRequest:
    """What to cross-tabulate; `periods` empty: every period with records of the form."""

    form_id: str
    field_id: str
    rows: str = UNIT  # "unit", "period" or the id of one of the form's choice fields
    cols: str = PERIOD  # the same, or "" for a single column
    periods: tuple[str, ...] = ()
    unit: str | None = None  # the unit whose units are listed; None: the office's


@dataclass
class Cell:
    """The sum, number and highest of the values that fell into one cell (records without a value: none)."""

    total: float = 0.0
    count: int = 0
    high: float | None = None

    def add(self, other: Cell) -> None:
        self.total += other.total
        self.count += other.count
        if other.high is not None and (self.high is None or other.high > self.high):
            self.high = other.high

    def value(self, stat: Stat) -> float | None:
        if stat == "count":
            return float(self.count)
        if not self.count:
            return None  # nothing entered: an empty cell, not a zero
        if stat == "max":
            return self.high
        return self.total if stat == "sum" else self.total / self.count


@dataclass
class PivotTable:
    """Rows × columns of cells in display order; totals come from the cells, never means of means."""

    form: FormDef
    field: FieldDef
    row_axis: str
    col_axis: str
    scope_label: str
    period_labels: list[str]
    rows: list[tuple[str, str]]  # (key, label)
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell] = dataclasses.field(default_factory=dict)

    def cell(self, row: str, col: str) -> Cell:
        return self.cells.get((row, col)) or Cell()

    def row_total(self, row: str) -> Cell:
        total = Cell()
        for col, _label in self.cols:
            total.add(self.cell(row, col))
        return total

    def col_total(self, col: str, rows: Sequence[str] | None = None) -> Cell:
        total = Cell()
        for row in rows if rows is not None else [r for r, _ in self.rows]:
            total.add(self.cell(row, col))
        return total

    def grand_total(self, rows: Sequence[str] | None = None) -> Cell:
        total = Cell()
        for col, _label in self.cols:
            total.add(self.col_total(col, rows))
        return total

    def axis_label(self, axis: str) -> str:
        return AXIS_NAMES.get(axis) or self.form.field(axis).label

    def arranged(
        self,
        stat: Stat = "sum",
        *,
        sort: str = "",
        descending: bool = False,
        text: str = "",
        hide_empty: bool = False,
    ) -> list[tuple[str, str]]:
        """The rows to show: filtered by label (accents optional), empty ones hidden, then sorted.

        `sort`: "" the natural order (the tree, time, the form's choices), "label", "total", or a
        column key; rows without a value go last either way.
        """
        wanted = fold(text).strip()
        rows = [r for r in self.rows if not wanted or wanted in fold(r[1])]
        if hide_empty:
            rows = [r for r in rows if self.row_total(r[0]).count]
        if not sort:
            return list(reversed(rows)) if descending else rows
        if sort == "label":
            return sorted(rows, key=lambda r: fold(r[1]), reverse=descending)

        def figure(row: tuple[str, str]) -> float | None:
            cell = self.row_total(row[0]) if sort == "total" else self.cell(row[0], sort)
            return cell.value(stat)

        filled = [r for r in rows if figure(r) is not None]
        empty = [r for r in rows if figure(r) is None]
        return sorted(filled, key=lambda r: figure(r) or 0.0, reverse=descending) + empty


def pivot_forms() -> dict[str, FormDef]:
    """The forms that have a numeric field to cross-tabulate."""
    return {k: f for k, f in form_registry().items() if numeric_fields(f)}


def numeric_fields(form: FormDef) -> list[FieldDef]:
    return [f for f in form.fields() if f.type in NUMERIC_TYPES]


def default_stat(spec: FieldDef) -> Stat:
    """What the field's cross-tab shows unless asked otherwise: its own way of combining units."""
    if spec.combines == "sum":
        return "sum"
    return "max" if spec.combines == "max" else "mean"


def stat_problem(spec: FieldDef, stat: str) -> str | None:
    """Why `stat` cannot be shown for the field (a sum of what does not add up), or None."""
    if stat != "sum" or spec.combines == "sum":
        return None
    what = "là tỷ lệ phần trăm, " if spec.type == "percent" else ""
    others = ", ".join(f"{k} ({v.lower()})" for k, v in STATS.items() if k != "sum")
    return (
        f"«{spec.label}» {what}không cộng dồn giữa các đơn vị: tổng của nó không phải số liệu của "
        f"đơn vị nào. Chọn phép tính khác: {others}."
    )


def choice_fields(form: FormDef) -> list[FieldDef]:
    return [f for f in form.fields() if f.type == "choice" and f.choices]


def _check_request(request: PivotRequest) -> tuple[FormDef, FieldDef]:
    forms = form_registry()
    form = forms.get(request.form_id.strip())
    if form is None:
        known = ", ".join(sorted(pivot_forms()))
        raise UserError(f"Không có biểu mẫu «{request.form_id}». Các biểu có số liệu để tổng hợp: {known}.")
    numeric = {f.id: f for f in numeric_fields(form)}
    spec = numeric.get(request.field_id.strip())
    if spec is None:
        listed = "; ".join(f"{f.id} ({f.label})" for f in numeric.values()) or "không có"
        raise UserError(
            f"Biểu «{form.title}» không có trường số «{request.field_id}». Các trường số: {listed}."
        )
    axes = {UNIT, PERIOD, *(f.id for f in choice_fields(form))}
    for name, axis in (("--rows", request.rows), ("--cols", request.cols)):
        if axis not in axes and not (name == "--cols" and axis == NONE):
            choices = ", ".join(f.id for f in choice_fields(form))
            more = f", hoặc một trường lựa chọn của biểu: {choices}" if choices else ""
            raise UserError(f"Không chia theo «{axis}» được ({name}): dùng unit (đơn vị), period (kỳ){more}.")
    if request.rows == request.cols:
        raise UserError(
            "Hàng và cột phải chia theo hai tiêu chí khác nhau (ví dụ --rows unit --cols period)."
        )
    return form, spec


def _periods(session: Session, request: PivotRequest) -> list[Period] | None:
    """The requested periods in order; None: every period the records have (found by the query)."""
    if not request.periods:
        return None
    chosen = {get_period(session, code, create=False).id for code in request.periods}
    return _in_order([session.get_one(Period, pid) for pid in chosen])


def _in_order(periods: list[Period]) -> list[Period]:
    return sorted(periods, key=lambda p: (p.start.year, SORT_KEY_ORDER[PeriodKind(p.kind)], p.start, p.code))


ALL_TIME = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def _scope(session: Session, request: PivotRequest) -> tuple[UnitNode, str]:
    """The listed unit's tree over all time (records of units never under it are not counted)."""
    installation = load_installation(session)
    office = dated_subtree(session, installation.office_unit_id, *ALL_TIME)
    if office is None:
        raise UserError(f"Không đọc được cây đơn vị của {installation.office_label}.")
    if not request.unit:
        return office, installation.office_label
    unit = find_unit(session, request.unit)
    node = next((n for n in office.walk() if n.id == unit.id), None)
    if node is None:
        raise UserError(
            f"{unit_label(unit)} ({unit.code}) không thuộc phạm vi của {installation.office_label}."
        )
    return node, unit_label(unit)


def _json_sql(dialect: str, key: str) -> str:
    if dialect == POSTGRESQL:
        return f"(r.\"values\" -> '{key}')"
    return f"json_extract(r.\"values\", '$.{key}')"


def _number_sql(dialect: str, column: str) -> str:
    """The picked value when it is a JSON number, else NULL: stray text never counts."""
    if dialect == POSTGRESQL:
        return f"CASE WHEN json_typeof({column}) = 'number' THEN ({column} #>> '{{}}')::float END"
    return f"CASE WHEN typeof({column}) IN ('integer', 'real') THEN {column} END"


def _text_sql(dialect: str, column: str) -> str:
    return f"({column} #>> '{{}}')" if dialect == POSTGRESQL else column


def _scan_hint(session: Session, dialect: str, form_id: str) -> str:
    """SQLite reads a form that fills much of the table faster straight through than by its index.

    Looking up 100,000 rows one by one through the (form, unit, period) index costs about eight
    times a plain scan; a rare form is still found through the index. PostgreSQL plans by itself.
    """
    if dialect == POSTGRESQL:
        return ""
    form_rows = raw_rows(session, "SELECT count(*) FROM record WHERE form_id = ?", (form_id,))[0][0]
    all_rows = raw_rows(session, "SELECT count(*) FROM record")[0][0]
    return " NOT INDEXED" if form_rows * 8 > all_rows else ""


def grouped_figures(
    session: Session,
    form_id: str,
    field_id: str,
    choice_ids: Sequence[str],
    period_ids: Sequence[int] | None,
    unit_ids: Sequence[int],
) -> list[tuple[int, int, tuple[str | None, ...], float, int, float | None]]:
    """(unit id, period id, choice values, sum, count, max) of the live records: one GROUP BY in the database.

    Field ids are checked names (^[a-z][a-z0-9_]*$) before they reach the SQL text. Each JSON value
    is picked once in the inner query (LIMIT keeps SQLite from folding it into the outer one, which
    would parse the record again for every use).
    """
    dialect = dialect_of(session)
    choices = "".join(f", {_json_sql(dialect, c)} AS c{i}" for i, c in enumerate(choice_ids))
    outer = "".join(f", {_text_sql(dialect, f'c{i}')}" for i in range(len(choice_ids)))
    number = _number_sql(dialect, "v")
    sql = (
        f"SELECT org_unit_id, period_id{outer}, SUM({number}), COUNT({number}), MAX({number}) FROM ("
        f"SELECT r.org_unit_id, r.period_id{choices}, {_json_sql(dialect, field_id)} AS v "
        f"FROM record r{_scan_hint(session, dialect, form_id)} "
        f"WHERE r.form_id = ? AND r.deleted = ? "
        + ("" if period_ids is None else f"AND {in_list(dialect, 'r.period_id')} ")
        + f"AND {in_list(dialect, 'r.org_unit_id')} LIMIT -1) AS picked "
        f"GROUP BY org_unit_id, period_id{outer}"
    )
    if dialect == POSTGRESQL:
        sql = sql.replace(" LIMIT -1", "")  # PostgreSQL evaluates a subquery's column once anyway
    periods = () if period_ids is None else (list_param(dialect, period_ids),)
    params = (form_id, False, *periods, list_param(dialect, unit_ids))
    n = len(choice_ids)
    return [
        (
            int(row[0]),
            int(row[1]),
            tuple(None if c is None else str(c) for c in row[2 : 2 + n]),
            float(row[2 + n] or 0.0),
            int(row[3 + n]),
            None if row[4 + n] is None else float(row[4 + n]),
        )
        for row in raw_rows(session, sql, params)
    ]


def _unit_rows(tree: UnitNode, form: FormDef, periods: Sequence[Period]) -> list[UnitNode]:
    """The units the form applies to in the tree, valid in at least one of the periods, in tree order."""
    return [
        n
        for n in tree.walk()
        if form.applies_to(n.kind) and any(is_valid_during(n, p.start, p.end) for p in periods)
    ]


def build_pivot(session: Session, request: PivotRequest) -> PivotTable:
    """The cross-tab the request asks for; a clear Vietnamese error for a bad form, field, axis or period."""
    form, spec = _check_request(request)
    tree, scope_label = _scope(session, request)
    unit_ids = [n.id for n in tree.walk()]
    wanted = _periods(session, request)
    choice_ids = [a for a in (request.rows, request.cols) if a not in (UNIT, PERIOD, NONE)]
    period_ids = None if wanted is None else [p.id for p in wanted]
    figures = grouped_figures(session, form.id, spec.id, choice_ids, period_ids, unit_ids)
    if wanted is None:  # the periods that have records, found by the same query
        found = {p for _u, p, *_rest in figures}
        wanted = _in_order(list(session.scalars(select(Period).where(Period.id.in_(found))))) if found else []
    periods = wanted
    units = _unit_rows(tree, form, periods)
    known_units = {n.id for n in units}
    extra = {u for u, *_ in figures if u not in known_units}  # e.g. a unit moved out of the tree since
    if extra:
        nodes = {n.id: n for n in tree.walk()}
        units += [nodes[u] for u in sorted(extra)]  # records of a unit the form no longer expects

    def axis_items(axis: str) -> list[tuple[str, str]]:
        if axis == UNIT:
            return [(str(n.id), n.display) for n in units]
        if axis == PERIOD:
            return [(str(p.id), p.label) for p in periods]
        if axis == NONE:
            return [("", TOTAL_LABEL)]
        items = [(c.value, c.label) for c in form.field(axis).choices or []]
        position = choice_ids.index(axis)
        seen = {values[position] for _u, _p, values, *_figures in figures}
        listed = {k for k, _ in items}
        items += [(v, v) for v in sorted(x for x in seen if x is not None and x not in listed)]
        if None in seen:  # records where the choice was left empty still count, under their own row
            items.append((EMPTY_KEY, NO_CHOICE))
        return items

    table = PivotTable(
        form,
        spec,
        request.rows,
        request.cols,
        scope_label,
        [p.label for p in periods],
        axis_items(request.rows),
        axis_items(request.cols),
    )

    def key(axis: str, unit_id: int, period_id: int, values: tuple[str | None, ...]) -> str:
        if axis == UNIT:
            return str(unit_id)
        if axis == PERIOD:
            return str(period_id)
        if axis == NONE:
            return ""
        value = values[choice_ids.index(axis)]
        return EMPTY_KEY if value is None else value

    for unit_id, period_id, values, total, count, high in figures:
        cell_key = (
            key(request.rows, unit_id, period_id, values),
            key(request.cols, unit_id, period_id, values),
        )
        table.cells.setdefault(cell_key, Cell()).add(Cell(total, count, high))
    return table
