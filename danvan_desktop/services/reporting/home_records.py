"""The few fields of a form a home page needs, read in SQL from the JSON of each record, per unit and period.

Only the named keys leave the database (json_extract on SQLite, ->> on PostgreSQL): a province's page
reads some thousands of records and decoding each whole JSON object in Python would cost more than the
query. Grouping happens in Python, since PostgreSQL does not match a GROUP BY on a JSON path given as
a bound parameter with the same path in the select list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import func, select
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
    columns = [Record.values[k].as_float() for k in numbers] + [Record.values[k].as_string() for k in texts]
    stmt = select(Record.org_unit_id, Record.period_id, *columns).where(
        Record.form_id == form_id,
        Record.org_unit_id.in_(list(units)),
        Record.period_id.in_(list(periods)),
        Record.deleted.is_(False),
    )
    # Through the connection (Core), not the ORM session: plain rows, without the ORM's result machinery.
    result = session.connection().execute(stmt.order_by(Record.created_at, Record.id))
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
    extracted = [Record.values[k].as_string().label(f"t{i}") for i, k in enumerate(texts)] + [
        Record.values[k].as_float().label(f"n{i}") for i, k in enumerate(numbers)
    ]
    inner = (
        select(Record.org_unit_id.label("u"), Record.period_id.label("p"), *extracted)
        .where(
            Record.form_id == form_id,
            Record.org_unit_id.in_(list({u for u, _ in wanted})),
            Record.period_id.in_(list({p for _, p in wanted})),
            Record.deleted.is_(False),
        )
        .subquery()
    )
    keys = [inner.c.u, inner.c.p, *(inner.c[f"t{i}"] for i in range(len(texts)))]
    sums = [func.sum(inner.c[f"n{i}"]) for i in range(len(numbers))]
    stmt = select(*keys, func.count(), *sums).group_by(*keys)
    return [
        Row(row[0], row[1], tuple(row[2:]))
        for row in session.connection().execute(stmt).all()
        if (row[0], row[1]) in wanted
    ]
