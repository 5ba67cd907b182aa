"""`danvan periods`: the period codes an office can use, calendar periods and programme phases."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from danvan_desktop.paths import UserPaths

# The one help text of every --period option: the codes are data, `danvan periods` lists them.
PERIOD_HELP = (
    "kỳ báo cáo: 2023 (năm), 2023-H1 (6 tháng), 2023-Q2 (quý), 2023-M05 (tháng), 2023-9M (9 tháng) "
    "hoặc giai đoạn đề án, ví dụ DA05-TU-SK (sơ kết Đề án 05); danh sách: `danvan periods`"
)


def add_period_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    periods = sub.add_parser(
        "periods",
        help="liệt kê mã kỳ báo cáo dùng được: năm, 6 tháng, quý, tháng, giai đoạn đề án",
        description="Liệt kê các mã kỳ báo cáo mà đơn vị dùng được (dùng cho --period của các lệnh "
        "load, sheet export, export, report): giai đoạn sơ kết, tổng kết của các đề án, chương trình "
        "(ví dụ DA05-TU-SK, DA05-TU-TK) và các kỳ năm, 9 tháng, 6 tháng, quý; có --year thì cả "
        "từng tháng. Chỉ liệt kê các kỳ trùng với thời gian hiệu lực của đơn vị.",
    )
    periods.add_argument("--year", type=int, metavar="NĂM", help="chỉ các kỳ của năm này, kể cả từng tháng")
    periods.add_argument(
        "--unit", metavar="MÃ", help="mã đơn vị (mặc định: đơn vị sử dụng của cơ sở dữ liệu)"
    )
    periods.add_argument("--json", action="store_true", help="in dạng JSON")


def run_periods(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.cli.office_commands import open_existing
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.orgunits import find_unit, unit_label
    from danvan_desktop.services.office.periods import usable_periods
    from danvan_desktop.services.office.validity import span_text

    db = open_existing(args, user)
    try:
        with db.session() as session:
            unit = find_unit(session, args.unit or load_installation(session).office_code)
            found = usable_periods(session, unit, dt.date.today(), args.year)
            label, span = f"{unit_label(unit)} ({unit.code})", span_text(unit)
            unit_json = {
                "code": unit.code,
                "label": unit_label(unit),
                "valid_from": unit.valid_from.isoformat(),
                "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
            }
    finally:
        db.close()
    if args.json:
        print(json.dumps({"unit": unit_json, "periods": [p.to_json() for p in found]}, ensure_ascii=False))
    elif found:
        print(f"Kỳ báo cáo dùng được cho {label}, {span}:")
        heading, width = None, max(len(p.label) for p in found)
        for period in found:
            group = "Giai đoạn đề án, chương trình" if period.programme else f"Năm {period.start.year}"
            if group != heading:
                print(f"{group}:")
                heading = group
            print(
                f"  {period.code:<12} {period.label:<{width}} {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}"
            )
        if args.year is None:
            print("Kỳ tháng: NĂM-M01 … NĂM-M12 (ví dụ 2026-M05); xem từng tháng với --year NĂM.")
    if not found:
        where = f"năm {args.year}" if args.year else "các năm báo cáo"
        print(f"{label} {span}: không có kỳ báo cáo nào trong {where}.", file=sys.stderr)
        return 1
    return 0
