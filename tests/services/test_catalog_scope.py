"""A database holds its own province's units only, and keeps them fresh when the catalog changes."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from danvan_desktop import paths
from danvan_desktop.catalog.files import UNITS_PREFIX
from danvan_desktop.catalog.loader import load_catalog_file
from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit, Setting, UnitLineage
from danvan_desktop.services.office.installation import (
    CATALOG_DIGEST_KEY,
    CATALOG_UNITS_FILE_KEY,
    initialize_database,
    refresh_catalog_if_changed,
)
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.settings import get_setting

TN_FILE = f"{UNITS_PREFIX}thai_nguyen.yaml"


def _codes(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(OrgUnit.code)))


def _file_codes(name: str) -> set[str]:
    return {u.code for u in load_catalog_file(paths.catalog_dir() / name).units}


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(paths.catalog_dir(), tmp_path / "catalog"))


def test_a_thai_nguyen_commune_holds_its_province_only(tmp_path: Path) -> None:
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir())
    try:
        assert _codes(db) == _file_codes(TN_FILE)
        with db.session() as session:
            assert get_setting(session, CATALOG_UNITS_FILE_KEY) == TN_FILE
            # the district demo's codes and the new commune are all there, with their lineage
            assert find_unit(session, "DH").name == "Định Hóa"
            assert find_unit(session, "TN-DINHHOA").valid_to is None
            links = session.scalar(select(func.count()).select_from(UnitLineage))
            assert links == len(load_catalog_file(paths.catalog_dir() / TN_FILE).lineage)
    finally:
        db.close()


def test_a_commune_of_another_province_gets_that_province(tmp_path: Path) -> None:
    name = f"{UNITS_PREFIX}ca_mau.yaml"
    commune = next(u for u in load_catalog_file(paths.catalog_dir() / name).units if u.kind.value == "xa")
    db = initialize_database(tmp_path / "db.sqlite3", commune.code, None, catalog_dir=paths.catalog_dir())
    try:
        codes = _codes(db)
        assert codes == _file_codes(name)
        assert "DH-PHUCCHU" not in codes
    finally:
        db.close()


def test_refresh_of_a_database_made_before_province_files(tmp_path: Path, catalog_copy: Path) -> None:
    """A database of the first catalog: no note of its units file, an old (wrong) Bảo Cường link."""
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=catalog_copy)
    try:
        with db.transaction() as session:
            session.execute(delete(Setting).where(Setting.key == CATALOG_UNITS_FILE_KEY))
            session.get_one(Setting, CATALOG_DIGEST_KEY).value = "digest of the first catalog"
            bao_cuong, dinh_hoa = find_unit(session, "DH-BAOCUONG"), find_unit(session, "TN-DINHHOA")
            session.add(
                UnitLineage(
                    from_unit_id=bao_cuong.id,
                    to_unit_id=dinh_hoa.id,
                    effective=dinh_hoa.valid_from,
                    kind="merge",
                )
            )
        assert refresh_catalog_if_changed(db, catalog_copy) is True
        assert _codes(db) == _file_codes(TN_FILE)  # still its province only, not the whole country
        with db.session() as session:
            assert get_setting(session, CATALOG_UNITS_FILE_KEY) == TN_FILE
            bao_cuong = find_unit(session, "DH-BAOCUONG")
            targets = {
                session.get_one(OrgUnit, row.to_unit_id).code
                for row in session.scalars(
                    select(UnitLineage).where(UnitLineage.from_unit_id == bao_cuong.id)
                )
            }
        assert targets == {"DH-CHOCHU"}  # the corrected link replaced the old one
        assert refresh_catalog_if_changed(db, catalog_copy) is False
    finally:
        db.close()


def test_another_province_file_changing_does_not_resync(tmp_path: Path, catalog_copy: Path) -> None:
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=catalog_copy)
    try:
        other = catalog_copy / f"{UNITS_PREFIX}ca_mau.yaml"
        other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert refresh_catalog_if_changed(db, catalog_copy) is False
        own = catalog_copy / TN_FILE
        own.write_text(own.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert refresh_catalog_if_changed(db, catalog_copy) is True
    finally:
        db.close()


def test_the_bundles_compressed_province_files_work_alike(tmp_path: Path, catalog_copy: Path) -> None:
    """The desktop bundle ships the province files and the index gzip-compressed (build_installer.spec)."""
    for path in [*catalog_copy.glob(f"{UNITS_PREFIX}*.yaml"), catalog_copy / "units_index.json"]:
        path.with_name(f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        path.unlink()
    from danvan_desktop.catalog.unit_index import load_unit_index

    assert any(u.code == "TN-DINHHOA" for u in load_unit_index(catalog_copy))
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=catalog_copy)
    try:
        assert _codes(db) == _file_codes(TN_FILE)
        with db.session() as session:
            assert get_setting(session, CATALOG_UNITS_FILE_KEY) == TN_FILE
        # the same data as text: the digest does not change, nothing is re-read
        assert refresh_catalog_if_changed(db, paths.catalog_dir()) is False
    finally:
        db.close()
