"""Completeness of the returns: received, missing, late, in conflict, per unit, form and period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import ReceivedPackage, RecordConflict
from danvan_desktop.services.entry.entry import Writer, save_entry, set_entry_deleted
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.completeness import CompletenessTable, completeness

PROFILE = {"so_xom": 6, "so_nha_van_hoa": 5, "so_ho": 612, "so_nhan_khau": 2410}
BRANCH = {"to_chuc": "HLHPN", "ten_chi_hoi": "Chi hội Phụ nữ xã", "hoi_vien": 450, "doi_tuong": 600}
FORMS = ["ho_so_xa", "to_chuc_doan_the", "kiem_tra_giam_sat"]


def _save(session: Session, form_id: str, unit: str, period: str, values: dict[str, object]) -> str:
    writer = Writer(load_installation(session).site_id, "Hoàng Văn Dũng")
    unit_id, period_id = find_unit(session, unit).id, get_period(session, period).id
    return save_entry(session, get_form(form_id), unit_id, period_id, values, writer=writer).record_id


def _table(db: Database, today: dt.date, forms: list[str] = FORMS, **options: int) -> CompletenessTable:
    with db.session() as session:
        office = load_installation(session).office_unit_id
        period = get_period(session, "2023", create=False)
        return completeness(session, office, [period.id], forms, today, **options)


def _period_id(db: Database, code: str = "2023") -> int:
    with db.session() as session:
        return get_period(session, code, create=False).id


def test_rows_are_the_office_then_its_communes(demo_db: Database) -> None:
    table = _table(demo_db, dt.date(2024, 1, 5))
    rows = table.period(_period_id(demo_db)).rows
    assert rows[0].unit_code == "DH" and rows[0].is_office
    assert len(rows) == 24 and rows[1].unit_label == "Thị trấn Chợ Chu"
    assert all(not r.is_office for r in rows[1:])
    # The district fills only the forms meant for any level; commune forms do not apply to it.
    assert rows[0].cells == {
        "ho_so_xa": "not_applicable",
        "to_chuc_doan_the": "not_applicable",
        "kiem_tra_giam_sat": "missing",
    }


def test_received_missing_and_late(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        _save(session, "ho_so_xa", "DH-PHUCCHU", "2023", PROFILE)
        deleted = _save(session, "to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
        writer = Writer(load_installation(session).site_id, "Dũng")
        set_entry_deleted(session, deleted, writer=writer, deleted=True)
        _save(session, "ho_so_xa", "DH-PHUCCHU", "2022", PROFILE)  # another period does not count
    period = _period_id(demo_db)
    within_grace = _table(demo_db, dt.date(2024, 1, 15))  # the year ended 15 days ago: not late yet
    assert within_grace.status("DH-PHUCCHU", period, "ho_so_xa") == "received"
    assert within_grace.status("DH-PHUCCHU", period, "to_chuc_doan_the") == "missing"  # only deleted
    assert within_grace.status("DH-BAOLINH", period, "ho_so_xa") == "missing"
    late = _table(demo_db, dt.date(2024, 1, 16))
    assert late.status("DH-BAOLINH", period, "ho_so_xa") == "late"
    assert late.status("DH-PHUCCHU", period, "ho_so_xa") == "received"
    assert late.status("DH", period, "kiem_tra_giam_sat") == "late"
    patient = _table(demo_db, dt.date(2024, 1, 16), grace_days=30)
    assert patient.status("DH-BAOLINH", period, "ho_so_xa") == "missing"


def test_pending_conflict_marks_the_cell_until_resolved(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        record_id = _save(session, "to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
        conflict = RecordConflict(
            record_id=record_id,
            package_id="p-1",
            incoming={"values": BRANCH},
            detected_at=dt.datetime(2024, 1, 2),
        )
        session.add(conflict)
    period = _period_id(demo_db)
    assert _table(demo_db, dt.date(2024, 1, 5)).status("DH-PHUCCHU", period, "to_chuc_doan_the") == "conflict"
    with demo_db.transaction() as session:
        row = session.get_one(RecordConflict, conflict.id)
        row.resolved_at = dt.datetime(2024, 1, 3)
    assert _table(demo_db, dt.date(2024, 1, 5)).status("DH-PHUCCHU", period, "to_chuc_doan_the") == "received"


def test_summary_counts_communes_that_sent_everything(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        _save(session, "ho_so_xa", "DH-PHUCCHU", "2023", PROFILE)
        _save(session, "ho_so_xa", "DH-BAOLINH", "2023", PROFILE)
        _save(session, "to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH)
    table = _table(demo_db, dt.date(2024, 3, 1), forms=["ho_so_xa"])
    data = table.period(_period_id(demo_db))
    assert data.summary() == (2, 23)  # the district's own row is not counted: it has nothing to send
    assert data.counts()["received"] == 2 and data.counts()["late"] == 21
    both = _table(demo_db, dt.date(2024, 3, 1), forms=["ho_so_xa", "to_chuc_doan_the"])
    assert both.period(_period_id(demo_db)).summary() == (1, 23)


def test_last_package_per_sending_unit(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        for sequence, day in ((1, 3), (3, 20), (2, 10)):
            session.add(
                ReceivedPackage(
                    package_id=f"pkg-{sequence}",
                    site_id="site-phuc-chu",
                    sequence=sequence,
                    office_unit_code="DH-PHUCCHU",
                    received_at=dt.datetime(2024, 1, day, 8, 0),
                    file_name=f"DH-PHUCCHU-{sequence}.danvan",
                    file_sha256="0" * 64,
                    record_count=4,
                    summary={"new": 4},
                )
            )
    rows = {r.unit_code: r for r in _table(demo_db, dt.date(2024, 2, 1)).periods[0].rows}
    last = rows["DH-PHUCCHU"].last_package
    assert last is not None and last.sequence == 3 and last.file_name == "DH-PHUCCHU-3.danvan"
    assert rows["DH-BAOLINH"].last_package is None


def test_a_commune_office_sees_only_itself(commune_db: Database) -> None:
    with commune_db.transaction() as session:
        _save(session, "ho_so_xa", "DH-PHUCCHU", "2023", PROFILE)
    table = _table(commune_db, dt.date(2024, 3, 1))
    data = table.periods[0]
    assert [r.unit_code for r in data.rows] == ["DH-PHUCCHU"]
    assert data.rows[0].cells["ho_so_xa"] == "received"
    assert data.rows[0].cells["to_chuc_doan_the"] == "late"
    assert data.summary() == (0, 1)


def test_new_rural_criteria_are_asked_of_xa_only(demo_db: Database) -> None:
    # The national new-rural programme assesses xã: the town is neither asked nor counted as late.
    table = _table(demo_db, dt.date(2024, 3, 1), forms=["tien_do_ntm"])
    rows = table.period(_period_id(demo_db)).rows
    town = next(r for r in rows if r.unit_label == "Thị trấn Chợ Chu")
    assert town.cells == {"tien_do_ntm": "not_applicable"}
    assert all(r.cells["tien_do_ntm"] == "late" for r in rows[1:] if r is not town)
    ntm = get_form("tien_do_ntm")
    assert ntm.applies_to("xa") and not ntm.applies_to("thi_tran") and not ntm.applies_to("phuong")
    assert get_form("ho_so_xa").applies_to("thi_tran")
