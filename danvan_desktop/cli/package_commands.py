"""The package commands behind the CLI (no Qt): export, import, trust."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_date_text, local_time_text
from danvan_desktop.paths import PACKAGE_SUFFIX, UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start, the GUI's too: no SQLAlchemy here
    from danvan_desktop.db.engine import Database

EXIT_ATTENTION = 1  # conflicts waiting or records rejected: a person has to look


def add_package_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="xuất gói dữ liệu (đã ký) để gửi đơn vị cấp trên",
        description="Ghi số liệu của đơn vị (kể cả số liệu đã nhận từ cấp dưới) vào một gói đã ký.",
    )
    export.add_argument(
        "--out", type=Path, metavar="TỆP", help="tệp gói (mặc định: tên theo đơn vị và số gói)"
    )
    export.add_argument(
        "--period",
        action="append",
        default=[],
        metavar="KỲ",
        help="chỉ kỳ này (lặp lại được), ví dụ 2025-H2 hoặc DA05-TU-SK; xem `danvan periods`",
    )
    export.add_argument("--since-last", action="store_true", help="chỉ những gì thay đổi từ lần xuất trước")
    export.add_argument(
        "--passphrase-file", type=Path, metavar="TỆP", help="mã hóa gói bằng mật khẩu ghi trong tệp"
    )
    export.add_argument(
        "--return",
        dest="returns",
        action="append",
        default=[],
        type=Path,
        metavar="TỆP.pdf",
        help="gửi kèm báo cáo đã ký số của đơn vị (lặp lại được); gói dùng định dạng 3",
    )

    imp = sub.add_parser(
        "import",
        help="nhập các gói dữ liệu nhận được (tệp hoặc thư mục)",
        description="Kiểm tra và hợp nhất gói. Mã thoát: 0 xong; 1 có xung đột chờ quyết định hoặc bản ghi "
        "bị từ chối; 2 có gói bị từ chối cả gói (hỏng, sai chữ ký, chưa tin cậy...).",
    )
    imp.add_argument("files", nargs="+", type=Path, metavar="TỆP")
    imp.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không thay đổi gì")
    imp.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    imp.add_argument("--passphrase-file", type=Path, metavar="TỆP", help="mật khẩu của gói mã hóa")
    imp.add_argument(
        "--accept-new-site",
        action="store_true",
        help="chấp nhận khóa ký của đơn vị gửi gói lần đầu (đã đối chiếu)",
    )

    conflicts = sub.add_parser("conflicts", help="xung đột chờ quyết định sau khi nhập gói")
    conflicts_sub = conflicts.add_subparsers(dest="conflicts_command", metavar="VIỆC", required=True)
    conflicts_sub.add_parser("list", help="liệt kê xung đột chờ xử lý, từng trường khác nhau")
    resolve = conflicts_sub.add_parser("resolve", help="giải quyết một xung đột")
    resolve.add_argument("id", type=int, metavar="SỐ", help="số xung đột (xem `danvan conflicts list`)")
    keep = resolve.add_mutually_exclusive_group(required=True)
    keep.add_argument("--keep-local", action="store_true", help="giữ bản đang có")
    keep.add_argument("--take-incoming", action="store_true", help="lấy bản trong gói")
    keep.add_argument(
        "--take-fields", nargs="+", metavar="TRƯỜNG", help="lấy các trường này theo gói, còn lại giữ"
    )

    ledger = sub.add_parser(
        "packages", help="sổ theo dõi gói: các gói đã nhập và các gói bị từ chối vì nghi giả mạo"
    )
    ledger.add_argument("--refused", action="store_true", help="chỉ các gói bị từ chối")

    trust = sub.add_parser("trust", help="các đơn vị gửi gói đã được tin cậy")
    trust_sub = trust.add_subparsers(dest="trust_command", metavar="VIỆC", required=True)
    trust_sub.add_parser("list", help="liệt kê đơn vị đã tin cậy và dấu vân tay khóa")
    reenrol = trust_sub.add_parser("reenrol", help="đăng ký (lại) khóa ký của đơn vị gửi gói này")
    reenrol.add_argument("file", type=Path, metavar="TỆP")
    reenrol.add_argument("--passphrase-file", type=Path, metavar="TỆP")


def _passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Không đọc được tệp mật khẩu {path}.", detail=repr(exc)) from exc
    if not text or not text[0].strip():
        raise UserError(f"Tệp mật khẩu {path} trống.")
    return text[0].strip()


def _user(db: Database) -> str:
    from danvan_desktop.services.office.office_view import user_name

    return user_name(db)


def cmd_export(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.services.exchange.package_export import export_package

    out = args.out
    if out is None:
        with db.session() as session:
            from danvan_desktop.services.office.installation import load_installation

            info = load_installation(session)
        out = Path.cwd() / f"{info.office_code}-{dt.date.today():%Y%m%d}{PACKAGE_SUFFIX}"
    result = export_package(
        db,
        out,
        periods=args.period,
        since_last=args.since_last,
        passphrase=_passphrase(args.passphrase_file),
        returns=args.returns,
    )
    if result.summary is None:
        print("Không có số liệu nào để gửi" + (" kể từ lần xuất trước." if args.since_last else "."))
        return 0
    summary = result.summary
    print(f"Đã xuất gói số {result.sequence}: {summary.path}")
    print(
        f"{summary.record_count} bản ghi ({summary.tombstone_count} đã xóa), {summary.size:,} byte".replace(
            ",", "."
        )
    )
    print(f"Dấu vân tay khóa ký: {summary.fingerprint}" + (" · gói đã mã hóa" if summary.encrypted else ""))
    if args.returns:
        print(f"Gửi kèm {len(args.returns)} báo cáo đã ký số.")
    return 0


def _package_files(targets: list[Path]) -> list[Path]:
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted(p for p in target.iterdir() if p.suffix == PACKAGE_SUFFIX))
        else:
            files.append(target)
    return files


def cmd_import(args: argparse.Namespace, db: Database, user_paths: UserPaths) -> int:
    from danvan_desktop.services.exchange.import_report import describe_report, rejected_lines
    from danvan_desktop.services.exchange.import_run import ImportRun, RunPackage
    from danvan_desktop.services.exchange.package_import import PackageReport, import_package

    passphrase = _passphrase(args.passphrase_file)
    files = _package_files(args.files)
    if not files:
        raise UserError("Không có tệp gói (*.danvan) nào để nhập.")
    reports: list[dict[str, object]] = []
    code = 0
    user = _user(db)
    backed_up = False
    # A real import reads and plans the next package in a worker process while one is written.
    run = ImportRun(
        db,
        [RunPackage(path, args.accept_new_site) for path in files],
        passphrase=passphrase,
        worker=not args.dry_run,
    )
    with run:
        for path in files:
            backup_dir = None if backed_up else user_paths.backup_dir  # one backup per run
            report: PackageReport
            try:
                if args.dry_run:
                    report = import_package(
                        db,
                        path,
                        user=user,
                        backup_dir=backup_dir,
                        passphrase=passphrase,
                        dry_run=True,
                        accept_new_site=args.accept_new_site,
                    )
                else:
                    report = run.import_next(path, user=user, backup_dir=backup_dir)
            except UserError as exc:
                code = 2
                reports.append({"file": str(path), "status": "refused", "message": exc.message})
                print(f"✗ {path.name}: {exc.message}", file=sys.stderr)  # in --json mode too: stdout is JSON
                continue
            backed_up = backed_up or report.backup is not None
            counts = report.counts()
            flagged = [r for r in report.returns if r.flagged]
            if counts["conflict"] or counts["rejected"] or flagged:
                code = max(code, EXIT_ATTENTION)
            for (
                outcome
            ) in flagged:  # a return whose figures or signatures are wrong is never accepted silently
                print(f"✗ {path.name}: {outcome.line()}", file=sys.stderr)
            reports.append(report.to_json())
            if report.status == "rejected":  # every record refused: the whole report is a refusal
                print(describe_report(report), file=sys.stderr)
                continue
            rejected = rejected_lines(report)
            if rejected:
                print(f"✗ {path.name}: {len(rejected)} bản ghi bị từ chối:", file=sys.stderr)
                print("\n".join(rejected), file=sys.stderr)
            if not args.json:
                print(describe_report(report, rejections=False))
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    return code


def cmd_trust(args: argparse.Namespace, db: Database) -> int:
    from sqlalchemy import select

    from danvan_desktop.db.models import TrustedSite

    if args.trust_command == "list":
        with db.session() as session:
            sites = session.scalars(select(TrustedSite).order_by(TrustedSite.office_unit_code)).all()
        if not sites:
            print("Chưa tin cậy đơn vị nào.")
        for site in sites:
            since = f"{local_date_text(site.accepted_at)}, {site.accepted_by}"
            print(f"{site.office_unit_code:<16} {site.fingerprint}  (tin cậy từ {since})")
        return 0
    from danvan_desktop.services.exchange.package_import import enrol_site

    row = enrol_site(db, args.file, user=_user(db), passphrase=_passphrase(args.passphrase_file))
    print(f"Đã đăng ký khóa ký của «{row.office_unit_code}»: {row.fingerprint}")
    return 0


def cmd_packages(args: argparse.Namespace, db: Database) -> int:
    """The ledger, newest first; exit 1 when it is empty (nothing found)."""
    from danvan_desktop.services.exchange.package_ledger import ledger_entries

    with db.session() as session:
        entries = ledger_entries(session, refused_only=args.refused)
    if not entries:
        print("Chưa có gói nào bị từ chối." if args.refused else "Chưa nhận gói nào.")
        return 1
    for entry in entries:
        mark = "✗" if entry.refused else "✓"
        print(
            f"{mark} {local_time_text(entry.at)}  {entry.sender}, gói số {entry.sequence} "
            f"({entry.file_name}): {entry.state}"
        )
        print(f"     {entry.detail}")
    return 0


def cmd_conflicts(args: argparse.Namespace, db: Database) -> int:
    from danvan_desktop.services.entry.entry import current_writer
    from danvan_desktop.services.exchange.conflicts import Choice, pending_conflicts, resolve_conflict
    from danvan_desktop.services.office.installation import load_installation

    if args.conflicts_command == "list":
        with db.session() as session:
            pending = pending_conflicts(session)
        if not pending:
            print("Không có xung đột nào chờ xử lý.")
            return 0
        for conflict in pending:
            print(f"[{conflict.id}] {conflict.form_title} — {conflict.unit_label} — {conflict.period_label}")
            print(f"     gửi bởi: {conflict.incoming_by}")
            # Always shown: a deletion against an edit may differ in nothing else.
            print(f"     Trạng thái: đang có «{conflict.local_state}», trong gói «{conflict.incoming_state}»")
            for field_id, change in zip(conflict.field_ids, conflict.changes, strict=False):
                print(f"     {change.label} ({field_id}): đang có «{change.old}», trong gói «{change.new}»")
        return EXIT_ATTENTION
    choice: Choice = "local" if args.keep_local else "incoming" if args.take_incoming else "fields"
    with db.transaction() as session:
        writer = current_writer(session, load_installation(session).site_id)
        resolve_conflict(
            session, args.id, choice=choice, writer=writer, incoming_fields=args.take_fields or ()
        )
    print(f"Đã giải quyết xung đột số {args.id}.")
    return 0


def run_package_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database

    db = open_database(database, backup_dir=user.backup_dir)
    try:
        if args.command == "export":
            return cmd_export(args, db)
        if args.command == "import":
            return cmd_import(args, db, user)
        if args.command == "conflicts":
            return cmd_conflicts(args, db)
        if args.command == "packages":
            return cmd_packages(args, db)
        return cmd_trust(args, db)
    finally:
        db.close()
