"""Start-up benchmark: process start to main window shown (10,000 records) vs a bare QMainWindow.

Both are measured in the same run, alternating, as separate processes; the figure is the median.
Two app figures: the window on screen (the database opens in the background), and the window
filled with the office's unit tree. Usage: python bench/startup.py [--runs N]. Target: shown <= 3x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.models import OrgUnit, Period
from danvan_desktop.demo.build import build_demo
from danvan_desktop.services.entry.records import create_record
from danvan_desktop.services.office.installation import load_installation

RECORDS = 10_000
TARGET_RATIO = 3.0
SHOWN = "main-window-shown"
READY = "main-window-ready"
BARE_CHILD = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "window = QMainWindow()\n"
    "window.setWindowTitle('bare')\n"
    "window.show()\n"
    "app.processEvents()\n"
    f"print({SHOWN!r}, flush=True)\n"
)


def build_database(folder: Path) -> Path:
    path = folder / "bench.sqlite3"
    db = build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir())
    rng = random.Random(5)
    with db.transaction() as session:
        site = load_installation(session).site_id
        communes = session.scalars(select(OrgUnit.id).where(OrgUnit.kind.in_(["xa", "thi_tran"]))).all()
        periods = session.scalars(select(Period.id).where(Period.kind.in_(["year", "quarter"]))).all()
        for i in range(RECORDS):
            create_record(
                session,
                site_id=site,
                user="Nguyễn Thị Lan",
                form_id="dong_gop_nhan_dan",
                form_version=1,
                org_unit_id=rng.choice(communes),
                period_id=rng.choice(periods),
                values={
                    "ten_cong_trinh": f"Đường bê tông xóm số {i}",
                    "so_ho": rng.randint(10, 300),
                    "tien_mat": rng.randint(1, 500) * 1_000_000,
                    "dat_hien_m2": rng.randint(0, 2_000),
                    "ngay_cong": rng.randint(0, 900),
                    "ngay_khoi_cong": dt.date(2022, 1, 1).isoformat(),
                },
            )
    db.close()
    return path


def time_markers(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from process start to each marker line the child prints."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    seen = {line.strip(): time.perf_counter() - start for line in proc.stdout}
    if proc.wait() != 0 or SHOWN not in seen:
        raise SystemExit(f"child failed or never showed its window: {command}")
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANVAN_DATA_DIR=folder)
        db_path = build_database(Path(folder))
        app_cmd = [sys.executable, "-m", "danvan_desktop", "--db", str(db_path), "gui", "--quit-when-shown"]
        bare_cmd = [sys.executable, "-c", BARE_CHILD]
        time_markers(app_cmd, env)  # warm the OS file cache and .pyc files for both
        time_markers(bare_cmd, env)
        shown, ready, bare = [], [], []
        for _ in range(args.runs):
            app_run = time_markers(app_cmd, env)
            shown.append(app_run[SHOWN])
            ready.append(app_run[READY])
            bare.append(time_markers(bare_cmd, env)[SHOWN])
    bare_ms = statistics.median(bare) * 1000
    shown_ms = statistics.median(shown) * 1000
    ready_ms = statistics.median(ready) * 1000
    shown_ratio = shown_ms / bare_ms
    verdict = "within target" if shown_ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"records in database:                 {RECORDS:,} (medians of {args.runs} runs)")
    print(f"bare QMainWindow shown (baseline):   {bare_ms:7.1f} ms")
    print(f"app main window shown:               {shown_ms:7.1f} ms  ratio {shown_ratio:5.2f}x")
    print(f"app window filled (db open, tree):   {ready_ms:7.1f} ms  ratio {ready_ms / bare_ms:5.2f}x")
    print(f"target: main window shown <= {TARGET_RATIO}x baseline: {verdict}")
    return 0 if shown_ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
