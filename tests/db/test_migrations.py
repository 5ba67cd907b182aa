"""Migrations build the models' schema; opening refuses files that are not ours, without touching them."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.db import migrate
from danvan_desktop.db.engine import (
    APPLICATION_ID,
    Database,
    create_database,
    open_database,
    read_revision,
)
from danvan_desktop.db.models import Base, Setting
from danvan_desktop.errors import (
    DatabaseExistsError,
    DatabaseMissingError,
    DatabaseNotWritableError,
    DiskFullError,
    ForeignDatabaseError,
    NewerDatabaseError,
    NotADatabaseError,
)
from danvan_desktop.services.office.installation import initialize_database


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def migrated_engine_path(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            migrate.upgrade_to_head(conn)
    finally:
        engine.dispose()
    return path


def test_head_revision_matches_the_scripts() -> None:
    assert migrate.script_head() == migrate.HEAD_REVISION
    assert migrate.is_known_revision(migrate.HEAD_REVISION)
    assert not migrate.is_known_revision("ffffffff_from_the_future")


def test_migrations_build_every_model_table(tmp_path: Path) -> None:
    path = migrated_engine_path(tmp_path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
        for name, table in Base.metadata.tables.items():
            columns = {c["name"] for c in inspector.get_columns(name)}
            assert columns == {c.name for c in table.columns}, name
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                migrate.HEAD_REVISION
            )
            # Types, indexes, constraints: autogenerate finds nothing left to migrate.
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


@pytest.mark.sqlite_only(reason="PRAGMAs and the file's bytes are SQLite's")
def test_opened_database_uses_wal_and_foreign_keys(commune_db: Database) -> None:
    with commune_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
    with commune_db.session() as session:  # a second pooled connection gets the same settings
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(commune_db: Database) -> None:
    insert = (
        "INSERT INTO org_unit (code, name, name_folded, kind, parent_id, valid_from, source) "
        "VALUES ('X', 'X', 'x', 'xa', 999999, '2020-01-01', 'test')"
    )
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), commune_db.engine.begin() as conn:
        conn.exec_driver_sql(insert)


def test_read_revision_of_our_database(commune_path: Path) -> None:
    assert read_revision(commune_path) == migrate.HEAD_REVISION


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError, match="Không có tệp"):
        open_database(tmp_path / "none.sqlite3")
    assert not (tmp_path / "none.sqlite3").exists()


def _siblings(path: Path) -> list[str]:
    # A read-only look at a WAL database may leave empty -wal/-shm files: SQLite's, not data.
    for side in path.parent.glob(path.name + "-wal"):
        assert side.stat().st_size == 0
    return sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm")))


def _assert_refused_unchanged(path: Path, error: type[Exception], words: str) -> None:
    before = sha256(path)
    siblings = _siblings(path)
    with pytest.raises(error) as info:
        open_database(path)
    assert words in str(info.value)
    assert str(path) in str(info.value)
    assert sha256(path) == before
    assert _siblings(path) == siblings  # no backup folder, no temporary copy


def test_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(b"PK\x03\x04 this is a word document, not a database" * 200)
    _assert_refused_unchanged(path, NotADatabaseError, "không phải là cơ sở dữ liệu")


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Nguyễn Văn A')")
    conn.commit()
    conn.close()
    _assert_refused_unchanged(path, ForeignDatabaseError, "chương trình khác")


@pytest.mark.sqlite_only(reason="PRAGMAs and the file's bytes are SQLite's")
def test_newer_database_is_refused_untouched(commune_path: Path) -> None:
    conn = sqlite3.connect(commune_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    _assert_refused_unchanged(commune_path, NewerDatabaseError, "phiên bản Dân Vận Desktop mới hơn")


def test_create_database_refuses_to_overwrite(commune_path: Path) -> None:
    before = sha256(commune_path)
    with pytest.raises(DatabaseExistsError, match="không ghi đè"):
        create_database(commune_path, lambda session: None)
    assert sha256(commune_path) == before


def test_create_database_leaves_nothing_when_populate_raises(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"

    def populate(session: Session) -> None:
        session.add(Setting(key="k", value="v"))
        session.flush()
        raise RuntimeError("populate failed")

    with pytest.raises(RuntimeError, match="populate failed"):
        create_database(path, populate)
    assert not any(p.name.startswith("new.sqlite3") for p in tmp_path.iterdir())


def test_create_database_then_open(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    db = create_database(path, lambda session: session.add(Setting(key="k", value="v")))
    try:
        with db.session() as session:
            assert session.get_one(Setting, "k").value == "v"
    finally:
        db.close()
    assert read_revision(path) == migrate.HEAD_REVISION
    assert _siblings(path) == ["new.sqlite3"]  # the temporary file was renamed


def test_parent_is_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    path = blocker / "danvan.sqlite3"
    with pytest.raises(DatabaseNotWritableError, match="Không ghi được"):
        initialize_database(path, "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir())
    assert blocker.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 KiB tmpfs: far too small for a database with the whole catalog."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_disk_full_while_initializing(tiny_disk: Path) -> None:
    path = tiny_disk / "danvan.sqlite3"
    with pytest.raises(DiskFullError) as info:
        initialize_database(path, "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir())
    assert "đã đầy" in info.value.message
    assert list(tiny_disk.iterdir()) == []


def test_lock_and_constraint_errors_are_told_apart(tmp_path: Path) -> None:
    from danvan_desktop.db.engine import translate_error
    from danvan_desktop.errors import DatabaseLockedError

    target = tmp_path / "x.sqlite3"
    locked = translate_error(sqlite3.OperationalError("database is locked"), target)
    assert isinstance(locked, DatabaseLockedError)
    assert "đang được một chương trình khác sử dụng" in locked.message
    assert translate_error(sqlite3.IntegrityError("UNIQUE constraint failed: org_unit.code"), target) is None
