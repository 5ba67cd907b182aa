"""The few SQL pieces that differ between SQLite and PostgreSQL, and raw rows for large scans."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

POSTGRESQL = "postgresql"


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def json_field(dialect: str, column: str, key: str) -> str:
    """SQL for one key of a JSON column: scalars come back as Python values on both engines,
    objects and arrays as JSON text on SQLite (json_extract) and decoded by pg8000 on PostgreSQL."""
    if dialect == POSTGRESQL:
        return f"({column} -> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def contains(dialect: str, column: str) -> str:
    """SQL true when the text parameter (one ? mark) occurs in `column`."""
    return f"strpos({column}, ?) > 0" if dialect == POSTGRESQL else f"instr({column}, ?) > 0"


def in_list(dialect: str, column: str) -> str:
    """SQL true when `column` is one of the list parameter (one ? mark, see list_param)."""
    if dialect == POSTGRESQL:
        return f"{column} = ANY(?)"
    return f"{column} IN (SELECT value FROM json_each(?))"


def list_param(dialect: str, values: Sequence[object]) -> object:
    """The value bound for an in_list mark: an array on PostgreSQL, JSON text for json_each."""
    return list(values) if dialect == POSTGRESQL else json.dumps(list(values))


def json_value(stored: Any) -> Any:
    """A JSON column read through raw rows: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(stored) if isinstance(stored, str) else stored


def raw_rows(session: Session, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """The rows of `sql` (with ? marks) straight from the DB-API cursor: for 100,000 rows
    SQLAlchemy's result wrapping costs more than the query itself."""
    raw: Any = session.connection().connection.driver_connection
    if dialect_of(session) == POSTGRESQL:
        with raw.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
    return [tuple(row) for row in raw.execute(sql, tuple(params)).fetchall()]
