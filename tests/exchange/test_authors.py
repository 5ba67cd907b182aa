"""Packages carry the author's full name with each record; packages without it are still accepted."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from danvan_desktop.db.models import AuditEntry, RecordHistory
from danvan_desktop.services.entry.entry import current_writer, record_history, save_entry
from danvan_desktop.services.office import account_admin
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import BRANCH, Site


def _save_as_signed_in(site: Site) -> str:
    with site.db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        writer = current_writer(session, site.site_id)
        result = save_entry(session, get_form("to_chuc_doan_the"), unit.id, period.id, BRANCH, writer=writer)
    return result.record_id


def _lines(package: object) -> list[dict[str, object]]:
    with zipfile.ZipFile(str(package)) as archive:
        return [json.loads(line) for line in archive.read("records.jsonl").decode().splitlines()]


def test_full_name_travels_up_two_levels(phuc_chu: Site, district: Site, province: Site) -> None:
    actor, _ = account_admin.create_first_administrator(
        phuc_chu.db, "lan", "Trần Thị Lan", "mật khẩu của Lan", title="Văn phòng Đảng ủy"
    )
    phuc_chu.db.sign_in(actor)
    record_id = _save_as_signed_in(phuc_chu)
    package = phuc_chu.export("pc-1.danvan")
    [line] = _lines(package)
    assert (line["updated_by"], line["updated_by_name"]) == ("lan", "Trần Thị Lan")
    district.import_(package, accept_new_site=True)
    record = district.record(record_id)
    assert record is not None and (record.updated_by, record.updated_by_name) == ("lan", "Trần Thị Lan")
    with district.db.session() as session:
        [history] = session.scalars(select(RecordHistory).where(RecordHistory.record_id == record_id))
        assert history.changed_by_name == "Trần Thị Lan"
        shown = record_history(session, get_form("to_chuc_doan_the"), record_id)
        assert [entry.by for entry in shown] == ["Trần Thị Lan"]
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["package.import", "trust.accept"]
    province.import_(district.export("dh-1.danvan"), accept_new_site=True)
    forwarded = province.record(record_id)
    assert forwarded is not None and forwarded.updated_by_name == "Trần Thị Lan"


def test_packages_without_names_are_written_and_read_as_before(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)  # no account here
    package = phuc_chu.export("pc-1.danvan")
    [line] = _lines(package)
    assert "updated_by_name" not in line  # the line is exactly what an older writer produced
    district.import_(package, accept_new_site=True)
    record = district.record(record_id)
    assert record is not None and record.updated_by_name is None and record.updated_by == "Nguyễn Thị Lan"
