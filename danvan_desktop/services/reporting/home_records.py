"""The few fields of a form a home page needs, read in SQL from the JSON of each record, per unit and period.

Only the named keys leave the database (json_extract on SQLite, ->> on PostgreSQL): a province's page
reads some thousands of records and decoding each whole JSON object in Python would cost more than the
query. Grouping happens in Python, since PostgreSQL does not match a GROUP BY on a JSON path given as
a bound parameter with the same path in the select list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record


@dataclass(frozen=True)
class Row:
    """One live record: its unit, period and the asked keys (numbers as float, others as text)."""

    unit_id: int
    period_id: int
    values: tuple[float | str | None, ...]

    def number(self, index: int) -> float:
        value = self.values[index]
        return value if isinstance(value, float) else 0.0

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
    columns = [Record.values[k].as_float() for k in numbers] + [Record.values[k].as_string() for k in texts]
    stmt = select(Record.org_unit_id, Record.period_id, *columns).where(
        Record.form_id == form_id,
        Record.org_unit_id.in_({u for u, _ in wanted}),
        Record.period_id.in_({p for _, p in wanted}),
        Record.deleted.is_(False),
    )
    rows = []
    for unit_id, period_id, *values in session.execute(stmt.order_by(Record.created_at, Record.id)):
        if (unit_id, period_id) in wanted:
            cleaned = tuple(float(v) if isinstance(v, int | float) else v for v in values)
            rows.append(Row(unit_id, period_id, cleaned))
    return rows
