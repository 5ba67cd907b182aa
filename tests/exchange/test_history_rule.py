"""The history rule after a three-level roll-up: a merge that only joins vectors leaves a healthy file."""

from __future__ import annotations

from sqlalchemy import select

from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.services.entry.records import history_matches
from danvan_desktop.services.maintenance.health import check_database
from tests.exchange.conftest import BRANCH, Site


def _rule_holds_for_every_record(site: Site) -> None:
    with site.db.session() as session:
        for record in session.scalars(select(Record)):
            last = session.scalars(
                select(RecordHistory)
                .where(RecordHistory.record_id == record.id)
                .order_by(RecordHistory.id.desc())
                .limit(1)
            ).one()
            assert history_matches(
                (last.values, last.version_vector, last.deleted, last.form_version),
                (record.values, record.version_vector, record.deleted, record.form_version),
            )


def test_same_correction_at_district_and_province_then_roll_up(
    phuc_chu: Site, district: Site, province: Site
) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    province.import_(district.export("dh-1.danvan"), accept_new_site=True)
    # The district and the province both correct the branch the same way, each on its own.
    corrected = {**BRANCH, "hoi_vien": 455}
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", corrected, record_id)
    province.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", corrected, record_id)
    report = province.import_(district.export("dh-2.danvan", since_last=True))
    assert report.counts() == {"unchanged": 1}
    assert report.plan is not None and report.plan.results[0].merge_vector  # only the vector moved
    merged = province.record(record_id)
    assert merged is not None and merged.version_vector == {
        phuc_chu.site_id: 1,
        district.site_id: 1,
        province.site_id: 1,
    }
    _rule_holds_for_every_record(province)
    assert check_database(province.db.path) == []
