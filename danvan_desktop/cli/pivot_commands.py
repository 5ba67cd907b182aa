"""`danvan pivot`: a cross-tab of one numeric field of a form, printed or written to .xlsx/.csv/.pdf."""

from __future__ import annotations

import argparse
from pathlib import Path

from danvan_desktop.paths import UserPaths

COMMAND = "pivot"


def add_pivot_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pivot = sub.add_parser(
        COMMAND,
        help="bảng tổng hợp chéo một trường số của biểu mẫu theo đơn vị, kỳ hoặc trường lựa chọn",
        description="Cộng (đếm, tính bình quân) một trường số của một biểu mẫu theo đơn vị × kỳ báo cáo, "
        "hoặc theo một trường lựa chọn của biểu. Không có --out thì in ra màn hình. Biểu, trường hoặc "
        "kỳ không đúng: báo lỗi, mã thoát 2.",
    )
    pivot.add_argument("--form", required=True, metavar="MÃ", help="mã biểu mẫu (xem `danvan forms list`)")
    pivot.add_argument("--field", required=True, metavar="TRƯỜNG", help="mã trường số, ví dụ dong_gop_tien")
    pivot.add_argument(
        "--rows",
        default="unit",
        metavar="THEO",
        help="hàng: unit (đơn vị), period (kỳ) hoặc mã trường lựa chọn",
    )
    pivot.add_argument(
        "--cols",
        default="period",
        metavar="THEO",
        help="cột: period, unit, mã trường lựa chọn hoặc none (một cột)",
    )
    from danvan_desktop.cli.period_commands import PERIOD_HELP

    pivot.add_argument(
        "--periods", nargs="+", default=[], metavar="KỲ", help=f"{PERIOD_HELP}; mặc định: mọi kỳ có số liệu"
    )
    pivot.add_argument("--unit", metavar="MÃ", help="đơn vị tổng hợp (mặc định: đơn vị sử dụng)")
    pivot.add_argument(
        "--stat",
        choices=("sum", "count", "mean", "max"),
        default=None,
        help="sum: tổng; count: số bản ghi; mean: bình quân; max: cao nhất. Mặc định: tổng, hoặc với "
        "trường không cộng dồn giữa các đơn vị (số dân tộc, số tiêu chí, tỷ lệ) cách tổng hợp của nó",
    )
    pivot.add_argument(
        "--sort", metavar="THEO", default="", help="label (tên), total (cột Cộng) hoặc tên một cột"
    )
    pivot.add_argument("--desc", action="store_true", help="sắp xếp giảm dần")
    pivot.add_argument("--filter", default="", metavar="CHỮ", help="chỉ các dòng có chữ này (không cần dấu)")
    pivot.add_argument("--hide-empty", action="store_true", help="bỏ các dòng không có số liệu")
    pivot.add_argument("--out", type=Path, metavar="TỆP", help="tệp .xlsx, .csv hoặc .pdf sẽ ghi")


def run_pivot(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.cli.office_commands import open_existing
    from danvan_desktop.errors import UserError
    from danvan_desktop.services.reporting.pivot import (
        NONE,
        PivotRequest,
        build_pivot,
        default_stat,
        stat_problem,
    )
    from danvan_desktop.services.reporting.pivot_output import PivotView, pivot_text, write_pivot
    from danvan_desktop.text import fold, nfc

    request = PivotRequest(
        form_id=args.form,
        field_id=args.field,
        rows=args.rows,
        cols=NONE if args.cols.lower() == "none" else args.cols,
        periods=tuple(args.periods),
        unit=args.unit,
    )
    db = open_existing(args, user)
    try:
        with db.session() as session:
            table = build_pivot(session, request)
            stat = args.stat or default_stat(table.field)
            problem = stat_problem(table.field, stat)
            if problem:  # before any output: a refused sum writes no file
                raise UserError(problem.replace("Chọn phép tính khác: ", "Dùng --stat "))
    finally:
        db.close()
    sort = args.sort
    if sort and sort not in ("label", "total"):
        by_label = {fold(label): key for key, label in table.cols}
        if fold(sort) not in by_label:
            names = ", ".join(label for _, label in table.cols)
            raise UserError(
                f"Không sắp xếp theo «{sort}» được: dùng label, total hoặc tên một cột ({names})."
            )
        sort = by_label[fold(sort)]
    view = PivotView(stat, sort, args.desc, nfc(args.filter), args.hide_empty)
    if args.out is None:
        print(pivot_text(table, view))
        return 0
    count = write_pivot(table, view, args.out)
    print(f"Đã ghi {args.out} ({count} dòng).")
    return 0
