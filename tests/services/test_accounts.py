"""Accounts in the office's database: Argon2id hashes only, roles, the stored wrong-password delay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Account, AuditEntry
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.office.accounts import AccountError, LoginDelayedError

ADMIN_PASSWORD = "Quản-trị-2026"
CLERK_PASSWORD = "nhập liệu xã"


def _admin(db: Database) -> tuple[accounts.Actor, str]:
    return account_admin.create_first_administrator(
        db, "quan", "Nguyễn Văn Quân", ADMIN_PASSWORD, title="Chánh Văn phòng"
    )


def test_first_administrator_gets_every_role_and_a_recovery_code(commune_db: Database) -> None:
    actor, code = _admin(commune_db)
    assert actor.roles == accounts.ALL_ROLES and len(code) == 27
    with commune_db.session() as session:
        account = accounts.find_account(session, "QUAN")  # logins compare in lower case
        assert account is not None and account.password_hash.startswith("$argon2id$")
        assert session.scalars(select(AuditEntry.action)).all() == ["users.add"]
    with pytest.raises(AccountError):
        _admin(commune_db)  # only once


def test_no_password_material_in_the_database_but_the_argon2_hash(commune_db: Database) -> None:
    _, code = _admin(commune_db)
    with accounts.acting_as(accounts.authenticate(commune_db, "quan", ADMIN_PASSWORD)):
        account_admin.add(commune_db, "lan", "Trần Thị Lan", CLERK_PASSWORD, ["nhap_lieu"])
        account_admin.change_password(commune_db, "lan", "mật khẩu mới của Lan")
    commune_db.close()
    files = [commune_db.path, Path(f"{commune_db.path}-wal")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in (ADMIN_PASSWORD, CLERK_PASSWORD, "mật khẩu mới của Lan", code, code.replace("-", "")):
        assert secret.encode() not in raw
    db = open_database(commune_db.path)
    try:
        with db.session() as session:
            hashes = session.scalars(select(Account.password_hash)).all()
            assert len(hashes) == 2 and all(h.startswith("$argon2id$v=19$") for h in hashes)
            stored = accounts.get_setting(session, accounts.RECOVERY_KEY)
            assert stored is not None and stored.startswith("$argon2id$")
    finally:
        db.close()


def test_wrong_password_is_refused_and_the_growing_delay_survives_a_restart(commune_db: Database) -> None:
    _admin(commune_db)
    start = dt.datetime(2026, 12, 3, 8, 0, 0)
    with pytest.raises(AccountError, match="Sai tên đăng nhập hoặc mật khẩu"):
        accounts.authenticate(commune_db, "quan", "sai", now=start)
    with pytest.raises(LoginDelayedError) as info:  # even the right password waits
        accounts.authenticate(commune_db, "quan", ADMIN_PASSWORD, now=start)
    assert info.value.seconds == 1 and info.value.exit_code == 2
    later = start + dt.timedelta(seconds=1)
    with pytest.raises(AccountError):
        accounts.authenticate(commune_db, "quan", "sai nữa", now=later)
    commune_db.close()
    db = open_database(commune_db.path)  # the program restarted
    try:
        with pytest.raises(LoginDelayedError) as info:
            accounts.authenticate(db, "quan", ADMIN_PASSWORD, now=later + dt.timedelta(seconds=1))
        assert info.value.seconds == 1  # two failures: 2 s after the second
        actor = accounts.authenticate(db, "quan", ADMIN_PASSWORD, now=later + dt.timedelta(seconds=2))
        assert actor.login == "quan"
        with db.session() as session:
            account = accounts.find_account(session, "quan")
            assert account is not None and account.failed_attempts == 0
    finally:
        db.close()
    assert [accounts.delay_after(n) for n in range(0, 6)] == [0, 1, 2, 4, 8, 16]
    assert accounts.delay_after(40) == accounts.MAX_DELAY_SECONDS


def test_unknown_and_disabled_accounts_are_refused(commune_db: Database) -> None:
    admin, _ = _admin(commune_db)
    with accounts.acting_as(admin):
        account_admin.add(commune_db, "lan", "Trần Thị Lan", CLERK_PASSWORD, ["nhap_lieu"])
        account_admin.change_active(commune_db, "lan", False)
    with pytest.raises(AccountError, match="Sai tên"):
        accounts.authenticate(commune_db, "khong-co", CLERK_PASSWORD)
    with pytest.raises(AccountError, match="đã bị khóa"):
        accounts.authenticate(commune_db, "lan", CLERK_PASSWORD)


def test_roles_and_the_last_administrator(commune_db: Database) -> None:
    admin, _ = _admin(commune_db)
    with accounts.acting_as(admin):
        account_admin.add(commune_db, "lan", "Trần Thị Lan", CLERK_PASSWORD, ["nhap_lieu"])
        with pytest.raises(AccountError, match="ít nhất một tài khoản quản trị"):
            account_admin.change_roles(commune_db, "quan", ["lanh_dao"])
        with pytest.raises(AccountError, match="ít nhất một tài khoản quản trị"):
            account_admin.change_active(commune_db, "quan", False)
        with pytest.raises(AccountError, match="Vai trò không có: thu_ky"):
            account_admin.change_roles(commune_db, "lan", ["thu_ky"])
        account_admin.change_roles(commune_db, "lan", ["nhap_lieu", "lanh_dao"])
    clerk = accounts.authenticate(commune_db, "lan", CLERK_PASSWORD)
    assert clerk.roles == {"nhap_lieu", "lanh_dao"}
    with accounts.acting_as(clerk), pytest.raises(AccountError, match=r"«Quản trị» \(quan_tri\)"):
        account_admin.add(commune_db, "hung", "Đỗ Văn Hùng", CLERK_PASSWORD, ["nhap_lieu"])
    with accounts.acting_as(clerk):  # one's own password needs no administrator
        account_admin.change_password(commune_db, "lan", "mật khẩu mới của Lan")
    assert accounts.authenticate(commune_db, "lan", "mật khẩu mới của Lan").login == "lan"


def test_recovery_code_resets_the_administrator_once(commune_db: Database) -> None:
    _, code = _admin(commune_db)
    with pytest.raises(AccountError, match="Mã khôi phục"):
        account_admin.recover(commune_db, "quan", "000000-000000-000000-000000", "mật khẩu mới 1")
    new_code = account_admin.recover(commune_db, "quan", code.lower(), "mật khẩu mới 1")
    assert accounts.authenticate(commune_db, "quan", "mật khẩu mới 1").login == "quan"
    with pytest.raises(AccountError):  # the code shown before has been used up
        account_admin.recover(commune_db, "quan", code, "mật khẩu mới 2")
    account_admin.recover(commune_db, "quan", new_code, "mật khẩu mới 2")


def test_who_acts_without_a_sign_in(commune_db: Database) -> None:
    with commune_db.session() as session:
        assert accounts.current_actor(session) is accounts.NO_ACCOUNT  # a database without accounts
    _admin(commune_db)
    with commune_db.session() as session, pytest.raises(AccountError, match="hãy đăng nhập"):
        accounts.current_actor(session)
    with commune_db.transaction() as session:
        accounts.set_single_user(session, "quan")
    with commune_db.session() as session:
        assert accounts.current_actor(session).full_name == "Nguyễn Văn Quân"
    commune_db.sign_in(accounts.authenticate(commune_db, "quan", ADMIN_PASSWORD))
    with commune_db.session() as session:
        assert session.info["actor"].login == "quan"


def test_short_password_and_bad_login_are_refused(commune_db: Database) -> None:
    with pytest.raises(AccountError, match="ít nhất 8 ký tự"):
        account_admin.create_first_administrator(commune_db, "quan", "Nguyễn Văn Quân", "ngắn")
    with pytest.raises(AccountError, match="không có dấu cách"):
        account_admin.create_first_administrator(commune_db, "nguyen quan", "Nguyễn Văn Quân", ADMIN_PASSWORD)
    with commune_db.session() as session:
        assert not accounts.has_accounts(session)
