"""The merge benchmark on a PostgreSQL server (`bench/merge.py --db postgresql://…`).

The same packages as the SQLite run (merge.py generates and caches them), each figure in its own
child process, every database a fresh clone of one initialized template, created on the server the
URL names (its role must be allowed to CREATE DATABASE) and dropped at the end:

- baseline: `COPY` of the same rows into the same tables of a fresh database (the record table with
  its indexes and foreign keys, plus one record_history row each), one transaction per package;
- import_package of every package by one importer;
- two importers in parallel (two processes, the first and the second half of the packages) into one
  database, against the one importer: wall time from the first start to the last end.

The app's own driver (whatever `postgresql://` resolves to in this build) is used throughout;
SQLAlchemy for everything but COPY, which goes through copy_in (psycopg or pg8000). On a throwaway
local cluster (tools/with-postgres.sh; fsync off), 40 packages instead of 200:

    bash tools/with-postgres.sh sh -c \
        '.venv/bin/python bench/merge.py --db "$DANVAN_TEST_DATABASE_URL" --packages 40 --records 2000'

Measured 2026-12-03, PostgreSQL 15, 40 × 2,000 records, on a 2-core machine shared with other jobs
(load average 6-7: the figures are rough, the ratios more telling than the rates):

    driver    COPY (base)   one importer             two in parallel
    psycopg   7,792 rec/s   1,788 rec/s (0.23x COPY) 1,522 rec/s (0.85x one importer)
    pg8000    7,763 rec/s     663 rec/s (0.09x COPY)   604 rec/s (0.91x one importer)

pg8000 ran an executemany as one statement per row; db/server.py now sets the dialect's
use_insertmanyvalues_wo_returning, so the rows of an INSERT go as multi-row VALUES (apply_plan 87 s to
21 s). Measured again the same afternoon (load average 5-9, other helpers' test runs):

    40 x 2,000, pg8000   7,733 rec/s   1,629 rec/s (0.21x COPY)   959 rec/s (0.59x one importer)
    (later runs at load 8-9: 0.20x, 0.13x COPY; two in parallel 1.33x, 1.06x one importer)

Two importers take turns for the writing itself (one advisory lock, db/server.py): every change gets
the next local_change, and exports send "everything after the last number sent", which holds only
if numbers follow the commit order. Before, an importer whose plan predated the other's commit
planned again inside the lock, so the second writer planned every package twice: 39 plans for 20
packages, summed plan_merge 3x one importer's. Now it plans again only when a record it judged was
written since, or the catalog changed (services/exchange/plan_basis.py): 20 plans for 20 packages.
20 x 2,000, pg8000, the same hour (load 8-9):

    rule                      one importer           two in parallel     plans by the two
    any change: plan again    578 rec/s (0.16x COPY)  0.92x one importer   39
    plan_basis (now)          761 rec/s (0.20x COPY)  0.90x one importer   20

On this machine the two importers and the server share 2 oversubscribed cores: planning is client
CPU, so two plans at once take twice as long each, and wall time does not improve. On an office
network each importer plans on its own PC; only apply_plan (a quarter to a half of an import) waits.
The dump an import run takes first (pg_dump, custom format) costs 1.5-4 s for 80,000 records
(9.2 MB): about 20-50 us per record.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from merge import FORM_ID, OFFICE, PERIOD, commune_codes, generate, package_path, raw_rows, run_child
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import URL

from danvan_desktop import paths
from danvan_desktop.db.location import SERVER_SUFFIX, read_server_file, server_url, write_server_file
from danvan_desktop.db.models import OrgUnit, Period, Record, RecordHistory
from danvan_desktop.db.server import make_server_engine
from danvan_desktop.db.snapshots import KEYS_FOLDER
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.installation import initialize_database

RECORD_COPY = (
    'COPY record (id, form_id, form_version, org_unit_id, period_id, "values", created_by, created_at, '
    "updated_by, updated_at, version_vector, deleted, origin_site, local_change) FROM STDIN (FORMAT csv)"
)
HISTORY_COPY = (
    'COPY record_history (record_id, form_version, "values", version_vector, deleted, changed_by, '
    "changed_at, change) FROM STDIN (FORMAT csv)"
)


# --- COPY, through whichever driver the URL names -------------------------------------------------


def copy_in(driver: str, cursor: Any, sql: str, data: bytes) -> None:
    """Run `COPY … FROM STDIN` with `data`: psycopg 3 has cursor.copy(), pg8000 a stream argument."""
    if driver == "psycopg":
        with cursor.copy(sql) as copy:
            copy.write(data)
    elif driver == "pg8000":
        cursor.execute(sql, stream=io.BytesIO(data))
    else:
        raise SystemExit(f"COPY through the driver {driver!r} is not written in this bench")


def csv_bytes(rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)  # no None and no empty string: nothing the server takes for NULL
    return out.getvalue().encode("utf-8")


def copy_all(db_path: Path, files: list[Path]) -> dict[str, Any]:
    """Baseline: every package's rows by COPY into record and record_history, one transaction each.

    Timed: building the CSV, both COPYs and the commit; reading the package (zipfile, json) is not.
    """
    engine = make_server_engine(db_path)  # the app's engine: the file's sslmode, if any, understood
    with engine.connect() as conn:
        units = dict(conn.execute(select(OrgUnit.code, OrgUnit.id)).tuples().all())
        periods = dict(conn.execute(select(Period.code, Period.id)).tuples().all())
    raw = engine.raw_connection()
    seconds = 0.0
    count = 0
    for path in files:
        rows = raw_rows(path)
        start = time.perf_counter()
        # raw_rows: id, form, version, unit, period, values, vector, deleted, created, updated, site
        records = [
            (*r[:3], units[r[3]], periods[r[4]], r[5], r[8], r[9], r[10], r[11], r[6], r[7], r[12], count + i)
            for i, r in enumerate(rows)
        ]
        history = [(r[0], r[2], r[5], r[6], r[7], r[10], r[11], "merge") for r in rows]
        cursor = raw.cursor()
        copy_in(engine.dialect.driver, cursor, RECORD_COPY, csv_bytes(records))
        copy_in(engine.dialect.driver, cursor, HISTORY_COPY, csv_bytes(history))
        cursor.close()
        raw.commit()
        seconds += time.perf_counter() - start
        count += len(rows)
    raw.close()
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(Record))
        history_rows = conn.scalar(select(func.count()).select_from(RecordHistory))
    engine.dispose()
    return {"seconds": seconds, "rows": count, "stored": stored, "history": history_rows}


# --- databases on the server ------------------------------------------------------------------------


class Scratch:
    """Databases made by this run on the server (dropped by close), each with its connection file."""

    def __init__(self, url: URL, folder: Path) -> None:
        self.url = url
        self.folder = folder
        plain = url.difference_update_query(["sslmode", "sslrootcert"])  # pg8000 takes no sslmode
        self.admin = create_engine(plain, isolation_level="AUTOCOMMIT")
        self.prefix = f"danvan_bench_{os.getpid()}_"
        self.names: list[str] = []

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar()).split()[0]

    def create(self, label: str, template: Path | None = None) -> Path:
        """A new database (a clone of `template`'s, with its keys) and its connection file."""
        name = self.prefix + label
        source = f' TEMPLATE "{read_server_file(template).url.database}"' if template else ""
        self.names.append(name)  # before: an interrupted CREATE is dropped too (IF EXISTS)
        self._run(f'CREATE DATABASE "{name}"{source}')
        target = self.folder / label / f"district{SERVER_SUFFIX}"
        target.parent.mkdir(parents=True)
        if template is not None:
            shutil.copytree(template.parent / KEYS_FOLDER, target.parent / KEYS_FOLDER)
        return write_server_file(target, self.url.set(database=name))

    def close(self) -> None:
        for name in self.names:
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


def dump_once(db_path: Path, folder: Path) -> dict[str, Any]:
    """The backup an import run takes first (pg_dump of the whole database), timed once."""
    from danvan_desktop.services.maintenance.backups import make_backup

    start = time.perf_counter()
    target = make_backup(db_path, folder, "truoc-nhap-goi")
    return {"seconds": time.perf_counter() - start, "bytes": target.stat().st_size}


def wall(*results: dict[str, Any]) -> float:
    """From the first importer's first package to the last importer's end."""
    return max(r["ended"] for r in results) - min(r["began"] for r in results)


def run_server(url_text: str, n: int, m: int, cache: Path) -> int:
    try:
        url = server_url(url_text)  # this build's driver, as the app itself would connect
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    total = n * m
    with tempfile.TemporaryDirectory(prefix="danvan-bench-merge-pg-") as folder:
        work = Path(folder)
        scratch = Scratch(url, work)
        try:
            template = scratch.create("template")
            initialize_database(template, OFFICE, "aggregating", catalog_dir=paths.catalog_dir()).close()
            communes = commune_codes(template)
            gen_seconds = generate(cache, communes, n, m)
            files = [str(package_path(cache, i)) for i in range(n)]
            backups = str(work / "backups")  # one pg_dump per importer, before its first package

            copied = run_child("--child", "copy", str(scratch.create("copy", template)), *files)
            one_db = scratch.create("one", template)
            one = run_child("--child", "import", str(one_db), backups, *files)
            dumped = dump_once(one_db, work / "dumps")  # what the next import run's backup costs
            two_db = str(scratch.create("two", template))
            halves = [files[: n // 2], files[n // 2 :]]
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                jobs = [pool.submit(run_child, "--child", "import", two_db, backups, *h) for h in halves]
                two = [job.result() for job in jobs]
            version = scratch.version()
        finally:
            scratch.close()

    copy_rate = copied["rows"] / copied["seconds"]
    one_wall, two_wall = wall(one), wall(*two)
    one_rate, two_rate = total / one_wall, total / two_wall
    ok_copy = copied["stored"] == total and copied["history"] == total
    ok_one = one["statuses"] == {"applied": n} and one["stored"] == total
    applied = sum(r["statuses"].get("applied", 0) for r in two)
    ok_two = applied == n and max(r["stored"] for r in two) == total
    print(f"server:                          PostgreSQL {version}, driver {url.drivername} ({url.host})")
    print(f"packages:                        {n} × {m:,} records = {total:,} ({FORM_ID}, period {PERIOD})")
    print(f"generation (cached in {cache}): {gen_seconds:.1f} s")
    print(
        f"COPY record + history (base):    {copy_rate:10,.0f} records/s  ({copied['seconds']:.2f} s; "
        "indexes, foreign keys, one history row each)"
    )
    print(
        f"import run, one importer:        {one_rate:10,.0f} records/s  ({one_wall:.1f} s, "
        f"{one_wall / n * 1000:.0f} ms/package)  ratio {one_rate / copy_rate:.4f}x the COPY rate"
    )
    print(
        f"two importers in parallel:       {two_rate:10,.0f} records/s  ({two_wall:.1f} s wall, halves of "
        f"{len(halves[0])} and {len(halves[1])} packages)  {two_rate / one_rate:.2f}x one importer"
    )
    for label, runs in [("one importer", [one]), ("two, summed", two)]:
        seconds = {k: sum(r["phases"].get(k, 0.0) for r in runs) for k in ("plan", "apply", "backup")}
        rest = sum(r["seconds"] for r in runs) - sum(seconds.values())
        plans = sum(int(r["phases"].get("plan calls", 0)) for r in runs)
        # An importer is an import run: plans made by its worker process are not timed here.
        print(
            f"  {label + ':':30s} plan_merge in the importer {seconds['plan']:5.1f} s ({plans} plans), "
            f"apply_plan {seconds['apply']:5.1f} s, "
            f"pg_dump {seconds['backup']:4.1f} s, rest (read, verify, lock wait, commit) {rest:5.1f} s"
        )
    print(
        f"pg_dump before an import run:    {dumped['seconds']:.1f} s for the {total:,} records imported "
        f"({dumped['bytes'] / 1_048_576:.1f} MB, custom format)"
    )
    print(f"  outcomes (one importer):       {one['outcomes']}  statuses {one['statuses']}")
    print(f"  statuses (two importers):      {[r['statuses'] for r in two]}")
    print(f"peak memory of an importer:      {max(r['peak_mb'] for r in [one, *two]):7.1f} MB (RSS)")
    if not (ok_copy and ok_one and ok_two):
        print("WRONG RESULT: not every row was copied, or not every package applied exactly once")
        return 1
    return 0
