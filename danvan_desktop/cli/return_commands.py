"""`danvan verify-code` and `danvan returns`: paper codes and signed returns received from units (no Qt)."""

from __future__ import annotations

import argparse
from pathlib import Path

from danvan_desktop.localtime import local_time_text
from danvan_desktop.paths import UserPaths

RETURN_COMMANDS = ("verify-code", "returns")
EXIT_NOT_VALID = 1


def add_return_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    code = sub.add_parser(
        "verify-code",
        help="đối chiếu mã xác minh in trên bản giấy của một báo cáo với số liệu đã nhận",
        description="Tìm báo cáo đã nhận (kèm gói) mang mã này, kiểm tra chữ ký của đơn vị gửi trên số liệu "
        "hiện có. Mã thoát: 0 khớp, 1 không khớp hoặc không tìm thấy, 2 mã gõ sai.",
    )
    code.add_argument("code", metavar="MÃ", help="mã in ở cuối báo cáo, ví dụ ABCD-EFGH-IJKL-M")
    returns = sub.add_parser(
        "returns", help="các báo cáo đã ký số nhận kèm gói dữ liệu, và kết quả kiểm tra từng báo cáo"
    )
    returns.add_argument("--flagged", action="store_true", help="chỉ các báo cáo cần xem lại")


def cmd_verify_code(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.reporting.return_check import check_code, match_lines
    from danvan_desktop.services.reporting.return_code import normalize_code

    normalize_code(args.code)  # a mistyped code is bad input (exit 2) before the database is opened
    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            matches = check_code(session, args.code, user.profiles_dir)
    finally:
        db.close()
    if not matches:
        print(
            f"KHÔNG TÌM THẤY: chưa nhận báo cáo nào mang mã {args.code.strip()} (mã chỉ đối chiếu được với "
            "báo cáo đã ký số nhận kèm gói dữ liệu)."
        )
        return EXIT_NOT_VALID
    for match in matches:
        print("\n".join(match_lines(match)))
    if all(m.ok for m in matches):
        print("KHỚP: bản giấy mang mã này là của báo cáo trên; số liệu đã nhận đúng như khi đơn vị ký.")
        return 0
    print("KHÔNG KHỚP: số liệu đã nhận khác với số liệu của báo cáo mang mã này; hãy liên hệ đơn vị gửi.")
    return EXIT_NOT_VALID


def cmd_returns(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from sqlalchemy import select

    from danvan_desktop.db.engine import open_database
    from danvan_desktop.db.models import ReceivedReturn

    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            stmt = select(ReceivedReturn).order_by(
                ReceivedReturn.received_at.desc(), ReceivedReturn.id.desc()
            )
            if args.flagged:
                stmt = stmt.where(ReceivedReturn.flagged.is_(True))
            rows = list(session.scalars(stmt))
    finally:
        db.close()
    if not rows:
        print(
            "Chưa nhận báo cáo đã ký số nào cần xem lại."
            if args.flagged
            else "Chưa nhận báo cáo đã ký số nào."
        )
        return 0
    for row in rows:
        mark = "✗" if row.flagged else "✓"
        symbol = row.series.split(":", 1)[0]
        print(
            f"{mark} {local_time_text(row.received_at)}  số {row.number}/{symbol} của {row.unit_code}, "
            f"kỳ {row.period_code}, ký bởi {row.signer or '?'}"
        )
        for problem in row.problems:
            print(f"     {problem}")
    return EXIT_NOT_VALID if any(r.flagged for r in rows) else 0


def figures_lines(pdf: bytes, user: UserPaths, database: Path) -> tuple[list[str], bool]:
    """What `verify-pdf` adds for a return issued by Dân Vận Desktop: its number and paper code and,
    when this computer has the data (the database exists), whether the figures match it."""
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.db.location import is_server_file
    from danvan_desktop.services.reporting.return_check import recompute_figures
    from danvan_desktop.services.reporting.return_code import read_statement

    try:
        signed = read_statement(pdf)
    except ValueError:
        return ["Thông tin xác minh số liệu trong tệp bị hỏng."], False
    if signed is None:
        return [], True
    st = signed.statement
    lines = [
        f"Báo cáo số {st.number}/{st.series.split(':', 1)[0]} của {st.unit}, kỳ {st.period}; "
        f"mã xác minh bản giấy {signed.code}"
    ]
    if not (database.is_file() or is_server_file(database)):
        return [*lines, "  - số liệu: chưa đối chiếu (máy này chưa có cơ sở dữ liệu)"], True
    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            figures = recompute_figures(session, st, pdf, user.profiles_dir)
    finally:
        db.close()
    if figures.matches and figures.text_ok is not False:
        return [*lines, "  - số liệu: KHỚP với số liệu trong cơ sở dữ liệu"], True
    return [*lines, f"  - số liệu: KHÁC — {figures.problem}"], False


def run_return_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    if args.command == "verify-code":
        return cmd_verify_code(args, user, database)
    return cmd_returns(args, user, database)
