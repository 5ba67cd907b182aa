"""Merge benchmark: 200 commune packages of 2,000 records each imported into one district database.

Every package is signed by its own key (a commune site of its own); units are the real communes of
Định Hóa, reused round-robin, period 2023, form to_chuc_doan_the. Measured, each in a child process
so that set-up does not count in the memory peaks:

- import of every package into one aggregating database for DH, as `danvan import FOLDER` does it (one
  import run: services/exchange/import_run.py, its worker process planning packages while this one
  writes; records/second from the run's start to its end, CPU time and peak RSS of both processes);
- baseline, in the same run: the same rows inserted with plain sqlite3.executemany into an equivalent
  table of a fresh file (one transaction per package, WAL like the app);
- re-import of every package (all duplicates);
- export of a 10,000-record database vs plain sqlite3 rows written as JSON lines into a zip.

Targets (issue 17), each against its baseline measured in the same run: import >= 0.6x the storage
floor (the same rows by plain executemany into tables with the record table's indexes and one
history row each, one commit per package) and >= 0.3x the bare insert rate; peak RSS of the
importing process < 300 MB; re-import of every package <= 1.5 s in all; the copy before an import
run <= 20% of importing one package into the full database; the crash test (bench/crash.py, 100
kills) leaves 0 corrupt or partial databases. Packages are cached in a temp folder (--cache). Usage:
    python bench/merge.py [--packages 200] [--records 2000] [--profile] [--crash 100]

With --db postgresql://ROLE@HOST:PORT/DATABASE (a role allowed to CREATE DATABASE) the run is on that
server instead (bench/merge_server.py): import against COPY of the same rows, two importers in
parallel against one. A throwaway local server: bash tools/with-postgres.sh sh -c
'.venv/bin/python bench/merge.py --db "$DANVAN_TEST_DATABASE_URL" --packages 20'
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from danvan_desktop import __version__, paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import OrgUnit, Record
from danvan_desktop.formspec.validate import clean_values
from danvan_desktop.services.exchange import import_run, package_import
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.transport import ManifestInfo, write_package

FORM_ID = "to_chuc_doan_the"
PERIOD = "2023"
OFFICE = "DH"
EXPORT_RECORDS = 10_000
TARGET_RATIO = 0.3
TARGET_STORED = 0.6
TARGET_PEAK_MB = 300
TARGET_REIMPORT_SECONDS = 1.5
TARGET_BACKUP_SHARE = 0.2
GENERATION = "v1"  # bump when the generated data changes, so that stale caches are not reused
ORGANIZATIONS = {
    "MTTQ": "Ban công tác Mặt trận",
    "HLHPN": "Chi hội Phụ nữ",
    "DTN": "Chi đoàn",
    "HND": "Chi hội Nông dân",
    "HCCB": "Chi hội Cựu chiến binh",
    "CD": "Công đoàn cơ sở",
}
VILLAGES = ["Nà Mòn", "Bản Lác", "Làng Hoèn", "Nà Lom", "Độc Lập", "Khuổi Tát", "Pác Cáp", "Đồng Tâm"]
RATINGS = ["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "khong_hoan_thanh"]
NOTES = ["", "Sinh hoạt đều đặn hằng tháng.", "Tổ chức tốt phong trào thi đua, hỗ trợ hội viên nghèo."]
CLERKS = ["Nguyễn Thị Lan", "Hoàng Văn Dũng", "Ma Thị Hoa", "Lường Văn Thắng"]
RAW_TABLE = (
    "CREATE TABLE record (id TEXT PRIMARY KEY, form_id TEXT, form_version INTEGER, unit TEXT, "
    'period TEXT, "values" TEXT, vector TEXT, deleted INTEGER, created_by TEXT, created_at TEXT, '
    "updated_by TEXT, updated_at TEXT, origin_site TEXT)"
)
RAW_INSERT = "INSERT INTO record VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
# A second, informative baseline: what the app must store per record (the record table's indexes
# and one history row each), still written by plain executemany.
RAW_STORED = (
    "CREATE INDEX ix_raw_form_unit_period ON record (form_id, unit, period)",
    "CREATE INDEX ix_raw_unit ON record (unit)",
    "CREATE INDEX ix_raw_period ON record (period)",
    'CREATE TABLE history (id INTEGER PRIMARY KEY, record_id TEXT, form_version INTEGER, "values" TEXT, '
    "vector TEXT, deleted INTEGER, changed_by TEXT, changed_at TEXT, change TEXT)",
    "CREATE INDEX ix_raw_history_record ON history (record_id)",
)
RAW_HISTORY = (
    'INSERT INTO history (record_id, form_version, "values", vector, deleted, changed_by, changed_at, '
    "change) VALUES (?, ?, ?, ?, ?, ?, ?, 'merge')"
)


# --- generating packages -------------------------------------------------------------------------


def commune_codes(db_path: Path) -> list[str]:
    """Commune-level units under the office, valid during the period (the real catalog)."""
    db = open_database(db_path)
    try:
        with db.session() as session:
            office = session.scalars(select(OrgUnit).where(OrgUnit.code == OFFICE)).one()
            start, end = dt.date(int(PERIOD), 1, 1), dt.date(int(PERIOD), 12, 31)
            units = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == office.id)).all()
            return sorted(
                u.code
                for u in units
                if UnitKind(u.kind).is_commune_level
                and u.valid_from <= start
                and (u.valid_to is None or u.valid_to >= end)
            )
    finally:
        db.close()


def make_records(rng: random.Random, site_id: str, units: list[str], count: int) -> list[dict[str, Any]]:
    """Branches of the Front and the organizations, valid for the form (computed field filled)."""
    form = get_form(FORM_ID)
    records = []
    for i in range(count):
        org = rng.choice(list(ORGANIZATIONS))
        target = rng.randint(40, 1_500)
        members = rng.randint(10, target)
        values = clean_values(
            form,
            {
                "to_chuc": org,
                "ten_chi_hoi": f"{ORGANIZATIONS[org]} xóm {rng.choice(VILLAGES)} {i + 1}",
                "hoi_vien": members,
                "doi_tuong": target,
                "hoi_vien_moi": rng.randint(0, min(members, 40)),
                "xep_loai": rng.choice(RATINGS),
                "ghi_chu": rng.choice(NOTES) or None,
            },
        )
        created = dt.datetime(2023, 1, 1) + dt.timedelta(minutes=rng.randint(0, 500_000))
        clerk = rng.choice(CLERKS)
        records.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "form_id": FORM_ID,
                "form_version": form.version,
                "unit_code": units[i % len(units)],
                "period_code": PERIOD,
                "values": {k: v for k, v in values.items() if v is not None},
                "version_vector": {site_id: 1},
                "deleted": False,
                "created_by": clerk,
                "created_at": created,
                "updated_by": clerk,
                "updated_at": created,
                "origin_site": site_id,
            }
        )
    return records


def make_package(out: Path, seed: str, units: list[str], count: int, office: str) -> Path:
    """One site's first package, signed by that site's own (seeded) key."""
    if out.exists():
        return out
    rng = random.Random(seed)
    key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    site_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    info = ManifestInfo(
        site_id=site_id,
        office_unit=office,
        sequence=1,
        app_version=__version__,
        schema_revision=HEAD_REVISION,
        forms={FORM_ID: get_form(FORM_ID).version},
        periods=[PERIOD],
        units=units,
    )
    write_package(out, info, make_records(rng, site_id, units, count), key)  # atomic: cache-safe
    return out


def package_path(cache: Path, index: int) -> Path:
    return cache / f"xa-{index:04d}.danvan"


def generate(cache: Path, communes: list[str], packages: int, records: int) -> float:
    """Every missing package of the cache (in parallel); seconds spent."""
    start = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    jobs = [
        (package_path(cache, i), f"{GENERATION}-{i}", [communes[i % len(communes)]], records, None)
        for i in range(packages + 2)  # two more than imported: the profile's and the backup run's
    ]
    jobs.append((cache / "export.danvan", f"{GENERATION}-export", communes, EXPORT_RECORDS, OFFICE))
    missing = [job for job in jobs if not job[0].exists()]
    if missing:
        with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            futures = [
                pool.submit(make_package, out, seed, units, count, office or units[0])
                for out, seed, units, count, office in missing
            ]
            for future in futures:
                future.result()
    return time.perf_counter() - start


# --- child processes -----------------------------------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(name: str, function: Any, phases: Counter[str]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] += time.perf_counter() - start
            phases[f"{name} calls"] += 1  # two importers on a server: how often a plan is made again

    return wrapper


def import_all(db_path: Path, files: list[Path], backups: Path) -> dict[str, Any]:
    """Import every file in turn as `danvan import FOLDER` does (one ImportRun: the next package read and
    planned in a worker process while one is written); time the run from its start to its end, the
    worker's start and stop included (backups removed between packages, outside the timing).

    The steps done in this process are timed too, by wrapping them in this process only.
    """
    phases: Counter[str] = Counter()
    import_run.write_import = _timed("write", import_run.write_import, phases)
    import_run.import_package = _timed("here", import_run.import_package, phases)
    package_import.plan_merge = _timed("plan", package_import.plan_merge, phases)
    package_import.backup_database = _timed("backup", package_import.backup_database, phases)
    package_import.apply_plan = _timed("apply", package_import.apply_plan, phases)
    backup_bytes = 0
    backed_up = False
    db = open_database(db_path)
    start_mb = peak_mb()
    statuses: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    cleaning = 0.0
    each: list[float] = []
    began = time.time()  # wall clock: two importers in parallel are timed from start to end
    start, start_cpu = time.perf_counter(), time.process_time()
    with import_run.ImportRun(db, [import_run.RunPackage(path, True) for path in files]) as run:
        for path in files:
            before = time.perf_counter()
            # As `danvan import FOLDER` does: one backup before the first changing package of the run.
            report = run.import_next(path, user="Hoàng Văn Dũng", backup_dir=None if backed_up else backups)
            backed_up = backed_up or report.backup is not None
            each.append(time.perf_counter() - before)
            statuses[report.status] += 1
            outcomes.update(report.counts())
            if report.backup:  # a clerk keeps these; 200 growing copies would fill the bench disk
                cleared = time.perf_counter()
                backup_bytes += Path(report.backup).stat().st_size
                Path(report.backup).unlink()
                cleaning += time.perf_counter() - cleared
    seconds = time.perf_counter() - start - cleaning
    # The worker's CPU time and memory count too (it has been waited for when the run closed).
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - start_cpu + worker.ru_utime + worker.ru_stime
    ended = time.time()
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(Record))
    db.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "each": each,
        "began": began,
        "ended": ended,
        "phases": dict(phases),
        "backup_bytes": backup_bytes,
        "statuses": dict(statuses),
        "outcomes": dict(outcomes),
        "stored": stored,
        "start_mb": start_mb,
        "peak_mb": peak_mb(),
        "worker_peak_mb": worker.ru_maxrss / 1024,
        "db_bytes": db_path.stat().st_size,
    }


def backup_run(db_path: Path, package: Path, backups: Path) -> dict[str, Any]:
    """The copy before an import run, into the full database: a whole new copy, then one reused.

    First the copy an import run makes when the database changed since the last one (online backup,
    then quick_check as the verified copy); then a run importing one more package, whose copy is
    that one, unchanged since: its cost is the check that nothing was written.
    """
    phases: Counter[str] = Counter()
    package_import.backup_database = _timed("backup", package_import.backup_database, phases)
    db = open_database(db_path)
    start = time.perf_counter()
    copy = package_import.backup_database(db, backups, "nhap-goi")
    full = time.perf_counter() - start
    phases.clear()
    start = time.perf_counter()
    report = package_import.import_package(
        db, package, user="Hoàng Văn Dũng", backup_dir=backups, accept_new_site=True
    )
    seconds = time.perf_counter() - start
    db.close()
    assert report.status == "applied" and report.backup == str(copy), (report.status, report.backup)
    return {"full": full, "reused": phases["backup"], "import": seconds, "bytes": copy.stat().st_size}


def crash_run(trials: int) -> list[str]:
    """bench/crash.py's trials: an import killed at random moments; its summary lines."""
    from crash import build_scenario, run_trials, summary

    with tempfile.TemporaryDirectory(prefix="danvan-bench-crash-") as folder:
        scenario = build_scenario(Path(folder))
        duration, results = run_trials(scenario, trials)
    lines = summary(duration, scenario, results)
    return [*lines, "ok" if all(t.ok for t in results) else "FAILED"]


