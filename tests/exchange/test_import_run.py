"""Import runs: a package planned while another is written is planned again only when that one touched
its records; the worker process's plans give the same database as importing one package at a time."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Record, RecordHistory, RefusedPackage
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange import package_import
from danvan_desktop.services.exchange.import_run import ImportRun, RunPackage
from danvan_desktop.services.exchange.package_import import PreparedImport, plan_package, write_import
from danvan_desktop.services.exchange.package_ledger import EquivocationError
from tests.exchange.conftest import BRANCH, Site

USER = "Hoàng Văn Dũng"


def _plans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts plan_merge calls made in this process (one element per call)."""
    calls: list[int] = []
    original = package_import.plan_merge

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(package_import, "plan_merge", counted)
    return calls


def _prepared(site: Site, package: Path) -> PreparedImport:
    planned = plan_package(
        package, site.db, passphrase=None, dry_run=False, accept_new_site=True, concurrent=True
    )
    assert isinstance(planned, PreparedImport)
    return planned


def test_a_plan_made_before_a_package_with_the_same_records_was_written_is_made_again(
    phuc_chu: Site, district: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    first = phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    second = phuc_chu.export("pc-2.danvan")
    planned = _prepared(district, second)  # as a run's worker does while the first is written
    assert planned.report.counts()["new"] == 2
    district.import_(first, accept_new_site=True)
    plans = _plans(monkeypatch)
    report = write_import(district.db, planned, user=USER, backup_dir=None)
    assert len(plans) == 1  # the record the first package wrote is judged again, inside the transaction
    assert (report.counts()["updated"], report.counts()["new"]) == (1, 1)
    record = district.record(record_id)
    assert record is not None and record.values["hoi_vien"] == 470
    with district.db.session() as session:
        history = session.scalars(select(RecordHistory.change).where(RecordHistory.record_id == record_id))
        assert list(history) == ["merge", "merge"]


def test_a_plan_stands_when_the_package_written_meanwhile_touched_other_records(
    phuc_chu: Site, bao_linh: Site, district: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH)
    planned = _prepared(district, phuc_chu.export("pc-1.danvan"))
    district.import_(bao_linh.export("bl-1.danvan"), accept_new_site=True)
    plans = _plans(monkeypatch)
    report = write_import(district.db, planned, user=USER, backup_dir=None)
    assert plans == [] and report.counts()["new"] == 1
    assert len(district.records()) == 2


@pytest.mark.sqlite_only(reason="the restore is the file copied back byte for byte")
def test_a_second_package_under_the_same_number_planned_meanwhile_is_refused_when_written(
    phuc_chu: Site, district: Site
) -> None:
    """A site restored from a backup numbers its next package 1 again: planned before the first one
    was written (the ledger did not know it yet), it is refused inside the writing transaction."""
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.db.close()
    site_file = phuc_chu.folder / "site.sqlite3"
    before = site_file.read_bytes()
    phuc_chu.db = open_database(site_file)
    first = phuc_chu.export("pc-1.danvan")
    phuc_chu.db.close()
    site_file.write_bytes(before)  # the restore
    phuc_chu.db = open_database(site_file)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    again = phuc_chu.export("pc-1-lai.danvan")
    planned = _prepared(district, again)
    district.import_(first, accept_new_site=True)
    with pytest.raises(EquivocationError) as refused:
        write_import(district.db, planned, user=USER, backup_dir=None)
    assert "hai gói khác nhau cùng mang số 1 của xã Phúc Chu" in refused.value.message
    assert len(district.records()) == 1
    with district.db.session() as session:
        assert session.scalars(select(RefusedPackage.kind)).all() == ["equivocation"]


def _stored(site: Site) -> list[tuple[Any, ...]]:
    with site.db.session() as session:
        records = session.scalars(select(Record).order_by(Record.id))
        return [(r.id, r.values, r.version_vector, r.deleted, r.search_text, r.updated_at) for r in records]


def test_a_run_through_the_worker_stores_what_one_at_a_time_stores(
    phuc_chu: Site, bao_linh: Site, district: Site, province: Site
) -> None:
    """Real worker process: the same records as importing one package at a time; refusals as there."""
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    files = [phuc_chu.export("pc-1.danvan")]
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH)
    files.append(bao_linh.export("bl-1.danvan"))
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    files.append(phuc_chu.export("pc-2.danvan"))
    broken = files[-1].with_name("hong.danvan")
    broken.write_bytes(files[-1].read_bytes()[:-40])  # cut short, as a copy that did not finish
    files += [broken, files[0]]  # and the first package again: a duplicate
    with pytest.raises(UserError) as alone:
        package_import.import_package(district.db, broken, user=USER, backup_dir=None)

    with ImportRun(district.db, [RunPackage(f, True) for f in files]) as run:
        assert not run.worker_started()
        outcomes: list[Any] = []
        for number, path in enumerate(files):
            try:
                outcomes.append(run.import_next(path, user=USER, backup_dir=None))
            except UserError as exc:
                outcomes.append(exc)
            if number == 0:  # the first package written starts the worker: the rest go through it
                deadline = time.monotonic() + 60
                while not run.worker_started() and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert run.worker_started()
        assert run.worker_plans >= 2
    assert [getattr(o, "status", None) for o in outcomes] == [
        "applied",
        "applied",
        "applied",
        None,
        "duplicate",
    ]
    assert isinstance(outcomes[3], UserError) and outcomes[3].message == alone.value.message
    assert outcomes[2].counts()["updated"] == 1

    # The province imports the same files one at a time: the same records, values and search text.
    for path in files:
        with contextlib.suppress(UserError):
            province.import_(path, accept_new_site=True)
    stored = _stored(district)
    assert stored == _stored(province) and len(stored) == 3
    assert all("chi hoi phu nu xa" in search for *_, search, _ in stored)  # what the register searches


