"""Accounts on the command line: who runs a command (--user, password file), `users` and `audit`."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

USER_ENV = "DANVAN_USER"
PASSWORD_ENV = "DANVAN_PASSWORD"
NEW_PASSWORD_ENV = "DANVAN_NEW_PASSWORD"

USERS_HELP = """Tài khoản của đơn vị. Vai trò: nhap_lieu (nhập liệu, nạp bảng tính, xuất gói),
lanh_dao (như nhập liệu, thêm chốt/mở kỳ, quyết định xung đột, lấy số văn bản), quan_tri (tài khoản,
tin cậy đơn vị gửi, khôi phục, danh mục, thiết lập); một người có thể giữ nhiều vai trò.
Tài khoản đầu tiên là quản trị và nhận mã khôi phục (chỉ hiện một lần).
Mật khẩu mới: --new-password-file TỆP, biến môi trường DANVAN_NEW_PASSWORD, hoặc nhập khi được hỏi."""


def add_account_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="TÊN",
        help=f"tài khoản chạy lệnh ghi dữ liệu (hoặc biến môi trường {USER_ENV}); "
        "không cần khi máy ở chế độ một người dùng",
    )
    parser.add_argument(
        "--password-file",
        type=Path,
        metavar="TỆP",
        help=f"tệp chứa mật khẩu (hoặc biến môi trường {PASSWORD_ENV}; không có thì hỏi khi chạy)",
    )


def add_account_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser(
        "users",
        help="tài khoản người dùng: liệt kê, thêm, vai trò, khóa, mật khẩu",
        description=USERS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    users_sub = users.add_subparsers(dest="users_command", metavar="VIỆC", required=True)
    users_sub.add_parser("list", help="liệt kê tài khoản")
    add = users_sub.add_parser("add", help="thêm tài khoản (tài khoản đầu tiên là quản trị)")
    add.add_argument("login", metavar="TÊN_ĐĂNG_NHẬP")
    add.add_argument("--name", required=True, metavar="HỌ_TÊN", help="họ và tên")
    add.add_argument("--title", default="", metavar="CHỨC_VỤ", help="chức vụ")
    add.add_argument("--roles", default="nhap_lieu", metavar="VAI_TRÒ", help="ví dụ: nhap_lieu,lanh_dao")
    _new_password_option(add)
    roles = users_sub.add_parser("roles", aliases=["set-roles"], help="đặt vai trò của một tài khoản")
    roles.add_argument("login", metavar="TÊN_ĐĂNG_NHẬP")
    roles.add_argument("roles", metavar="VAI_TRÒ", help="ví dụ: nhap_lieu,lanh_dao")
    for name, aliases, text in (
        ("disable", ["deactivate"], "khóa tài khoản (không xóa: nhật ký vẫn giữ tên)"),
        ("enable", [], "mở khóa tài khoản"),
    ):
        parser = users_sub.add_parser(name, aliases=aliases, help=text)
        parser.add_argument("login", metavar="TÊN_ĐĂNG_NHẬP")
    passwd = users_sub.add_parser(
        "passwd", aliases=["reset-password"], help="đặt lại mật khẩu (quản trị, hoặc chính mình)"
    )
    passwd.add_argument("login", metavar="TÊN_ĐĂNG_NHẬP")
    _new_password_option(passwd)
    recover = users_sub.add_parser(
        "recover", help="quản trị quên mật khẩu: đặt mật khẩu mới bằng mã khôi phục (hỏi mã khi chạy)"
    )
    recover.add_argument("login", metavar="TÊN_ĐĂNG_NHẬP")
    _new_password_option(recover)
    single = users_sub.add_parser(
        "single", help="chế độ «chỉ một người dùng máy này»: mở không cần đăng nhập, ghi tên tài khoản này"
    )
    single.add_argument("login", nargs="?", metavar="TÊN_ĐĂNG_NHẬP")
    single.add_argument("--off", action="store_true", help="tắt chế độ một người dùng")

    audit = sub.add_parser("audit", help="nhật ký: ai làm gì, khi nào, ở đơn vị, kỳ, bản ghi nào")
    audit.add_argument("--user", dest="audit_user", metavar="TÊN", help="chỉ việc của tài khoản này")
    audit.add_argument(
        "--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="từ ngày (giờ máy tính)"
    )
    audit.add_argument("--action", metavar="VIỆC", help="ví dụ: record.update, lock, users.add")
    audit.add_argument("--unit", metavar="MÃ", help="chỉ đơn vị này")
    audit.add_argument("--json", action="store_true", help="in JSON (mỗi dòng một việc)")


def _new_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--new-password-file", type=Path, metavar="TỆP", help="tệp chứa mật khẩu mới")


# --- who runs a command -------------------------------------------------------------------------

COMMAND_ACTIONS = {
    "load": "sheet.load",
    "records": "record.edit",
    "export": "package.export",
    "import": "package.import",
    "conflicts": "conflict.resolve",
    "trust": "trust.change",
    "catalog": "catalog.import",
    "settings": "settings.change",
    "restore": "backup.restore",
    "report": "report.issue",
    "units": "catalog.import",  # add, rename, close, merge villages: the office's catalog
    "review": "return.comment",  # signs in; each review service asks for its own role
    "reply": "reply.export",
}


def needed_action(args: argparse.Namespace) -> str | None:
    """The action (accounts.ACTION_ROLES) a command line asks for; None for commands anyone may run."""
    from danvan_desktop.cli.main import writes_database

    command = args.command
    if command == "users":
        # `recover` is for the day the only administrator cannot sign in: the code is the proof.
        return None if args.users_command in ("list", "recover") else "users.manage"
    if command == "restore":
        return "backup.restore"
    if command == "backup":
        return "backup.create"
    if command == "report":
        return "report.issue" if getattr(args, "number", None) is not None else None
    if not writes_database(args):
        return None
    return COMMAND_ACTIONS.get(command)


def _read_secret(path: Path | None, env: str, prompt: str) -> str:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise UserError(f"Không đọc được tệp mật khẩu {path}: {exc.strerror or exc}.") from exc
        except UnicodeDecodeError as exc:
            raise UserError(f"Tệp mật khẩu {path} không phải văn bản UTF-8.") from exc
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise UserError(f"Thiếu mật khẩu: dùng --password-file TỆP hoặc biến môi trường {env}.")


@contextlib.contextmanager
def command_account(args: argparse.Namespace, database: Path) -> Iterator[None]:
    """Sign the command in (or refuse it, exit 2) and let its sessions act as that account."""
    action = needed_action(args)
    if action is None or not database.is_file():
        yield
        return
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.office import accounts

    try:
        db = open_database(database)
    except UserError:
        if action != "backup.restore":
            raise
        # A damaged or unreadable file is what a restore repairs: its accounts cannot be read.
        yield
        return
    try:
        with db.session() as session:
            any_account = accounts.has_accounts(session)
            single = accounts.single_user_login(session)
        login = args.user or os.environ.get(USER_ENV)
        if not any_account:
            actor = accounts.NO_ACCOUNT  # an older database, or the first account being added
        elif login:
            password = _read_secret(args.password_file, PASSWORD_ENV, f"Mật khẩu của {login}: ")
            actor = accounts.authenticate(db, login, password)
        elif single:
            with db.session() as session:
                actor = accounts.current_actor(session)
        else:
            raise UserError(
                "Cơ sở dữ liệu này có tài khoản: lệnh ghi dữ liệu cần --user TÊN (hoặc biến môi trường "
                f"{USER_ENV}) với mật khẩu trong --password-file hoặc biến môi trường {PASSWORD_ENV}."
            )
    finally:
        db.close()
    if not (action == "users.manage" and _changes_own_password(args, actor.login)):
        accounts.require(actor, action)
    with accounts.acting_as(actor):
        yield


def _changes_own_password(args: argparse.Namespace, login: str) -> bool:
    from danvan_desktop.services.office.accounts import clean_login

    return args.users_command in ("passwd", "reset-password") and clean_login(args.login) == login


# --- users and audit ----------------------------------------------------------------------------


def _roles(text: str) -> list[str]:
    return [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]


def _new_password(args: argparse.Namespace) -> str:
    first = _read_secret(args.new_password_file, NEW_PASSWORD_ENV, "Mật khẩu mới: ")
    typed = args.new_password_file is None and not os.environ.get(NEW_PASSWORD_ENV)
    if typed and getpass.getpass("Nhập lại mật khẩu mới: ") != first:
        raise UserError("Hai lần nhập mật khẩu mới không giống nhau; chưa đổi gì.")
    return first


def run_account_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.errors import DatabaseMissingError

    if not database.is_file():
        raise DatabaseMissingError(f"Không có tệp cơ sở dữ liệu {database}.")
    db = open_database(database, backup_dir=user.backup_dir)
    try:
        if args.command == "audit":
            return _cmd_audit(args, db)
        return _cmd_users(args, db)
    finally:
        db.close()


def _cmd_users(args: argparse.Namespace, db: object) -> int:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.office import account_admin

    assert isinstance(db, Database)
    command = args.users_command
    if command == "list":
        with db.session() as session:
            rows = account_admin.describe_accounts(session)
        if not rows:
            print(
                'Chưa có tài khoản nào. Tạo tài khoản quản trị đầu tiên: danvan users add TÊN --name "Họ tên"'
            )
        for row in rows:
            print(row)
        return 0
    if command == "recover":
        code = getpass.getpass("Mã khôi phục: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        new_code = account_admin.recover(db, args.login, code, _new_password(args))
        print(f"Đã đặt mật khẩu mới cho «{args.login}».")
        print(f"Mã khôi phục MỚI (mã cũ hết hiệu lực), chép lại và cất kỹ, chỉ hiện một lần: {new_code}")
        return 0
    if command == "add":
        code = account_admin.add(
            db, args.login, args.name, _new_password(args), _roles(args.roles), title=args.title
        )
        print(f"Đã thêm tài khoản «{args.login.strip().lower()}».")
        if code:
            print(
                "Đây là tài khoản đầu tiên nên có vai trò quản trị. Mã khôi phục (dùng khi quên mật khẩu "
                f"quản trị: danvan users recover), chép lại và cất kỹ, chỉ hiện một lần: {code}"
            )
        return 0
    if command in ("roles", "set-roles"):
        account_admin.change_roles(db, args.login, _roles(args.roles))
    elif command in ("disable", "deactivate", "enable"):
        account_admin.change_active(db, args.login, command == "enable")
    elif command in ("passwd", "reset-password"):
        account_admin.change_password(db, args.login, _new_password(args))
    elif command == "single":
        account_admin.change_single_user(db, None if args.off else args.login)
    print("Đã lưu.")
    return 0


def _cmd_audit(args: argparse.Namespace, db: object) -> int:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.localtime import local_time_text
    from danvan_desktop.services.office.audit import AuditFilter, read_audit

    assert isinstance(db, Database)
    since = None
    if args.since is not None:  # the day starts at the computer's midnight
        local_midnight = dt.datetime.combine(args.since, dt.time()).astimezone()
        since = local_midnight.astimezone(dt.UTC).replace(tzinfo=None)
    flt = AuditFilter(user=args.audit_user, action=args.action, since=since, unit_code=args.unit)
    with db.session() as session:
        rows = read_audit(session, flt)
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        when = local_time_text(r.at.replace(tzinfo=dt.UTC).astimezone())
        where = " ".join(part for part in (r.unit, r.period, r.form, r.record[:8]) if part)
        change = f"  {r.old} → {r.new}" if (r.old or r.new) else ""
        note = f"  ({r.detail})" if r.detail else ""
        print(f"{when}  {r.person}  {r.action_label}  {where}{change}{note}")
    return 0
