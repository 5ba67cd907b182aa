"""The review commands behind the CLI (no Qt): returns' states, decisions, comments, replies, the inbox."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start: no SQLAlchemy here
    from danvan_desktop.db.engine import Database

REVIEW_COMMANDS = ("review", "reply", "inbox")
STATE_CODES = ("dang_nhap", "da_nop", "da_nhan", "da_duyet", "tra_lai")


def add_review_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = sub.add_parser(
        "review",
        help="duyệt báo cáo: nộp, duyệt, trả lại kèm ý kiến, xin và cho mở lại",
        description="Mỗi báo cáo (đơn vị × kỳ × biểu mẫu) đi qua các trạng thái: đang nhập → đã nộp → "
        "đã nhận → đã duyệt, hoặc trả lại kèm ý kiến rồi nộp lại. Trạng thái: "
        + ", ".join(STATE_CODES)
        + ".",
    )
    review_sub = review.add_subparsers(dest="review_command", metavar="VIỆC", required=True)
    listing = review_sub.add_parser("list", help="các báo cáo và trạng thái (cấp trên: của các đơn vị)")
    listing.add_argument("--period", metavar="KỲ", help="chỉ kỳ này")
    listing.add_argument("--state", choices=STATE_CODES, metavar="TRẠNG_THÁI", help="chỉ trạng thái này")
    for name, text in (("approve", "duyệt báo cáo đơn vị đã nộp"), ("return", "trả lại báo cáo kèm ý kiến")):
        decide = review_sub.add_parser(name, help=text)
        _add_return(decide, with_unit=True)
        decide.add_argument("--comment", metavar="Ý_KIẾN", default="", help="ý kiến về cả báo cáo")
    comment = review_sub.add_parser("comment", help="góp ý một báo cáo, một bản ghi hoặc một trường")
    _add_return(comment, with_unit=True)
    comment.add_argument("text", metavar="Ý_KIẾN")
    comment.add_argument(
        "--record", metavar="MÃ_BẢN_GHI", help="góp ý một bản ghi (8 ký tự đầu của mã là đủ)"
    )
    comment.add_argument("--field", metavar="TRƯỜNG", help="góp ý một trường của bản ghi đó")
    submit = review_sub.add_parser("submit", help="nộp báo cáo của đơn vị lên cấp trên (chốt kỳ)")
    _add_return(submit, with_unit=False)
    submit.add_argument("--note", default="", metavar="GHI_CHÚ")
    comments = review_sub.add_parser("comments", help="ý kiến của cấp trên và việc đã sửa")
    comments.add_argument("--period", metavar="KỲ")
    comments.add_argument("--open", action="store_true", help="chỉ ý kiến chưa sửa")
    resolve = review_sub.add_parser("resolve", help="đánh dấu đã sửa theo một ý kiến")
    resolve.add_argument("comment_id", metavar="MÃ_Ý_KIẾN")
    request = review_sub.add_parser("reopen-request", help="xin cấp trên mở lại báo cáo đã duyệt")
    _add_return(request, with_unit=False)
    request.add_argument("--reason", required=True, metavar="LÝ_DO")
    grant = review_sub.add_parser("grant", help="cho đơn vị mở lại báo cáo đã duyệt (theo đề nghị)")
    _add_return(grant, with_unit=True)
    grant.add_argument("--note", default="", metavar="GHI_CHÚ")

    reply = sub.add_parser(
        "reply",
        help="xuất gói phản hồi (đã ký) gửi các đơn vị cấp dưới: quyết định, ý kiến, văn bản",
        description="Ghi một gói phản hồi cho mỗi đơn vị cấp dưới có điều cần gửi (hoặc cho các đơn vị "
        "chỉ định bằng --unit).",
    )
    reply.add_argument("--out", type=Path, required=True, metavar="THƯ_MỤC")
    reply.add_argument(
        "--unit", action="append", default=[], metavar="MÃ", help="chỉ đơn vị này (lặp lại được)"
    )
    reply.add_argument(
        "--passphrase-file", type=Path, metavar="TỆP", help="mã hóa gói bằng mật khẩu trong tệp"
    )
    inbox = sub.add_parser("inbox", help="hộp thư: ý kiến và văn bản của cấp trên đã nhận")
    inbox.add_argument("--limit", type=int, default=50, metavar="SỐ")


def _add_return(parser: argparse.ArgumentParser, *, with_unit: bool) -> None:
    if with_unit:
        parser.add_argument("unit", metavar="ĐƠN_VỊ", help="mã đơn vị cấp dưới")
    parser.add_argument("form", metavar="BIỂU_MẪU", help="mã biểu mẫu (xem `danvan forms list`)")
    parser.add_argument("period", metavar="KỲ", help="mã kỳ, ví dụ 2025-H2 (xem `danvan periods`)")


def run_review_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database

    db = open_database(database, backup_dir=user.backup_dir)
    try:
        if args.command == "reply":
            return _reply(args, db)
        if args.command == "inbox":
            return _inbox(args, db)
        if args.review_command == "list":
            return _list(args, db)
        if args.review_command == "comments":
            return _comments(args, db)
        return _act(args, db)
    finally:
        db.close()


def _act(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.services.review import returns

    command = args.review_command
    with db.transaction() as session:
        if command in ("approve", "return"):
            row = returns.decide_return(
                session, args.unit, args.form, args.period, approve=command == "approve", comment=args.comment
            )
            done = "Đã duyệt" if command == "approve" else "Đã trả lại"
            print(f"{done} báo cáo {args.form} của {args.unit} kỳ {args.period} ({row.state}).")
        elif command == "comment":
            comment = returns.add_comment(
                session,
                args.unit,
                args.form,
                args.period,
                args.text,
                record_id=args.record,
                field_id=args.field,
            )
            print(f"Đã ghi ý kiến {comment.id[:8]}.")
        elif command == "submit":
            returns.submit_return(session, args.form, args.period, note=args.note)
            print(
                f"Đã nộp báo cáo {args.form} kỳ {args.period}; kỳ đã chốt. Gói xuất lần tới sẽ báo cấp trên."
            )
        elif command == "resolve":
            comment = returns.resolve_comment(session, args.comment_id)
            print(f"Đã đánh dấu đã sửa theo ý kiến {comment.id[:8]}.")
        elif command == "reopen-request":
            returns.request_reopen(session, args.form, args.period, args.reason)
            print("Đã ghi đề nghị mở lại; gói xuất lần tới sẽ gửi đề nghị lên cấp trên.")
        else:
            returns.grant_reopen(session, args.unit, args.form, args.period, args.note)
            print(f"Đã cho {args.unit} mở lại báo cáo {args.form} kỳ {args.period}; gửi gói phản hồi để báo.")
    return 0


def _list(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.services.review.listing import review_rows

    with db.session() as session:
        rows = review_rows(session, period=args.period, state=args.state)
    if not rows:
        print("Không có báo cáo nào" + (f" ở trạng thái {args.state}" if args.state else "") + ".")
        return 0
    for row in rows:
        extra = f" · {row.open_comments} ý kiến chưa sửa" if row.open_comments else ""
        extra += " · xin mở lại" if row.reopen_requested else ""
        where = f"{row.unit_code:<16} {row.period_code:<10} {row.form_id}"
        print(f"{row.state_label:<10} {where}  {row.form_title}{extra}")
    return 0


def _comments(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.services.review.listing import comment_rows

    with db.session() as session:
        rows = comment_rows(session, period=args.period, open_only=args.open)
    if not rows:
        print("Không có ý kiến nào.")
        return 0
    for row in rows:
        mark = "✓" if row.resolved else "•"
        where = f" bản ghi {row.record_id[:8]}" if row.record_id else ""
        where += f", trường {row.field_id}" if row.field_id else ""
        print(f"{mark} [{row.id[:8]}] {row.unit_code} {row.period_code} {row.form_id}{where} — {row.author}:")
        print(f"     {row.text}")
    return 0


def _reply(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.cli.package_commands import _passphrase
    from danvan_desktop.services.exchange.reply_export import write_replies

    results = write_replies(db, args.out, units=args.unit, passphrase=_passphrase(args.passphrase_file))
    if not results:
        print("Không có gì để gửi đơn vị nào.")
        return 0
    for result in results:
        kinds = f"; kèm {', '.join(result.payload_kinds)}" if result.payload_kinds else ""
        print(
            f"Gói phản hồi số {result.sequence} cho {result.unit_label}: {result.summary.path} "
            f"({result.summary.record_count} mục{kinds})"
        )
    print(f"Dấu vân tay khóa ký: {results[0].summary.fingerprint}")
    return 0


def _inbox(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.localtime import local_time_text
    from danvan_desktop.services.review.listing import inbox_rows

    if args.limit < 1:
        raise UserError("--limit phải là số dương.")
    with db.session() as session:
        rows = inbox_rows(session, limit=args.limit)
    if not rows:
        print("Hộp thư trống: chưa nhận gói phản hồi nào của cấp trên.")
        return 0
    for row in rows:
        print(f"{local_time_text(row.received_at)}  {row.title}")
        if row.detail:
            print(f"     {row.detail}")
    return 0
