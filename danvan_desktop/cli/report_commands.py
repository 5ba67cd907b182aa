"""The report and settings commands behind the CLI (no Qt): print a return to PDF, fill the letterhead."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start, the GUI's too: no SQLAlchemy here
    from danvan_desktop.db.engine import Database

REPORT_COMMANDS = ("report", "settings")
KINDS = ("return", "summary", "register")
PROFILE_SETTING = "report.profile"


def add_report_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="in báo cáo ra tệp PDF theo thể thức văn bản (nhà nước hoặc Đảng)",
        description="Lập báo cáo PDF: return (báo cáo của xã), summary (báo cáo tổng hợp của đơn vị "
        "tổng hợp), register (danh sách một sổ theo dõi, trang ngang). Thiếu thông tin thì báo lỗi, "
        "không ghi tệp.",
    )
    report.add_argument("--kind", required=True, choices=KINDS, help="loại báo cáo")
    report.add_argument("--form", metavar="MÃ", help="mã sổ theo dõi (bắt buộc với --kind register)")
    report.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị (xem `danvan units`)")
    from danvan_desktop.cli.period_commands import PERIOD_HELP

    report.add_argument("--period", required=True, metavar="KỲ", help=PERIOD_HELP)
    report.add_argument(
        "--theo-don-vi",
        dest="structure",
        choices=("moi", "cu"),
        help="báo cáo tổng hợp qua kỳ có sắp xếp đơn vị hành chính: moi = quy đổi số liệu cũ theo đơn vị "
        "hành chính mới (cộng các đơn vị cũ nhập trọn vào một đơn vị mới); cu = theo đơn vị cũ, xã xếp "
        "theo huyện cũ. Bỏ trống: các đơn vị có hiệu lực trong kỳ, chia nhóm cũ, mới khi kỳ có thay đổi",
    )
    report.add_argument("--out", required=True, type=Path, metavar="TỆP.pdf", help="tệp PDF sẽ ghi")
    report.add_argument(
        "--profile",
        metavar="MẪU",
        help="mẫu văn bản: nha_nuoc, dang, mẫu riêng hoặc mẫu cấp trên gửi (mặc định: theo cài đặt)",
    )
    report.add_argument(
        "--profiles-dir", type=Path, metavar="THƯ_MỤC", help="thư mục mẫu văn bản riêng của đơn vị"
    )
    report.add_argument(
        "--date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="ngày ban hành (mặc định: hôm nay)"
    )
    report.add_argument(
        "--number",
        type=int,
        metavar="SỐ",
        help="số văn bản (mặc định: số tiếp theo trong sổ đăng ký văn bản; số đã cấp thì bị từ chối). "
        "Báo cáo của đơn vị cấp dưới in ra là bản sao để theo dõi, danh sách in không số: không nhận số",
    )

    report.add_argument(
        "--sign",
        action="store_true",
        help="ký số ngay khi ghi (cần --cert); ký không được thì không ghi, trả lại số",
    )
    from danvan_desktop.cli.sign_commands import add_key_options

    add_key_options(report)

    settings = sub.add_parser("settings", help="thông tin in trên báo cáo: cơ quan, người ký, nơi nhận")
    settings_sub = settings.add_subparsers(dest="settings_command", metavar="VIỆC", required=True)
    settings_sub.add_parser("list", help="liệt kê các mục và giá trị đã khai báo")
    put = settings_sub.add_parser(
        "set", help='khai báo một mục, ví dụ: settings set signer.name "Nguyễn Văn A"'
    )
    put.add_argument("key", metavar="MỤC")
    put.add_argument("value", metavar="GIÁ_TRỊ", help='giá trị; "" để xóa')


def user_profiles_dir(user: UserPaths) -> Path:
    return user.profiles_dir


def _check_out(out: Path) -> Path:
    if out.suffix.lower() != ".pdf":
        raise UserError(f"Tệp báo cáo «{out}» phải có đuôi .pdf, ví dụ: {out.with_suffix('.pdf').name}.")
    if not out.parent.is_dir():
        raise UserError(f"Không có thư mục {out.parent} để ghi báo cáo.")
    if out.is_dir():
        raise UserError(f"«{out}» là một thư mục, không phải tệp PDF.")
    return out


def cmd_report(args: argparse.Namespace, db: Database, user: UserPaths) -> int:
    from danvan_desktop.services.reporting.report_output import ReportRequest, save_report

    out = _check_out(args.out)
    if args.kind == "register" and not args.form:
        raise UserError("In danh sách sổ theo dõi cần --form, ví dụ: --form mo_hinh_dan_van_kheo.")
    if args.number is not None and args.number < 1:
        raise UserError("Số văn bản (--number) phải là số nguyên dương.")
    request = ReportRequest(
        kind=args.kind,
        unit=args.unit,
        period=args.period,
        date=args.date or dt.date.today(),
        profile=args.profile,
        form=args.form,
        number=args.number,
        profiles_dir=args.profiles_dir or user_profiles_dir(user),
        structure=args.structure or "ky",
    )
    # The number is entered in the register in the transaction that writes the file: see save_report.
    if args.sign:
        from danvan_desktop.cli.sign_commands import signed_report

        prepared = signed_report(args, db, user, request, out)
    else:
        if args.cert or args.org_cert:
            raise UserError("--cert, --org-cert chỉ dùng cùng --sign (ký số ngay khi ghi).")
        prepared = save_report(db, request, out)
    done = "Đã ký số và ghi" if args.sign else "Đã ghi"
    written = f"{done} {out} ({prepared.pages} trang, mẫu «{prepared.profile_name}»)"
    if prepared.number is None:  # a reading copy or a list: said, and the register left as it was
        print(f"{written}, không có số văn bản.\nLưu ý: {prepared.unnumbered}")
        return 0
    symbol, _, span = prepared.series.partition(":")
    print(f"{written}, số {prepared.number} ({symbol}, {span}) đã vào sổ đăng ký văn bản.")
    if prepared.abbreviation_guessed:
        used = prepared.abbreviation_guessed
        print(f"Lưu ý: chưa khai báo ký hiệu cơ quan (office.abbreviation); đã dùng «{used}».")
    return 0


def cmd_settings(args: argparse.Namespace, db: Database, user: UserPaths) -> int:
    from danvan_desktop.services.office.settings import get_setting
    from danvan_desktop.services.reporting import all_setting_keys

    keys = all_setting_keys()
    if args.settings_command == "list":
        with db.session() as session:
            for key, label in keys.items():
                value = get_setting(session, key) or "(chưa khai báo)"
                print(f"{key:<22} {label}: {value}")
        return 0
    if args.key not in keys:
        known = ", ".join(keys)
        raise UserError(f"Không có mục cài đặt «{args.key}». Các mục: {known}.")
    value = args.value.strip()
    if args.key == PROFILE_SETTING and value:  # the office's own, one sent from above, or shipped
        from danvan_desktop.services.reporting.pushed_profiles import office_profile

        with db.session() as session:
            office_profile(session, value, user_profiles_dir(user))
    from danvan_desktop.services.office.audit import change_setting

    with db.transaction() as session:
        change_setting(session, args.key, value)
    print(f"Đã khai báo {args.key} ({keys[args.key]}): {value or '(để trống)'}")
    return 0


def run_report_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database

    db = open_database(database, backup_dir=user.backup_dir)
    try:
        if args.command == "report":
            return cmd_report(args, db, user)
        return cmd_settings(args, db, user)
    finally:
        db.close()
