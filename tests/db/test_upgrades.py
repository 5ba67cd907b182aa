"""Every saved database of an earlier schema upgrades with a backup first and keeps every record."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import open_database, read_revision
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import Record, RecordHistory

# Saved SQLite files of each released schema; the server run proves the migrations on PostgreSQL
# step by step in tests/db/test_migrations_server.py (no server database predates this release).
pytestmark = pytest.mark.sqlite_only(reason="upgrades of saved .sqlite3 files")

SAVED = sorted((Path(__file__).parent.parent / "data" / "databases").glob("*.sqlite3"))


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ["record", "record_history", "org_unit", "org_branch", "period", "installation", "setting"]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_there_is_a_saved_database_for_the_first_release() -> None:
    assert any(p.name.startswith("0001_") for p in SAVED)


@pytest.mark.parametrize("saved", SAVED, ids=[p.stem for p in SAVED])
def test_saved_database_upgrades_and_keeps_every_record(saved: Path, tmp_path: Path) -> None:
    work = tmp_path / saved.name
    shutil.copyfile(saved, work)
    before = _counts(work)
    old_revision = read_revision(work)
    assert old_revision is not None
    backups = tmp_path / "backups"
    db = open_database(work, backup_dir=backups)
    try:
        assert read_revision(work) == HEAD_REVISION
        assert _counts(work) == before
        with db.session() as session:
            records = session.scalars(select(Record)).all()
            assert records and all(isinstance(r.values, dict) and r.version_vector for r in records)
            # Columns added later are filled for rows saved before they existed.
            assert all(r.search_text for r in records)
            assert all(r.origin_site and r.origin_site in r.version_vector for r in records)
            assert (
                len({r.local_change for r in records}) == len(records)
                and min(r.local_change for r in records) > 0
            )
            history = session.scalars(select(RecordHistory)).all()
            assert {h.record_id for h in history} == {r.id for r in records}
    finally:
        db.close()
    if old_revision != HEAD_REVISION:
        copies = list(backups.glob("*.sqlite3"))
        assert len(copies) == 1 and old_revision in copies[0].name
        assert read_revision(copies[0]) == old_revision
        assert _counts(copies[0]) == before