def raw_rows(path: Path) -> list[tuple[Any, ...]]:
    """The package's records as table rows, read with zipfile and json alone (not timed)."""
    with zipfile.ZipFile(path) as zf, zf.open("records.jsonl") as member:
        rows = []
        for line in io.TextIOWrapper(member, encoding="utf-8"):
            r = json.loads(line)
            rows.append(
                (
                    r["id"],
                    r["form_id"],
                    r["form_version"],
                    r["unit_code"],
                    r["period_code"],
                    json.dumps(r["values"], ensure_ascii=False),
                    json.dumps(r["version_vector"]),
                    int(r["deleted"]),
                    r["created_by"],
                    r["created_at"],
                    r["updated_by"],
                    r["updated_at"],
                    r["origin_site"],
                )
            )
    return rows


def raw_insert(db_path: Path, files: list[Path], stored: bool = False) -> dict[str, Any]:
    """Baseline: the same rows, plain executemany into a fresh file, one transaction per package.

    With `stored`, also the record table's indexes and one history row per record.
    """
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(RAW_TABLE)
    for statement in RAW_STORED if stored else ():
        conn.execute(statement)
    conn.commit()
    seconds = cpu = 0.0
    count = 0
    for path in files:
        rows = raw_rows(path)
        history = [(r[0], r[2], r[5], r[6], r[7], r[10], r[11]) for r in rows] if stored else []
        start, start_cpu = time.perf_counter(), time.process_time()
        with conn:
            conn.executemany(RAW_INSERT, rows)
            if history:
                conn.executemany(RAW_HISTORY, history)
        seconds += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        count += len(rows)
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "rows": count, "peak_mb": peak_mb()}


