"""Records: every version kept in history, a version vector per site, NFC text whatever came in."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Record, RecordHistory
from danvan_desktop.services.entry.records import create_record, set_deleted, update_record
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.periods import get_period

OTHER_SITE = "00000000-0000-4000-8000-000000000002"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@dataclass
class Ctx:
    site_id: str
    unit_id: int
    period_id: int


@pytest.fixture
def ctx(commune_db: Database) -> Ctx:
    with commune_db.transaction() as session:
        info = load_installation(session)
        period = get_period(session, "2023")
        return Ctx(info.site_id, info.office_unit_id, period.id)


def _create(session: Session, ctx: Ctx, values: dict[str, Any], user: str = "Nguyễn Văn An") -> Record:
    return create_record(
        session,
        site_id=ctx.site_id,
        user=user,
        form_id="ho_so_xa",
        form_version=1,
        org_unit_id=ctx.unit_id,
        period_id=ctx.period_id,
        values=values,
    )


def _history(db: Database, record_id: str) -> list[RecordHistory]:
    """History read back through a fresh session: what is really in the file."""
    with db.session() as session:
        stmt = select(RecordHistory).where(RecordHistory.record_id == record_id).order_by(RecordHistory.id)
        return list(session.scalars(stmt))


def _reload(db: Database, record_id: str) -> Record:
    with db.session() as session:
        return session.get_one(Record, record_id)


def test_create_keeps_the_first_version(commune_db: Database, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record_id = _create(session, ctx, {"so_xom": 6, "so_ho": 812}).id
    record = _reload(commune_db, record_id)
    assert record.values == {"so_xom": 6, "so_ho": 812}
    assert record.version_vector == {ctx.site_id: 1}
    assert record.deleted is False
    assert record.created_at == record.updated_at
    (first,) = _history(commune_db, record_id)
    assert (first.change, first.values, first.version_vector) == ("create", record.values, {ctx.site_id: 1})
    assert first.changed_by == "Nguyễn Văn An"
    assert first.form_version == 1


def test_given_id_is_kept(commune_db: Database, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record = create_record(
            session,
            site_id=ctx.site_id,
            user="a",
            form_id="f",
            form_version=1,
            org_unit_id=ctx.unit_id,
            period_id=ctx.period_id,
            values={},
            record_id="11111111-2222-4333-8444-555555555555",
        )
        assert record.id == "11111111-2222-4333-8444-555555555555"


def test_updates_bump_the_vector_and_keep_every_version(commune_db: Database, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record = _create(session, ctx, {"so_ho": 800})
        record_id = record.id
    for n, value in enumerate([801, 802, 803], start=2):
        with commune_db.transaction() as session:
            record = session.get_one(Record, record_id)
            update_record(
                session,
                record,
                site_id=ctx.site_id,
                user="Lê Thị Bình",
                values={"so_ho": value},
                form_version=n,
            )
    record = _reload(commune_db, record_id)
    assert record.values == {"so_ho": 803}
    assert record.version_vector == {ctx.site_id: 4}
    assert record.form_version == 4
    assert record.updated_by == "Lê Thị Bình"
    assert record.created_by == "Nguyễn Văn An"
    assert record.updated_at >= record.created_at
    history = _history(commune_db, record_id)
    assert [h.change for h in history] == ["create", "update", "update", "update"]
    assert [h.values["so_ho"] for h in history] == [800, 801, 802, 803]
    assert [h.version_vector for h in history] == [{ctx.site_id: n} for n in (1, 2, 3, 4)]
    assert [h.form_version for h in history] == [1, 2, 3, 4]
    last = history[-1]
    assert (last.values, last.version_vector, last.deleted) == (record.values, record.version_vector, False)


def test_edits_from_another_site_get_their_own_counter(commune_db: Database, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record = _create(session, ctx, {"x": 1})
        update_record(session, record, site_id=OTHER_SITE, user="b", values={"x": 2}, form_version=1)
        update_record(session, record, site_id=OTHER_SITE, user="b", values={"x": 3}, form_version=1)
        update_record(session, record, site_id=ctx.site_id, user="a", values={"x": 4}, form_version=1)
        record_id = record.id
    assert _reload(commune_db, record_id).version_vector == {ctx.site_id: 2, OTHER_SITE: 2}
    vectors = [h.version_vector for h in _history(commune_db, record_id)]
    assert vectors == [
        {ctx.site_id: 1},
        {ctx.site_id: 1, OTHER_SITE: 1},
        {ctx.site_id: 1, OTHER_SITE: 2},
        {ctx.site_id: 2, OTHER_SITE: 2},
    ]


def test_delete_and_restore_are_tombstones_in_history(commune_db: Database, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record = _create(session, ctx, {"ten": "Mô hình dân vận khéo"})
        record_id = record.id
    with commune_db.transaction() as session:
        set_deleted(session, session.get_one(Record, record_id), site_id=ctx.site_id, user="a", deleted=True)
    record = _reload(commune_db, record_id)
    assert record.deleted is True
    assert record.values == {"ten": "Mô hình dân vận khéo"}  # the values travel with the tombstone
    with commune_db.transaction() as session:
        set_deleted(session, session.get_one(Record, record_id), site_id=ctx.site_id, user="a", deleted=False)
    record = _reload(commune_db, record_id)
    assert record.deleted is False
    assert record.version_vector == {ctx.site_id: 3}
    history = _history(commune_db, record_id)
    assert [(h.change, h.deleted) for h in history] == [
        ("create", False),
        ("delete", True),
        ("restore", False),
    ]
    assert [h.version_vector[ctx.site_id] for h in history] == [1, 2, 3]


def test_nfd_input_is_stored_as_nfc(commune_db: Database, ctx: Ctx) -> None:
    values = {
        nfd("tên_mô_hình"): nfd("Dân vận khéo xóm Bản Cọ"),
        "lĩnh_vực": [nfd("Kinh tế"), nfd("Văn hóa - xã hội")],
        "chi_tiết": {nfd("người_phụ_trách"): nfd("Hoàng Thị Đào"), "số_hộ": 42},
        "số_tiền": 1_950_000_000,
    }
    expected = {
        "tên_mô_hình": "Dân vận khéo xóm Bản Cọ",
        "lĩnh_vực": ["Kinh tế", "Văn hóa - xã hội"],
        "chi_tiết": {"người_phụ_trách": "Hoàng Thị Đào", "số_hộ": 42},
        "số_tiền": 1_950_000_000,
    }
    assert values != expected  # the input really differs
    with commune_db.transaction() as session:
        record_id = _create(session, ctx, values, user=nfd("Đỗ Văn Hùng")).id
    record = _reload(commune_db, record_id)
    assert record.values == expected
    assert record.created_by == record.updated_by == "Đỗ Văn Hùng"
    assert _history(commune_db, record_id)[0].values == expected
    with commune_db.transaction() as session:
        record = session.get_one(Record, record_id)
        update_record(
            session,
            record,
            site_id=ctx.site_id,
            user=nfd("Đỗ Văn Hùng"),
            values={"ghi_chú": nfd("Đã thẩm định")},
            form_version=1,
        )
    assert _reload(commune_db, record_id).values == {"ghi_chú": "Đã thẩm định"}
    assert _history(commune_db, record_id)[-1].changed_by == "Đỗ Văn Hùng"


def test_records_survive_reopening(commune_db: Database, commune_path: Path, ctx: Ctx) -> None:
    with commune_db.transaction() as session:
        record_id = _create(session, ctx, {"so_ho": 5}).id
    commune_db.close()
    db = open_database(commune_path)
    try:
        assert _reload(db, record_id).values == {"so_ho": 5}
        assert len(_history(db, record_id)) == 1
    finally:
        db.close()


def test_failed_transaction_keeps_no_version(commune_db: Database, ctx: Ctx) -> None:
    with pytest.raises(RuntimeError), commune_db.transaction() as session:
        record_id = _create(session, ctx, {"so_ho": 5}).id
        raise RuntimeError("user cancelled")
    assert _history(commune_db, record_id) == []
    with commune_db.session() as session:
        assert session.get(Record, record_id) is None
