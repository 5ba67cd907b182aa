"""Every migration runs on PostgreSQL too, one revision at a time, and ends at the models' schema:
a migration written for SQLite only (rowid, PRAGMA, a SQLite function) fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from danvan_desktop.db import migrate
from danvan_desktop.db.models import Base
from danvan_desktop.db.server import make_server_engine
from tests.databases import TestServer

pytestmark = pytest.mark.server_only


def test_each_migration_runs_on_the_server_and_ends_at_the_models(pg: TestServer, tmp_path: Path) -> None:
    engine = make_server_engine(pg.empty_database(tmp_path, "steps"))
    revisions = [s.revision for s in ScriptDirectory.from_config(migrate._config()).walk_revisions()][::-1]
    assert revisions[-1] == migrate.HEAD_REVISION
    try:
        for revision in revisions:
            with engine.begin() as conn:  # each step in its own transaction, as an upgrade would run it
                cfg = migrate._config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == revision
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
