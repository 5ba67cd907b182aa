"""An upgrade is backed up, checked, and put back from the copy when it fails or the check does."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection, Engine

from danvan_desktop.db import engine as engine_module
from danvan_desktop.db import migrate, snapshots
from danvan_desktop.db.engine import APPLICATION_ID, open_database, read_revision, upgrade_problems
from danvan_desktop.errors import UpgradeFailedError
from danvan_desktop.services.maintenance.backups import list_backups, make_backup, prune_backups
from tests.cli.conftest import run

pytestmark = pytest.mark.sqlite_only(
    reason="a SQLite file copied before its upgrade; a server upgrades in one transaction"
)

SAVED = Path(__file__).parent.parent / "data" / "databases"
OLD = SAVED / "0002_locks_audit_search.sqlite3"
REAL_UPGRADE = migrate.upgrade_to_head


def _dump(path: Path) -> tuple[list[str], int, str | None]:
    """Everything a database holds: schema and rows as SQL, its application id, its revision."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump()), conn.execute("PRAGMA application_id").fetchone()[0], read_revision(path)
    finally:
        conn.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A saved database of an older schema with a signing key beside it, as an office has it."""
    work = tmp_path / "office" / "danvan.sqlite3"
    work.parent.mkdir()
    shutil.copyfile(OLD, work)
    (work.parent / "keys").mkdir()
    (work.parent / "keys" / "site.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nfake\n")
    return work


def _fail_after_real_steps(connection: Connection) -> None:
    """The real migrations, more DDL, then a crash: SQLite has already committed some of that DDL."""
    REAL_UPGRADE(connection)
    connection.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
    raise RuntimeError("migration step blew up")


def test_upgrade_leaves_a_listed_backup_with_keys_and_passes_checks(old_db: Path, tmp_path: Path) -> None:
    before = _dump(old_db)
    backups = tmp_path / "backups"
    db = open_database(old_db, backup_dir=backups)
    try:
        assert read_revision(old_db) == migrate.HEAD_REVISION
        assert upgrade_problems(db.engine) == []
    finally:
        db.close()
    [info] = list_backups(backups)
    assert info.reason == f"truoc-nang-cap-{before[2]}"
    assert info.valid and info.revision == before[2]
    assert _dump(info.path) == before
    assert info.keys_archive is not None
    with zipfile.ZipFile(info.keys_archive) as archive:
        assert archive.read("site.pem") == (old_db.parent / "keys" / "site.pem").read_bytes()


def test_current_database_opens_without_a_backup(commune_path: Path, tmp_path: Path) -> None:
    open_database(commune_path, backup_dir=tmp_path / "backups").close()
    assert not (tmp_path / "backups").exists()


def test_failed_migration_puts_the_file_back(
    old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(old_db)
    backups = tmp_path / "backups"
    monkeypatch.setattr(migrate, "upgrade_to_head", _fail_after_real_steps)
    with pytest.raises(UpgradeFailedError) as failure:
        open_database(old_db, backup_dir=backups)
    error = failure.value
    assert error.backup.parent == backups and error.backup.is_file()
    assert str(error.backup) in error.message
    assert "đã được đưa về nguyên trạng như trước khi nâng cấp" in error.message
    assert "migration step blew up" in error.detail
    assert isinstance(error.__cause__, RuntimeError)
    # Without the put-back the file would keep the tables of 0003 under revision 0002.
    assert _dump(old_db) == before
    for suffix in ("-wal", "-shm", ".dang-khoi-phuc"):
        assert not old_db.with_name(old_db.name + suffix).exists()
    monkeypatch.setattr(migrate, "upgrade_to_head", REAL_UPGRADE)  # a build whose upgrade works
    open_database(old_db, backup_dir=backups).close()
    assert read_revision(old_db) == migrate.HEAD_REVISION


def test_failed_check_after_upgrade_puts_the_file_back(
    old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(old_db)

    def damaged(engine: Engine) -> list[str]:
        assert upgrade_problems(engine) == []  # the real check ran on the real upgraded file first
        return ["*** in database main ***\nPage 7: btreeInitPage() returns error code 11"]

    monkeypatch.setattr(engine_module, "upgrade_problems", damaged)
    with pytest.raises(UpgradeFailedError, match="Kiểm tra tệp sau khi nâng cấp phát hiện lỗi") as failure:
        open_database(old_db, backup_dir=tmp_path / "backups")
    assert "btreeInitPage" in failure.value.detail
    assert str(failure.value.backup) in str(failure.value)
    assert _dump(old_db) == before


def test_check_finds_a_broken_foreign_key(commune_path: Path) -> None:
    conn = sqlite3.connect(commune_path)
    conn.execute("UPDATE org_unit SET parent_id = 987654 WHERE id = (SELECT max(id) FROM org_unit)")
    conn.commit()
    conn.close()
    db = open_database(commune_path)
    try:
        problems = upgrade_problems(db.engine)
    finally:
        db.close()
    assert problems == [p for p in problems if p.startswith("foreign key: org_unit row")] and problems


def test_put_back_that_fails_still_names_the_backup(
    old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(copy: Path, db_path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(migrate, "upgrade_to_head", _fail_after_real_steps)
    monkeypatch.setattr(snapshots, "put_back", no_space)
    with pytest.raises(UpgradeFailedError, match="không tự đưa được tệp về") as failure:
        open_database(old_db, backup_dir=tmp_path / "backups")
    assert f'restore "{failure.value.backup}"' in str(failure.value)
    assert _dump(failure.value.backup)[2] == "0002_locks_audit_search"


def test_cli_reports_a_failed_upgrade(
    old_db: Path, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(old_db)
    monkeypatch.setattr(migrate, "upgrade_to_head", _fail_after_real_steps)
    code, out, err = run(capsys, "--db", old_db, "info")
    assert code == 2 and out == ""
    # The log's traceback (a migration bug) may come first on stderr; the user's message ends it.
    message = err.rstrip("\n").splitlines()[-1]
    assert message.startswith("Lỗi: Không nâng cấp được cơ sở dữ liệu")
    assert "đã được đưa về nguyên trạng" in message
    [copy] = (data_dir / "backups").glob("*.sqlite3")
    assert str(copy) in message
    assert _dump(old_db) == before
    assert _dump(old_db)[1] == APPLICATION_ID


def test_pruning_keeps_the_newest_copy_before_each_upgrade(commune_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    reason = "truoc-nang-cap-0002_locks_audit_search"
    older, newer = make_backup(commune_path, folder, reason), make_backup(commune_path, folder, reason)
    daily = [make_backup(commune_path, folder, "hang-ngay") for _ in range(12)]
    removed = prune_backups(folder, keep_last=10)
    # All made this month: without the upgrade rule both upgrade copies would go with the old dailies.
    assert set(removed) == {older, *daily[:2]}
    assert newer.is_file() and snapshots.keys_archive_for(newer).is_file()
