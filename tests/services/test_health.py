"""`check_database` finds SQLite damage and broken app invariants; a healthy file has none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from danvan_desktop.services.maintenance.health import check_database, quick_check

RECORD = (
    'INSERT INTO record (id, form_id, form_version, org_unit_id, period_id, "values", created_by,'
    " created_at, updated_by, updated_at, version_vector, deleted, search_text, origin_site, local_change)"
    " VALUES ('r1', ?, 1, ?, ?, '{\"a\": 1}', 'x', '2024-01-01', 'x', '2024-01-01',"
    " '{\"s\": 1}', 0, '', 's', 1)"
)


def _execute(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    conn = sqlite3.connect(path)
    for sql, params in statements:
        conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_healthy_database(commune_path: Path) -> None:
    assert quick_check(commune_path) == []
    assert check_database(commune_path) == []


@pytest.mark.sqlite_only(reason="dangling rows written through sqlite3 (server: test_server_maintenance.py)")
def test_app_invariants(commune_path: Path) -> None:
    conn = sqlite3.connect(commune_path)
    unit = conn.execute("SELECT min(id) FROM org_unit").fetchone()[0]
    period = conn.execute("SELECT min(id) FROM period").fetchone()[0]
    conn.close()
    _execute(
        commune_path,
        (RECORD, ("khong_co_bieu_mau", unit, period)),
        (
            "INSERT INTO record_conflict (record_id, package_id, incoming, detected_at)"
            " VALUES ('khong-co', 'p', '{}', '2024-01-01')",
            (),
        ),
    )
    kinds = sorted({p.kind for p in check_database(commune_path, form_ids={"to_chuc_doan_the"})})
    assert kinds == ["conflict", "foreign_key", "form", "history"]
    _execute(
        commune_path,
        (
            'INSERT INTO record_history (record_id, form_version, "values", version_vector, deleted,'
            " changed_by, changed_at, change) VALUES ('r1', 1, '{\"a\": 2}', '{\"s\": 1}', 0, 'x',"
            " '2024-01-01', 'create')",
            (),
        ),
    )
    messages = [p.message for p in check_database(commune_path, form_ids={"khong_co_bieu_mau"})]
    assert any("không khớp" in m for m in messages)


HISTORY = (
    'INSERT INTO record_history (record_id, form_version, "values", version_vector, deleted,'
    " changed_by, changed_at, change) VALUES ('r1', ?, ?, ?, ?, 'x', '2024-01-01', 'create')"
)


@pytest.mark.parametrize(
    ("history", "healthy"),
    [
        ((1, '{"a": 1}', '{"s": 1}', 0), True),  # the record as it is
        ((1, '{"a": 1}', "{}", 0), True),  # a vector-only merge advanced the record since
        ((1, '{"a": 2}', '{"s": 1}', 0), False),  # other values
        ((1, '{"a": 1}', '{"s": 1}', 1), False),  # deleted in history, in use in the record
        ((2, '{"a": 1}', '{"s": 1}', 0), False),  # another form version
        ((1, '{"a": 1}', '{"s": 2}', 0), False),  # history ahead of the record
        ((1, '{"a": 1}', '{"t": 1}', 0), False),  # an edit the record never saw
    ],
)
@pytest.mark.sqlite_only(reason="dangling rows written through sqlite3 (server: test_server_maintenance.py)")
def test_history_rule(commune_path: Path, history: tuple[object, ...], healthy: bool) -> None:
    conn = sqlite3.connect(commune_path)
    unit = conn.execute("SELECT min(id) FROM org_unit").fetchone()[0]
    period = conn.execute("SELECT min(id) FROM period").fetchone()[0]
    conn.close()
    _execute(commune_path, (RECORD, ("to_chuc_doan_the", unit, period)), (HISTORY, history))
    problems = check_database(commune_path, form_ids={"to_chuc_doan_the"})
    expected = [] if healthy else ["Bản ghi r1: dòng lịch sử cuối không khớp với số liệu hiện tại."]
    assert [p.message for p in problems] == expected
