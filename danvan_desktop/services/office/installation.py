"""Creating a database for an office, and reading back this installation's identity."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop import __version__
from danvan_desktop.catalog.files import ALL_FILES, catalog_digest, office_catalog_paths, units_file_for
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.engine import Database, create_database
from danvan_desktop.db.location import is_server_file
from danvan_desktop.db.models import Installation, OrgUnit
from danvan_desktop.errors import NotInitializedError, UserError
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import ensure_standard_periods
from danvan_desktop.services.office.settings import get_setting, set_setting

# Where the digest of the catalog files last copied into the database is kept.
CATALOG_DIGEST_KEY = "catalog.digest"
# Which province file of the catalog the database holds (catalog.files.ALL_FILES: every file).
CATALOG_UNITS_FILE_KEY = "catalog.units_file"

ROLE_LABELS = {
    "reporting": "đơn vị báo cáo",
    "aggregating": "đơn vị tổng hợp",
}


@dataclass(frozen=True)
class InstallationInfo:
    """Who this installation is, detached from the session."""

    site_id: str
    office_unit_id: int
    office_code: str
    office_label: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def default_role(kind: str) -> str:
    """Communes report; districts and provinces aggregate (a merged commune may choose either)."""
    return "reporting" if UnitKind(kind).is_commune_level else "aggregating"


def check_role(role: str) -> str:
    if role not in ROLE_LABELS:
        raise UserError(
            f"Vai trò «{role}» không hợp lệ; chọn reporting (báo cáo) hoặc aggregating (tổng hợp)."
        )
    return role


def initialize_database(
    path: Path, unit_code: str, role: str | None, *, catalog_dir: Path, today: dt.date | None = None
) -> Database:
    """Create the database at `path` for the office `unit_code`; nothing is written on failure."""
    today = today or dt.date.today()
    if role is not None:
        check_role(role)

    from danvan_desktop.services.exchange.signing_keys import new_keypair, store_private_key
    from danvan_desktop.services.office.catalog_sync import sync_shipped_catalog

    site_id = str(uuid.uuid4())
    private_pem, public_b64 = new_keypair()

    units_file = units_file_for(catalog_dir, unit_code) or ALL_FILES
    catalog_paths = office_catalog_paths(catalog_dir, units_file)

    def populate(session: Session) -> None:
        sync_shipped_catalog(session, catalog_paths)
        set_setting(session, CATALOG_DIGEST_KEY, catalog_digest(catalog_paths))
        set_setting(session, CATALOG_UNITS_FILE_KEY, units_file)
        ensure_standard_periods(session, last_year=today.year)
        unit = find_unit(session, unit_code)
        if UnitKind(unit.kind).is_village_level:
            raise UserError(
                f"{unit_label(unit)} là cấp thôn/xóm; hãy chọn đơn vị cấp xã trở lên làm đơn vị sử dụng."
            )
        session.add(
            Installation(
                site_id=site_id,
                office_unit_id=unit.id,
                role=role or default_role(unit.kind),
                created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                created_by_version=__version__,
                public_key=public_b64,
            )
        )

    db = create_database(path, populate)
    try:  # the key is written once the database exists: a failed init leaves neither behind
        store_private_key(path, site_id, private_pem)
    except BaseException:
        db.close()
        if not is_server_file(path):  # a server's connection file names the server, not this init
            Path(path).unlink(missing_ok=True)
        raise
    return db


def load_installation(session: Session) -> InstallationInfo:
    row = session.scalar(select(Installation))
    if row is None:
        raise NotInitializedError("Cơ sở dữ liệu chưa khai báo đơn vị sử dụng. Hãy chạy `danvan init`.")
    unit = session.get_one(OrgUnit, row.office_unit_id)
    return InstallationInfo(row.site_id, unit.id, unit.code, unit_label(unit), row.role)


def refresh_catalog_if_changed(db: Database, catalog_dir: Path) -> bool:
    """Re-read the office's catalog files after an app update changed them; cheap when unchanged."""
    with db.session() as session:
        units_file = get_setting(session, CATALOG_UNITS_FILE_KEY) or _units_file_of_office(
            session, catalog_dir
        )
        paths = office_catalog_paths(catalog_dir, units_file)
        digest = catalog_digest(paths)
        if get_setting(session, CATALOG_DIGEST_KEY) == digest:
            return False
    from danvan_desktop.services.office.catalog_sync import sync_shipped_catalog  # pydantic: only when needed

    with db.transaction() as session:
        sync_shipped_catalog(session, paths)
        set_setting(session, CATALOG_DIGEST_KEY, digest)
        set_setting(session, CATALOG_UNITS_FILE_KEY, units_file)
    return True


def _units_file_of_office(session: Session, catalog_dir: Path) -> str:
    """For a database made before the catalog had one file per province: its office's file."""
    row = session.scalar(select(Installation))
    if row is None:
        return ALL_FILES
    unit = session.get_one(OrgUnit, row.office_unit_id)
    return units_file_for(catalog_dir, unit.code) or ALL_FILES
