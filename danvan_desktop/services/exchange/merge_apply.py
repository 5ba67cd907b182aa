"""Writing a merge plan into the database (inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Record, RecordConflict
from danvan_desktop.services.entry.records import next_local_change, remember_stored_versions
from danvan_desktop.services.exchange.merge_plan import MergePlan, RecordResult
from danvan_desktop.services.exchange.vectors import merged
from danvan_desktop.services.office.periods import get_period


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


@dataclass(frozen=True)
class StagedRows:
    """A plan's new records as SQLite INSERT parameters, made before the writing transaction (in an
    import run's worker process): every column but the period's id and the change number, which
    only the writing transaction knows. In id order (see apply_plan)."""

    names: list[str]
    rows: list[tuple[Any, ...]]
    period_codes: list[str]


# Columns of a new record that stage_new_rows leaves to apply_plan, in this order after the others.
_WRITER_COLUMNS = ["period_id", "local_change"]


def _new_row(result: RecordResult) -> dict[str, Any]:
    """A new record's columns, without _WRITER_COLUMNS."""
    incoming = result.incoming
    return {
        "id": incoming.id,
        "form_id": incoming.form_id,
        "form_version": incoming.form_version,
        "org_unit_id": result.unit_id or 0,
        "values": incoming.values,  # NFC already: PackageRecord normalizes every string it holds
        "version_vector": dict(incoming.version_vector),
        "deleted": incoming.deleted,
        "updated_by": incoming.updated_by,
        "updated_by_name": incoming.updated_by_name,
        "updated_at": _naive_utc(incoming.updated_at),
        "search_text": result.search_text,
        "created_by": incoming.created_by,
        "created_at": _naive_utc(incoming.created_at),
        "origin_site": incoming.origin_site,
    }


def _stored_as_new(result: RecordResult) -> bool:
    return result.outcome == "new" and not result.merge_vector


def stage_new_rows(plan: MergePlan, dialect: Dialect) -> StagedRows | None:
    """The plan's new records as StagedRows (None elsewhere than SQLite, or when there are none)."""
    new = sorted((r for r in plan.results if _stored_as_new(r)), key=lambda r: r.incoming.id)
    if dialect.name != "sqlite" or not new:
        return None
    dicts = [_new_row(result) for result in new]
    names = list(dicts[0])
    rows = _driver_rows(Record.metadata.tables[Record.__tablename__], dialect, names, dicts)
    return StagedRows(names, rows, [r.incoming.period_code for r in new])


