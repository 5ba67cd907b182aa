"""Crash benchmark: kill the import of a package at random moments; the database must stay whole.

A district database holds a commune's first package; its second package brings updates of those
records and new ones. Each trial copies the database, imports the second package in a child process
and kills it (SIGKILL) after a random delay within the import's measured duration (one random
moment in each of N equal slices of it, so that every part of the import is hit). Afterwards
`PRAGMA integrity_check` must say ok and the content (records: ids, values, vectors...; record
history; received packages; trusted sites; conflicts) must equal either the state before the import
or the state after a complete one, both computed once beforehand. Any other state is a failure.

The child prints where it is (reading, planning, backup, writing, committing, done), so each trial
also tells in which phase the kill landed. Usage:
    python bench/crash.py [--trials 100] [--new 2000] [--updates 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop import __version__, paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.formspec.validate import clean_values
from danvan_desktop.services.exchange import package_import
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.transport import ManifestInfo, write_package

SCRIPT = Path(__file__).resolve()
OFFICE = "DH"
COMMUNE = "DH-PHUCCHU"
FORM_ID = "to_chuc_doan_the"
PERIOD = "2023"
USER = "Hoàng Văn Dũng"
ORGANIZATIONS = ["MTTQ", "HLHPN", "DTN", "HND", "HCCB", "CD"]
# Phases the child reports, in order; a kill "during" the import lands inside the write transaction.
BEFORE_WRITE = ("reading", "planning", "backup")
DURING_WRITE = ("writing", "committing")
AFTER_WRITE = ("done", "exited")
RECORDS_SQL = (
    'SELECT id, form_id, form_version, org_unit_id, period_id, "values", version_vector, deleted, '
    "updated_by, updated_at, origin_site, search_text, local_change FROM record ORDER BY id"
)
HISTORY_SQL = (
    'SELECT id, record_id, form_version, "values", version_vector, deleted, changed_by, changed_at, change '
    "FROM record_history ORDER BY id"
)


@dataclasses.dataclass(frozen=True)
class Scenario:
    folder: Path
    database: Path  # the district database before the import (closed, checkpointed)
    package: Path  # the commune's second package: updates and new records
    new: int
    updates: int


@dataclasses.dataclass(frozen=True)
class State:
    """What an import may change, with the times of the import itself left out."""

    records: int
    records_digest: str
    history: int
    history_digest: str
    received: tuple[tuple[Any, ...], ...]
    trusted: tuple[tuple[Any, ...], ...]
    conflicts: int


@dataclasses.dataclass(frozen=True)
class Trial:
    delay: float
    phase: str  # the child's last report before it was killed ("exited": it had finished)
    integrity: str
    outcome: str  # "before", "after" or "other" (a partial or unknown state: a failure)

    @property
    def landed(self) -> str:
        if self.phase in DURING_WRITE:
            return "during"
        return "after" if self.phase in AFTER_WRITE else "before"

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.outcome in ("before", "after")


# --- the scenario ---------------------------------------------------------------------------------


def _values(rng: random.Random, number: int) -> dict[str, Any]:
    target = rng.randint(40, 1_500)
    members = rng.randint(10, target)
    values = {
        "to_chuc": rng.choice(ORGANIZATIONS),
        "ten_chi_hoi": f"Chi hội xóm Nà Mòn {number}",
        "hoi_vien": members,
        "doi_tuong": target,
        "hoi_vien_moi": rng.randint(0, min(members, 40)),
        "xep_loai": rng.choice(["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh"]),
    }
    return {k: v for k, v in clean_values(get_form(FORM_ID), values).items() if v is not None}


def _record(
    record_id: str, site_id: str, version: int, values: dict[str, Any], when: dt.datetime
) -> dict[str, Any]:
    return {
        "id": record_id,
        "form_id": FORM_ID,
        "form_version": 1,
        "unit_code": COMMUNE,
        "period_code": PERIOD,
        "values": values,
        "version_vector": {site_id: version},
        "deleted": False,
        "created_by": "Nguyễn Thị Lan",
        "created_at": dt.datetime(2023, 3, 1),
        "updated_by": "Nguyễn Thị Lan",
        "updated_at": when,
        "origin_site": site_id,
    }


def _write(
    out: Path, key: Ed25519PrivateKey, site_id: str, sequence: int, records: list[dict[str, Any]]
) -> Path:
    info = ManifestInfo(
        site_id=site_id,
        office_unit=COMMUNE,
        sequence=sequence,
        app_version=__version__,
        schema_revision=HEAD_REVISION,
        forms={FORM_ID: 1},
        periods=[PERIOD],
        units=[COMMUNE],
    )
    write_package(out, info, records, key)
    return out


def build_scenario(folder: Path, *, new: int = 2000, updates: int = 1000, seed: int = 1) -> Scenario:
    """The district database after the commune's first package, and the commune's second package."""
    rng = random.Random(seed)
    key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    site_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(updates + new)]
    first_time, second_time = dt.datetime(2023, 6, 1), dt.datetime(2023, 9, 1)
    # The first package carries the records to be updated and as many others, left unchanged.
    kept = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(updates)]
    first = [_record(i, site_id, 1, _values(rng, n), first_time) for n, i in enumerate(ids[:updates] + kept)]
    second = [_record(i, site_id, 2, _values(rng, n), second_time) for n, i in enumerate(ids[:updates])]
    second += [_record(i, site_id, 1, _values(rng, n), second_time) for n, i in enumerate(ids[updates:])]
    rng.shuffle(second)
    folder.mkdir(parents=True, exist_ok=True)
    first_package = _write(folder / "xa-1.danvan", key, site_id, 1, first)
    package = _write(folder / "xa-2.danvan", key, site_id, 2, second)
    database = folder / "base" / "district.sqlite3"
    db = initialize_database(database, OFFICE, "aggregating", catalog_dir=paths.catalog_dir())
    try:
        report = package_import.import_package(
            db, first_package, user=USER, backup_dir=folder / "backups", accept_new_site=True
        )
        assert report.status == "applied", report.message
    finally:
        db.close()
    shutil.rmtree(folder / "backups", ignore_errors=True)
    return Scenario(folder, database, package, new, updates)


# --- states ---------------------------------------------------------------------------------------


def _digest(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(row).encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


def read_state(database: Path) -> tuple[str, State | None]:
    """integrity_check's answer and, when the file can be read, its content."""
    conn = sqlite3.connect(database)  # opening recovers a hot journal or WAL, as the app would
    try:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        records = _digest(conn.execute(RECORDS_SQL))
        history = _digest(conn.execute(HISTORY_SQL))
        received = tuple(
            conn.execute(
                "SELECT package_id, site_id, sequence, office_unit_code, file_name, file_sha256, "
                "record_count, summary FROM received_package ORDER BY package_id"
            )
        )
        trusted = tuple(
            conn.execute(
                "SELECT site_id, office_unit_code, public_key, fingerprint FROM trusted_site ORDER BY site_id"
            )
        )
        conflicts = conn.execute("SELECT count(*) FROM record_conflict").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return f"unreadable: {exc}", None
    finally:
        conn.close()
    return integrity, State(*records, *history, received, trusted, conflicts)


