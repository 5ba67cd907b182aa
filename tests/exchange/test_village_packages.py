"""A commune of today's province defines its villages; the province learns them from its packages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import OrgUnit, Record, UnitLineage
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.installation import initialize_database, load_installation
from danvan_desktop.services.office.village_units import add_village, merge_villages, rename_village
from danvan_desktop.transport.signing import sign_manifest
from tests.exchange.conftest import Site
from tests.transport import read_members, write_zip

TODAY = dt.date(2026, 12, 3)
HOUSE = {"tinh_trang": "xay_moi", "nhan_dan_dong_gop_tien": 150_000_000, "dat_hien": 320}


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """A commune formed on 1/7/2025 (any one of today's province) and the provincial office."""
    made = {}
    for name, code in (("tinh", "TN"), ("xa", None)):
        folder = tmp_path / name
        folder.mkdir()
        if code is None:
            with made["tinh"].db.session() as session:
                province = session.scalar(select(OrgUnit).where(OrgUnit.code == "TN"))
                assert province is not None
                code = min(
                    session.scalars(
                        select(OrgUnit.code).where(
                            OrgUnit.parent_id == province.id,
                            OrgUnit.kind.in_(["xa", "phuong"]),
                            OrgUnit.valid_from <= TODAY,
                            OrgUnit.valid_to.is_(None),
                        )
                    )
                )
        initialize_database(folder / "site.sqlite3", code, None, catalog_dir=paths.catalog_dir()).close()
        made[name] = Site(open_database(folder / "site.sqlite3"), folder)
    yield made["xa"], made["tinh"]
    for site in made.values():
        site.db.close()


def _add(site: Site, name: str) -> str:
    with site.db.transaction() as session:
        office = load_installation(session).office_unit_id
        return add_village(session, office, name, "xom", user="Nguyễn Thị Lan").code


def _unit(site: Site, code: str) -> OrgUnit | None:
    with site.db.session() as session:
        return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _office_code(site: Site) -> str:
    with site.db.session() as session:
        return load_installation(session).office_code


def test_a_village_defined_at_the_commune_reaches_the_province(sites: tuple[Site, Site]) -> None:
    commune, province = sites
    village = _add(commune, "Nà Mòn")
    house = commune.save("nha_van_hoa", _office_code(commune), "2026", HOUSE | {"xom": village})
    package = commune.export("xa-1.danvan")
    manifest = json.loads(read_members(package)["manifest.json"])
    assert manifest["format_version"] == 2
    assert [u["code"] for u in manifest["unit_definitions"]["units"]] == [village]
    assert _unit(province, village) is None

    report = province.import_(package, accept_new_site=True)
    assert report.status == "applied", report.to_json()
    assert report.counts()["new"] == 1, report.to_json()
    assert "Nhận 1 xóm, tổ dân phố mới." in report.message
    learned = _unit(province, village)
    assert learned is not None
    assert (learned.name, learned.kind, learned.valid_from, learned.valid_to) == (
        "Nà Mòn",
        "xom",
        dt.date(2025, 7, 1),
        None,
    )
    assert learned.source == f"package:{_office_code(commune)}"
    stored = province.record(house)
    assert stored is not None and stored.values["xom"] == village

    # A rename and a merge at the commune travel in the next package, lineage included.
    newer = _add(commune, "Bản Lác")
    with commune.db.transaction() as session:
        office = load_installation(session).office_unit_id
        rename_village(session, office, village, "Nà Mòn Trên", user="Lan")
        target = merge_villages(
            session, office, [village, newer], dt.date(2026, 7, 1), new_name="Đoàn Kết", user="Lan"
        ).code
    commune.save("nha_van_hoa", _office_code(commune), "2026-H2", HOUSE | {"xom": target})
    report = province.import_(commune.export("xa-2.danvan", since_last=True))
    assert report.status == "applied" and report.counts()["new"] == 1, report.to_json()
    assert "2 xóm, tổ dân phố mới" in report.message and "1 xóm, tổ dân phố được cập nhật" in report.message
    renamed = _unit(province, village)
    assert renamed is not None and renamed.name == "Nà Mòn Trên" and renamed.valid_to == dt.date(2026, 6, 30)
    with province.db.session() as session:
        links = {
            (session.get_one(OrgUnit, link.from_unit_id).code, session.get_one(OrgUnit, link.to_unit_id).code)
            for link in session.scalars(
                select(UnitLineage).where(UnitLineage.effective == dt.date(2026, 7, 1))
            )
        }
    assert links == {(village, target), (newer, target)}


def test_without_the_definitions_the_province_rejects_the_record(sites: tuple[Site, Site]) -> None:
    """What happened before packages carried villages: the very same record is refused."""
    commune, province = sites
    village = _add(commune, "Nà Mòn")
    commune.save("nha_van_hoa", _office_code(commune), "2026", HOUSE | {"xom": village})
    package = commune.export("xa-1.danvan")
    members = read_members(package)
    fields = json.loads(members["manifest.json"])
    del fields["unit_definitions"], fields["signature"]
    fields["format_version"] = 1
    signed = sign_manifest(fields, signing_key(commune.db.path, commune.site_id))
    plain = write_zip(
        commune.folder / "xa-v1.danvan",
        [("records.jsonl", members["records.jsonl"]), ("manifest.json", json.dumps(signed).encode())],
    )
    report = province.import_(plain, accept_new_site=True)
    assert report.counts()["rejected"] == 1 and report.counts()["new"] == 0, report.to_json()
    assert village in report.plan.results[0].reason  # type: ignore[union-attr]
    assert _unit(province, village) is None
    with province.db.session() as session:
        assert session.scalars(select(Record)).all() == []
