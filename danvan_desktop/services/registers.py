"""Fast reads of register records for tables: only the listed columns, straight from JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from danvan_desktop.formspec.model import FieldDef, FormDef

# Stored as JSON objects or arrays; json_extract hands them back as JSON text.
_STRUCTURED = frozenset({"multi_choice", "ratio"})


@dataclass(frozen=True)
class RegisterRows:
    """Register records as parallel lists: ids, raw column values, folded search text."""

    columns: list[FieldDef]
    ids: list[str]
    values: list[tuple[object, ...]]
    search: list[str]
    units: list[str]  # unit code of each record

    def __len__(self) -> int:
        return len(self.ids)


def list_fields(form: FormDef) -> list[FieldDef]:
    """The table columns of a register: its list_columns, else its first six fields."""
    if form.list_columns:
        return [form.field(field_id) for field_id in form.list_columns]
    return form.fields()[:6]


def load_register_rows(
    session: Session, form: FormDef, unit_ids: Sequence[int], period_id: int, *, deleted: bool = False
) -> RegisterRows:
    """One SQL query; numbers and text come back as stored, formatted later only when shown."""
    columns = list_fields(form)
    extracts = ", ".join(f"json_extract(r.\"values\", '$.{c.id}')" for c in columns)
    sql = text(
        f"SELECT r.id, u.code, r.search_text{', ' + extracts if extracts else ''} "
        "FROM record r JOIN org_unit u ON u.id = r.org_unit_id "
        "WHERE r.form_id = :form AND r.period_id = :period AND r.deleted = :deleted "
        "AND r.org_unit_id IN :units ORDER BY r.created_at, r.id"
    ).bindparams(bindparam("units", expanding=True))
    rows = session.execute(
        sql, {"form": form.id, "period": period_id, "deleted": deleted, "units": list(unit_ids)}
    ).all()
    structured = [i for i, c in enumerate(columns) if c.type in _STRUCTURED]
    values: list[tuple[object, ...]] = []
    for row in rows:
        cells = list(row[3:])
        for i in structured:
            if isinstance(cells[i], str):
                cells[i] = json.loads(cells[i])
        values.append(tuple(cells))
    return RegisterRows(
        columns=columns,
        ids=[row[0] for row in rows],
        values=values,
        search=[row[2] for row in rows],
        units=[row[1] for row in rows],
    )
