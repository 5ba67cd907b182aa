"""The office's accounts: roles, Argon2id passwords, signing in with a growing delay, recovery code."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Account
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.settings import get_setting, set_setting
from danvan_desktop.text import nfc

NHAP_LIEU, LANH_DAO, QUAN_TRI = "nhap_lieu", "lanh_dao", "quan_tri"
ROLE_LABELS = {NHAP_LIEU: "Nhập liệu", LANH_DAO: "Lãnh đạo", QUAN_TRI: "Quản trị"}
ALL_ROLES = frozenset(ROLE_LABELS)

SINGLE_USER_KEY = "accounts.single_user"  # login of the one person who uses this computer
RECOVERY_KEY = "accounts.recovery_hash"  # Argon2id hash of the administrator's recovery code
LAST_LOGIN_KEY = "accounts.last_login"
NO_ACCOUNT_NAME = "(chưa có tài khoản)"  # who wrote, in a database that has no account yet

MIN_PASSWORD = 8
MAX_DELAY_SECONDS = 300

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id (RFC 9106 low-memory profile)


class AccountError(UserError):
    """An account operation refused: bad name, wrong password, missing role, not signed in."""


class LoginDelayedError(AccountError):
    """Too many wrong passwords: the next attempt must wait."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"Đã nhập sai mật khẩu nhiều lần. Hãy đợi {seconds} giây rồi thử lại.")
        self.seconds = seconds


@dataclass(frozen=True)
class Actor:
    """The person at the keyboard, passed to services; id None only where no account exists yet."""

    id: int | None
    login: str
    full_name: str
    title: str
    roles: frozenset[str]

    @property
    def writer_name(self) -> str:
        """What history rows and records store as their writer (the login: unique and stable)."""
        return self.login or NO_ACCOUNT_NAME

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


# A database without any account (an older one, a script's, a test's): nobody to refuse, and the
# rows are written under a marker, never under the computer's login name.
NO_ACCOUNT = Actor(None, "", NO_ACCOUNT_NAME, "", ALL_ROLES)

_process_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """The command line's signed-in account for the sessions opened inside (the window uses sign_in)."""
    token = _process_actor.set(actor)
    try:
        yield
    finally:
        _process_actor.reset(token)


def process_actor() -> Actor | None:
    """The account `acting_as` set (the command line's), if any."""
    return _process_actor.get()


def signed_in_actor(db: Database) -> Actor | None:
    """Who acts in `db`'s sessions, or None when nobody is signed in yet."""
    with db.session() as session:
        try:
            return current_actor(session)
        except AccountError:
            return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def actor_of(account: Account) -> Actor:
    return Actor(account.id, account.login, account.full_name, account.title, parse_roles(account.roles))


def parse_roles(text: str) -> frozenset[str]:
    return frozenset(text.split())


def clean_roles(roles: list[str] | frozenset[str] | set[str]) -> str:
    unknown = sorted(set(roles) - ALL_ROLES)
    if unknown:
        raise AccountError(
            f"Vai trò không có: {', '.join(unknown)}. Các vai trò: "
            + ", ".join(f"{code} ({label})" for code, label in ROLE_LABELS.items())
            + "."
        )
    if not roles:
        raise AccountError("Tài khoản phải có ít nhất một vai trò.")
    return " ".join(sorted(roles))


def clean_login(login: str) -> str:
    text = nfc(login).strip().lower()
    if not text or len(text) > 64 or any(ch.isspace() for ch in text):
        raise AccountError("Tên đăng nhập phải có từ 1 đến 64 ký tự, không có dấu cách.")
    return text


def _check_password(password: str) -> str:
    password = nfc(password)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    return password


def has_accounts(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Account)))


def find_account(session: Session, login: str) -> Account | None:
    return session.scalar(select(Account).where(Account.login == nfc(login).strip().lower()))


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.login)))


def single_user_login(session: Session) -> str | None:
    return get_setting(session, SINGLE_USER_KEY) or None


def current_actor(session: Session) -> Actor:
    """Who acts in this session: the signed-in account, else the single-user account, else refused.

    A database without accounts acts as NO_ACCOUNT (everything allowed, rows marked as such).
    """
    actor = session.info.get("actor") or _process_actor.get()
    if isinstance(actor, Actor):
        return actor
    single = single_user_login(session)
    if single:
        account = find_account(session, single)
        if account is not None and account.active:
            return actor_of(account)
    if not has_accounts(session):
        return NO_ACCOUNT
    raise AccountError(
        "Cơ sở dữ liệu này có tài khoản: hãy đăng nhập (dòng lệnh: --user TÊN với mật khẩu trong "
        "--password-file hoặc biến môi trường DANVAN_PASSWORD)."
    )


