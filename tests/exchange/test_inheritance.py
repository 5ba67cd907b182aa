"""A new commune takes in its predecessors' packages: their data becomes its history, origin unchanged.

xã Định Hóa (TN-DINHHOA, from 1/7/2025) receives the packages of the former communes merged into it
(found by lineage, not by a list), passes them on to the province, and prints its own history; a
predecessor's genuine key cannot use this for periods after the merge, and the new commune cannot
speak for former communes that are not its predecessors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import OrgUnit, Record
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange.origin import ForeignOriginError
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.orgunits import find_unit, is_valid_on, predecessors
from danvan_desktop.services.office.settings import set_setting
from danvan_desktop.services.reporting import summary_data
from tests.exchange.conftest import Site
from tests.exchange.hostile import Forger, copy_site
from tests.reports.test_reform_reports import SETTINGS

NEW = "TN-DINHHOA"
REFORM = dt.date(2025, 7, 1)


def _gift(cash: int, name: str) -> dict[str, object]:
    return {
        "ten_cong_trinh": name,
        "loai_cong_trinh": "duong_giao_thong",
        "so_ho_tham_gia": 12,
        "dong_gop_tien": cash,
        "ngay_cong": 30,
    }


def _former_of(code: str, site_folder: Path) -> list[str]:
    """The former commune-level units merged into `code` on 1/7/2025, read from the catalog of a site
    (as they stood on 30/6/2025: Bảo Cường, gone into Chợ Chu on 1/12/2024, is a predecessor too)."""
    db = open_database(site_folder / "site.sqlite3")
    try:
        with db.session() as session:
            unit = find_unit(session, code)
            return [
                p.code
                for p in predecessors(session, unit)
                if UnitKind(p.kind).is_commune_level and is_valid_on(p, dt.date(2025, 6, 30))
            ]
    finally:
        db.close()


@dataclass
class World:
    root: Path
    new: Path  # template folder of the new commune's site
    province: Path
    former: dict[str, Path]  # predecessor code -> its site folder
    packages: dict[str, Path]  # predecessor code -> its genuine package
    cash: dict[str, int]  # predecessor code -> cash of its 2024 record


def _make_site(root: Path, code: str) -> Site:
    folder = root / code
    folder.mkdir()
    initialize_database(folder / "site.sqlite3", code, None, catalog_dir=paths.catalog_dir()).close()
    return Site(open_database(folder / "site.sqlite3"), folder)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("inheritance")
    new = _make_site(root, NEW)
    province = _make_site(root, "TN")
    codes = _former_of(NEW, new.folder)
    assert len(codes) >= 2
    former, packages, cash = {}, {}, {}
    for i, code in enumerate(codes, start=1):
        site = _make_site(root, code)
        cash[code] = 1_000_000 * i
        site.save("dong_gop_nhan_dan", code, "2024", _gift(cash[code], f"Đường xóm của {code}"))
        site.save("dong_gop_nhan_dan", code, "2025-H1", _gift(10 * i, "Nửa đầu năm 2025"))
        packages[code] = site.export(f"{code}-1.danvan")
        former[code] = site.folder
        site.db.close()
    new.db.close()
    province.db.close()
    return World(root, new.folder, province.folder, former, packages, cash)


@pytest.fixture
def new_site(world: World, tmp_path: Path) -> Iterator[Site]:
    site = Site(open_database(copy_site(world.new / "site.sqlite3", tmp_path / "new")), tmp_path / "new")
    yield site
    site.db.close()


@pytest.fixture
def province_site(world: World, tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "province"
    site = Site(open_database(copy_site(world.province / "site.sqlite3", folder)), folder)
    yield site
    site.db.close()


def _site_id(folder: Path) -> str:
    db = open_database(folder / "site.sqlite3")
    try:
        with db.session() as session:
            from danvan_desktop.services.office.installation import load_installation

            return load_installation(session).site_id
    finally:
        db.close()


def _take_in_all(world: World, site: Site) -> None:
    for code, package in world.packages.items():
        report = site.import_(package, accept_new_site=True)  # enrolled like any site
        assert report.status == "applied", report.message
        assert report.counts() == {"new": 2}, (code, report.counts())


def test_new_commune_takes_in_its_predecessors_packages(
    world: World, new_site: Site, province_site: Site, tmp_path: Path
) -> None:
    _take_in_all(world, new_site)
    with new_site.db.session() as session:
        held = session.execute(select(OrgUnit.code, Record.origin_site).join(OrgUnit)).all()
    # Their data is its history without changing its origin: the former unit, the former site.
    sites = {code: _site_id(folder) for code, folder in world.former.items()}
    assert sorted(held) == sorted((code, sites[code]) for code in world.former for _ in range(2))

    # Its history prints as its own under today's units: the former communes' figures summed.
    with new_site.db.transaction() as session:
        for key, value in SETTINGS.items():
            set_setting(session, key, value)
    with new_site.db.session() as session:
        data = summary_data(session, NEW, "DA05-TU-TK", "moi", today=dt.date(2026, 12, 3))
    (row,) = data.communes
    assert row.code == NEW and row.cash == sum(world.cash.values()) + sum(
        10 * i for i in range(1, 1 + len(sites))
    )

    # Also a year before it existed, under its own name, from its predecessors' records only.
    with new_site.db.session() as session:
        (year,) = summary_data(session, NEW, "2024", "moi", today=dt.date(2026, 12, 3)).communes
        assert year.code == NEW and year.cash == sum(world.cash.values())
        # By the units of 2024 it has nothing to report: the message says when it began and names
        # the former units (the validity rule answers before the scope rule).
        with pytest.raises(UserError, match=r"chỉ có hiệu lực từ 01/07/2025.*DH-PHUCCHU"):
            summary_data(session, NEW, "2024")
    # And it passes them on: the province takes the former communes' records from the new commune.
    report = province_site.import_(new_site.export("dinh-hoa-1.danvan"), accept_new_site=True)
    assert report.status == "applied" and report.counts() == {"new": 2 * len(world.former)}
    with province_site.db.session() as session:
        at_province = session.execute(select(OrgUnit.code, Record.origin_site).join(OrgUnit)).all()
    assert sorted(at_province) == sorted(held)


def _forger(world: World, code: str, folder: Path) -> Forger:
    key = signing_key(world.former[code] / "site.sqlite3", _site_id(world.former[code]))
    folder.mkdir(exist_ok=True)
    return Forger(world.packages[code], key, folder)


@pytest.mark.parametrize("period", ["2025-H2", "2026", "2026-Q1"])
def test_a_predecessor_key_cannot_speak_for_periods_after_the_merge(
    world: World, new_site: Site, tmp_path: Path, period: str
) -> None:
    code = next(iter(world.former))
    forger = _forger(world, code, tmp_path / "forged")
    _take_in_all(world, new_site)
    line = forger.records()[0]
    late = {**line, "id": "6f1c1a52-8d7e-4a7b-9a57-3c1f0c2b7e01", "period_code": period}
    before = {r.id for r in new_site.records()}
    report = new_site.import_(forger.package("late.danvan", [late], manifest={"sequence": 2}))
    (result,) = report.plan.results if report.plan else []
    # Refused by the validity rule (the former unit ended on 30/6/2025) before the merge-date rule,
    # which stays as the guard for a predecessor still valid in such a period.
    assert result.outcome == "rejected"
    assert "chỉ có hiệu lực đến 30/06/2025" in result.reason or "đã nhập vào đơn vị khác" in result.reason
    assert {r.id for r in new_site.records()} == before


def test_the_new_commune_cannot_speak_for_former_units_that_are_not_its_predecessors(
    world: World, new_site: Site, province_site: Site, tmp_path: Path
) -> None:
    """A hostile new commune, trusted at the province, sends a neighbour's history: refused whole."""
    _take_in_all(world, new_site)
    genuine = new_site.export("dinh-hoa-1.danvan")
    assert province_site.import_(genuine, accept_new_site=True).status == "applied"
    with new_site.db.session() as session:
        tn = find_unit(session, "TN")
        mine = set(world.former) | {NEW}
        others = [
            u.code
            for u in session.scalars(select(OrgUnit))
            if UnitKind(u.kind).is_commune_level
            and u.code not in mine
            and u.valid_to is not None
            and u.valid_to < REFORM
            and u.parent_id != tn.id
        ]
    assert others
    key = signing_key(new_site.db.path, new_site.site_id)
    forger = Forger(genuine, key, tmp_path / "forged-new")
    (tmp_path / "forged-new").mkdir()
    line = forger.records()[0]
    neighbour = {
        **line,
        "id": "0d7f3c2e-5b1a-4c8e-9f6d-2a4b8c1e3f50",
        "unit_code": others[0],
        "period_code": "2024",
    }
    own_late = {**line, "id": "9b2e4d6f-1a3c-4e5b-8d7f-0c2a4e6b8d1f", "period_code": "2026"}
    before = {r.id for r in province_site.records()}
    for number, record in enumerate((neighbour, own_late), start=2):
        with pytest.raises(ForeignOriginError):
            province_site.import_(forger.package(f"{number}.danvan", [record], manifest={"sequence": number}))
    assert {r.id for r in province_site.records()} == before
    assert line["unit_code"] in world.former  # the line the forgeries start from was inherited
