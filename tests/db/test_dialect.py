"""db/dialect.py, the few SQL pieces that differ between the engines: each gives the same answer on
SQLite and on PostgreSQL (this file runs in both runs of the suite)."""

from __future__ import annotations

from danvan_desktop.db.dialect import (
    contains,
    dialect_of,
    in_list,
    json_field,
    json_value,
    list_param,
    raw_rows,
)
from danvan_desktop.db.engine import Database
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH


def test_the_helpers_read_the_same_on_either_engine(commune_db: Database) -> None:
    with commune_db.transaction() as session:
        record_id = save_entry(
            session,
            get_form("to_chuc_doan_the"),
            find_unit(session, "DH-PHUCCHU").id,
            get_period(session, "2023").id,
            {**BRANCH, "hoi_vien": 450},
            writer=Writer(load_installation(session).site_id, "Lan"),
        ).record_id
    with commune_db.session() as session:
        engine = dialect_of(session)
        members = json_field(engine, 'r."values"', "hoi_vien")
        sql = (
            f'SELECT r.id, {members}, r."values" FROM record r WHERE {contains(engine, "r.created_by")}'
            f" AND {in_list(engine, 'r.id')}"
        )
        rows = raw_rows(session, sql, ["Lan", list_param(engine, [record_id, "khong-co"])])
        assert [(r[0], r[1]) for r in rows] == [(record_id, 450)]
        assert json_value(rows[0][2])["hoi_vien"] == 450
        assert raw_rows(session, sql, ["Hoa", list_param(engine, [record_id])]) == []
        assert raw_rows(session, sql, ["Lan", list_param(engine, ["khong-co"])]) == []