# What each action needs: one of these roles. A leader does everything a clerk does.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "record.edit": frozenset({NHAP_LIEU, LANH_DAO}),
    "sheet.load": frozenset({NHAP_LIEU, LANH_DAO}),
    "package.export": frozenset({NHAP_LIEU, LANH_DAO}),
    "package.import": frozenset({NHAP_LIEU, LANH_DAO}),
    "backup.create": frozenset({NHAP_LIEU, LANH_DAO, QUAN_TRI}),
    "period.lock": frozenset({LANH_DAO}),
    "period.reopen": frozenset({LANH_DAO}),
    "conflict.resolve": frozenset({LANH_DAO}),
    "report.issue": frozenset({LANH_DAO}),
    "users.manage": frozenset({QUAN_TRI}),
    "trust.change": frozenset({QUAN_TRI}),
    "backup.restore": frozenset({QUAN_TRI}),
    "catalog.import": frozenset({QUAN_TRI}),
    "settings.change": frozenset({QUAN_TRI}),
    "forms.publish": frozenset({QUAN_TRI}),  # a form version the office sends down to its units
    "targets.assign": frozenset({LANH_DAO}),  # Project 05 targets of the units below
    # The review of returns (issue 14): a leader submits, approves or returns; anyone working on the
    # figures writes comments above and marks them resolved below; a clerk may send replies.
    "return.submit": frozenset({LANH_DAO}),
    "return.review": frozenset({LANH_DAO}),
    "return.comment": frozenset({NHAP_LIEU, LANH_DAO}),
    "return.resolve": frozenset({NHAP_LIEU, LANH_DAO}),
    "reply.export": frozenset({NHAP_LIEU, LANH_DAO}),
}


def roles_text(roles: frozenset[str]) -> str:
    ordered = [code for code in ROLE_LABELS if code in roles]
    return " hoặc ".join(f"«{ROLE_LABELS[code]}» ({code})" for code in ordered)


def needed_roles_text(action: str) -> str:
    """'Cần vai trò «Lãnh đạo» (lanh_dao)': for a refusal message or a disabled action's tooltip."""
    return f"Cần vai trò {roles_text(ACTION_ROLES[action])}."


def may(actor: Actor, action: str) -> bool:
    return actor.has(*ACTION_ROLES[action])


def require(actor: Actor, action: str) -> None:
    """Refuse (exit code 2) when the account holds none of the roles the action needs."""
    if not may(actor, action):
        raise AccountError(f"Tài khoản «{actor.login}» không được làm việc này. {needed_roles_text(action)}")


