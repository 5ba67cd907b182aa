"""An audit row with the right account for every kind of action an office must account for."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import AuditEntry, RecordConflict
from danvan_desktop.services.entry.entry import current_writer, save_entry, set_entry_deleted
from danvan_desktop.services.entry.locking import lock_period, reopen_period
from danvan_desktop.services.entry.spreadsheet_export import export_xlsx
from danvan_desktop.services.entry.spreadsheet_load import load_rows
from danvan_desktop.services.exchange.conflicts import resolve_conflict
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.exchange.package_import import enrol_site, import_package
from danvan_desktop.services.maintenance.backups import make_manual_backup, restore_backup
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.office.audit import change_setting
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH, Site

FORM = "to_chuc_doan_the"


def _edit(site: Site, record_id: str, members: int) -> None:
    with site.db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        writer = current_writer(session, site.site_id)
        values = {**BRANCH, "hoi_vien": members}
        save_entry(session, get_form(FORM), unit.id, period.id, values, writer=writer, record_id=record_id)


def _actions(site_db_path: Path) -> list[tuple[str, int | None, str]]:
    db = open_database(site_db_path)
    try:
        with db.session() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            return [(r.action, r.account_id, r.user) for r in rows]
    finally:
        db.close()


@pytest.mark.sqlite_only(
    reason="takes and restores a copy of the SQLite file (the server's pg_dump path has its own tests)"
)
def test_every_action_is_attributed_to_the_signed_in_account(
    phuc_chu: Site, district: Site, tmp_path: Path
) -> None:
    dung, _ = account_admin.create_first_administrator(
        district.db, "dung", "Hoàng Văn Dũng", "mật khẩu của Dũng"
    )
    district.db.sign_in(dung)
    record_id = phuc_chu.save(FORM, "DH-PHUCCHU", "2023", BRANCH)
    first = phuc_chu.export("pc-1.danvan")
    backups = tmp_path / "bk"
    import_package(district.db, first, user=dung.login, backup_dir=None, accept_new_site=True)
    _edit(district, record_id, 455)
    phuc_chu.save(FORM, "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    import_package(district.db, phuc_chu.export("pc-2.danvan"), user=dung.login, backup_dir=None)
    with district.db.transaction() as session:
        conflict = session.scalars(select(RecordConflict)).one()
        resolve_conflict(
            session, conflict.id, choice="incoming", writer=current_writer(session, district.site_id)
        )
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        lock_period(session, unit.id, period.id, user=dung.login, note="Đã nhận đủ")
        reopen_period(session, unit.id, period.id, user=dung.login, reason="Sửa số hội viên")
        change_setting(session, "signer.name", "Hoàng Văn Dũng")
    enrol_site(district.db, first, user=dung.login)
    export_package(district.db, tmp_path / "dh-1.danvan")
    sheet = tmp_path / "doan-the.xlsx"
    with district.db.session() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        export_xlsx(session, get_form(FORM), unit.id, period.id, sheet)
    book = load_workbook(sheet)
    data = book["Dữ liệu"]
    column = [c.value for c in data[2]].index("Số hội viên, đoàn viên") + 1
    data.cell(3, column).value = 480
    book.save(sheet)
    with district.db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        writer = current_writer(session, district.site_id)
        report = load_rows(session, get_form(FORM), unit.id, period.id, sheet, writer=writer)
        assert report.updated == 1
        set_entry_deleted(session, record_id, writer=writer, deleted=True)
    copy = make_manual_backup(district.db.path, backups, by=dung)
    district.db.close()
    assert _actions(district.db.path)[-1] == ("backup.create", dung.id, "dung")
    restore_backup(copy, district.db.path, backups, by=dung)
    rows = _actions(district.db.path)  # the copy was taken before its own row was written
    assert [action for action, _, _ in rows] == [
        "users.add",
        "package.import",
        "trust.accept",
        "record.update",
        "package.import",
        "conflict.resolve",
        "lock",
        "reopen",
        "settings.set",
        "trust.reenrol",
        "package.export",
        "sheet.load",
        "record.delete",
        "backup.restore",  # written into the restored copy
    ]
    assert {(account, user) for _, account, user in rows} == {(dung.id, "dung")}


def test_conflict_decision_keeps_old_and_new(phuc_chu: Site, district: Site) -> None:
    dung, _ = account_admin.create_first_administrator(
        district.db, "dung", "Hoàng Văn Dũng", "mật khẩu của Dũng"
    )
    district.db.sign_in(dung)
    record_id = phuc_chu.save(FORM, "DH-PHUCCHU", "2023", BRANCH)
    import_package(
        district.db, phuc_chu.export("pc-1.danvan"), user="dung", backup_dir=None, accept_new_site=True
    )
    _edit(district, record_id, 455)
    phuc_chu.save(FORM, "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    import_package(district.db, phuc_chu.export("pc-2.danvan"), user="dung", backup_dir=None)
    with district.db.transaction() as session:
        conflict = session.scalars(select(RecordConflict)).one()
        resolve_conflict(
            session, conflict.id, choice="incoming", writer=current_writer(session, district.site_id)
        )
        row = session.scalars(select(AuditEntry).where(AuditEntry.action == "conflict.resolve")).one()
        assert (row.record_id, row.form_id) == (record_id, FORM)
        assert "455" in (row.old_value or "") and "470" in (row.new_value or "")
        assert row.detail == "lấy bản nhận được"


def test_clerk_may_not_decide_conflicts_nor_accept_a_new_sender(phuc_chu: Site, district: Site) -> None:
    dung, _ = account_admin.create_first_administrator(
        district.db, "dung", "Hoàng Văn Dũng", "mật khẩu của Dũng"
    )
    with accounts.acting_as(dung):
        account_admin.add(district.db, "lan", "Trần Thị Lan", "mật khẩu của Lan", ["nhap_lieu"])
    district.db.sign_in(accounts.authenticate(district.db, "lan", "mật khẩu của Lan"))
    phuc_chu.save(FORM, "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    with pytest.raises(accounts.AccountError, match=r"«Quản trị» \(quan_tri\)"):
        import_package(district.db, package, user="lan", backup_dir=None, accept_new_site=True)
    assert district.records() == []  # nothing of the package stayed
    district.db.sign_in(dung)
    import_package(district.db, package, user="dung", backup_dir=None, accept_new_site=True)
    district.db.sign_in(accounts.authenticate(district.db, "lan", "mật khẩu của Lan"))
    with district.db.transaction() as session, pytest.raises(accounts.AccountError, match="lanh_dao"):
        resolve_conflict(session, 1, choice="local", writer=current_writer(session, district.site_id))