def export_db(db_path: Path, out: Path) -> dict[str, Any]:
    db = open_database(db_path)
    start = time.perf_counter()
    result = export_package(db, out)
    seconds = time.perf_counter() - start
    db.close()
    assert result.summary is not None
    return {"seconds": seconds, "records": result.summary.record_count, "peak_mb": peak_mb()}


def raw_export(db_path: Path, out: Path) -> dict[str, Any]:
    """Baseline: the same rows with plain sqlite3, one JSON line each, into a deflated zip member."""
    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    sql = (
        'SELECT r.id, r.form_id, r.form_version, u.code, p.code, r."values", r.version_vector, r.deleted, '
        "r.created_by, r.created_at, r.updated_by, r.updated_at, r.origin_site FROM record r "
        "JOIN org_unit u ON u.id = r.org_unit_id JOIN period p ON p.id = r.period_id ORDER BY r.local_change"
    )
    names = ["id", "form_id", "form_version", "unit_code", "period_code", "values", "version_vector"]
    names += ["deleted", "created_by", "created_at", "updated_by", "updated_at", "origin_site"]
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("records.jsonl", "w") as member:
        for row in conn.execute(sql):
            item = dict(zip(names, row, strict=True))
            item["values"], item["version_vector"] = json.loads(row[5]), json.loads(row[6])
            member.write(json.dumps(item, ensure_ascii=False, sort_keys=True).encode() + b"\n")
            count += 1
    conn.close()
    return {"seconds": time.perf_counter() - start, "records": count}


