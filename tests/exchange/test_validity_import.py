"""Import refuses, record by record, data of a unit for a period outside the unit's validity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import ReceivedPackage
from danvan_desktop.services.entry import records
from danvan_desktop.services.entry.entry import set_entry_deleted
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH, Site


def stored_before_the_check(
    site: Site, unit: str, period: str, *, record_id: str | None = None, site_id: str | None = None
) -> str:
    """A record as an installation of an earlier version stored it, before save_entry checked validity."""
    form, site_id = get_form("to_chuc_doan_the"), site_id or site.site_id
    with site.db.transaction() as session:
        record = records.create_record(
            session,
            site_id=site_id,
            user="Nguyễn Thị Lan",
            form_id=form.id,
            form_version=form.version,
            org_unit_id=find_unit(session, unit).id,
            period_id=get_period(session, period).id,
            values=dict(BRANCH),
            record_id=record_id,
        )
        return record.id


@pytest.fixture
def dinh_hoa(tmp_path: Path) -> Iterator[Site]:
    """The office of xã Định Hóa, formed on 1/7/2025 from Phúc Chu, Bảo Linh, Đồng Thịnh, Chợ Chu."""
    folder = tmp_path / "TN-DINHHOA"
    folder.mkdir()
    initialize_database(folder / "site.sqlite3", "TN-DINHHOA", None, catalog_dir=paths.catalog_dir()).close()
    site = Site(open_database(folder / "site.sqlite3"), folder)
    yield site
    site.db.close()


def test_commune_record_after_its_abolition_is_rejected_alone(phuc_chu: Site, district: Site) -> None:
    good = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    late = stored_before_the_check(phuc_chu, "DH-PHUCCHU", "2026")
    # A copy the district took in before validity was checked: the sender's tombstone retires it.
    retired = stored_before_the_check(phuc_chu, "DH-PHUCCHU", "2026")
    stored_before_the_check(district, "DH-PHUCCHU", "2026", record_id=retired, site_id=phuc_chu.site_id)
    with phuc_chu.db.transaction() as session:
        set_entry_deleted(session, retired, writer=phuc_chu.writer(), deleted=True)
    report = district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    assert report.status == "applied"
    outcome = {r.incoming.id: r for r in report.plan.results}  # type: ignore[union-attr]
    assert (outcome[good].outcome, outcome[late].outcome, outcome[retired].outcome) == (
        "new",
        "rejected",
        "updated",
    )
    assert outcome[late].reason == (
        "Xã Phúc Chu (DH-PHUCCHU) chỉ có hiệu lực đến 30/06/2025, "
        "không nhận số liệu kỳ «Năm 2026» (01/01/2026–31/12/2026)"
    )
    assert district.record(good) is not None
    assert district.record(late) is None
    copy = district.record(retired)
    assert copy is not None and copy.deleted


def test_new_commune_record_before_it_existed_is_rejected(dinh_hoa: Site, province: Site) -> None:
    early = stored_before_the_check(dinh_hoa, "TN-DINHHOA", "2023")
    report = province.import_(dinh_hoa.export("dh-1.danvan"), accept_new_site=True)
    # Nothing else in the package: nothing stored, not even the package in the ledger, so that it
    # can be imported again (the existing rule for a package whose every record is rejected).
    assert report.status == "rejected"
    (result,) = report.plan.results  # type: ignore[union-attr]
    assert result.outcome == "rejected"
    assert result.reason.startswith(
        "Xã Định Hóa (TN-DINHHOA) chỉ có hiệu lực từ 01/07/2025, không nhận số liệu kỳ «Năm 2023»"
    )
    assert province.record(early) is None
    with province.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ReceivedPackage)) == 0
