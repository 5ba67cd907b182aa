"""`danvan units list|add|rename|close|merge`: the office's own villages and residential groups."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from danvan_desktop.paths import UserPaths

WRITING = ("add", "rename", "close", "merge")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(text: str) -> dt.date:
    """2025-07-01 or 01/07/2025, as clerks write dates."""
    try:
        match = _DMY.match(text.strip())
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày «{text}» không hợp lệ (dạng 2025-07-01 hoặc 01/07/2025)"
        ) from None


_KINDS = "xom (xóm), thon (thôn), ban (bản), to_dan_pho (tổ dân phố)"


def add_unit_commands(units: argparse.ArgumentParser) -> None:
    """The subcommands of `danvan units`; without one it still lists and searches the catalog."""
    units.description = (
        "Không có việc: tìm đơn vị trong danh mục. Với việc: xóm, tổ dân phố do đơn vị sử dụng tự khai "
        "báo (chỉ dưới đơn vị của mình). Mã thoát 2: bị từ chối, không lưu gì."
    )
    sub = units.add_subparsers(dest="units_command", metavar="VIỆC")
    listing = sub.add_parser("list", help="liệt kê xóm, tổ dân phố của đơn vị sử dụng")
    listing.add_argument(
        "--on", type=parse_day, metavar="NGÀY", help="chỉ những xóm có hiệu lực vào ngày này"
    )

    add = sub.add_parser("add", help="thêm xóm, tổ dân phố (mỗi tên một đối số)")
    add.add_argument("names", nargs="+", metavar="TÊN", help='ví dụ: "Bản Lác" "Tổ dân phố Số 3"')
    add.add_argument("--kind", default="xom", metavar="LOẠI", help=f"{_KINDS}; mặc định xom")
    add.add_argument(
        "--from",
        dest="valid_from",
        type=parse_day,
        metavar="NGÀY",
        help="có hiệu lực từ (mặc định: như đơn vị)",
    )
    add.add_argument(
        "--to", dest="valid_to", type=parse_day, metavar="NGÀY", help="hết hiệu lực sau ngày này"
    )
    add.add_argument("--parent", metavar="MÃ", help="đơn vị cấp trên (mặc định: đơn vị sử dụng)")
    add.add_argument("--code", metavar="MÃ", help="mã tự chọn (chỉ khi thêm một tên; mặc định tự đánh số)")

    rename = sub.add_parser("rename", help="đổi tên một xóm (giữ nguyên mã, ghi lại tên cũ)")
    rename.add_argument("code", metavar="MÃ")
    rename.add_argument("name", metavar="TÊN_MỚI")

    close = sub.add_parser("close", help="kết thúc một xóm (ngày cuối cùng có hiệu lực)")
    close.add_argument("code", metavar="MÃ")
    close.add_argument("--last-day", required=True, type=parse_day, metavar="NGÀY", help="ngày cuối cùng")

    merge = sub.add_parser("merge", help="sáp nhập các xóm vào một xóm có sẵn hoặc một xóm mới")
    merge.add_argument("codes", nargs="+", metavar="MÃ", help="các xóm bị sáp nhập")
    merge.add_argument(
        "--on", required=True, type=parse_day, metavar="NGÀY", help="ngày sáp nhập có hiệu lực"
    )
    target = merge.add_mutually_exclusive_group(required=True)
    target.add_argument("--into", metavar="MÃ", help="xóm có sẵn nhận sáp nhập")
    target.add_argument("--name", metavar="TÊN", help="tên xóm mới hình thành")
    merge.add_argument("--kind", metavar="LOẠI", help=f"loại của xóm mới: {_KINDS}")


def run_unit_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.entry.entry import current_writer
    from danvan_desktop.services.office import village_units as villages
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.orgunits import unit_label

    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            office_id = load_installation(session).office_unit_id
        if args.units_command == "list":
            with db.session() as session:
                rows = villages.list_villages(session, office_id, on=args.on)
            for row in rows:
                later = f"; sáp nhập vào {row.successor}" if row.successor else ""
                print(f"{row.code:<20} {row.label}, thuộc {row.parent_label} ({row.span}{later})")
            if not rows:
                print('Đơn vị chưa khai báo xóm, tổ dân phố nào. Thêm bằng: danvan units add "Tên xóm"')
            return 0
        with db.transaction() as session:  # one refusal stores nothing of the whole command
            who = current_writer(session, "").user  # a listing needs no writer (nor a sign-in)
            if args.units_command == "add":
                if args.code and len(args.names) > 1:
                    print("Lỗi: --code chỉ dùng khi thêm một tên.", file=sys.stderr)
                    return 2
                # "Tổ dân phố Số 3" is a tổ dân phố named "Số 3", as in the window's paste box.
                entries = villages.parse_village_lines("\n".join(args.names), args.kind)
                done = [
                    villages.add_village(
                        session,
                        office_id,
                        name,
                        kind,
                        args.valid_from,
                        valid_to=args.valid_to,
                        parent_code=args.parent,
                        code=args.code,
                        user=who,
                    )
                    for name, kind in entries
                ]
                lines = [f"Đã thêm {unit_label(u)} (mã {u.code})." for u in done]
            elif args.units_command == "rename":
                unit = villages.rename_village(session, office_id, args.code, args.name, user=who)
                lines = [f"Đã đổi tên thành {unit_label(unit)} (mã {unit.code} giữ nguyên)."]
            elif args.units_command == "close":
                unit = villages.close_village(session, office_id, args.code, args.last_day, user=who)
                lines = [f"{unit_label(unit)} ({unit.code}) hết hiệu lực sau ngày {args.last_day:%d/%m/%Y}."]
            else:
                unit = villages.merge_villages(
                    session,
                    office_id,
                    args.codes,
                    args.on,
                    into=args.into,
                    new_name=args.name,
                    new_kind=args.kind,
                    user=who,
                )
                lines = [f"Đã sáp nhập vào {unit_label(unit)} (mã {unit.code}) từ ngày {args.on:%d/%m/%Y}."]
        print("\n".join(lines))
        return 0
    finally:
        db.close()