def test_a_run_of_packages_received_before_starts_no_worker(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    district.import_(package, accept_new_site=True)
    copy = package.with_name("pc-1-chep.danvan")
    copy.write_bytes(package.read_bytes())
    with ImportRun(district.db, [RunPackage(package), RunPackage(copy)]) as run:
        reports = [run.import_next(path, user=USER, backup_dir=None) for path in (package, copy)]
        assert run._worker is None
    assert [r.status for r in reports] == ["duplicate", "duplicate"]


def test_a_stopped_run_leaves_whole_packages_and_no_worker(
    phuc_chu: Site, bao_linh: Site, district: Site
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH)
    files = [phuc_chu.export("pc-1.danvan"), bao_linh.export("bl-1.danvan")]
    run = ImportRun(district.db, [RunPackage(f, True) for f in files])
    run.import_next(files[0], user=USER, backup_dir=None)
    worker = run._worker
    assert worker is not None
    run.close()  # «Dừng» after the first package
    assert not worker._process.is_alive()
    assert len(district.records()) == 1
    with pytest.raises(ValueError):
        run.import_next(files[0], user=USER, backup_dir=None)  # not the next file of the run


@pytest.mark.sqlite_only(reason="a SQLite file keeps times as text; a server has a timestamp type")
def test_merged_times_are_stored_as_text_like_every_other_time(phuc_chu: Site, district: Site) -> None:
    """The bulk write turns times into SQLAlchemy's own text, not sqlite3's default adapter's."""
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    with phuc_chu.db.transaction() as session:  # a whole second: written without a fraction by sqlite3
        session.execute(
            text("UPDATE record SET created_at = '2023-05-01 08:00:00.000000', updated_at = created_at")
        )
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    with district.db.session() as session:
        texts = session.execute(text("SELECT created_at, updated_at FROM record")).one()
        history = session.execute(text("SELECT changed_at FROM record_history")).scalar_one()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", t) for t in [*texts, history]), texts
