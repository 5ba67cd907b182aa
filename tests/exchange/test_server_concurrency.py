"""Several PCs on one PostgreSQL server: real separate processes importing and resolving at once.

Each race is made certain rather than left to timing: the test holds the server's write lock
(db/server.py) until every process has read what it needs and waits for the lock, then lets go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.location import read_server_file
from danvan_desktop.db.models import ReceivedPackage, Record, RecordConflict
from danvan_desktop.db.server import WRITE_LOCK, make_server_engine
from tests.exchange.conftest import BRANCH, Site

pytestmark = pytest.mark.server_only


def _danvan(site: Site, *argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "danvan_desktop", "--db", str(site.db.path), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@contextmanager
def write_lock_held(site: Site) -> Iterator[object]:
    """Hold the writers' advisory lock from another connection; yields a 'waiting(n)' probe."""
    engine = make_server_engine(site.db.path).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as holder, engine.connect() as probe:
            holder.exec_driver_sql(f"SELECT pg_advisory_lock({WRITE_LOCK})")

            def waiting() -> int:
                return int(
                    probe.exec_driver_sql(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    ).scalar_one()
                )

            try:
                yield waiting
            finally:
                holder.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITE_LOCK})")
    finally:
        engine.dispose()


def _until_waiting(waiting: object, count: int, processes: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + 60
    while waiting() < count:  # type: ignore[operator]
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        assert time.monotonic() < deadline, "the processes never reached the write lock"
        time.sleep(0.05)


def _finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err))
    return results


def test_two_pcs_importing_different_packages_both_succeed(
    phuc_chu: Site, bao_linh: Site, district: Site
) -> None:
    first = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    second = bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", {**BRANCH, "hoi_vien": 300})
    packages = [phuc_chu.export("pc-1.danvan"), bao_linh.export("bl-1.danvan")]
    with write_lock_held(district) as waiting:
        processes = [_danvan(district, "import", str(p), "--accept-new-site") for p in packages]
        _until_waiting(waiting, 2, processes)
    results = _finish(processes)
    assert [code for code, _, _ in results] == [0, 0], results
    assert all("Đã nhập gói" in out for _, out, _ in results)
    assert {r.id for r in district.records()} >= {first, second}
    with district.db.session() as session:
        assert len(session.scalars(select(ReceivedPackage)).all()) == 2


def test_two_pcs_importing_the_same_package_apply_it_once_and_the_other_is_told(
    phuc_chu: Site, district: Site
) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    with write_lock_held(district) as waiting:
        processes = [_danvan(district, "import", str(package), "--accept-new-site") for _ in range(2)]
        _until_waiting(waiting, 2, processes)  # both have checked the ledger and planned the merge
    results = _finish(processes)
    assert sorted(code for code, _, _ in results) == [0, 0], results
    outputs = [out for _, out, _ in results]
    assert sum("Đã nhập gói pc-1.danvan" in out for out in outputs) == 1, outputs
    assert sum("vừa được nhập (ở cửa sổ hoặc máy khác)" in out for out in outputs) == 1, outputs
    with district.db.session() as session:
        assert len(session.scalars(select(ReceivedPackage)).all()) == 1
        assert len(session.scalars(select(Record).where(Record.id == record_id)).all()) == 1
        history = (
            district.db.session()
            .execute(select(Record.local_change).where(Record.id == record_id))
            .scalar_one()
        )
        assert history >= 1


def test_two_pcs_resolving_one_conflict_the_second_is_told(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 455}, record_id)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    assert district.import_(phuc_chu.export("pc-2.danvan")).counts()["conflict"] == 1
    with district.db.session() as session:
        conflict_id = session.scalars(select(RecordConflict.id)).one()
    choices = ["--keep-local", "--take-incoming"]
    with write_lock_held(district) as waiting:
        processes = [_danvan(district, "conflicts", "resolve", str(conflict_id), c) for c in choices]
        _until_waiting(waiting, 2, processes)
    results = _finish(processes)
    assert sorted(code for code, _, _ in results) == [0, 2], results
    told = next(err for code, _, err in results if code == 2)
    assert "Xung đột này không còn chờ xử lý (có thể đã được giải quyết)" in told
    winner = choices[next(i for i, (code, _, _) in enumerate(results) if code == 0)]
    record = district.record(record_id)
    assert record is not None
    assert record.values["hoi_vien"] == (455 if winner == "--keep-local" else 470)


def test_the_write_lock_waits_no_longer_than_the_server_allows(district: Site, tmp_path: Path) -> None:
    """A PC whose save waits behind a long import is told to retry, never left hanging."""
    from danvan_desktop.db import server
    from danvan_desktop.errors import DatabaseLockedError

    old = server.WRITE_WAIT
    server.WRITE_WAIT = "200ms"
    try:
        with write_lock_held(district), pytest.raises(DatabaseLockedError) as told:
            district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    finally:
        server.WRITE_WAIT = old
    assert "Một máy khác đang ghi" in told.value.message
    password = read_server_file(district.db.path).url.password
    assert not password or password not in told.value.message  # the address, never the password
    assert read_server_file(district.db.path).url.database in told.value.message
