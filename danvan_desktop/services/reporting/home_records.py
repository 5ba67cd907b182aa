"""The few fields of a form a home page needs, read in SQL from the JSON of each record, per unit and period.

Only the named keys leave the database (json_extract on SQLite, ->> on PostgreSQL): a province's page
reads some thousands of records and decoding each whole JSON object in Python would cost more than the
query. Grouping happens in Python, since PostgreSQL does not match a GROUP BY on a JSON path given as
a bound parameter with the same path in the select list.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record


class Row(NamedTuple):
    """One live record: its unit, period and the asked keys (numbers as float, others as text)."""

    unit_id: int
    period_id: int
    values: tuple[float | str | None, ...]

    def number(self, index: int) -> float:
        value = self.values[index]
        return float(value) if isinstance(value, int | float) else 0.0

    def text(self, index: int) -> str:
        value = self.values[index]
        return value if isinstance(value, str) else ""


def read_rows(
    session: Session,
    form_id: str,
    pairs: Iterable[tuple[int, int]],
    numbers: Sequence[str] = (),
    texts: Sequence[str] = (),
) -> list[Row]:
    """The records of `form_id` for the (unit, period) pairs: `numbers` then `texts`, in that order."""
    wanted = set(pairs)
    if not wanted:
        return []
    units, periods = {u for u, _ in wanted}, {p for _, p in wanted}
    found = read_unit_rows(session, form_id, units, periods, numbers, texts)
    return [row for row in found if (row.unit_id, row.period_id) in wanted]


def read_unit_rows(
    session: Session,
    form_id: str,
    units: Collection[int],
    periods: Collection[int],
    numbers: Sequence[str] = (),
    texts: Sequence[str] = (),
) -> list[Row]:
    """The records of `form_id` of any of `units` in any of `periods` (CAST AS FLOAT: numbers are floats)."""
    if not units or not periods:
        return []
    stmt = _rows_statement(tuple(numbers), tuple(texts))
    # Through the connection (Core), not the ORM session: plain rows, without the ORM's result machinery.
    result = session.connection().execute(stmt, _where(form_id, units, periods))
    return [Row(row[0], row[1], row[2:]) for row in result.all()]


def summed(
    session: Session,
    form_id: str,
    pairs: Iterable[tuple[int, int]],
    texts: Sequence[str] = (),
    numbers: Sequence[str] = (),
) -> list[Row]:
    """Per (unit, period, the `texts` values): the record count, then the sum of each of `numbers`.

    Grouped in SQL, over a subquery that names the extracted keys: a province's page then reads
    some hundred rows instead of thousands of records (and PostgreSQL groups by named columns).
    """
    wanted = set(pairs)
    if not wanted:
        return []
    stmt = _summed_statement(tuple(texts), tuple(numbers))
    where = _where(form_id, {u for u, _ in wanted}, {p for _, p in wanted})
    return [
        Row(row[0], row[1], tuple(row[2:]))
        for row in session.connection().execute(stmt, where).all()
        if (row[0], row[1]) in wanted
    ]


# The statements are built once per set of keys, with the form, units and periods as parameters: a
# page asks the same few shapes on every draw, and building one costs more than SQLite running it.
FORM: BindParameter[str] = bindparam("form_id")
UNITS: BindParameter[list[int]] = bindparam("units", expanding=True)
PERIODS: BindParameter[list[int]] = bindparam("periods", expanding=True)


def _where(form_id: str, units: Collection[int], periods: Collection[int]) -> dict[str, object]:
    return {"form_id": form_id, "units": list(units), "periods": list(periods)}


def _filtered(stmt: Select[Any]) -> Select[Any]:
    return stmt.where(
        Record.form_id == FORM,
        Record.org_unit_id.in_(UNITS),
        Record.period_id.in_(PERIODS),
        Record.deleted.is_(False),
    )


@functools.lru_cache(maxsize=64)
def _rows_statement(numbers: tuple[str, ...], texts: tuple[str, ...]) -> Select[Any]:
    columns = [Record.values[k].as_float() for k in numbers] + [Record.values[k].as_string() for k in texts]
    stmt = _filtered(select(Record.org_unit_id, Record.period_id, *columns))
    return stmt.order_by(Record.created_at, Record.id)


@functools.lru_cache(maxsize=64)
def _summed_statement(texts: tuple[str, ...], numbers: tuple[str, ...]) -> Select[Any]:
    extracted = [Record.values[k].as_string().label(f"t{i}") for i, k in enumerate(texts)] + [
        Record.values[k].as_float().label(f"n{i}") for i, k in enumerate(numbers)
    ]
    inner = _filtered(
        select(Record.org_unit_id.label("u"), Record.period_id.label("p"), *extracted)
    ).subquery()
    keys = [inner.c.u, inner.c.p, *(inner.c[f"t{i}"] for i in range(len(texts)))]
    sums = [func.sum(inner.c[f"n{i}"]) for i in range(len(numbers))]
    return select(*keys, func.count(), *sums).group_by(*keys)