def profile_import(db_path: Path, package: Path, backups: Path, top: int = 15) -> str:
    db = open_database(db_path)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    report = package_import.import_package(
        db, package, user="Hoàng Văn Dũng", backup_dir=backups, accept_new_site=True
    )
    profiler.disable()
    seconds = time.perf_counter() - start
    db.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(top)
    out.write("The same profile, this project's functions only:\n")
    stats.print_stats("danvan_desktop", top)
    text = "\n".join(line for line in out.getvalue().splitlines() if line.strip())
    return f"{report.status} {dict(report.counts())} in {seconds:.2f} s (under cProfile)\n{text}"


def run_child(*args: str) -> Any:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_main(mode: str, args: list[str]) -> int:
    if mode == "import":
        db_path, backups, *files = args
        result: Any = import_all(Path(db_path), [Path(f) for f in files], Path(backups))
    elif mode in ("raw", "raw-stored"):
        db_path, *files = args
        result = raw_insert(Path(db_path), [Path(f) for f in files], stored=mode == "raw-stored")
    elif mode == "export":
        result = export_db(Path(args[0]), Path(args[1]))
    elif mode == "raw-export":
        result = raw_export(Path(args[0]), Path(args[1]))
    elif mode == "profile":
        result = profile_import(Path(args[0]), Path(args[1]), Path(args[2]))
    elif mode == "backup":
        result = backup_run(Path(args[0]), Path(args[1]), Path(args[2]))
    elif mode == "crash":
        result = crash_run(int(args[0]))
    elif mode == "copy":
        from merge_server import copy_all

        result = copy_all(Path(args[0]), [Path(f) for f in args[1:]])
    else:
        raise SystemExit(f"unknown child mode {mode}")
    print(json.dumps(result))
    return 0


