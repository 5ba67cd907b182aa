"""Record search benchmark: the window's Ctrl+K query over 100,000 records (bench/register_view.py's).

Baseline: a plain sqlite3 scan of the same table for one word (instr on search_text), same run.
Target: within 3x the one-word baseline (a query that every record matches must still sort them
all for the newest 50). Usage: python bench/record_search.py
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from register_view import build

from danvan_desktop.db.engine import open_database
from danvan_desktop.services.entry.record_search import search_records
from danvan_desktop.services.office.forms import form_registry

QUERIES = ["phu nu 2023", "nha van hoa xom lang hoen", "dan van kheo phuc chu", "so 99999", "khong co tu nay"]
RUNS = 5


def _median_ms(fn: object) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        build(path)
        db = open_database(path)
        forms = form_registry()
        conn = sqlite3.connect(path)
        baseline = _median_ms(
            lambda: conn.execute("SELECT id FROM record WHERE instr(search_text, 'phu nu') > 0").fetchall()
        )
        print(f"baseline (one word, plain sqlite3 scan): {baseline:.1f} ms")
        worst = 0.0
        for query in QUERIES:
            with db.session() as session:
                result = search_records(session, forms, query)
                ms = _median_ms(lambda: search_records(session, forms, query))  # noqa: B023
            worst = max(worst, ms)
            print(f"{query!r}: {len(result.hits)} hits{'+' if result.more else ''}, {ms:.1f} ms")
        conn.close()
        db.close()
    print(f"worst: {worst:.1f} ms = {worst / baseline:.1f}x the baseline (target <= 3x)")
    return 0 if worst <= 3 * baseline else 1


if __name__ == "__main__":
    sys.exit(main())
