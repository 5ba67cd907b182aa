"""The maintenance commands behind the CLI (no Qt): backup, backups, restore, check."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from danvan_desktop.db.location import database_label
from danvan_desktop.errors import DatabaseMissingError
from danvan_desktop.localtime import local_time_text
from danvan_desktop.paths import UserPaths

log = logging.getLogger(__name__)

EXIT_PROBLEMS = 2  # `danvan check` found something wrong


def add_maintenance_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser(
        "backup",
        help="sao lưu cơ sở dữ liệu (kèm khóa ký) ngay bây giờ",
        description="Chép cơ sở dữ liệu một cách nhất quán (kể cả khi cửa sổ chương trình đang mở) "
        "vào thư mục sao lưu, hoặc vào tệp chỉ định bằng --out. "
        "Khóa ký được chép vào tệp .keys.zip bên cạnh.",
    )
    backup.add_argument("--out", type=Path, metavar="TỆP", help="tệp sao lưu (mặc định: thư mục sao lưu)")
    sub.add_parser("backups", help="liệt kê các bản sao lưu: ngày, lý do, số bản ghi")
    restore = sub.add_parser(
        "restore",
        help="khôi phục cơ sở dữ liệu từ một bản sao lưu",
        description="Kiểm tra bản sao lưu, sao lưu trạng thái hiện tại rồi thay cơ sở dữ liệu bằng bản sao "
        "lưu (kèm khóa ký). Không hỏi lại. Cửa sổ chương trình phải được đóng trước.",
    )
    restore.add_argument("file", type=Path, metavar="TỆP", help="tệp sao lưu (xem `danvan backups`)")
    sub.add_parser(
        "check",
        help="kiểm tra cơ sở dữ liệu: tính toàn vẹn, khóa ngoại, lịch sử bản ghi",
        description="Mã thoát: 0 không có vấn đề; 2 có vấn đề (liệt kê từng vấn đề).",
    )


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".", ",") if size >= 1_048_576 else f"{size // 1024} KB"


def cmd_backups(user: UserPaths, database: Path) -> int:
    from danvan_desktop.services.maintenance.backups import list_backups

    infos = list_backups(user.backup_dir, database)  # a server's dumps, or a file's copies
    if not infos:
        print(f"Chưa có bản sao lưu nào trong {user.backup_dir}.")
        return 0
    print(f"Các bản sao lưu trong {user.backup_dir} (mới nhất trước):")
    for info in infos:
        records = "?" if info.record_count is None else f"{info.record_count} bản ghi"
        state = "" if info.valid else "  [HỎNG hoặc không dùng được]"
        made = local_time_text(info.created.astimezone())  # names carry local wall-clock time
        print(f"{made}  {info.reason:<22} {records:>14}  {_size(info.size):>8}  {info.path.name}{state}")
    return 0


def _audit_backup(database: Path, target: Path) -> None:
    """The copy in the audit trail; skipped while the window holds the database (it is the writer)."""
    from danvan_desktop.db.instance_lock import writer_lock
    from danvan_desktop.errors import DatabaseLockedError
    from danvan_desktop.services.office.audit import record_file_action

    try:
        with writer_lock(database):
            record_file_action(database, "backup.create", actor=None, detail=str(target))
    except DatabaseLockedError:
        log.info("backup not entered in the audit trail: the window holds %s", database)


def run_maintenance_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    if args.command == "backups":
        return cmd_backups(user, database)
    shown = database_label(database)  # a server's address without its password
    if not database.is_file() and args.command != "restore":
        raise DatabaseMissingError(f"Không có tệp cơ sở dữ liệu {database}.")
    if args.command == "backup":
        from danvan_desktop.services.maintenance.backups import MANUAL_REASON, make_backup, prune_backups

        target = make_backup(database, user.backup_dir, MANUAL_REASON, target=args.out)
        if args.out is None:
            prune_backups(user.backup_dir)
        _audit_backup(database, target)
        print(f"Đã sao lưu {shown} vào {target}")
        return 0
    if args.command == "restore":
        from danvan_desktop.db.instance_lock import writer_lock
        from danvan_desktop.services.maintenance.backups import restore_backup

        with writer_lock(database):
            safety = restore_backup(args.file, database, user.backup_dir)
        print(f"Đã khôi phục {shown} từ bản sao lưu {args.file}.")
        if safety is not None:
            print(f"Dữ liệu trước khi khôi phục được giữ lại tại {safety}")
        return 0
    from danvan_desktop.services.maintenance.health import check_database

    problems = check_database(database)
    if not problems:
        print(f"Cơ sở dữ liệu {shown}: không phát hiện vấn đề nào.")
        return 0
    print(f"Cơ sở dữ liệu {shown}: phát hiện {len(problems)} vấn đề:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem.message}", file=sys.stderr)
    advice = "Hãy khôi phục từ bản sao lưu tốt gần nhất (`danvan backups`, `danvan restore TỆP`)."
    print(advice, file=sys.stderr)
    return EXIT_PROBLEMS