# --- the run -------------------------------------------------------------------------------------


def copy_db(template: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    shutil.copytree(template.parent / "keys", target.parent / "keys", dirs_exist_ok=True)
    return target


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--records", type=int, default=2000, help="records per package")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "danvan-bench-merge")
    parser.add_argument("--profile", action="store_true", help="cProfile one package's import (top 15)")
    parser.add_argument(
        "--crash", type=int, default=100, metavar="N", help="kills of bench/crash.py (0: none)"
    )
    parser.add_argument("--db", metavar="URL", help="a PostgreSQL server (postgresql://…) instead of SQLite")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args.child[0], args.child[1:])
    n, m = args.packages, args.records
    cache = args.cache / f"{GENERATION}-{m}-records"
    if args.db:
        from merge_server import run_server

        return run_server(args.db, n, m, cache)
    with tempfile.TemporaryDirectory(prefix="danvan-bench-merge-") as folder:
        work = Path(folder)
        template = work / "template" / "district.sqlite3"
        template.parent.mkdir()
        initialize_database(template, OFFICE, "aggregating", catalog_dir=paths.catalog_dir()).close()
        communes = commune_codes(template)
        gen_seconds = generate(cache, communes, n, m)
        files = [str(package_path(cache, i)) for i in range(n)]
        total = n * m

        district = copy_db(template, work / "district" / "district.sqlite3")
        imported = run_child("--child", "import", str(district), str(work / "backups"), *files)
        raw = run_child("--child", "raw", str(work / "raw.sqlite3"), *files)
        raw_stored = run_child("--child", "raw-stored", str(work / "raw-stored.sqlite3"), *files)
        again = run_child("--child", "import", str(district), str(work / "backups"), *files)
        backup = run_child(
            "--child", "backup", str(district), str(package_path(cache, n + 1)), str(work / "copies")
        )
        crashed = run_child("--child", "crash", str(args.crash)) if args.crash else []

        exporter = copy_db(template, work / "export" / "district.sqlite3")
        run_child("--child", "import", str(exporter), str(work / "backups"), str(cache / "export.danvan"))
        exported = run_child("--child", "export", str(exporter), str(work / "out.danvan"))
        raw_exported = run_child("--child", "raw-export", str(exporter), str(work / "out.zip"))

        profiles = []
        if args.profile:
            fresh = copy_db(template, work / "fresh" / "district.sqlite3")
            extra = str(package_path(cache, n))
            fresh_out = run_child("--child", "profile", str(fresh), files[0], str(work / "backups"))
            full_out = run_child("--child", "profile", str(district), extra, str(work / "backups"))
            profiles = [
                (f"into an empty district database: {Path(files[0]).name}", fresh_out),
                (f"into the district database holding {total:,} records: {Path(extra).name}", full_out),
            ]

    merge_rate = total / imported["seconds"]
    raw_rate = raw["rows"] / raw["seconds"]
    stored_rate = raw_stored["rows"] / raw_stored["seconds"]
    ratio = merge_rate / raw_rate
    ok_rate = ratio >= TARGET_RATIO
    ok_stored = merge_rate / stored_rate >= TARGET_STORED
    peak = imported["peak_mb"] + imported["worker_peak_mb"]
    ok_peak = peak < TARGET_PEAK_MB
    ok_again_time = again["seconds"] <= TARGET_REIMPORT_SECONDS
    package_seconds = backup["import"] - backup["reused"]
    ok_backup = backup["reused"] <= TARGET_BACKUP_SHARE * package_seconds
    ok_crash = not args.crash or crashed[-1] == "ok"
    ok_import = imported["statuses"] == {"applied": n} and imported["stored"] == total
    ok_again = again["statuses"] == {"duplicate": n} and again["stored"] == total
    print(f"packages:                        {n} × {m:,} records = {total:,} ({FORM_ID}, period {PERIOD})")
    print(f"communes (round-robin):          {len(communes)} under {OFFICE}; {n} sites, each its own key")
    print(f"generation (cached in {cache}): {gen_seconds:.1f} s")
    print(
        f"load average at the end:         {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"({os.cpu_count()} cores)"
    )
    print(f"raw sqlite3 executemany (base):  {raw_rate:10,.0f} records/s  ({raw['seconds']:.2f} s)")
    print(f"storage floor (indexes+history): {stored_rate:10,.0f} records/s  ({raw_stored['seconds']:.2f} s)")
    print(
        f"import run, all packages:        {merge_rate:10,.0f} records/s  ({imported['seconds']:.1f} s, "
        f"{imported['seconds'] / n * 1000:.0f} ms/package)"
    )
    print(
        f"  vs the storage floor:          {merge_rate / stored_rate:7.4f}x  target >= {TARGET_STORED}x: "
        + ("met" if ok_stored else "MISSED")
    )
    print(
        f"  vs the bare insert:            {ratio:7.4f}x  target >= {TARGET_RATIO}x: "
        + ("met" if ok_rate else "MISSED")
    )
    print(
        f"  on CPU time alone (load-free): {imported['cpu'] / total * 1e6:7.1f} µs/record; floor "
        f"{raw_stored['cpu'] / total * 1e6:.1f}, bare {raw['cpu'] / total * 1e6:.1f}: "
        f"{raw_stored['cpu'] / imported['cpu']:.4f}x and {raw['cpu'] / imported['cpu']:.4f}x "
        f"(informative: the targets are on elapsed time); re-import {again['cpu']:.2f} s CPU"
    )
    first, last = imported["each"][:20], imported["each"][-20:]
    print(
        f"  first {len(first)} packages:             {len(first) * m / sum(first):10,.0f} records/s; last "
        f"{len(last)}: {len(last) * m / sum(last):,.0f} records/s (into {total - len(last) * m:,}+ records)"
    )
    phases = imported["phases"]
    write, here = phases.get("write", 0.0), phases.get("here", 0.0)
    print(
        f"  in the importing process ({int(phases.get('here calls', 0))} packages read and planned there, "
        f"{int(phases.get('plan calls', 0))} plans made there in all):"
    )
    for label, seconds in [
        ("waiting for the worker", imported["seconds"] - write - here),
        ("packages imported whole here", here),
        ("write_import (planned ones)", write),
        ("  backup_database", phases.get("backup", 0.0)),
        ("  apply_plan (bulk writes)", phases.get("apply", 0.0)),
    ]:
        print(f"  {label + ':':30s} {seconds:7.1f} s  {seconds / imported['seconds'] * 100:4.1f}%")
    print(
        f"  backups written:               {imported['backup_bytes'] / 2**30:.1f} GiB (database now "
        f"{imported['db_bytes'] / 2**20:.0f} MB)"
    )
    print(f"  outcomes:                      {imported['outcomes']}  statuses {imported['statuses']}")
    print(
        f"peak memory of the importer:     {peak:7.1f} MB (RSS of the importing process, "
        f"{imported['peak_mb']:.0f} MB ({imported['start_mb']:.0f} before the first package), and of its "
        f"worker, {imported['worker_peak_mb']:.0f} MB)  target < {TARGET_PEAK_MB} MB: "
        + ("met" if ok_peak else "MISSED")
    )
    print(
        f"re-import, all duplicates:       {again['seconds']:7.2f} s ({again['seconds'] / n * 1000:.1f} ms/"
        f"package, {again['seconds'] / imported['seconds'] * 100:.2f}% of the import)  statuses "
        f"{again['statuses']}; peak {again['peak_mb']:.0f} MB  target <= {TARGET_REIMPORT_SECONDS} s: "
        + ("met" if ok_again_time else "MISSED")
    )
    print(
        f"copy before an import run, database of {total:,} records ({backup['bytes'] / 2**20:.0f} MB):\n"
        f"  one more package imported:     {package_seconds * 1000:7.0f} ms without its copy\n"
        f"  a new verified copy:           {backup['full'] * 1000:7.0f} ms "
        f"({backup['full'] / package_seconds * 100:.0f}%"
        " of it: when the database changed since the last copy)\n"
        f"  the unchanged copy reused:     {backup['reused'] * 1000:7.1f} ms "
        f"({backup['reused'] / package_seconds * 100:.1f}%"
        f" of it)  target <= {TARGET_BACKUP_SHARE:.0%}: " + ("met" if ok_backup else "MISSED")
    )
    if args.crash:
        print("crash test (bench/crash.py):\n  " + "\n  ".join(crashed[:-1]))
    print(
        f"export, sqlite3+json+zip (base): {raw_exported['seconds'] * 1000:7.0f} ms "
        f"({raw_exported['records']:,} records)"
    )
    print(
        f"export_package:                  {exported['seconds'] * 1000:7.0f} ms ({exported['records']:,} "
        f"records)  ratio {exported['seconds'] / raw_exported['seconds']:.2f}x the baseline's time; "
        f"peak {exported['peak_mb']:.0f} MB"
    )
    for title, text in profiles:
        print(f"\ncProfile of one package imported {title}\n{text}")
    ok = (
        ok_rate
        and ok_stored
        and ok_peak
        and ok_import
        and ok_again
        and ok_again_time
        and ok_backup
        and ok_crash
    )
    if not (ok_import and ok_again):
        print("WRONG RESULT: not every package was applied once and then seen as a duplicate")
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
