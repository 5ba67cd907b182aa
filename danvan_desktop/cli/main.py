"""Command line: the GUI by default, plus batch commands (init, demo, units, catalog, info, load...)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from danvan_desktop import APP_TITLE, __version__, paths
from danvan_desktop.cli.province_demo_command import add_province_option
from danvan_desktop.database_choice import DATABASE_ENV, choose_database
from danvan_desktop.errors import UserError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, details in the log

DESCRIPTION = f"""{APP_TITLE} {__version__}: nhập liệu, trao đổi gói dữ liệu và in báo cáo công tác dân vận.
Không có lệnh: mở giao diện. Dữ liệu mặc định nằm trong thư mục người dùng
(đặt biến môi trường {paths.DATA_DIR_ENV} để dùng thư mục khác).
Cửa sổ và các lệnh dùng cùng một tệp dữ liệu: tệp chỉ định bằng --db (hoặc biến môi trường
{DATABASE_ENV}), không thì tệp cửa sổ đã mở lần gần nhất, không thì danvan.sqlite3, không thì
dữ liệu minh họa demo.sqlite3 nếu chỉ có nó. `danvan info` cho biết tệp nào và vì sao."""


def build_parser() -> argparse.ArgumentParser:
    from danvan_desktop.cli.argparse_vi import install_argparse_translation

    install_argparse_translation()
    parser = argparse.ArgumentParser(
        prog="danvan",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_TITLE} {__version__}",
        help="hiện phiên bản rồi thoát",
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="tệp cơ sở dữ liệu, hoặc máy chủ dùng chung postgresql://tên@máy-chủ/csdl "
        "(mặc định: tệp cửa sổ đã mở lần gần nhất, xem `danvan info`)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết ra màn hình")
    from danvan_desktop.cli.account_commands import add_account_commands, add_account_options

    add_account_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")

    gui = sub.add_parser("gui", help="mở giao diện (mặc định khi không có lệnh)")
    gui.add_argument(
        "--demo-if-missing",
        action="store_true",
        help="chưa có cơ sở dữ liệu thì mở dữ liệu minh họa",
    )
    gui.add_argument(
        "--first-run",
        action="store_true",
        help="mở tệp dữ liệu của đơn vị (danvan.sqlite3); chưa có thì khai báo đơn vị lần đầu",
    )
    gui.add_argument("--quit-when-shown", action="store_true", help=argparse.SUPPRESS)  # bench/startup.py

    init = sub.add_parser("init", help="tạo cơ sở dữ liệu cho một đơn vị")
    init.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị sử dụng (xem `danvan units`)")
    init.add_argument(
        "--role",
        choices=["reporting", "aggregating"],
        help="reporting: đơn vị báo cáo (xã); aggregating: đơn vị tổng hợp",
    )

    demo = sub.add_parser("demo", help="tạo cơ sở dữ liệu minh họa của huyện Định Hóa")
    demo.add_argument("--today", type=dt.date.fromisoformat, help=argparse.SUPPRESS)
    add_province_option(demo)

    units = sub.add_parser("units", help="liệt kê, tìm đơn vị trong danh mục (không phân biệt dấu)")
    units.add_argument("--search", default="", metavar="CHỮ", help='ví dụ: "dinh hoa"')
    units.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="chỉ đơn vị có hiệu lực vào ngày này",
    )
    from danvan_desktop.cli.unit_commands import add_unit_commands

    add_unit_commands(units)

    forms = sub.add_parser("forms", help="biểu mẫu nhập liệu: kiểm tra định nghĩa, liệt kê")
    forms_sub = forms.add_subparsers(dest="forms_command", metavar="VIỆC", required=True)
    forms_check = forms_sub.add_parser(
        "check", help="kiểm tra tệp định nghĩa biểu mẫu (mặc định: cả thư mục forms/)"
    )
    forms_check.add_argument("files", nargs="*", type=Path, metavar="TỆP")
    from danvan_desktop.cli.form_commands import add_form_commands, add_target_commands

    add_form_commands(forms_sub)
    add_target_commands(sub)

    catalog = sub.add_parser("catalog", help="kiểm tra, bổ sung danh mục từ tệp YAML")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar="VIỆC", required=True)
    check = catalog_sub.add_parser("check", help="kiểm tra tệp danh mục, không ghi gì")
    check.add_argument("files", nargs="+", type=Path, metavar="TỆP")
    imp = catalog_sub.add_parser(
        "import", help="bổ sung đơn vị, tổ chức... từ tệp danh mục vào cơ sở dữ liệu"
    )
    imp.add_argument("files", nargs="+", type=Path, metavar="TỆP")

    sub.add_parser("info", help="thông tin cơ sở dữ liệu và đơn vị sử dụng")
    _add_sheet_commands(sub)
    from danvan_desktop.cli.package_commands import add_package_commands

    add_package_commands(sub)
    from danvan_desktop.cli.report_commands import add_report_commands

    add_report_commands(sub)
    from danvan_desktop.cli.maintenance_commands import add_maintenance_commands

    add_maintenance_commands(sub)
    from danvan_desktop.cli.record_commands import add_record_commands

    add_record_commands(sub)
    add_account_commands(sub)
    from danvan_desktop.cli.period_commands import add_period_commands

    add_period_commands(sub)
    from danvan_desktop.cli.sign_commands import add_sign_commands

    add_sign_commands(sub)
    from danvan_desktop.cli.review_commands import add_review_commands

    add_review_commands(sub)
    from danvan_desktop.cli.return_commands import add_return_commands

    add_return_commands(sub)
    from danvan_desktop.cli.pivot_commands import add_pivot_commands

    add_pivot_commands(sub)
    _vietnamese_headings(parser)
    return parser


def _vietnamese_headings(parser: argparse.ArgumentParser) -> None:
    """argparse titles its sections in English; every (sub)command's help is read in Vietnamese."""
    parser._positionals.title = "lệnh và đối số"
    parser._optionals.title = "tùy chọn"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "hiện hướng dẫn này rồi thoát"
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _vietnamese_headings(sub)


