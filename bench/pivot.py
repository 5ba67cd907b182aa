"""Cross-tab benchmark: one field of 100,000 register records by unit × period, and by a choice field.

Baseline: a plain sqlite3 GROUP BY of the same sums, measured in the same run. Target: ≤ 300 ms.
Usage: python bench/pivot.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from danvan_desktop import paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Record
from danvan_desktop.demo.build import build_demo
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import dated_subtree
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.pivot import PivotRequest, build_pivot
from danvan_desktop.text import search_text_for

RECORDS = 100_000
FORM_ID = "dong_gop_nhan_dan"
PERIODS = ("2021-H1", "2021", "2022-H1", "2022", "2023-H1", "2023")
KINDS = ("duong_giao_thong", "nha_van_hoa", "kenh_muong", "truong_hoc", "dien_chieu_sang", "khac")
TARGET_MS = 300


def build(path: Path) -> None:
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), records=False).close()
    db = open_database(path)
    rng = random.Random(15)
    now = dt.datetime(2023, 6, 1)
    with db.transaction() as session:
        office = load_installation(session).office_unit_id
        tree = dated_subtree(session, office, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
        assert tree is not None
        units = [n.id for n in tree.walk() if UnitKind(n.kind).is_commune_level]
        periods = [get_period(session, code).id for code in PERIODS]
        rows = []
        for i in range(RECORDS):
            values: dict[str, object] = {
                "ten_cong_trinh": f"Công trình số {i}",
                "loai_cong_trinh": rng.choice(KINDS),
                "so_ho_tham_gia": rng.randint(5, 300),
                "dong_gop_tien": rng.randint(0, 900) * 100_000,
            }
            rows.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "form_id": FORM_ID,
                    "form_version": 1,
                    "org_unit_id": rng.choice(units),
                    "period_id": rng.choice(periods),
                    "values": values,
                    "created_by": "bench",
                    "created_at": now,
                    "updated_by": "bench",
                    "updated_at": now,
                    "version_vector": {"bench": 1},
                    "deleted": False,
                    "search_text": search_text_for(values),
                }
            )
        session.execute(insert(Record), rows)
    db.close()


def plain_group_by(path: Path, by_choice: bool) -> list[tuple[object, ...]]:
    """The same sums straight from sqlite3, without any checking, labels or totals: the baseline."""
    extra = ", json_extract(\"values\", '$.loai_cong_trinh')" if by_choice else ""
    sql = (
        f"SELECT org_unit_id{extra}, period_id, SUM(json_extract(\"values\", '$.dong_gop_tien')), "
        "COUNT(json_extract(\"values\", '$.dong_gop_tien')) FROM record "
        f"WHERE form_id = ? AND deleted = 0 GROUP BY org_unit_id{extra}, period_id"
    )
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, (FORM_ID,)).fetchall()
    finally:
        conn.close()


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU milliseconds: on a shared machine the CPU figure is the steadier."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times) * 1000, statistics.median(cpu) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        path = Path(folder) / "pivot.sqlite3"
        build(path)
        db = open_database(path)
        failed = False
        try:
            for label, request, by_choice in (
                ("đơn vị × kỳ", PivotRequest(FORM_ID, "dong_gop_tien", "unit", "period"), False),
                (
                    "đơn vị × loại công trình",
                    PivotRequest(FORM_ID, "dong_gop_tien", "unit", "loai_cong_trinh"),
                    True,
                ),
            ):

                def pivot(request: PivotRequest = request) -> object:
                    with db.session() as session:
                        return build_pivot(session, request)

                pivot()  # the form definitions are read once per process
                ms, cpu_ms, table = timed(pivot, args.runs)
                base_ms, base_cpu, groups = timed(
                    lambda by_choice=by_choice: plain_group_by(path, by_choice), args.runs
                )
                total = table.grand_total()  # type: ignore[attr-defined]
                assert total.count == RECORDS, total
                assert round(total.total) == round(sum(float(g[-2]) for g in groups))  # type: ignore[arg-type, misc]
                ok = ms <= TARGET_MS
                failed |= not ok
                print(
                    f"pivot {label}, {RECORDS:,} records: {ms:.0f} ms wall, {cpu_ms:.0f} ms CPU "
                    f"(plain SQL GROUP BY: {base_ms:.0f} ms wall, {base_cpu:.0f} ms CPU; "
                    f"{ms / base_ms:.2f}x); target ≤ {TARGET_MS} ms: {'OK' if ok else 'TOO SLOW'}"
                )
        finally:
            db.close()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
