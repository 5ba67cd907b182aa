"""Register view benchmark: 100,000 records of one register; open, sort, filter, peak memory.

Baseline: a plain sqlite3 query returning the same rows, measured in the same run.
Targets: open <= 300 ms, filter <= 100 ms, peak RSS < 250 MB. Usage: python bench/register_view.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert, select

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import OrgUnit, Period, Record, RecordHistory
from danvan_desktop.demo.build import build_demo
from danvan_desktop.services.entry.registers import list_fields
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.text import search_text_for
from danvan_desktop.ui.entry_pages import RegisterPage
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.register_model import RegisterTableModel

RECORDS = 100_000
FORM_ID = "mo_hinh_dan_van_kheo"
WORDS = ["Đường bê tông", "Hiến đất", "Nhà văn hóa", "Phụ nữ", "Thanh niên", "Cựu chiến binh", "Nông dân"]
FIELDS = ["kinh_te", "van_hoa_xa_hoi", "quoc_phong_an_ninh", "xay_dung_he_thong_chinh_tri"]
VILLAGES = ["Làng Hoèn", "Nà Lom", "Độc Lập"]
STATUSES = ["dang_ky", "tham_dinh", "cong_nhan"]


def build(path: Path) -> tuple[int, int]:
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), records=False).close()
    db = open_database(path)
    rng = random.Random(7)
    now = dt.datetime(2023, 6, 1)
    with db.transaction() as session:
        site = load_installation(session).site_id
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "DH-PHUCCHU"))
        period = session.scalar(select(Period).where(Period.code == "2023"))
        assert unit is not None and period is not None
        records, history = [], []
        for i in range(RECORDS):
            values = {
                "ten_mo_hinh": f"{rng.choice(WORDS)} xóm {rng.choice(VILLAGES)} số {i}",
                "loai_mo_hinh": rng.choice(["tap_the", "ca_nhan"]),
                "linh_vuc": rng.choice(FIELDS),
                "nam_dang_ky": str(rng.randint(2021, 2023)),
                "ket_qua_tien": rng.randint(0, 900) * 1_000_000,
                "ket_qua_ho": rng.randint(5, 400),
                "trang_thai": rng.choice(STATUSES),
            }
            rid = str(uuid.UUID(int=rng.getrandbits(128)))
            vector = {site: 1}
            records.append(
                {
                    "id": rid,
                    "form_id": FORM_ID,
                    "form_version": 1,
                    "org_unit_id": unit.id,
                    "period_id": period.id,
                    "values": values,
                    "created_by": "bench",
                    "created_at": now,
                    "updated_by": "bench",
                    "updated_at": now,
                    "version_vector": vector,
                    "deleted": False,
                    "search_text": search_text_for(values),
                }
            )
            history.append(
                {
                    "record_id": rid,
                    "form_version": 1,
                    "values": values,
                    "version_vector": vector,
                    "deleted": False,
                    "changed_by": "bench",
                    "changed_at": now,
                    "change": "create",
                }
            )
        session.execute(insert(Record), records)
        session.execute(insert(RecordHistory), history)
        unit_id, period_id = unit.id, period.id
    db.close()
    return unit_id, period_id


def plain_query(path: Path, unit_id: int, period_id: int) -> list[tuple[object, ...]]:
    """The same rows with every listed column, straight from sqlite3: the baseline."""
    extracts = ", ".join(f"json_extract(\"values\", '$.{c.id}')" for c in list_fields(get_form(FORM_ID)))
    sql = (
        f"SELECT id, search_text, {extracts} FROM record WHERE form_id = ? AND period_id = ? "
        "AND org_unit_id = ? AND deleted = 0"
    )
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, (FORM_ID, period_id, unit_id)).fetchall()
    finally:
        conn.close()


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # child process: make the database
    parser.add_argument("--baseline", nargs=4, help=argparse.SUPPRESS)  # child process: plain sqlite3
    args = parser.parse_args()
    if args.build:
        print(*build(args.build))
        return 0
    if args.baseline:
        path, unit_id, period_id, runs = args.baseline
        ms, rows = timed(lambda: plain_query(Path(path), int(unit_id), int(period_id)), int(runs))
        print(ms, len(rows))  # type: ignore[arg-type]
        return 0
    app = QApplication.instance() or QApplication(sys.argv[:1])
    form = get_form(FORM_ID)
    columns = list_fields(form)
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        path = Path(folder) / "register.sqlite3"
        # Built in a child process so that the setup's memory does not count in the peak below.
        out = subprocess.run(
            [sys.executable, __file__, "--build", str(path)], capture_output=True, text=True, check=True
        )
        unit_id, period_id = (int(x) for x in out.stdout.split())
        db = open_database(path)
        with db.session() as session:
            site_id = load_installation(session).site_id
        target = EntryTarget(unit_id, "Xã Phúc Chu", "xa", period_id, "Năm 2023", site_id, (unit_id,))
        pages: list[RegisterPage] = []

        def open_table() -> RegisterTableModel:
            # The page a clerk opens: search box, table, buttons; shown and painted once.
            if pages:  # the previous page goes before the next opens, as when a clerk switches forms
                pages.pop().deleteLater()
                QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                gc.collect()
            page = RegisterPage(db, form, target)
            page.resize(1200, 800)
            page.show()
            app.processEvents()
            pages.append(page)
            assert page.model is not None
            return page.model

        # In a child process too: holding 100,000 full rows must not count in our peak memory.
        out = subprocess.run(
            [sys.executable, __file__, "--baseline", str(path), str(unit_id), str(period_id), str(args.runs)],
            capture_output=True,
            text=True,
            check=True,
        )
        baseline_ms, baseline_rows = float(out.stdout.split()[0]), int(out.stdout.split()[1])
        start_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        open_ms, model = timed(open_table, args.runs)
        assert isinstance(model, RegisterTableModel) and model.rowCount() == baseline_rows == RECORDS  # type: ignore[arg-type]

        def sort_by_name() -> None:
            model.sort(columns.index(form.field("ten_mo_hinh")))
            app.processEvents()

        def search() -> int:
            model.set_filter("hien dat lang hoen")
            app.processEvents()
            return model.rowCount()

        first_sort_ms, _ = timed(sort_by_name, 1)  # fetches and folds the column once
        sort_ms, _ = timed(sort_by_name, args.runs)
        filter_ms, hits = timed(search, args.runs)
        model.set_filter("")
        db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records in register:             {RECORDS:,} ({FORM_ID}), medians of {args.runs} runs")
    print(f"plain sqlite3 query (baseline):  {baseline_ms:7.1f} ms")
    print(f"open register page (shown)   : {open_ms:7.1f} ms  ({open_ms / baseline_ms:4.2f}x)  target <= 300")
    print(f"sort by name, first / again:     {first_sort_ms:7.1f} ms / {sort_ms:.1f} ms")
    print(f"filter 'hien dat lang hoen':     {filter_ms:7.1f} ms  ({hits:,} rows)  target <= 100 ms")
    print(
        f"peak memory (RSS):               {peak_mb:7.1f} MB  target < 250 MB (at start: {start_mb:.0f} MB)"
    )
    ok = open_ms <= 300 and filter_ms <= 100 and peak_mb < 250
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
