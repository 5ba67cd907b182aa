"""A demo database for Định Hóa district: every later screen and report has data to show.

The district office, its 23 communes and 228 villages with their branches, and (demo_records.py) every
commune's records of every form for 2023, entered through the form rules.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Organization, OrgBranch, OrgUnit
from danvan_desktop.demo.activities import VILLAGE_ORGS
from danvan_desktop.demo.records import DEMO_PERIOD, fill_district
from danvan_desktop.services.office.account_admin import create_first_administrator
from danvan_desktop.services.office.catalog_sync import import_catalog_files
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.settings import set_setting

DEMO_OFFICE = "DH"

DEMO_SETTINGS = {
    "signer.name": "Hoàng Thị Minh",
    "signer.title": "TRƯỞNG BAN",
    "signer.authority": "K/T",
    "office.issuing_body": "BAN DÂN VẬN HUYỆN ỦY",
    "office.superior_body": "HUYỆN ỦY ĐỊNH HÓA",
    "office.place_name": "Định Hóa",
    "office.abbreviation": "BDVHU",
    "report.recipients": "Ban Dân vận Tỉnh ủy;Thường trực Huyện ủy;Đảng ủy các xã, thị trấn",
    "report.profile": "dang",  # a Party body: its documents follow HD 36-HD/VPTW, not NĐ 30
    "ui.period": DEMO_PERIOD,
}


DEMO_LOGIN, DEMO_PERSON = "minhhoa", "Người dùng minh họa"


def build_demo(
    path: Path, *, catalog_dir: Path, demo_dir: Path, today: dt.date | None = None, records: bool = True
) -> Database:
    """Create a demo database at `path`: the district office, its 23 communes and 228 villages, and
    (unless `records` is False, for tests that enter their own) the communes' 2023 records."""
    db = initialize_database(path, DEMO_OFFICE, "aggregating", catalog_dir=catalog_dir, today=today)
    try:
        with db.transaction() as session:
            import_catalog_files(session, sorted(demo_dir.glob("*.yaml")), source="demo")
            _add_branches(session)
            for key, value in DEMO_SETTINGS.items():
                set_setting(session, key, value)
            if records:
                fill_district(session, DEMO_PERIOD)
        # The demo opens without a login, as a named demo account (never the computer's user); its
        # password is random and never shown: the single-user mode needs none.
        create_first_administrator(
            db, DEMO_LOGIN, DEMO_PERSON, secrets.token_urlsafe(18), title="Minh họa", single_user=True
        )
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)  # a half-built demo is worse than none
        raise
    return db


def _add_branches(session: Session) -> None:
    orgs = {o.code: o for o in session.scalars(select(Organization))}
    units = session.scalars(select(OrgUnit).where(OrgUnit.source == "demo")).all()
    for village in units:
        for code in VILLAGE_ORGS:
            org = orgs[code]
            session.add(
                OrgBranch(
                    organization_id=org.id,
                    org_unit_id=village.id,
                    name=f"{org.branch_label} {village.name}",
                )
            )
    communes = session.scalars(
        select(OrgUnit).where(OrgUnit.kind.in_([k.value for k in (UnitKind.XA, UnitKind.THI_TRAN)]))
    ).all()
    for commune in communes:
        if commune.parent is None or commune.parent.code != DEMO_OFFICE:
            continue
        for org in orgs.values():
            session.add(
                OrgBranch(
                    organization_id=org.id,
                    org_unit_id=commune.id,
                    name=f"{org.short_name} {commune.name}",
                )
            )
