"""`danvan forms list|publish|breaks` and `danvan targets set|list|import` (no Qt)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start: no SQLAlchemy at import time
    from danvan_desktop.db.engine import Database

KINDS = {"aggregate": "tổng hợp", "register": "sổ theo dõi"}
TARGET_COLUMNS = ("don_vi", "nam", "chi_tieu_so", "gia_tri", "ten_chi_tieu", "don_vi_tinh", "loai")


def add_form_commands(forms_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    forms_sub.add_parser(
        "list",
        help="liệt kê các biểu mẫu: kèm theo chương trình và do cấp trên gửi, phiên bản nào đang dùng",
    )
    publish = forms_sub.add_parser(
        "publish",
        help="ban hành một phiên bản biểu mẫu (tệp YAML) để gửi xuống các đơn vị trong gói trả lời",
        description="Kiểm tra tệp như `danvan forms check`, rồi lưu phiên bản vào cơ sở dữ liệu: từ đó "
        "phiên bản này được dùng ở đây và được gửi xuống các đơn vị trực thuộc trong gói trả lời. "
        "Một số phiên bản chỉ ứng với một nội dung: sửa tiếp thì tăng «version».",
    )
    publish.add_argument("file", type=Path, metavar="TỆP.yaml")
    breaks = forms_sub.add_parser(
        "breaks",
        help="liệt kê bản ghi nhập theo phiên bản cũ không còn đạt quy tắc của phiên bản đang dùng",
        description="Bản ghi nhập theo phiên bản biểu mẫu cũ được giữ nguyên; lệnh này liệt kê những bản "
        "ghi có lỗi theo phiên bản đang dùng để người nhập mở ra sửa. Mã thoát 1 khi có bản ghi cần sửa.",
    )
    breaks.add_argument("--form", metavar="MÃ", help="chỉ biểu mẫu này")
    breaks.add_argument("--unit", metavar="MÃ", help="chỉ đơn vị này")


def add_target_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    targets = sub.add_parser(
        "targets",
        help="chỉ tiêu Đề án 05 giao cho từng đơn vị trực thuộc theo năm",
        description="Giao chỉ tiêu Đề án 05 cho đơn vị trực thuộc (gửi xuống trong gói trả lời; ở đơn "
        "vị, chỉ tiêu trở thành «Chỉ tiêu kế hoạch» của biểu Đề án 05, không sửa được khi nhập).",
    )
    targets_sub = targets.add_subparsers(dest="targets_command", metavar="VIỆC", required=True)
    set_ = targets_sub.add_parser("set", help="giao (hoặc sửa) một chỉ tiêu")
    set_.add_argument("unit", metavar="ĐƠN_VỊ", help="mã đơn vị trực thuộc")
    set_.add_argument("year", type=int, metavar="NĂM")
    set_.add_argument("indicator", type=int, metavar="CHỈ_TIÊU_SỐ", help="số thứ tự chỉ tiêu trong Đề án")
    set_.add_argument("value", metavar="GIÁ_TRỊ", help="ví dụ 85 hoặc 85,5")
    set_.add_argument("--name", help="tên chỉ tiêu (bắt buộc khi chỉ tiêu số này chưa có ở đây)")
    set_.add_argument("--measure", help="đơn vị tính: %%, mô hình, cuộc… (như --name)")
    set_.add_argument("--kind", choices=["phan_dau", "khong_che"], help="loại chỉ tiêu (mặc định phan_dau)")
    list_ = targets_sub.add_parser("list", help="liệt kê chỉ tiêu đã giao hoặc đã nhận")
    list_.add_argument("--unit", metavar="MÃ")
    list_.add_argument("--year", type=int, metavar="NĂM")
    load = targets_sub.add_parser(
        "import",
        help="giao nhiều chỉ tiêu từ tệp CSV (UTF-8): " + ", ".join(TARGET_COLUMNS),
        description="Mỗi dòng một chỉ tiêu, các cột: " + ", ".join(TARGET_COLUMNS) + " (ba cột cuối có thể "
        "để trống khi chỉ tiêu đã có). Có dòng lỗi thì không lưu dòng nào.",
    )
    load.add_argument("file", type=Path, metavar="TỆP.csv")


def writes(args: argparse.Namespace) -> bool:
    """Whether this forms/targets command changes the database."""
    if args.command == "forms":
        return getattr(args, "forms_command", "") == "publish"
    return getattr(args, "targets_command", "") in ("set", "import")


def _open(args: argparse.Namespace, user: UserPaths) -> Database:
    from danvan_desktop.cli.office_commands import open_existing

    return open_existing(args, user)


def run_forms_command(args: argparse.Namespace, user: UserPaths) -> int:
    if args.forms_command == "list":
        return _forms_list(args, user)
    if args.forms_command == "publish":
        return _forms_publish(args, user)
    return _forms_breaks(args, user)


def _forms_list(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.errors import DatabaseMissingError
    from danvan_desktop.services.office.form_versions import ORIGIN_SHIPPED, ListedForm, form_listing
    from danvan_desktop.services.office.forms import form_registry

    try:
        db = _open(args, user)
    except DatabaseMissingError:  # no office yet: what the program ships is all there is
        listed = [
            ListedForm(f.id, f.title, f.kind, f.version, ORIGIN_SHIPPED, "", None, True)
            for f in form_registry().values()
        ]
    else:
        try:
            with db.session() as session:
                listed = form_listing(session)
        finally:
            db.close()
    for form in listed:
        mark = "*" if form.in_force else " "
        print(
            f"{mark} {form.form_id:<24} v{form.version:<3} {KINDS[form.kind]:<12} "
            f"{form.origin_label:<28} {form.title}"
        )
    print("(*: phiên bản đang dùng)")
    return 0


def _forms_publish(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.db.engine import guard_writes
    from danvan_desktop.formspec.loader import load_form_file
    from danvan_desktop.services.office.accounts import require_in
    from danvan_desktop.services.office.audit import record_action
    from danvan_desktop.services.office.form_versions import ORIGIN_OWN, store_form_definition
    from danvan_desktop.services.office.installation import load_installation

    form = load_form_file(args.file)  # every problem by file and line, before the database is opened
    db = _open(args, user)
    try:
        with guard_writes(db.path), db.transaction() as session:
            actor = require_in(session, "forms.publish")
            office = load_installation(session).office_code
            stored = store_form_definition(
                session, form, origin=ORIGIN_OWN, origin_unit_code=office, stored_by=actor.writer_name
            )
            if stored.new:
                record_action(session, "forms.publish", form_id=form.id, detail=f"phiên bản {form.version}")
    finally:
        db.close()
    what = f"biểu mẫu «{form.title}» ({form.id}) phiên bản {form.version}"
    print(f"Đã ban hành {what}." if stored.new else f"Đã có {what}, không có gì thay đổi.")
    return 0


def _forms_breaks(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.services.entry.form_upgrade import records_breaking_rules

    db = _open(args, user)
    try:
        with db.session() as session:
            found = records_breaking_rules(session, args.form, args.unit)
    finally:
        db.close()
    for item in found:
        name = f" «{item.title}»" if item.title else ""
        print(
            f"{item.record_id[:8]}  {item.form_title}{name} · {item.unit_label} · {item.period_label} "
            f"(nhập theo phiên bản {item.record_version}, đang dùng {item.form_version})",
            file=sys.stderr,
        )
        for message in item.messages:
            print(f"    - {message}", file=sys.stderr)
    if found:
        print(f"{len(found)} bản ghi nhập theo phiên bản cũ cần sửa theo phiên bản đang dùng.")
        return 1
    print("Không có bản ghi nào vi phạm quy tắc của phiên bản biểu mẫu đang dùng.")
    return 0


def run_targets_command(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.db.engine import guard_writes
    from danvan_desktop.services.office.form_versions import form_in_force
    from danvan_desktop.services.office.targets import INDICATOR_FORM, KINDS, list_targets, set_target

    db = _open(args, user)
    try:
        if args.targets_command == "list":
            with db.session() as session:
                found = list_targets(session, args.unit, args.year)
            for t in found:
                print(
                    f"{t.unit_code:<16} {t.year}  số {t.indicator:<3} {t.value_text:>10} {t.measure:<8} "
                    f"{KINDS[t.kind]:<13} {t.name} (giao bởi {t.assigned_by})"
                )
            if not found:
                print("Chưa có chỉ tiêu nào.")
            return 0
        if args.targets_command == "import":
            rows = _read_sheet(args.file)
        else:
            rows = [(args.unit, args.year, args.indicator, args.value, args.name, args.measure, args.kind)]
        with guard_writes(db.path), db.transaction() as session:
            form = form_in_force(session, INDICATOR_FORM)
            done = []
            for number, (unit, year, indicator, value, name, measure, kind) in enumerate(rows, 1):
                try:
                    done.append(
                        set_target(
                            session, form, unit, year, indicator, value, name=name, measure=measure, kind=kind
                        )
                    )
                except UserError as exc:
                    where = f"Dòng {number + 1}: " if args.targets_command == "import" else ""
                    raise UserError(f"{where}{exc.message} Không có chỉ tiêu nào được lưu.") from exc
    finally:
        db.close()
    for t in done:
        print(
            f"Đã giao chỉ tiêu số {t.indicator} năm {t.year} cho {t.unit_label} ({t.unit_code}): "
            f"{t.value_text} {t.measure}"
        )
    return 0


Row = tuple[str, int, int, str, str | None, str | None, str | None]


def _read_sheet(path: Path) -> list[Row]:
    """The rows of a targets CSV file; any malformed row refuses the whole file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"Không đọc được tệp chỉ tiêu {path}: {exc}") from exc
    rows: list[Row] = []
    for number, line in enumerate(lines, 2):
        missing = [c for c in TARGET_COLUMNS[:4] if not (line.get(c) or "").strip()]
        if missing:
            raise UserError(
                f"Dòng {number}: thiếu cột {', '.join(missing)} (cần các cột: {', '.join(TARGET_COLUMNS)})."
            )
        try:
            year, indicator = int(line["nam"]), int(line["chi_tieu_so"])
        except ValueError as exc:
            raise UserError(f"Dòng {number}: năm và số thứ tự chỉ tiêu phải là số nguyên.") from exc
        name, measure, kind = ((line.get(c) or "").strip() or None for c in TARGET_COLUMNS[4:])
        rows.append((line["don_vi"].strip(), year, indicator, line["gia_tri"].strip(), name, measure, kind))
    if not rows:
        raise UserError(f"Tệp {path} không có dòng chỉ tiêu nào.")
    return rows
