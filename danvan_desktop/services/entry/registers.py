"""Fast reads of register records for tables: an index of ids first, cell values page by page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from danvan_desktop.db.dialect import dialect_of, json_field, raw_rows
from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.model import FieldDef, FormDef

# Stored as JSON objects or arrays; SQLite's json_extract hands them back as JSON text.
_STRUCTURED = frozenset({"multi_choice", "ratio"})


@dataclass(frozen=True)
class RegisterScope:
    """Which records a register table shows."""

    form: FormDef
    unit_ids: tuple[int, ...]
    period_id: int
    deleted: bool = False
    with_unit: bool = False  # a first column naming each record's unit (a district's view)

    @property
    def columns(self) -> list[FieldDef]:
        return [UNIT_COLUMN, *list_fields(self.form)] if self.with_unit else list_fields(self.form)


# Not a form field: the record's own unit, read from the record row rather than its values.
UNIT_COLUMN = FieldDef.model_construct(id="__unit", type="org_unit", label="Đơn vị")


def _cell_sql(dialect: str, column: FieldDef, table: str = "r") -> str:
    if column is UNIT_COLUMN:
        return f"(SELECT code FROM org_unit WHERE id = {table}.org_unit_id)"
    return json_field(dialect, f'{table}."values"', column.id)


@dataclass(frozen=True)
class RegisterIndex:
    """Ids and accent-free search text of every record in scope, in the order they were entered.

    Cell values are not here: for 100,000 records extracting them takes longer than the table
    may take to open, so the table fetches them a screenful at a time (`fetch_rows`).
    """

    ids: list[str]
    search: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def list_fields(form: FormDef) -> list[FieldDef]:
    """The table columns of a register: its list_columns, else its first six fields."""
    if form.list_columns:
        return [form.field(field_id) for field_id in form.list_columns]
    return form.fields()[:6]


_SCOPE_WHERE = (
    "r.form_id = :form AND r.period_id = :period AND r.deleted = :deleted AND r.org_unit_id IN :units"
)


def _scope_params(scope: RegisterScope) -> dict[str, object]:
    return {
        "form": scope.form.id,
        "period": scope.period_id,
        "deleted": scope.deleted,
        "units": list(scope.unit_ids),
    }


def load_register_index(session: Session, scope: RegisterScope) -> RegisterIndex:
    marks = ", ".join("?" for _ in scope.unit_ids)
    sql = (
        "SELECT id, search_text FROM record WHERE form_id = ? AND period_id = ? AND deleted = ? "
        f"AND org_unit_id IN ({marks}) "
    )
    params = (scope.form.id, scope.period_id, scope.deleted, *scope.unit_ids)
    if not scope.with_unit:
        rows = raw_rows(session, sql, params)
        return RegisterIndex(ids=[row[0] for row in rows], search=[row[1] for row in rows])
    # A district's table names each record's commune, so "phuc chu" in the search box finds its
    # records: the unit's accent-free name and code join the record's own search text.
    units = {
        unit_id: f"{folded} {code.casefold()}"
        for unit_id, folded, code in raw_rows(
            session, f"SELECT id, name_folded, code FROM org_unit WHERE id IN ({marks})", scope.unit_ids
        )
    }
    rows = raw_rows(session, sql.replace("search_text", "search_text, org_unit_id", 1), params)
    return RegisterIndex(
        ids=[row[0] for row in rows], search=[f"{row[1]} {units.get(row[2], '')}" for row in rows]
    )


def _decode(columns: Sequence[FieldDef], cells: Sequence[object]) -> tuple[object, ...]:
    decoded = list(cells)
    for i, column in enumerate(columns):
        if column.type in _STRUCTURED and isinstance(decoded[i], str):
            decoded[i] = json.loads(decoded[i])  # type: ignore[arg-type]
    return tuple(decoded)


def _extracts(dialect: str, columns: Sequence[FieldDef]) -> str:
    return ", ".join(_cell_sql(dialect, c) for c in columns)


def fetch_rows(
    session: Session, columns: Sequence[FieldDef], ids: Sequence[str]
) -> dict[str, tuple[object, ...]]:
    """The listed columns' stored values of the records `ids` (a screenful)."""
    if not ids or not columns:
        return {i: () for i in ids}
    sql = text(
        f"SELECT r.id, {_extracts(dialect_of(session), columns)} FROM record r WHERE r.id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    return {row[0]: _decode(columns, row[1:]) for row in session.execute(sql, {"ids": list(ids)})}


def fetch_column(session: Session, scope: RegisterScope, column: FieldDef) -> dict[str, object]:
    """One column's stored value for every record in scope (for sorting or a column filter)."""
    marks = ", ".join("?" for _ in scope.unit_ids)
    sql = (
        f"SELECT r.id, {_cell_sql(dialect_of(session), column)} FROM record r "
        f"WHERE r.form_id = ? AND r.period_id = ? AND r.deleted = ? AND r.org_unit_id IN ({marks})"
    )
    params = (scope.form.id, scope.period_id, scope.deleted, *scope.unit_ids)
    return {row[0]: _decode([column], row[1:])[0] for row in raw_rows(session, sql, params)}


class RegisterSource:
    """A register's records in a database, read the way a large table needs them."""

    def __init__(self, db: Database, scope: RegisterScope) -> None:
        self.db = db
        self.scope = scope
        self.columns = scope.columns

    def load_index(self) -> RegisterIndex:
        with self.db.session() as session:
            return load_register_index(session, self.scope)

    def rows(self, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
        with self.db.session() as session:
            return fetch_rows(session, self.columns, ids)

    def column(self, index: int) -> dict[str, object]:
        with self.db.session() as session:
            return fetch_column(session, self.scope, self.columns[index])
