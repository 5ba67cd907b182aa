"""Several importers on one server: a plan made before the write lock stands inside it unless what it
read has changed (plan_basis.py), so that two communes' packages are planned in parallel, while two
packages carrying the same record never both insert it (real separate processes)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from danvan_desktop.db.models import OrgUnit, ReceivedPackage, RecordHistory
from danvan_desktop.services.exchange.plan_basis import plan_basis, plan_still_holds
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.test_server_concurrency import _danvan, _finish, _until_waiting, write_lock_held

pytestmark = pytest.mark.server_only


def test_a_plan_stands_after_another_communes_import_and_falls_after_its_own_records_or_units(
    phuc_chu: Site, bao_linh: Site, district: Site
) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    pc = phuc_chu.export("pc-1.danvan")
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", {**BRANCH, "hoi_vien": 300})
    bl = bao_linh.export("bl-1.danvan")
    with district.db.session() as session:
        basis = plan_basis(session)
    district.import_(bl, accept_new_site=True)  # another PC's import of another commune
    with district.db.session() as session:
        assert plan_still_holds(session, basis, [record_id])
    district.import_(pc, accept_new_site=True)  # now the record itself was written
    with district.db.session() as session:
        assert not plan_still_holds(session, basis, [record_id])
        basis = plan_basis(session)
    with district.db.transaction() as session:  # an administrator renames a unit: the catalog moved
        session.execute(update(OrgUnit).where(OrgUnit.code == "DH-BAOLINH").values(name="Bảo Linh mới"))
    with district.db.session() as session:
        assert not plan_still_holds(session, basis, [record_id])


def test_two_pcs_importing_two_packages_of_one_record_store_it_once_and_the_newest(
    phuc_chu: Site, district: Site
) -> None:
    """Both plan "new" for the record before either writes it: the second to write plans again."""
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    first = phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    second = phuc_chu.export("pc-2.danvan")
    with write_lock_held(district) as waiting:
        processes = [_danvan(district, "import", str(p), "--accept-new-site") for p in (first, second)]
        _until_waiting(waiting, 2, processes)  # both have planned the record as new
    results = _finish(processes)
    assert [code for code, _, _ in results] == [0, 0], results
    record = district.record(record_id)
    assert record is not None and record.values["hoi_vien"] == 470
    with district.db.session() as session:
        assert len(session.scalars(select(ReceivedPackage)).all()) == 2
        history = session.scalars(select(RecordHistory).where(RecordHistory.record_id == record_id)).all()
        assert 1 <= len(history) <= 2  # the older package came first (two rows) or was stale (one)