def require_in(session: Session, action: str) -> Actor:
    actor = current_actor(session)
    require(actor, action)
    return actor


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def _verify(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def add_account(
    session: Session, login: str, full_name: str, password: str, roles: list[str], *, title: str = ""
) -> tuple[Account, str | None]:
    """A new account; the first one is an administrator and gets the recovery code (returned once)."""
    login = clean_login(login)
    if find_account(session, login) is not None:
        raise AccountError(f"Đã có tài khoản «{login}».")
    name = nfc(full_name).strip()
    if not name:
        raise AccountError("Phải ghi họ và tên người dùng.")
    first = not has_accounts(session)
    wanted = set(roles) | ({QUAN_TRI} if first else set())  # someone must be able to manage accounts
    account = Account(
        login=login,
        full_name=name,
        title=nfc(title).strip(),
        roles=clean_roles(wanted),
        active=True,
        password_hash=hash_secret(_check_password(password)),
        failed_attempts=0,
        created_at=_now(),
    )
    session.add(account)
    session.flush()
    code = new_recovery_code(session) if first else None
    return account, code


def new_recovery_code(session: Session) -> str:
    """A fresh recovery code (the old one stops working); only its hash is stored."""
    code = "-".join(secrets.token_hex(3).upper() for _ in range(4))  # e.g. 3F2A1B-…, easy to copy by hand
    set_setting(session, RECOVERY_KEY, hash_secret(code))
    return code


def set_roles(session: Session, login: str, roles: list[str]) -> Account:
    account = _existing(session, login)
    text = clean_roles(set(roles))
    if QUAN_TRI not in parse_roles(text):
        _keep_an_administrator(session, account)
    account.roles = text
    return account


def set_active(session: Session, login: str, active: bool) -> Account:
    account = _existing(session, login)
    if not active:
        _keep_an_administrator(session, account)
        if single_user_login(session) == account.login:
            set_setting(session, SINGLE_USER_KEY, "")
    account.active = active
    return account


def reset_password(session: Session, login: str, password: str) -> Account:
    """An administrator sets a new password; the wrong-password delay starts again from zero."""
    account = _existing(session, login)
    account.password_hash = hash_secret(_check_password(password))
    account.failed_attempts = 0
    account.last_failed_at = None
    return account


def recover_with_code(session: Session, login: str, code: str, password: str) -> tuple[Account, str]:
    """The only administrator forgot the password: the recovery code sets a new one, once."""
    stored = get_setting(session, RECOVERY_KEY)
    account = find_account(session, login)
    if account is None or stored is None or not _verify(stored, code.strip().upper()):
        raise AccountError("Mã khôi phục hoặc tên đăng nhập không đúng.")
    if QUAN_TRI not in parse_roles(account.roles):
        raise AccountError("Mã khôi phục chỉ dùng cho tài khoản quản trị.")
    reset_password(session, login, password)
    account.active = True
    return account, new_recovery_code(session)


def _existing(session: Session, login: str) -> Account:
    account = find_account(session, login)
    if account is None:
        raise AccountError(f"Không có tài khoản «{nfc(login).strip()}».")
    return account


def _keep_an_administrator(session: Session, leaving: Account) -> None:
    others = [
        a
        for a in list_accounts(session)
        if a.id != leaving.id and a.active and QUAN_TRI in parse_roles(a.roles)
    ]
    if not others and leaving.active and QUAN_TRI in parse_roles(leaving.roles):
        raise AccountError("Phải còn ít nhất một tài khoản quản trị đang hoạt động.")


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` wrong passwords in a row: 1, 2, 4, 8 … up to 5 minutes."""
    if failures < 1:
        return 0
    return int(min(2 ** min(failures - 1, 16), MAX_DELAY_SECONDS))


def wait_left(account: Account, now: dt.datetime) -> int:
    if account.last_failed_at is None:
        return 0
    ready = account.last_failed_at + dt.timedelta(seconds=delay_after(account.failed_attempts))
    return max(0, int((ready - now).total_seconds() + 0.999))


def authenticate(
    db: Database, login: str, password: str, *, now: dt.datetime | None = None, record_login: bool = False
) -> Actor:
    """The account when the password is right; a wrong one is counted (and stored) before refusing.

    Every failure goes into the trail; a success only when `record_login` (the window's sign-in: a
    command line signs in for each command, and a refused command must leave the trail as it was).
    """
    now = now or _now()
    wrong = AccountError("Sai tên đăng nhập hoặc mật khẩu.")
    with db.transaction() as session:
        account = find_account(session, login)
        if account is None:
            _hasher.hash(password or "-")  # as slow as a real check: the time says nothing
            raise wrong
        left = wait_left(account, now)
        if left:
            raise LoginDelayedError(left)
        from danvan_desktop.services.office.audit import record_action  # audit reads accounts

        if not _verify(account.password_hash, nfc(password)):
            account.failed_attempts += 1
            account.last_failed_at = now
            failed = True
            detail = f"lần sai thứ {account.failed_attempts} liên tiếp"
            record_action(session, "login.failed", actor=actor_of(account), detail=detail)
        else:
            failed = False
            if not account.active:
                raise AccountError(f"Tài khoản «{account.login}» đã bị khóa; hãy nhờ quản trị mở lại.")
            account.failed_attempts = 0
            account.last_failed_at = None
            if _hasher.check_needs_rehash(account.password_hash):
                account.password_hash = hash_secret(nfc(password))
            actor = actor_of(account)
            if record_login:
                record_action(session, "login", actor=actor)
    if failed:  # committed above: restarting the program does not reset the count
        raise wrong
    return actor


def set_single_user(session: Session, login: str | None) -> None:
    """ "Chỉ một người dùng máy này": the window opens without a login, as this named account."""
    if login is None:
        set_setting(session, SINGLE_USER_KEY, "")
        return
    account = _existing(session, login)
    if not account.active:
        raise AccountError(f"Tài khoản «{account.login}» đã bị khóa.")
    set_setting(session, SINGLE_USER_KEY, account.login)


def remember_login(db: Database, login: str) -> None:
    """The window's login dialog fills in the name signed in last time."""
    with db.transaction() as session:
        set_setting(session, LAST_LOGIN_KEY, login)


def last_login(session: Session) -> str:
    return get_setting(session, LAST_LOGIN_KEY) or ""