def _add_form_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--form", required=True, metavar="MÃ", help="mã biểu mẫu (xem `danvan forms list`)")
    parser.add_argument(
        "--unit", metavar="MÃ", help="mã đơn vị nhập số liệu (mặc định: đơn vị sử dụng của cơ sở dữ liệu)"
    )
    from danvan_desktop.cli.period_commands import PERIOD_HELP

    parser.add_argument("--period", required=True, metavar="KỲ", help=PERIOD_HELP)


def _add_sheet_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    load = sub.add_parser(
        "load",
        help="nạp số liệu từ bảng tính Excel (.xlsx) hoặc CSV",
        description="Nạp số liệu của một biểu mẫu từ tệp .xlsx hoặc .csv. Mỗi dòng được kiểm tra như khi "
        "nhập trên màn hình; có dòng lỗi thì không lưu gì (trừ khi dùng --keep-good). "
        "Mã thoát: 0 nạp hết, 1 có dòng bị từ chối, 2 lỗi cả tệp.",
    )
    _add_form_target(load)
    load.add_argument("--keep-good", action="store_true", help="vẫn lưu các dòng hợp lệ khi có dòng lỗi")
    load.add_argument("file", type=Path, metavar="TỆP", help="tệp .xlsx hoặc .csv (UTF-8, dấu , hoặc ;)")

    sheet = sub.add_parser("sheet", help="xuất bảng tính Excel để nhập số liệu")
    sheet_sub = sheet.add_subparsers(dest="sheet_command", metavar="VIỆC", required=True)
    export = sheet_sub.add_parser(
        "export", help="xuất số liệu của một biểu mẫu ra tệp .xlsx (sửa xong nạp lại bằng `danvan load`)"
    )
    _add_form_target(export)
    export.add_argument("--out", required=True, type=Path, metavar="TỆP.xlsx", help="tệp .xlsx sẽ ghi")


PACKAGE_COMMANDS = ("export", "import", "trust", "conflicts", "packages")
REPORT_COMMANDS = ("report", "settings")
MAINTENANCE_COMMANDS = ("backup", "backups", "restore", "check")


def form_commands_write(args: argparse.Namespace) -> bool:
    from danvan_desktop.cli.form_commands import writes

    return writes(args)


def writes_database(args: argparse.Namespace) -> bool:
    """Commands that change the database wait for no one: they refuse while the GUI holds it.

    `backup` and `check` only read (SQLite's online backup is consistent beside a writer), so they
    run while the window is open; `restore` takes the lock itself.
    """
    sub = {
        "import": not getattr(args, "dry_run", False),
        "load": True,
        "records": True,  # delete, restore
        "export": True,  # advances the export sequence
        "conflicts": getattr(args, "conflicts_command", "") == "resolve",
        "trust": getattr(args, "trust_command", "") == "reenrol",
        "catalog": getattr(args, "catalog_command", "") == "import",
        "settings": getattr(args, "settings_command", "") == "set",
        "users": getattr(args, "users_command", "") != "list",
        "units": getattr(args, "units_command", None) in ("add", "rename", "close", "merge"),
        "forms": args.command == "forms" and form_commands_write(args),
        "targets": args.command == "targets" and form_commands_write(args),
        "review": getattr(args, "review_command", "") not in ("list", "comments"),
        "reply": True,  # counts the replies written
    }
    return bool(sub.get(args.command, False))