def copy_database(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        origin = source.with_name(source.name + suffix)
        if origin.exists():
            shutil.copyfile(origin, target.with_name(target.name + suffix))
    return target


# --- the importing child --------------------------------------------------------------------------


def child(database: Path, package: Path, backups: Path) -> int:
    """Import the package, reporting each phase on stdout (markers wrap the import's own steps)."""

    def mark(phase: str) -> None:
        sys.stdout.write(phase + "\n")
        sys.stdout.flush()

    def marked(phase: str, function: Any, end: str | None = None) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            mark(phase)
            result = function(*args, **kwargs)
            if end:
                mark(end)
            return result

        return wrapper

    # Instrumentation of this process only: the markers name the step that is under way.
    package_import.plan_merge = marked("planning", package_import.plan_merge)
    package_import.backup_database = marked("backup", package_import.backup_database)
    package_import.apply_plan = marked("writing", package_import.apply_plan, end="committing")
    db = open_database(database)
    mark("ready")  # the package is read from here on
    report = package_import.import_package(db, package, user=USER, backup_dir=backups)
    mark("done")
    db.close()
    return 0 if report.status == "applied" else 1


def start_child(database: Path, package: Path, backups: Path) -> subprocess.Popen[str]:
    command = [sys.executable, str(SCRIPT), "--child", str(database), str(package), str(backups)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":  # the timer starts once the interpreter and the database are up
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"the importing child did not start: {line!r}\n{err}")
    return proc


def measure(scenario: Scenario, runs: int = 3) -> tuple[float, State]:
    """Seconds from "ready" to the child's exit of complete imports (the fastest: the least disturbed
    by other work on the machine), and the state they leave."""
    seconds, states = [], set()
    for run in range(runs):
        trial = scenario.folder / "measure" / str(run)
        database = copy_database(scenario.database, trial / "district.sqlite3")
        proc = start_child(database, scenario.package, trial / "backups")
        start = time.perf_counter()
        out, err = proc.communicate()
        seconds.append(time.perf_counter() - start)
        if proc.returncode != 0 or not out.strip().endswith("done"):
            raise RuntimeError(f"the import did not complete:\n{err}")
        integrity, state = read_state(database)
        assert integrity == "ok" and state is not None, integrity
        states.add(state)
        shutil.rmtree(trial)
    if len(states) != 1:
        raise RuntimeError("complete imports of the same package left different states")
    return min(seconds), states.pop()


def run_trial(scenario: Scenario, before: State, after: State, delay: float, number: int) -> Trial:
    folder = scenario.folder / "trials" / str(number)
    database = copy_database(scenario.database, folder / "district.sqlite3")
    proc = start_child(database, scenario.package, folder / "backups")
    time.sleep(delay)
    exited = proc.poll() is not None
    if not exited:
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    lines = out.split()
    phase = "exited" if exited else lines[-1] if lines and lines[-1] != "ready" else "reading"
    integrity, state = read_state(database)
    outcome = "before" if state == before else "after" if state == after else "other"
    shutil.rmtree(folder)
    return Trial(delay, phase, integrity, outcome)


def run_trial_while_writing(
    scenario: Scenario, before: State, after: State, delay: float, number: int
) -> Trial:
    """Kill `delay` seconds after the child says it started writing: a kill inside the transaction."""
    folder = scenario.folder / "trials" / f"w{number}"
    database = copy_database(scenario.database, folder / "district.sqlite3")
    proc = start_child(database, scenario.package, folder / "backups")
    assert proc.stdout is not None
    phase = "reading"
    for line in proc.stdout:
        phase = line.strip()
        if phase in ("writing", "done"):
            break
    time.sleep(delay)
    exited = proc.poll() is not None
    if not exited:
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    lines = out.split()
    if lines:
        phase = lines[-1]
    integrity, state = read_state(database)
    outcome = "before" if state == before else "after" if state == after else "other"
    shutil.rmtree(folder)
    return Trial(delay, "exited" if exited else phase, integrity, outcome)


def run_trials(
    scenario: Scenario, trials: int, *, seed: int = 1, progress: bool = False
) -> tuple[float, list[Trial]]:
    """The import's duration, and the trials, each killed at a random moment within it."""
    _, before = read_state(scenario.database)
    assert before is not None
    duration, after = measure(scenario)
    if after == before:
        raise RuntimeError("the package changes nothing: the trials would prove nothing")
    rng = random.Random(seed)
    # One random moment in each of `trials` equal slices of the duration: random, yet spread evenly.
    delays = [duration * (slot + rng.random()) / trials for slot in range(trials)]
    rng.shuffle(delays)
    results = []
    for number, delay in enumerate(delays):
        trial = run_trial(scenario, before, after, delay, number)
        results.append(trial)
        if progress:
            status = "ok" if trial.ok else "FAILED"
            print(
                f"  trial {number + 1:3d}: kill at {trial.delay:5.2f} s in phase {trial.phase:10s} "
                f"-> {trial.outcome}-state, integrity {trial.integrity}: {status}",
                flush=True,
            )
    return duration, results


def summary(duration: float, scenario: Scenario, trials: list[Trial]) -> list[str]:
    phases = Counter(t.phase for t in trials)
    landed = Counter(t.landed for t in trials)
    outcomes = Counter(t.outcome for t in trials)
    bad = [t for t in trials if not t.ok]
    order = [*BEFORE_WRITE, *DURING_WRITE, *AFTER_WRITE]
    return [
        f"package: {scenario.updates:,} updates + {scenario.new:,} new records; complete import "
        f"{duration:.2f} s (fastest of 3, from the child's ready to its exit)",
        f"trials: {len(trials)}, SIGKILL at a random moment in each of {len(trials)} equal slices of "
        f"0-{duration:.2f} s",
        "kill landed (phase): " + ", ".join(f"{p} {phases[p]}" for p in order if phases[p]),
        f"kill landed: before the write transaction {landed['before']}, during it {landed['during']}, "
        f"after the import {landed['after']}",
        f"database afterwards: before-state {outcomes['before']}, after-state {outcomes['after']}, "
        f"other (partial) {outcomes['other']}; integrity_check not ok: "
        f"{sum(t.integrity != 'ok' for t in trials)}",
        "0 corrupt or partial states" if not bad else f"FAILED: {len(bad)} corrupt or partial states",
    ]


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--new", type=int, default=2000, help="new records in the package")
    parser.add_argument("--updates", type=int, default=1000, help="updated records in the package")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="no line per trial")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    with tempfile.TemporaryDirectory(prefix="danvan-bench-crash-") as folder:
        scenario = build_scenario(Path(folder), new=args.new, updates=args.updates, seed=args.seed)
        duration, trials = run_trials(scenario, args.trials, seed=args.seed, progress=not args.quiet)
    print("\n".join(summary(duration, scenario, trials)))
    return 0 if all(t.ok for t in trials) else 1


if __name__ == "__main__":
    raise SystemExit(main())
