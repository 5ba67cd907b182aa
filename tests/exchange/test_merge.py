"""Commune packages merged at the district: new, newer, unchanged, stale, conflicts, rejections."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from danvan_desktop.db.models import Period, ReceivedPackage, Record, RecordConflict, RecordHistory
from danvan_desktop.services.entry.entry import form_context, search_text
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.exchange.package_import import (
    KeyChangedError,
    OwnPackageError,
    UntrustedSiteError,
)
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH, Site


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only(reason="checks the file unchanged byte for byte and the copy taken before import")
def test_first_package_needs_the_fingerprint_accepted(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    district.db.close()
    before = _sha(district.db.path)
    from danvan_desktop.db.engine import open_database

    district.db = open_database(district.db.path)
    with pytest.raises(UntrustedSiteError) as info:
        district.import_(package)
    assert info.value.fingerprint in info.value.message
    district.db.close()
    assert _sha(district.db.path) == before  # refused: not a byte changed
    district.db = open_database(district.db.path)
    report = district.import_(package, accept_new_site=True)
    assert report.counts()["new"] == 1 and report.backup is not None
    assert district.records()[0].values["hoi_vien"] == 450


def test_reimport_changes_nothing_and_says_so(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    district.import_(package, accept_new_site=True)
    again = district.import_(package)
    assert again.status == "duplicate" and "đã được nhập" in again.message
    with district.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ReceivedPackage)) == 1
        assert session.scalar(select(func.count()).select_from(RecordHistory)) == 1


def test_newer_edit_updates_and_older_package_is_stale(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    first = phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    second = phuc_chu.export("pc-2.danvan")
    district.import_(second, accept_new_site=True)  # arrives first (out of order)
    late = district.import_(first)
    assert late.counts()["stale"] == 1
    record = district.record(record_id)
    assert record is not None and record.values["hoi_vien"] == 470  # never overwritten by older data


def test_concurrent_edits_become_a_conflict_nothing_overwritten(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 455}, record_id)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, record_id)
    report = district.import_(phuc_chu.export("pc-2.danvan"))
    assert report.counts()["conflict"] == 1 and report.has_conflicts()
    conflict = report.plan.results[0] if report.plan else None
    assert conflict is not None and any(c.old == "455" and c.new == "470" for c in conflict.changes)
    record = district.record(record_id)
    assert record is not None and record.values["hoi_vien"] == 455
    with district.db.session() as session:
        pending = session.scalars(select(RecordConflict)).all()
        assert len(pending) == 1 and pending[0].incoming["values"]["hoi_vien"] == 470


def test_bad_record_is_rejected_alone(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", {**BRANCH, "hoi_vien": 400})
    with district.db.transaction() as session:  # the district locked Phúc Chu's 2022
        lock_period(session, find_unit(session, "DH-PHUCCHU").id, get_period(session, "2022").id, user="Dũng")
    report = district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    counts = report.counts()
    assert (counts["new"], counts["rejected"]) == (1, 1)
    assert report.plan is not None
    rejected = next(r for r in report.plan.results if r.outcome == "rejected")
    assert "đã chốt" in rejected.reason
    assert len(district.records()) == 1


def test_dry_run_previews_without_changing_anything(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    district.db.close()
    before = _sha(district.db.path)
    from danvan_desktop.db.engine import open_database

    district.db = open_database(district.db.path)
    report = district.import_(package, dry_run=True, accept_new_site=True)
    assert report.status == "dry_run" and report.counts()["new"] == 1
    district.db.close()
    assert _sha(district.db.path) == before
    district.db = open_database(district.db.path)


def test_own_package_and_changed_key_are_refused(phuc_chu: Site, district: Site, tmp_path: Path) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    package = phuc_chu.export("pc-1.danvan")
    with pytest.raises(OwnPackageError):
        phuc_chu.import_(package)
    district.import_(package, accept_new_site=True)
    # The commune reinstalls: same site id in a new database would be a new key; simulate with a new key file.
    from danvan_desktop.services.exchange.signing_keys import key_file
    from danvan_desktop.transport.keys import generate_keypair

    key = key_file(phuc_chu.db.path, phuc_chu.site_id)
    key.unlink()
    key.write_bytes(generate_keypair()[0])
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 1})
    with pytest.raises(KeyChangedError) as info:
        district.import_(phuc_chu.export("pc-2.danvan"))
    assert "khóa khác" in info.value.message


def test_gap_in_sequence_is_reported(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    third = phuc_chu.export("pc-2.danvan")
    report = district.import_(third, accept_new_site=True)
    assert report.gaps == [1]
    from danvan_desktop.services.exchange.import_report import describe_report

    assert "Chưa nhận gói số 1 của xã Phúc Chu." in describe_report(report)


def test_roll_up_keeps_origin_and_vectors(
    phuc_chu: Site, bao_linh: Site, district: Site, province: Site
) -> None:
    pc_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    bl_id = bao_linh.save(
        "to_chuc_doan_the", "DH-BAOLINH", "2023", {**BRANCH, "ten_chi_hoi": "Chi hội Phụ nữ Bảo Linh"}
    )
    pc_package = phuc_chu.export("pc-1.danvan")
    district.import_(pc_package, accept_new_site=True)
    district.import_(bao_linh.export("bl-1.danvan"), accept_new_site=True)
    province.import_(pc_package, accept_new_site=True)  # the province also got Phúc Chu directly
    report = province.import_(district.export("dh-1.danvan"), accept_new_site=True)
    counts = report.counts()
    assert (counts["new"], counts["unchanged"]) == (1, 1)
    merged = {r.id: r for r in province.records()}
    assert set(merged) == {pc_id, bl_id}
    assert merged[pc_id].origin_site == phuc_chu.site_id
    assert merged[bl_id].version_vector == {bao_linh.site_id: 1}
    with province.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 2


def _conflicted(phuc_chu: Site, district: Site) -> str:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 455}, record_id)
    phuc_chu.save(
        "to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470, "doi_tuong": 620}, record_id
    )
    district.import_(phuc_chu.export("pc-2.danvan"))
    return record_id


@pytest.mark.parametrize(
    ("choice", "fields", "expected"),
    [("local", (), (455, 600)), ("incoming", (), (470, 620)), ("fields", ("doi_tuong",), (455, 620))],
)
def test_a_person_resolves_the_conflict(
    phuc_chu: Site, district: Site, choice: str, fields: tuple[str, ...], expected: tuple[int, int]
) -> None:
    from danvan_desktop.services.exchange.conflicts import pending_conflicts, resolve_conflict
    from danvan_desktop.services.exchange.vectors import compare

    record_id = _conflicted(phuc_chu, district)
    with district.db.transaction() as session:
        [pending] = pending_conflicts(session)
        assert pending.field_ids == ["hoi_vien", "doi_tuong"] or set(pending.field_ids) >= {
            "hoi_vien",
            "doi_tuong",
        }
        resolve_conflict(session, pending.id, choice=choice, writer=district.writer(), incoming_fields=fields)  # type: ignore[arg-type]
        assert pending_conflicts(session) == []
    record = district.record(record_id)
    assert record is not None and (record.values["hoi_vien"], record.values["doi_tuong"]) == expected
    # Searchable as if saved from the screen: labels, not codes ("Hội LHPN", not "HLHPN").
    with district.db.session() as session:
        period = session.get_one(Period, record.period_id)
        form = get_form(record.form_id)
        context = form_context(session, form, record.org_unit_id, period)
        assert record.search_text == search_text(form, record.values, context)
    assert "hlhpn" not in record.search_text.split()
    commune = phuc_chu.record(record_id)
    assert commune is not None and compare(commune.version_vector, record.version_vector) == "incoming_newer"
    # The decision travels back down and wins there too.
    report = phuc_chu.import_(district.export("dh-1.danvan"), accept_new_site=True)
    assert report.counts()["updated"] == 1
    back = phuc_chu.record(record_id)
    assert back is not None and (back.values["hoi_vien"], back.values["doi_tuong"]) == expected


def test_preview_reports_gaps_before_and_inside(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    second = phuc_chu.export("pc-2.danvan")
    preview = district.import_(second, dry_run=True, accept_new_site=True)
    assert preview.gaps == [1]  # its first package never arrived


def test_history_keeps_each_merged_version_exactly_and_nothing_for_a_vector_only_merge(
    phuc_chu: Site, district: Site
) -> None:
    first = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    same = phuc_chu.save(
        "to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "ten_chi_hoi": "Chi hội xóm Bản Piềng"}
    )
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    # The same edit on both sides (vector-only merge), a newer edit from the commune (update) and a
    # new record: history gains one "merge" row per stored version, equal to the record as stored.
    edit = {**BRANCH, "ten_chi_hoi": "Chi hội xóm Bản Piềng", "hoi_vien": 480}
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", edit, same)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", edit, same)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 470}, first)
    added = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "ten_chi_hoi": "Chi hội mới"})
    report = district.import_(phuc_chu.export("pc-2.danvan"))
    assert report.counts() == {"updated": 1, "new": 1, "unchanged": 1}
    with district.db.session() as session:
        for record_id, versions in ((first, 2), (added, 1), (same, 2)):
            record = session.get(Record, record_id)
            history = session.scalars(
                select(RecordHistory).where(RecordHistory.record_id == record_id).order_by(RecordHistory.id)
            ).all()
            assert record is not None and len(history) == versions
            last = history[-1]
            assert (last.values, last.deleted, last.form_version) == (
                record.values,
                record.deleted,
                record.form_version,
            )
            if record_id != same:  # the vector-only merge changes the vector, not the values
                assert last.change == "merge" and last.version_vector == record.version_vector
                assert (last.changed_by, last.changed_at) == (record.updated_by, record.updated_at)
        merged_same = session.get(Record, same)
        assert merged_same is not None and merged_same.version_vector == {
            district.site_id: 1,
            phuc_chu.site_id: 2,
        }


def test_a_record_for_a_unit_the_form_is_not_meant_for_is_rejected_alone(
    district: Site, province: Site
) -> None:
    # A new-rural record for a town (thị trấn), written around the entry screens by some script:
    # the province refuses that record and takes the rest of the package.
    from danvan_desktop.services.entry.records import create_record

    good = district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    with district.db.transaction() as session:
        town, period = find_unit(session, "DH-CHOCHU"), get_period(session, "2023")
        create_record(
            session,
            site_id=district.site_id,
            user="script",
            form_id="tien_do_ntm",
            form_version=1,
            org_unit_id=town.id,
            period_id=period.id,
            values={"muc_dat": "dat_chuan"},
        )
    report = province.import_(district.export("dh-1.danvan"), accept_new_site=True)
    assert report.counts()["new"] == 1 and report.counts()["rejected"] == 1
    rejected = next(r for r in report.plan.results if r.outcome == "rejected") if report.plan else None
    assert rejected is not None and "không dành cho Thị trấn Chợ Chu" in rejected.reason
    assert [r.id for r in province.records()] == [good]


def test_merged_records_are_searchable_as_if_saved_here(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH | {"to_chuc": "DTN", "hoi_vien": 12})
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    records = district.records()
    assert len(records) == 2
    with district.db.session() as session:
        for record in records:
            period = session.get_one(Period, record.period_id)
            form = get_form(record.form_id)
            context = form_context(session, form, record.org_unit_id, period)
            assert record.search_text and record.search_text == search_text(form, record.values, context)
    # Each record with its own organization's label (a label cache shared between records must not mix them).
    assert sorted("doan" in r.search_text for r in records) == [False, True]