def _upgrades_on_open(command: str, database: Path) -> bool:
    """Opening an older schema upgrades it: a write like any other, so it waits for no one either."""
    if command == "restore":  # takes the lock itself, and replaces the file rather than opening it
        return False
    from danvan_desktop.db.engine import read_revision
    from danvan_desktop.db.migrate import HEAD_REVISION

    return read_revision(database) not in (None, HEAD_REVISION)


def _run_command(command: str, args: argparse.Namespace, user: paths.UserPaths) -> int:
    if command in PACKAGE_COMMANDS:
        from danvan_desktop.cli.package_commands import run_package_command

        return run_package_command(args, user, args.db or user.default_database)
    if command in REPORT_COMMANDS:
        from danvan_desktop.cli.report_commands import run_report_command

        return run_report_command(args, user, args.db or user.default_database)
    if command in MAINTENANCE_COMMANDS:
        from danvan_desktop.cli.maintenance_commands import run_maintenance_command

        return run_maintenance_command(args, user, args.db or user.default_database)
    if command in ("sign", "verify-pdf"):
        from danvan_desktop.cli.sign_commands import run_sign_command

        return run_sign_command(args, user, args.db or user.default_database)
    if command in ("review", "reply", "inbox"):
        from danvan_desktop.cli.review_commands import run_review_command

        return run_review_command(args, user, args.db or user.default_database)
    if command in ("verify-code", "returns"):
        from danvan_desktop.cli.return_commands import run_return_command

        return run_return_command(args, user, args.db or user.default_database)
    if command in ("users", "audit"):
        from danvan_desktop.cli.account_commands import run_account_command

        return run_account_command(args, user, args.db or user.default_database)
    if command == "pivot":
        from danvan_desktop.cli.pivot_commands import run_pivot

        return run_pivot(args, user)
    if command == "periods":
        from danvan_desktop.cli.period_commands import run_periods

        return run_periods(args, user)
    if command == "units" and getattr(args, "units_command", None):
        from danvan_desktop.cli.unit_commands import run_unit_command

        return run_unit_command(args, user, args.db or user.default_database)
    if command == "targets" or (command == "forms" and args.forms_command != "check"):
        from danvan_desktop.cli.form_commands import run_forms_command, run_targets_command

        return (run_targets_command if command == "targets" else run_forms_command)(args, user)
    if command == "records":
        from danvan_desktop.cli.record_commands import run_record_command

        return run_record_command(args, user, args.db or user.default_database)
    from danvan_desktop.cli import office_commands as commands

    return commands.run(command, args, user)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that closes standard output early ends it quietly (exit 141)."""
    from danvan_desktop.cli.output import GuardedStdout, output_closed

    real = sys.stdout
    if real is None:  # the windowed Windows bundle has no console at all
        return _main(argv)
    sys.stdout = GuardedStdout(real)
    try:
        try:
            return _main(argv)
        finally:
            # Flushed here, where a closed pipe can still be handled, not at interpreter exit.
            sys.stdout.flush()
    except BrokenPipeError:
        return output_closed(real)
    finally:
        sys.stdout = real


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    user = paths.user_paths()
    from danvan_desktop.logsetup import configure_logging

    log_file = configure_logging(user.log_file, verbose=args.verbose)
    command = args.command or "gui"
    try:
        if command == "gui":
            from danvan_desktop.app import run_gui

            return run_gui(
                args.db,
                demo_if_missing=getattr(args, "demo_if_missing", False),
                first_run=getattr(args, "first_run", False),
                quit_when_shown=getattr(args, "quit_when_shown", False),
            )
        # One rule (database_choice) for the window and every command; `demo` writes demo.sqlite3.
        choice = choose_database(args.db, user, creating=command == "init")
        args.database_choice = choice  # `info` says which file and why
        if command != "demo":
            args.db = choice.path
        database = choice.path
        from danvan_desktop.cli.account_commands import command_account  # who runs it: --user, roles

        if database.is_file() and (writes_database(args) or _upgrades_on_open(command, database)):
            from danvan_desktop.db.instance_lock import writer_lock

            with writer_lock(database), command_account(args, database):
                return _run_command(command, args, user)
        with command_account(args, database):
            return _run_command(command, args, user)
    except UserError as exc:
        log.info("user error: %s (%s)", exc.message, exc.detail)
        print(f"Lỗi: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        raise  # the reader of standard output has gone: main() stops quietly
    except KeyboardInterrupt:
        print("Đã hủy.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in command %s", command)
        where = f" Chi tiết trong tệp nhật ký: {log_file}" if log_file else ""
        print(f"Lỗi ngoài dự kiến của chương trình.{where}", file=sys.stderr)
        return EXIT_INTERNAL
