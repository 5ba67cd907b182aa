"""Taking a document number and issuing a return: leaders only, attributed in the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import AuditEntry
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.reporting.report_numbers import list_numbers
from danvan_desktop.services.reporting.report_output import ReportRequest, save_report

REQUEST = ReportRequest(kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5))


def test_clerk_is_refused_the_number_and_the_leader_is_recorded(
    phuc_chu_db: Database, tmp_path: Path
) -> None:
    admin, _ = account_admin.create_first_administrator(phuc_chu_db, "quan", "Nguyễn Văn Quân", "mật khẩu QT")
    with accounts.acting_as(admin):
        account_admin.add(phuc_chu_db, "lan", "Trần Thị Lan", "mật khẩu NL", ["nhap_lieu"])
        account_admin.add(phuc_chu_db, "thu", "Lê Văn Thụ", "mật khẩu LĐ", ["lanh_dao"])
    phuc_chu_db.sign_in(accounts.authenticate(phuc_chu_db, "lan", "mật khẩu NL"))
    with pytest.raises(accounts.AccountError, match=r"«Lãnh đạo» \(lanh_dao\)"):
        save_report(phuc_chu_db, REQUEST, tmp_path / "a.pdf")
    assert not (tmp_path / "a.pdf").exists()
    with phuc_chu_db.session() as session:
        assert list_numbers(session) == []
    leader = accounts.authenticate(phuc_chu_db, "thu", "mật khẩu LĐ")
    phuc_chu_db.sign_in(leader)
    assert save_report(phuc_chu_db, REQUEST, tmp_path / "a.pdf").number == 1
    with phuc_chu_db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("report."))).all()
        assert [(r.action, r.account_id, r.period_id is not None) for r in rows] == [
            ("report.number", leader.id, True),
            ("report.issue", leader.id, True),
        ]
        assert rows[0].new_value is not None and rows[0].new_value.startswith("1 (")
