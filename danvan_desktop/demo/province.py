"""A demo database for the province office (Thái Nguyên, 2026) fed by signed packages of real sites.

Every commune-level unit under the province valid on 2026-01-01, however many the catalog holds, is set
up as its own installation with its own key; it fills every form for 2025-H2 and 2026 with the district
demo's generators and exports a signed package after each period. The former Định Hóa district does the
same for 2021–2024 (its communes' history). The province office accepts each site's key, as a person
would after comparing fingerprints, and imports every package through the real import path.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Installation
from danvan_desktop.demo.build import build_demo
from danvan_desktop.demo.province_villages import VillageCatalog, write_village_catalogs
from danvan_desktop.demo.records import WRITER, DistrictTargets, fill_communes, fill_district
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.exchange.package_import import import_package
from danvan_desktop.services.exchange.signing_keys import new_keypair, store_private_key
from danvan_desktop.services.office.catalog_sync import import_catalog_files
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.settings import set_setting

PROVINCE = "TN"
REFERENCE_DAY = dt.date(2026, 1, 1)  # "the communes of today": valid on this day
PERIODS = ("2025-H2", "2026")  # what each commune has sent since the reform
HISTORY_DISTRICT = "DH"
# The former district's years before the reform, with the headline figures it reached each year
# (2023 is the district demo's year: the same seed gives the same records).
HISTORY = {
    "2021": DistrictTargets(ntm_met=12, houses_built=118, models=176, money=1_420_000_000, withdrawn=2),
    "2022": DistrictTargets(ntm_met=14, houses_built=142, models=204, money=1_680_000_000, withdrawn=2),
    "2023": DistrictTargets(),
    "2024": DistrictTargets(ntm_met=18, houses_built=188, models=252, money=2_130_000_000, withdrawn=4),
}
PROVINCE_SETTINGS = {
    "signer.name": "Nông Thị Hằng",
    "signer.title": "TRƯỞNG BAN",
    "signer.authority": "K/T",
    "office.issuing_body": "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY",
    "office.superior_body": "TỈNH ỦY THÁI NGUYÊN",
    "office.place_name": "Thái Nguyên",
    "office.abbreviation": "BTGDVTU",
    "report.recipients": "Ban Dân vận Trung ương;Thường trực Tỉnh ủy;Đảng ủy các xã, phường",
    "report.profile": "dang",
    "ui.period": PERIODS[-1],
}

Progress = Callable[[str], None]


@dataclass
class ProvinceDemo:
    """What was built: the database, and the packages the province received."""

    db: Database
    communes: list[str] = field(default_factory=list)  # codes of the commune-level units that sent
    packages: int = 0
    records: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage
    cpu_seconds: float = 0.0  # processor time of this process (the sites' workers not counted)


def build_province_demo(
    path: Path,
    *,
    catalog_dir: Path,
    demo_dir: Path,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ProvinceDemo:
    """Create the province demo at `path`; the sites and their packages live in a temporary folder."""
    say = progress or (lambda _line: None)
    db = initialize_database(path, PROVINCE, "aggregating", catalog_dir=catalog_dir, today=today)
    result = ProvinceDemo(db)
    try:
        with tempfile.TemporaryDirectory(prefix="danvan-demo-tinh-") as tmp:
            work = Path(tmp)
            clock = time.perf_counter()
            with db.transaction() as session:
                import_catalog_files(session, sorted(demo_dir.glob("*.yaml")), source="demo")
                communes = _communes_of_today(session)
                villages = write_village_catalogs(session, communes, work, seed="2026")
                # The province learns the communes' villages here until packages carry unit definitions.
                import_catalog_files(session, [villages.everything], source="demo")
                for key, value in PROVINCE_SETTINGS.items():
                    set_setting(session, key, value)
            if not communes:
                raise ValueError(f"no commune-level unit under {PROVINCE} valid on {REFERENCE_DAY}")
            history = functools.partial(_district_history, work, catalog_dir, demo_dir, today)
            packages = _all_sites(work, history, communes, villages, catalog_dir, today, say)
            result.seconds["sites"] = time.perf_counter() - clock
            clock = time.perf_counter()
            for number, package in enumerate(packages, 1):
                if number % 20 == 0 or number == len(packages):
                    say(f"Tỉnh nhận gói {number}/{len(packages)} …")
                report = import_package(db, package, user=WRITER, backup_dir=None, accept_new_site=True)
                counts = report.counts()
                if report.status != "applied" or counts["rejected"] or counts["conflict"]:
                    raise ValueError(f"{package.name}: {report.status} {dict(counts)} {report.message}")
                result.records += counts["new"]
            result.seconds["import"] = time.perf_counter() - clock
            result.packages = len(packages)
            result.cpu_seconds = time.process_time()
            result.communes = [c.code for c in communes]
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)  # a half-built demo is worse than none
        raise
    return result


def _communes_of_today(session: Session) -> list[UnitNode]:
    """Every commune-level unit directly under the province valid on REFERENCE_DAY (from the catalog)."""
    province = find_unit(session, PROVINCE)
    tree = dated_subtree(session, province.id, REFERENCE_DAY, REFERENCE_DAY)
    return [n for n in (tree.children if tree else []) if UnitKind(n.kind).is_commune_level]


def _district_history(work: Path, catalog_dir: Path, demo_dir: Path, today: dt.date | None) -> list[Path]:
    """The former district's site: its communes' years before the reform, as one signed package."""
    site = build_demo(
        work / "huyen.sqlite3", catalog_dir=catalog_dir, demo_dir=demo_dir, today=today, records=False
    )
    try:
        for year, targets in HISTORY.items():
            with site.transaction() as session:
                fill_district(session, year, targets=targets, seed=int(year))
        out = work / "goi" / f"{HISTORY_DISTRICT}-20250625.danvan"
        out.parent.mkdir(exist_ok=True)
        export_package(site, out)
    finally:
        site.close()
    return [out]


@dataclass(frozen=True)
class _SiteJob:
    """One commune's site, built in a worker process: only paths and plain data cross over."""

    template: Path
    folder: Path
    commune: UnitNode
    villages: Path


