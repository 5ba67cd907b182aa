"""Upgrading to accounts (0006): earlier audit and history rows keep their writer, marked as such."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import open_database, read_revision
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import AuditEntry, RecordHistory
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.office.audit import BEFORE_ACCOUNTS, AuditFilter, read_audit

SAVED = Path(__file__).parent.parent / "data" / "databases"


@pytest.mark.parametrize("name", ["0004_document_numbers", "0005_package_ledger"])
def test_upgrade_keeps_writers_and_adds_accounts(name: str, tmp_path: Path) -> None:
    work = tmp_path / f"{name}.sqlite3"
    shutil.copyfile(SAVED / f"{name}.sqlite3", work)
    conn = sqlite3.connect(work)
    with conn:  # a lock written by the old version, under the name it used then
        unit, period = conn.execute("SELECT org_unit_id, period_id FROM record LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO audit_log (at, user, action, org_unit_id, period_id, detail) "
            "VALUES ('2025-01-02 03:04:05', 'Nguyễn Thị Lan', 'lock', ?, ?, 'Đã gửi huyện')",
            (unit, period),
        )
    writers = sorted(r[0] for r in conn.execute("SELECT changed_by FROM record_history"))
    conn.close()
    db = open_database(work, backup_dir=tmp_path / "backups")
    try:
        assert read_revision(work) == HEAD_REVISION
        with db.session() as session:
            [entry] = session.scalars(select(AuditEntry)).all()
            assert (entry.user, entry.account_id) == ("Nguyễn Thị Lan", None)
            [row] = read_audit(session, AuditFilter())
            assert (
                row.person == f"Nguyễn Thị Lan ({BEFORE_ACCOUNTS})"
                and row.action_label == "Chốt gửi kỳ báo cáo"
            )
            history = session.scalars(select(RecordHistory)).all()
            assert sorted(h.changed_by for h in history) == writers
            assert all(h.changed_by_name is None for h in history)
            assert not accounts.has_accounts(session)
        actor, code = account_admin.create_first_administrator(db, "quan", "Nguyễn Văn Quân", "mật khẩu mới")
        assert code and actor.id is not None
        with db.session() as session:
            rows = read_audit(session, AuditFilter())
            assert [r.person for r in rows] == ["Nguyễn Văn Quân", f"Nguyễn Thị Lan ({BEFORE_ACCOUNTS})"]
    finally:
        db.close()
