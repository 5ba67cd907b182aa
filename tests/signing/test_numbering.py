"""Honest numbering: a number is taken only with its signed file; a failed signing gives it back, recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import AuditEntry
from danvan_desktop.services.reporting.pdf_signing import SigningError
from danvan_desktop.services.reporting.report_numbers import list_numbers
from danvan_desktop.services.reporting.report_output import ReportRequest, save_report

REQUEST = ReportRequest(kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5))


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_cancelled_signing_gives_the_number_back_and_says_so_in_the_audit_trail(
    phuc_chu_db: Database, tmp_path: Path
) -> None:
    def cancelled(_pdf: bytes) -> bytes:
        raise SigningError("Đã hủy nhập mã PIN.")

    out = tmp_path / "bc.pdf"
    for _attempt in range(2):
        with pytest.raises(SigningError):
            save_report(phuc_chu_db, REQUEST, out, sign=cancelled)
    assert not out.exists()
    with phuc_chu_db.session() as session:
        assert list_numbers(session) == []
    returned = _audit(phuc_chu_db, "report.number_returned")
    # Both attempts took number 1 in their transaction and gave it back: the register has no gap.
    assert [r.old_value.split(" ")[0] for r in returned] == ["1", "1"]  # type: ignore[union-attr]
    assert all("Đã hủy nhập mã PIN" in r.detail for r in returned)
    assert _audit(phuc_chu_db, "report.number") == []
    # The next signed file that is written takes number 1, and only then is it in the register.
    save_report(phuc_chu_db, REQUEST, out, sign=lambda pdf: pdf)
    with phuc_chu_db.session() as session:
        assert [(n.number, n.file_name) for n in list_numbers(session)] == [(1, "bc.pdf")]
    assert len(_audit(phuc_chu_db, "report.number")) == 1


def test_a_failed_write_gives_the_number_back_too(phuc_chu_db: Database, tmp_path: Path) -> None:
    missing_folder = tmp_path / "không-có" / "bc.pdf"
    with pytest.raises(Exception, match="Không ghi được"):
        save_report(phuc_chu_db, REQUEST, missing_folder)
    with phuc_chu_db.session() as session:
        assert list_numbers(session) == []
    assert len(_audit(phuc_chu_db, "report.number_returned")) == 1