def _all_sites(
    work: Path,
    history: Callable[[], list[Path]],
    communes: Sequence[UnitNode],
    villages: VillageCatalog,
    catalog_dir: Path,
    today: dt.date | None,
    say: Progress,
) -> list[Path]:
    """The former district's site (`history`), then one installation per commune, each with its own
    key, sending one package per period.

    The sites are independent databases, so they are built side by side on the machine's cores;
    the packages come back in this order, and each site's values depend on its seeds only.
    """
    template = work / "mau.sqlite3"
    initialize_database(template, communes[0].code, None, catalog_dir=catalog_dir, today=today).close()
    jobs = [_SiteJob(template, work, c, villages.by_commune[c.code]) for c in communes]
    workers = site_workers(len(jobs) + 1)
    if workers == 1:
        say("Huyện Định Hóa (cũ): số liệu 2021–2024 của các xã …")
        results = [history()]
        for number, job in enumerate(jobs, 1):
            say(f"Xã, phường {number}/{len(jobs)}: {job.commune.display} …")
            results.append(_build_site(job))
        return [package for packages in results for package in packages]
    say(f"Huyện Định Hóa (cũ) 2021–2024 và {len(jobs)} xã, phường, trên {workers} nhân xử lý …")
    # spawn, not fork: the window's threads and Qt state must not be copied into the workers.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(history)] + [pool.submit(_build_site, job) for job in jobs]
        for number, _done in enumerate(as_completed(futures), 1):
            if number % 10 == 0 or number == len(futures):
                say(f"Đơn vị {number}/{len(futures)} đã gửi gói …")
        return [package for future in futures for package in future.result()]


def site_workers(jobs: int) -> int:
    """Processes for the commune sites: one per core (at most 8); one in the frozen bundle, whose
    executable is the app itself and would open a window instead of building a site."""
    if getattr(sys, "frozen", False):
        return 1
    return max(1, min(os.cpu_count() or 1, 8, jobs))


def _build_site(job: _SiteJob) -> list[Path]:
    commune = job.commune
    site = _new_site(job.template, job.folder / "xa" / f"{commune.code}.sqlite3", commune.code)
    packages: list[Path] = []
    try:
        with site.transaction() as session:  # its own villages only, as its office defined them
            import_catalog_files(session, [job.villages], source="demo")
        for period_code in PERIODS:
            with site.transaction() as session:
                period = get_period(session, period_code)
                node = dated_subtree(session, commune.id, period.start, period.end)
                if node is None:
                    continue  # not valid in that period: nothing to report for it
                rng = random.Random(f"{period_code}:{commune.code}:targets")
                count = sum(1 for v in node.children if UnitKind(v.kind).is_village_level)
                targets = _commune_targets(rng, count, node.kind == UnitKind.XA.value)
                fill_communes(session, period, [node], targets=targets, seed=f"{period_code}:{commune.code}")
            out = job.folder / "goi" / f"{commune.code}-{_sent_on(period_code):%Y%m%d}.danvan"
            out.parent.mkdir(parents=True, exist_ok=True)
            export_package(site, out, since_last=True)
            packages.append(out)
    finally:
        site.close()
    return packages


def _new_site(template: Path, path: Path, unit_code: str) -> Database:
    """A copy of the template database made into `unit_code`'s own installation with a fresh key.

    What `danvan init` does, without migrating and loading the catalog again for each of ~100 sites.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    site_id = str(uuid.uuid4())
    private_pem, public_b64 = new_keypair()
    store_private_key(path, site_id, private_pem)
    db = open_database(path)
    with db.transaction() as session:
        installation = session.scalars(select(Installation)).one()
        installation.site_id, installation.public_key = site_id, public_b64
        installation.office_unit_id = find_unit(session, unit_code).id
    return db


def _commune_targets(rng: random.Random, villages: int, is_xa: bool) -> DistrictTargets:
    """One commune's own figures for a period: drawn, so that communes differ."""
    return DistrictTargets(
        ntm_met=int(is_xa and rng.random() < 0.7),
        ntm_advanced=int(rng.random() < 0.3),
        houses_built=round(villages * rng.uniform(0.05, 0.35)),
        models=rng.randint(4, 6 + villages // 2),
        money=None,
        withdrawn=int(rng.random() < 0.2),
    )


def _sent_on(period_code: str) -> dt.date:
    """When a commune sent the period's package: in the weeks after it ended."""
    year = int(period_code[:4])
    return dt.date(year + 1, 1, 12) if period_code.endswith("H2") else dt.date(year, 12, 1)
