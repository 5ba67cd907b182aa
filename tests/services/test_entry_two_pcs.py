"""Entry on one record from two PCs (or two windows): the later save of an older reading is refused
and said, never written over the other silently (an optimistic check on the record's local_change).
Runs on SQLite and, in the server run, with two separate connections to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.services.entry.entry import StaleRecordError, Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH


def _save(
    db: Database, values: dict[str, object], record_id: str | None, expected: int | None, who: str
) -> tuple[str, int]:
    with db.transaction() as session:
        site = load_installation(session).site_id
        result = save_entry(
            session,
            get_form("to_chuc_doan_the"),
            find_unit(session, "DH-PHUCCHU").id,
            get_period(session, "2023").id,
            values,
            writer=Writer(site, who),
            record_id=record_id,
            expected_change=expected,
        )
    return result.record_id, result.change


def _read(db: Database, record_id: str) -> tuple[dict[str, object], int]:
    with db.session() as session:
        record = session.get_one(Record, record_id)
        return dict(record.values), record.local_change


def test_the_later_save_of_an_older_reading_is_refused_and_said(commune_path: Path) -> None:
    first_pc, second_pc = open_database(commune_path), open_database(commune_path)
    try:
        record_id, _ = _save(first_pc, BRANCH, None, None, "Lan")
        _, seen_first = _read(first_pc, record_id)
        _, seen_second = _read(second_pc, record_id)  # both PCs show the same record
        _save(first_pc, {**BRANCH, "hoi_vien": 455}, record_id, seen_first, "Lan")
        with pytest.raises(StaleRecordError) as refused:
            _save(second_pc, {**BRANCH, "hoi_vien": 470}, record_id, seen_second, "Dũng")
        assert "vừa được lưu ở cửa sổ hoặc máy khác" in refused.value.message
        assert "(Lan)" in refused.value.message and "CHƯA được lưu" in refused.value.message
        assert refused.value.exit_code == 2
        values, now = _read(second_pc, record_id)
        assert values["hoi_vien"] == 455  # the first save stands
        with second_pc.session() as session:
            assert session.query(RecordHistory).filter_by(record_id=record_id).count() == 2
        # Read again, the second PC saves its change on top of the first one's.
        _save(second_pc, {**BRANCH, "hoi_vien": 470}, record_id, now, "Dũng")
        assert _read(first_pc, record_id)[0]["hoi_vien"] == 470
    finally:
        first_pc.close()
        second_pc.close()


def test_a_record_made_elsewhere_after_the_screen_opened_empty_is_not_overwritten(
    commune_path: Path,
) -> None:
    """A screen opened when the record did not exist yet (expected 0), and someone else made it."""
    first_pc, second_pc = open_database(commune_path), open_database(commune_path)
    try:
        with first_pc.session() as session:
            assert session.query(Record).count() == 0
        record_id, _ = _save(first_pc, BRANCH, None, 0, "Lan")
        with pytest.raises(StaleRecordError):
            _save(second_pc, {**BRANCH, "hoi_vien": 470}, record_id, 0, "Dũng")
        assert _read(first_pc, record_id)[0]["hoi_vien"] == BRANCH["hoi_vien"]
    finally:
        first_pc.close()
        second_pc.close()


def test_without_an_expectation_a_save_works_as_before(commune_path: Path) -> None:
    db = open_database(commune_path)
    try:
        record_id, change = _save(db, BRANCH, None, None, "Lan")
        again, later = _save(db, {**BRANCH, "hoi_vien": 1}, record_id, None, "Lan")
        assert again == record_id and later > change
    finally:
        db.close()