def apply_plan(
    session: Session, plan: MergePlan, package_id: str, *, user: str, staged: StagedRows | None = None
) -> None:
    """Store new and newer records, keep conflicts for a person, leave the rest alone.

    Written for packages of thousands of records: periods are looked up once per code, the
    change counter is read once, new and updated records are written by two executemany
    statements instead of one unit-of-work object each, and their history rows are copied from
    the stored rows by SQLite itself (one INSERT ... SELECT over the change numbers just used).
    `staged`: the plan's new records made ready before (stage_new_rows of this same plan).
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    first_change = change = next_local_change(session)
    periods: dict[str, int] = {}
    wanted = [r.incoming.id for r in plan.results if r.outcome == "updated" or r.merge_vector]
    existing: dict[str, tuple[dict[str, int], str]] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        query = select(Record.id, Record.version_vector, Record.search_text).where(Record.id.in_(batch))
        existing.update({row.id: (row.version_vector, row.search_text) for row in session.execute(query)})
    new_rows: list[dict[str, Any]] = []
    updated_rows: list[dict[str, Any]] = []
    vector_only: list[RecordResult] = []
    table = Record.metadata.tables[Record.__tablename__]
    if staged is not None:
        for code in staged.period_codes:
            if code not in periods:
                periods[code] = get_period(session, code).id
        params = [
            (*row, periods[code], first_change + number)
            for number, (row, code) in enumerate(zip(staged.rows, staged.period_codes, strict=True))
        ]
        change += len(params)
        _insert_driver_rows(session, table, [*staged.names, *_WRITER_COLUMNS], params)
    # In id order: the rows (and their history rows, numbered alike) then reach the two indexes keyed
    # by random UUIDs page after page, each leaf page read and dirtied once, instead of at random
    # all over them (a package's pages outgrow SQLite's page cache, and spilled pages are written twice).
    for result in sorted(plan.results, key=lambda r: r.incoming.id):
        incoming = result.incoming
        if staged is not None and _stored_as_new(result):
            continue
        if result.outcome == "conflict":
            _keep_conflict(session, result, package_id, now)
            continue
        if result.merge_vector:
            # Numbered after the stored versions, which history copies; no history row of its own
            # (the content did not change): records.history_matches states the rule.
            vector_only.append(result)
            continue
        if result.outcome not in ("new", "updated"):
            continue
        if incoming.period_code not in periods:
            periods[incoming.period_code] = get_period(session, incoming.period_code).id
        written = {"period_id": periods[incoming.period_code], "local_change": change}
        change += 1
        if result.outcome == "new":
            new_rows.append(_new_row(result) | written)
        else:
            updated_rows.append(
                written
                | {
                    "id": incoming.id,
                    "form_id": incoming.form_id,
                    "form_version": incoming.form_version,
                    "org_unit_id": result.unit_id or 0,
                    "values": incoming.values,
                    "version_vector": dict(incoming.version_vector),
                    "deleted": incoming.deleted,
                    "updated_by": incoming.updated_by,
                    "updated_by_name": incoming.updated_by_name,
                    "updated_at": _naive_utc(incoming.updated_at),
                    "search_text": result.search_text or existing[incoming.id][1],
                }
            )
    versions = range(first_change, change)
    for result in vector_only:
        vector = merged(existing[result.incoming.id][0], result.incoming.version_vector)
        updated_rows.append({"id": result.incoming.id, "version_vector": vector, "local_change": change})
        change += 1
    if new_rows:
        insert_rows(session, table, new_rows)
    if updated_rows:
        # Rows differ in their keys (vector-only merges), and executemany needs one shape.
        for keys in {frozenset(row) for row in updated_rows}:
            rows = [{**row, "record_id": row["id"]} for row in updated_rows if frozenset(row) == keys]
            columns: dict[str, Any] = {name: bindparam(name) for name in keys - {"id"}}
            session.execute(update(table).where(table.c.id == bindparam("record_id")).values(columns), rows)
    remember_stored_versions(session, versions, "merge")
    session.flush()


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) in one executemany.

    On SQLite straight through the driver, each value turned into what the column stores by the
    column type's own bind processor (JSON text, date-time text exactly as SQLAlchemy writes
    them): the statement is compiled once, not a parameter dict built per row. Elsewhere Core
    (the server's driver batches the rows its own way).
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    _insert_driver_rows(session, table, names, _driver_rows(table, dialect, names, rows))


def _driver_rows(
    table: Table, dialect: Dialect, names: list[str], rows: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """`rows` as sqlite3 parameters: each value as its column type's bind processor stores it."""
    # The dialect's own type (SQLite's DATETIME): the generic DateTime has no processor, and sqlite3's
    # default adapter would write "2023-01-08 20:01:00" where SQLAlchemy writes "...:00.000000".
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    columns = [
        [row[name] for row in rows] if process is None else [process(row[name]) for row in rows]
        for name, process in zip(names, processors, strict=True)
    ]
    return list(zip(*columns, strict=True))


def _insert_driver_rows(
    session: Session, table: Table, names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    connection = session.connection()
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join('?' * len(names))})"
    connection.exec_driver_sql(sql, rows)


def _keep_conflict(session: Session, result: RecordResult, package_id: str, now: dt.datetime) -> None:
    incoming = result.incoming
    pending = session.scalars(
        select(RecordConflict).where(
            RecordConflict.record_id == incoming.id, RecordConflict.resolved_at.is_(None)
        )
    ).all()
    if not any(c.incoming.get("version_vector") == incoming.version_vector for c in pending):
        session.add(
            RecordConflict(
                record_id=incoming.id,
                package_id=package_id,
                incoming=incoming.model_dump(mode="json"),
                detected_at=now,
            )
        )
