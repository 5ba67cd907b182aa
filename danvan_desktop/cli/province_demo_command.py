"""`danvan demo --province [PATH]`: the province office's demo, fed by every commune's signed packages."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from danvan_desktop import paths
from danvan_desktop.paths import UserPaths

DEFAULT = "default"  # what `--province` without a path stands for


def add_province_option(demo: argparse.ArgumentParser) -> None:
    demo.add_argument(
        "--province",
        nargs="?",
        const=DEFAULT,
        metavar="TỆP",
        help="dữ liệu minh họa cấp tỉnh: Ban Tuyên giáo và Dân vận Tỉnh ủy Thái Nguyên năm 2026 nhận gói "
        "của mọi xã, phường (kỳ 2025-H2 và 2026) và lịch sử huyện Định Hóa 2021–2024 "
        "(mặc định: demo-tinh.sqlite3 trong thư mục dữ liệu)",
    )


def province_demo_path(args: argparse.Namespace, user: UserPaths) -> Path:
    if args.province != DEFAULT:
        return Path(args.province)
    return Path(args.db) if args.db else user.province_demo_database


def cmd_province_demo(args: argparse.Namespace, user: UserPaths) -> int:
    from danvan_desktop.demo.province import build_province_demo
    from danvan_desktop.formspec.values import format_number

    path = province_demo_path(args, user)
    started = time.perf_counter()
    print(f"Đang tạo dữ liệu minh họa cấp tỉnh tại {path} …", file=sys.stderr)
    result = build_province_demo(
        path,
        catalog_dir=paths.catalog_dir(),
        demo_dir=paths.demo_dir(),
        today=args.today,
        progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
    )
    result.db.close()
    elapsed = time.perf_counter() - started
    n = [format_number(x, 0) for x in (len(result.communes), result.packages, result.records)]
    print(f"Đã tạo dữ liệu minh họa cấp tỉnh (Ban Tuyên giáo và Dân vận Tỉnh ủy Thái Nguyên): {path}")
    print(f"{n[0]} xã, phường gửi gói kỳ 2025-H2 và 2026; huyện Định Hóa (cũ) gửi số liệu 2021–2024.")
    print(f"{n[1]} gói đã ký được nhập (xem `danvan packages`), {n[2]} bản ghi.")
    print(f"Thời gian: {format_number(round(elapsed), 0)} giây.")
    print(f"Mở bằng: danvan --db {path}")
    return 0
