"""Which (unit, form) cells of a period hold at least one live record: the completeness table's question.

Asked as "does one exist" for each unit and form (an index seek that stops at the first record)
rather than by reading every record of the period: a province's year holds some ten thousand
records for a thousand cells, and the read was the largest part of drawing its home page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, String, bindparam, exists, select, true, union_all
from sqlalchemy.orm import aliased

from danvan_desktop.db.models import OrgUnit, Record


def received_cells(
    connection: Connection, unit_ids: Sequence[int], form_ids: Sequence[str], period_id: int
) -> set[tuple[int, str]]:
    """(unit id, form id) of the cells with a live record in the period."""
    if not unit_ids or not form_ids:
        return set()
    parameters: dict[str, Any] = {f"form{i}": form for i, form in enumerate(form_ids)}
    parameters |= {"units": list(unit_ids), "period": period_id}
    rows = connection.execute(_statement(len(form_ids)), parameters).all()
    return {(unit_id, form_id) for unit_id, form_id in rows}


@functools.lru_cache(maxsize=32)
def _statement(form_count: int) -> Select[Any]:
    """Units × the given forms (a UNION ALL of parameters: SQLite takes no named VALUES list), kept
    where a live record of that unit, form and period exists. Built once per number of forms."""
    each = [select(bindparam(f"form{i}", type_=String).label("form_id")) for i in range(form_count)]
    forms = (union_all(*each) if form_count > 1 else each[0]).subquery("f")
    record = aliased(Record)
    found = exists().where(
        record.form_id == forms.c.form_id,
        record.org_unit_id == OrgUnit.id,
        record.period_id == bindparam("period"),
        record.deleted.is_(False),
    )
    units = OrgUnit.id.in_(bindparam("units", expanding=True))
    every_pair = select(OrgUnit.id, forms.c.form_id).select_from(OrgUnit).join(forms, true())
    return every_pair.where(units, found)
