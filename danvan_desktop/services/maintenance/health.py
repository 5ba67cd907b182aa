"""Health checks of a database: SQLite integrity and foreign keys of a file, the app's own invariants
(on a file and on a shared server alike)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from danvan_desktop.db.engine import read_revision
from danvan_desktop.db.location import is_server_file
from danvan_desktop.db.snapshots import check_rows, read_only
from danvan_desktop.errors import UserError
from danvan_desktop.services.entry.records import history_matches

MAX_LISTED = 50  # a badly damaged file can report thousands of rows; the first ones tell the story


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the database, described in Vietnamese."""

    kind: str  # integrity / foreign_key / form / unit / period / history / conflict
    message: str

    def __str__(self) -> str:
        return self.message


def _sqlite_check(path: Path, pragma: str) -> list[Problem]:
    try:
        rows = check_rows(path, pragma)
    except sqlite3.Error as exc:
        return [Problem("integrity", f"SQLite không đọc được tệp: {exc}.")]
    if rows == ["ok"]:
        return []
    return [Problem("integrity", f"Tệp bị hỏng: {row}") for row in rows[:MAX_LISTED]]


def quick_check(db_path: Path) -> list[Problem]:
    """PRAGMA quick_check: fast enough for every start (a server checks its own pages)."""
    if is_server_file(Path(db_path)):
        return []
    return _sqlite_check(Path(db_path), "quick_check")


def _loads(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


class _Rows(Protocol):
    """What the checks need of a connection: sqlite3's execute(), or _ServerRows on a server."""

    def execute(self, sql: str) -> Any: ...


def _invariants(conn: _Rows, form_ids: set[str], *, sqlite: bool = True) -> Iterator[Problem]:
    # A server enforces every foreign key at each write: only SQLite can hold a dangling one.
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check") if sqlite else ():
        yield Problem("foreign_key", f"Bảng {table}, dòng {rowid}: tham chiếu tới {parent} không tồn tại.")
    records = conn.execute(
        'SELECT r.id, r.form_id, r.org_unit_id, r.period_id, r."values", r.version_vector, r.deleted,'
        " r.form_version, u.id, p.id FROM record r LEFT JOIN org_unit u ON u.id = r.org_unit_id"
        " LEFT JOIN period p ON p.id = r.period_id"
    ).fetchall()
    last_history = {
        row[0]: row[1:]
        for row in conn.execute(
            'SELECT h.record_id, h."values", h.version_vector, h.deleted, h.form_version'
            " FROM record_history h"
            " JOIN (SELECT record_id, max(id) AS last FROM record_history GROUP BY record_id) m"
            " ON h.id = m.last"
        )
    }
    form_ids = form_ids | _stored_form_ids(conn, sqlite=sqlite)
    for rid, form_id, unit_id, period_id, values, vector, deleted, form_version, unit, period in records:
        if form_id not in form_ids:
            yield Problem("form", f"Bản ghi {rid}: biểu mẫu «{form_id}» không có trong bộ biểu mẫu đã cài.")
        if unit is None:
            yield Problem("unit", f"Bản ghi {rid}: đơn vị số {unit_id} không có trong danh mục.")
        if period is None:
            yield Problem("period", f"Bản ghi {rid}: kỳ báo cáo số {period_id} không tồn tại.")
        last = last_history.get(rid)
        if last is None:
            yield Problem("history", f"Bản ghi {rid}: không có dòng lịch sử nào.")
        elif not history_matches(
            (_loads(last[0]), _loads(last[1]), bool(last[2]), last[3]),
            (_loads(values), _loads(vector), bool(deleted), form_version),
        ):
            yield Problem("history", f"Bản ghi {rid}: dòng lịch sử cuối không khớp với số liệu hiện tại.")
    for cid, rid in conn.execute(
        "SELECT c.id, c.record_id FROM record_conflict c LEFT JOIN record r ON r.id = c.record_id"
        " WHERE c.resolved_at IS NULL AND r.id IS NULL"
    ):
        yield Problem("conflict", f"Xung đột số {cid} chờ xử lý trỏ tới bản ghi không tồn tại ({rid}).")


def _stored_form_ids(conn: _Rows, *, sqlite: bool) -> set[str]:
    """Forms pushed from above or published here (schema 0007_forms on): installed as much as shipped ones."""
    exists = (
        "SELECT count(*) FROM sqlite_master WHERE name = 'form_definition'"
        if sqlite
        else "SELECT count(*) FROM information_schema.tables WHERE table_name = 'form_definition'"
    )
    if not conn.execute(exists).fetchall()[0][0]:
        return set()
    return {row[0] for row in conn.execute("SELECT DISTINCT form_id FROM form_definition").fetchall()}


def check_database(db_path: Path, form_ids: set[str] | None = None) -> list[Problem]:
    """Everything `danvan check` verifies; an empty list means healthy."""
    db_path = Path(db_path)
    read_revision(db_path)  # raises a clear UserError for a missing, foreign or non-database file
    if form_ids is None:
        from danvan_desktop.services.office.forms import form_registry

        form_ids = set(form_registry())
    if is_server_file(db_path):
        return _server_problems(db_path, form_ids)
    problems = _sqlite_check(db_path, "integrity_check")
    if problems:
        return problems  # the invariants would only read garbage
    try:
        conn = read_only(db_path)
        try:
            for problem in _invariants(conn, form_ids):
                problems.append(problem)
                if len(problems) >= MAX_LISTED:
                    break
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"Không kiểm tra được tệp {db_path}.", detail=str(exc)) from exc
    return problems


class _ServerRows:
    """sqlite3's execute() over a SQLAlchemy connection (the driver's own has none)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str) -> Any:
        return self._conn.exec_driver_sql(sql)


def _server_problems(db_path: Path, form_ids: set[str]) -> list[Problem]:
    """The invariants on the server, read in one read-only snapshot (the server checks its pages)."""
    from sqlalchemy.exc import DBAPIError

    from danvan_desktop.db.server import make_server_engine, translate_server_error

    engine = make_server_engine(db_path)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            problems: list[Problem] = []
            for problem in _invariants(_ServerRows(conn), form_ids, sqlite=False):
                problems.append(problem)
                if len(problems) >= MAX_LISTED:
                    break
            return problems
    except DBAPIError as exc:
        raise translate_server_error(exc, db_path) or exc from exc
    finally:
        engine.dispose()
