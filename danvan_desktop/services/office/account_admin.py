"""Managing accounts as one transaction each, with its audit row: add, roles, lock, password, recovery."""

from __future__ import annotations

from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Account
from danvan_desktop.services.office import accounts
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.settings import set_setting


def describe(account: Account) -> str:
    roles = ", ".join(accounts.ROLE_LABELS[r] for r in accounts.ROLE_LABELS if r in account.roles.split())
    state = "" if account.active else "  [đã khóa]"
    title = f", {account.title}" if account.title else ""
    return f"{account.login:<16} {account.full_name}{title}  — {roles}{state}"


def summary(account: Account) -> str:
    """An account as one audit value: login, name, title, roles (never anything of the password)."""
    title = f", {account.title}" if account.title else ""
    return f"{account.login}: {account.full_name}{title}; vai trò {account.roles}"


def describe_accounts(session: Session) -> list[str]:
    single = accounts.single_user_login(session)
    return [
        describe(a) + ("  [một người dùng máy này]" if a.login == single else "")
        for a in accounts.list_accounts(session)
    ]


def add(
    db: Database, login: str, full_name: str, password: str, roles: list[str], *, title: str = ""
) -> str | None:
    """The new account; for the first one (an administrator) also the recovery code, to show once."""
    with db.transaction() as session:
        first = not accounts.has_accounts(session)
        if not first:
            accounts.require_in(session, "users.manage")
        account, code = accounts.add_account(session, login, full_name, password, roles, title=title)
        by = accounts.actor_of(account) if first else None  # the first administrator adds itself
        record_action(session, "users.add", actor=by, new=summary(account))
    return code


def change_roles(db: Database, login: str, roles: list[str]) -> None:
    with db.transaction() as session:
        accounts.require_in(session, "users.manage")
        account = accounts.find_account(session, login)
        old = account.roles if account is not None else ""
        account = accounts.set_roles(session, login, roles)
        record_action(session, "users.roles", detail=account.login, old=old, new=account.roles)


def change_active(db: Database, login: str, active: bool) -> None:
    with db.transaction() as session:
        accounts.require_in(session, "users.manage")
        account = accounts.set_active(session, login, active)
        record_action(session, "users.enable" if active else "users.disable", detail=account.login)


def change_password(db: Database, login: str, password: str) -> None:
    """An administrator resets anyone's password; anyone may change their own."""
    with db.transaction() as session:
        actor = accounts.current_actor(session)
        if accounts.clean_login(login) != actor.login:
            accounts.require(actor, "users.manage")
        account = accounts.reset_password(session, login, password)
        record_action(session, "users.passwd", detail=account.login)  # never the password itself


def change_single_user(db: Database, login: str | None) -> None:
    with db.transaction() as session:
        accounts.require_in(session, "users.manage")
        old = accounts.single_user_login(session) or ""
        accounts.set_single_user(session, login)
        record_action(session, "users.single", old=old, new=accounts.single_user_login(session) or "")


def recover(db: Database, login: str, code: str, password: str) -> str:
    """The recovery code sets a new administrator password; a new code (returned) replaces it."""
    with db.transaction() as session:
        account, new_code = accounts.recover_with_code(session, login, code, password)
        record_action(session, "users.recover", actor=accounts.actor_of(account), detail=account.login)
    return new_code


def create_first_administrator(
    db: Database, login: str, full_name: str, password: str, *, title: str = "", single_user: bool = False
) -> tuple[accounts.Actor, str]:
    """First run: the administrator (with every role, so one person can run a small office) and the
    recovery code to show once; `single_user` makes the window open as this account without a login."""
    with db.transaction() as session:
        if accounts.has_accounts(session):
            raise accounts.AccountError("Đã có tài khoản quản trị; hãy đăng nhập.")
        account, code = accounts.add_account(
            session, login, full_name, password, sorted(accounts.ALL_ROLES), title=title
        )
        actor = accounts.actor_of(account)
        record_action(session, "users.add", actor=actor, new=summary(account))
        if single_user:
            accounts.set_single_user(session, account.login)
            record_action(session, "users.single", actor=actor, new=account.login)
        set_setting(session, accounts.LAST_LOGIN_KEY, account.login)
    assert code is not None
    return actor, code
