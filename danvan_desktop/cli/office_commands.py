"""The batch commands behind the CLI (no Qt): init, demo, units, catalog, info, forms, load, sheet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.database_choice import remember_opened
from danvan_desktop.db.engine import Database, guard_writes, open_database
from danvan_desktop.db.location import resolve_database
from danvan_desktop.db.models import OrgBranch, OrgUnit, Period, Record
from danvan_desktop.errors import CatalogError, UserError
from danvan_desktop.paths import UserPaths


def database_path(args: argparse.Namespace, user: UserPaths) -> Path:
    return resolve_database(args.db, user.data_dir) if args.db else user.default_database


def demo_path(args: argparse.Namespace, user: UserPaths) -> Path:
    return resolve_database(args.db, user.data_dir) if args.db else user.demo_database


def open_existing(args: argparse.Namespace, user: UserPaths) -> Database:
    return open_database(database_path(args, user), backup_dir=user.backup_dir)


def cmd_init(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.services.office.installation import initialize_database, load_installation

    path = database_path(args, user)
    db = initialize_database(path, args.unit, args.role, catalog_dir=paths.catalog_dir())
    with db.session() as session:
        info = load_installation(session)
    db.close()
    remember_opened(user, path)  # a new office is what the window and the commands open next
    print(f"Đã tạo cơ sở dữ liệu {db.label}")
    print(f"Đơn vị sử dụng: {info.office_label} ({info.office_code}), vai trò: {info.role_label}")
    return 0


def cmd_demo(args: argparse.Namespace, user: UserPaths) -> int:
    if getattr(args, "province", None):
        from danvan_desktop.cli.province_demo_command import cmd_province_demo

        return cmd_province_demo(args, user)
    from danvan_desktop.demo.build import build_demo
    from danvan_desktop.formspec.values import format_number

    path = demo_path(args, user)
    db = build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), today=args.today)
    with db.session() as session:
        communes = session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.kind.in_(["xa", "thi_tran"]), OrgUnit.parent.has(code="DH"))
        )
        villages = session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.source == "demo"))
        branches = session.scalar(select(func.count()).select_from(OrgBranch))
        records = session.scalar(select(func.count()).select_from(Record))
    db.close()
    print(f"Đã tạo dữ liệu minh họa huyện Định Hóa: {path}")
    shown = [format_number(n or 0, 0) for n in (communes, villages, branches)]
    print(f"{shown[0]} đơn vị cấp xã, {shown[1]} xóm/tổ dân phố, {shown[2]} chi hội, chi đoàn, ban công tác.")
    print(f"{format_number(records or 0, 0)} bản ghi của năm 2023 trong tất cả các biểu mẫu.")
    print(f"Mở bằng: danvan --db {path}")
    return 0


def cmd_units(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.services.office.orgunits import search_units, unit_label

    db = open_existing(args, user)
    with db.session() as session:
        units = search_units(session, args.search, on=args.on, limit=10_000)
        parents = {u.id: u for u in session.scalars(select(OrgUnit))}
        for unit in units:
            parent = parents.get(unit.parent_id) if unit.parent_id else None
            span = (
                f"{unit.valid_from:%d/%m/%Y}–{unit.valid_to:%d/%m/%Y}"
                if unit.valid_to
                else f"từ {unit.valid_from:%d/%m/%Y}"
            )
            under = f", thuộc {unit_label(parent)}" if parent else ""
            print(f"{unit.code:<18} {unit_label(unit)}{under} ({span})")
    db.close()
    if not units:
        print("Không tìm thấy đơn vị nào.")
        return 1
    return 0


def cmd_catalog(args: argparse.Namespace, user: UserPaths) -> int:
    files: list[Path] = args.files
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise CatalogError("Không tìm thấy tệp danh mục:", [str(m) for m in missing])
    if args.catalog_command == "check":
        from danvan_desktop.services.office.catalog_sync import known_unit_entries

        known = []
        target = database_path(args, user)
        if target.exists():
            db = open_database(target, backup_dir=user.backup_dir)
            with db.session() as session:
                known = known_unit_entries(session)
            db.close()
        from danvan_desktop.catalog.loader import load_checked

        catalogs = load_checked(files, known)
        total = sum(len(c.units) for c in catalogs)
        print(f"Danh mục hợp lệ: {len(catalogs)} tệp, {total} đơn vị.")
        return 0
    from danvan_desktop.services.office.catalog_sync import import_catalog_files

    db = open_existing(args, user)
    with db.transaction() as session:
        counts = import_catalog_files(session, files, source="user")
    db.close()
    print(f"Đã bổ sung danh mục: {counts.summary_vi()}.")
    return 0


def cmd_info(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.db.migrate import HEAD_REVISION
    from danvan_desktop.services.office.installation import load_installation

    db = open_existing(args, user)
    with db.session() as session:
        info = load_installation(session)
        counts = {
            "đơn vị": session.scalar(select(func.count()).select_from(OrgUnit)),
            "kỳ báo cáo": session.scalar(select(func.count()).select_from(Period)),
            "bản ghi": session.scalar(select(func.count()).select_from(Record)),
        }
    db.close()
    choice = getattr(args, "database_choice", None)
    print(f"Cơ sở dữ liệu: {db.label}" + (f" ({choice.reason})" if choice else ""))
    print(f"Phiên bản lược đồ: {HEAD_REVISION}")
    print(f"Đơn vị sử dụng: {info.office_label} ({info.office_code}), vai trò: {info.role_label}")
    print(f"Mã cài đặt: {info.site_id}")
    print(", ".join(f"{n} {label}" for label, n in counts.items()))
    print(f"Nhật ký: {user.log_file}")
    return 0


def cmd_forms(args: argparse.Namespace, user: UserPaths) -> int:
    if args.forms_command == "check":
        from danvan_desktop.formspec.check_command import run_forms_check

        return run_forms_check(list(args.files), paths.forms_dir())
    from danvan_desktop.services.office.forms import form_registry

    kinds = {"aggregate": "tổng hợp", "register": "sổ theo dõi"}
    for form in form_registry().values():
        print(f"{form.id:<24} v{form.version}  {kinds[form.kind]:<12} {form.title}")
    return 0


def _unit_and_period(session: Session, args: argparse.Namespace) -> tuple[int, int]:
    """The --unit (default: this installation's office) and --period of a form command."""
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.orgunits import find_unit
    from danvan_desktop.services.office.periods import get_period

    unit_id = find_unit(session, args.unit).id if args.unit else load_installation(session).office_unit_id
    return unit_id, get_period(session, args.period).id


def cmd_load(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.services.entry.entry import current_writer
    from danvan_desktop.services.entry.spreadsheets import load_rows
    from danvan_desktop.services.office.forms import get_form
    from danvan_desktop.services.office.installation import load_installation

    form = get_form(args.form)
    db = open_existing(args, user)
    try:
        # Committed only when rows were stored: a refused load leaves the file as it was, even
        # a period that get_period() would otherwise have created.
        with guard_writes(db.path), db.session() as session:
            unit_id, period_id = _unit_and_period(session, args)
            writer = current_writer(session, load_installation(session).site_id)
            report = load_rows(
                session, form, unit_id, period_id, args.file, writer=writer, keep_good=args.keep_good
            )
            if report.stored:
                session.commit()
    finally:
        db.close()
    # Rejected rows are refusals, on stderr; the warnings of stored rows and the summary are the report.
    for problem in report.rejected_rows:
        print(problem.text(), file=sys.stderr)
    if report.rejected and not report.stored:
        print("Dùng --keep-good để chỉ lưu các dòng hợp lệ.", file=sys.stderr)
    for warning in report.warnings:
        print(f"Lưu ý — {warning.text()}")
    print(report.summary_vi())
    return 0 if not report.rejected else 1


def cmd_sheet(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.services.entry.spreadsheets import export_xlsx
    from danvan_desktop.services.office.forms import get_form

    form = get_form(args.form)
    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"Tệp xuất «{out}» phải có đuôi .xlsx, ví dụ: {out.with_suffix('.xlsx').name}.")
    db = open_existing(args, user)
    try:
        with db.session() as session:  # never committed: exporting writes nothing
            unit_id, period_id = _unit_and_period(session, args)
            count = export_xlsx(session, form, unit_id, period_id, out)
    finally:
        db.close()
    print(f"Đã xuất {count} dòng của biểu «{form.title}» ra {out}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, UserPaths], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "units": cmd_units,
    "catalog": cmd_catalog,
    "info": cmd_info,
    "forms": cmd_forms,
    "load": cmd_load,
    "sheet": cmd_sheet,
}


def run(command: str, args: argparse.Namespace, user: UserPaths) -> int:
    return COMMANDS[command](args, user)
