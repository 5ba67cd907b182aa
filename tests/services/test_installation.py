"""Setting up a database for an office, keeping the shipped catalog fresh, importing user catalog files."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, create_database, open_database
from danvan_desktop.db.models import CriteriaSet, Installation, Organization, OrgUnit, Period, UnitLineage
from danvan_desktop.errors import CatalogError, NotInitializedError, UnknownUnitError, UserError
from danvan_desktop.services.office.catalog_sync import import_catalog_files
from danvan_desktop.services.office.installation import (
    CATALOG_DIGEST_KEY,
    default_role,
    initialize_database,
    load_installation,
    refresh_catalog_if_changed,
)
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit
from danvan_desktop.services.office.settings import get_setting

VILLAGES = """catalog_version: 1
title: "Xóm của xã Phúc Chu"
units:
  - {code: PC-01, name: "Đồng Hoàng", kind: xom, parent: DH-PHUCCHU,
     valid_from: 2020-01-01, valid_to: 2025-06-30}
  - {code: PC-02, name: "Khuôn Tát", kind: xom, parent: DH-PHUCCHU,
     valid_from: 2020-01-01, valid_to: 2025-06-30}
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(db: Database, model: type[object]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """An editable copy of the shipped catalog (tests never write into the repository)."""
    return Path(shutil.copytree(paths.catalog_dir(), tmp_path / "catalog"))


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("xa", "reporting"),
        ("phuong", "reporting"),
        ("thi_tran", "reporting"),
        ("huyen", "aggregating"),
        ("tinh", "aggregating"),
        ("thanh_pho", "aggregating"),
    ],
)
def test_default_role(kind: str, role: str) -> None:
    assert default_role(kind) == role


def test_commune_installation(commune_db: Database) -> None:
    with commune_db.session() as session:
        info = load_installation(session)
        assert session.scalar(select(func.count()).select_from(Installation)) == 1
        assert get_setting(session, CATALOG_DIGEST_KEY)
    assert uuid.UUID(info.site_id).version == 4
    assert (info.office_code, info.office_label, info.role) == ("DH-PHUCCHU", "Xã Phúc Chu", "reporting")
    assert info.role_label == "đơn vị báo cáo"
    assert count(commune_db, Organization) == 6
    assert count(commune_db, CriteriaSet) == 2
    assert count(commune_db, UnitLineage) >= 24


@pytest.mark.parametrize(
    ("code", "role", "expected"),
    [
        ("DH", None, "aggregating"),
        ("TN-DINHHOA", None, "reporting"),
        ("TN-DINHHOA", "aggregating", "aggregating"),
    ],
)
def test_role_per_unit_kind(tmp_path: Path, code: str, role: str | None, expected: str) -> None:
    db = initialize_database(tmp_path / "db.sqlite3", code, role, catalog_dir=paths.catalog_dir())
    try:
        with db.session() as session:
            info = load_installation(session)
        assert (info.office_code, info.role) == (code, expected)
    finally:
        db.close()


def test_site_ids_differ_between_installations(tmp_path: Path, commune_db: Database) -> None:
    db = initialize_database(tmp_path / "other.sqlite3", "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir())
    try:
        with db.session() as a, commune_db.session() as b:
            assert load_installation(a).site_id != load_installation(b).site_id
    finally:
        db.close()


def test_standard_periods_up_to_today(tmp_path: Path) -> None:
    db = initialize_database(
        tmp_path / "db.sqlite3", "DH", None, catalog_dir=paths.catalog_dir(), today=dt.date(2023, 5, 1)
    )
    try:
        with db.session() as session:
            codes = set(session.scalars(select(Period.code)))
    finally:
        db.close()
    assert {"2021", "2023-Q4", "2023-9M", "DA05-TU-SK", "DA05-TU-TK"} <= codes
    assert "2024" not in codes
    assert len(codes) == 3 * 8 + 2


def test_unknown_unit_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with pytest.raises(UnknownUnitError) as info:
        initialize_database(path, "DH-PHUCHU", None, catalog_dir=paths.catalog_dir())
    assert any(s.startswith("DH-PHUCCHU") for s in info.value.suggestions)
    assert not any(p.name.startswith("db.sqlite3") for p in tmp_path.iterdir())


def test_bad_role_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Vai trò «boss» không hợp lệ"):
        initialize_database(tmp_path / "db.sqlite3", "DH", "boss", catalog_dir=paths.catalog_dir())
    assert not (tmp_path / "db.sqlite3").exists()


def test_village_level_unit_is_refused(tmp_path: Path, catalog_copy: Path) -> None:
    (catalog_copy / "50_villages.yaml").write_text(VILLAGES, encoding="utf-8")
    path = tmp_path / "db.sqlite3"
    with pytest.raises(UserError, match="cấp thôn/xóm") as info:
        initialize_database(path, "PC-01", None, catalog_dir=catalog_copy)
    assert "Xóm Đồng Hoàng" in info.value.message
    assert not any(p.name.startswith("db.sqlite3") for p in tmp_path.iterdir())


def test_database_without_installation(tmp_path: Path) -> None:
    db = create_database(tmp_path / "bare.sqlite3", lambda session: None)
    try:
        with db.session() as session, pytest.raises(NotInitializedError, match="danvan init"):
            load_installation(session)
    finally:
        db.close()


def test_refresh_is_a_no_op_when_catalog_unchanged(commune_db: Database) -> None:
    before = count(commune_db, OrgUnit)
    assert refresh_catalog_if_changed(commune_db, paths.catalog_dir()) is False
    assert count(commune_db, OrgUnit) == before


def test_refresh_resyncs_a_changed_catalog(tmp_path: Path, catalog_copy: Path) -> None:
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=catalog_copy)
    try:
        assert refresh_catalog_if_changed(db, catalog_copy) is False
        units_before = count(db, OrgUnit)
        with db.session() as session:
            old_digest = get_setting(session, CATALOG_DIGEST_KEY)
        units_file = catalog_copy / "10_units_thai_nguyen.yaml"
        text = units_file.read_text(encoding="utf-8").replace('name: "Phúc Chu"', 'name: "Phúc Chu (sửa)"')
        new_unit = '  - {code: TN-XAMOI, name: "Thử Nghiệm", kind: xa, parent: TN, valid_from: 2025-07-01}\n'
        units_file.write_text(text.replace("lineage:\n", new_unit + "lineage:\n", 1), encoding="utf-8")
        assert refresh_catalog_if_changed(db, catalog_copy) is True
        with db.session() as session:
            assert find_unit(session, "DH-PHUCCHU").name == "Phúc Chu (sửa)"
            assert find_unit(session, "TN-XAMOI").name == "Thử Nghiệm"
        assert count(db, OrgUnit) == units_before + 1
        with db.session() as session:
            assert get_setting(session, CATALOG_DIGEST_KEY) != old_digest
            assert load_installation(session).office_label == "Xã Phúc Chu (sửa)"
        assert refresh_catalog_if_changed(db, catalog_copy) is False
    finally:
        db.close()


def test_refresh_with_a_broken_catalog_changes_nothing(tmp_path: Path, catalog_copy: Path) -> None:
    db = initialize_database(tmp_path / "db.sqlite3", "DH-PHUCCHU", None, catalog_dir=catalog_copy)
    try:
        (catalog_copy / "20_organizations.yaml").write_text("organizations: [\n", encoding="utf-8")
        with pytest.raises(CatalogError):
            refresh_catalog_if_changed(db, catalog_copy)
        assert count(db, Organization) == 6
    finally:
        db.close()


def test_import_user_file_adds_villages(commune_db: Database, tmp_path: Path) -> None:
    user_file = tmp_path / "xom_phuc_chu.yaml"
    user_file.write_text(VILLAGES, encoding="utf-8")
    with commune_db.transaction() as session:
        counts = import_catalog_files(session, [user_file], source="user")
    assert (counts.units, counts.lineage, counts.organizations) == (2, 0, 0)
    assert counts.summary_vi().startswith("2 đơn vị, 0 quan hệ kế thừa")
    with commune_db.session() as session:
        village = find_unit(session, "PC-01")
        assert (village.source, village.name, village.name_folded) == ("user", "Đồng Hoàng", "dong hoang")
        tree = dated_subtree(
            session, find_unit(session, "DH-PHUCCHU").id, dt.date(2023, 1, 1), dt.date(2023, 12, 31)
        )
        assert tree is not None
        assert [c.code for c in tree.children] == ["PC-01", "PC-02"]
    with commune_db.transaction() as session:  # importing again updates, never duplicates
        import_catalog_files(session, [user_file], source="user")
    with commune_db.session() as session:
        assert session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.source == "user")) == 2


def test_bad_user_file_changes_nothing(commune_db: Database, commune_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VILLAGES, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad_text = VILLAGES.replace("PC-01", "PC-03").replace("PC-02", "PC-04")
    bad.write_text(bad_text.replace("DH-PHUCCHU", "DH-KHONGCO"), encoding="utf-8")
    commune_db.close()  # compare the file's bytes with everything checkpointed
    before = sha256(commune_path)
    db = open_database(commune_path)
    try:
        units_before = count(db, OrgUnit)
        with pytest.raises(CatalogError) as info, db.transaction() as session:
            import_catalog_files(session, [good, bad], source="user")
        assert "không có đơn vị cấp trên mã DH-KHONGCO" in str(info.value)
        assert count(db, OrgUnit) == units_before
    finally:
        db.close()
    assert sha256(commune_path) == before


def test_user_file_cannot_rewrite_an_official_unit(commune_db: Database, tmp_path: Path) -> None:
    hijack = tmp_path / "hijack.yaml"
    hijack.write_text(
        'catalog_version: 1\ntitle: "Sửa tên"\nunits:\n'
        '  - {code: DH-PHUCCHU, name: "Tên khác", kind: xa, parent: DH, valid_from: 1997-01-01}\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as info, commune_db.transaction() as session:
        import_catalog_files(session, [hijack], source="user")
    assert "DH-PHUCCHU" in str(info.value)
    with commune_db.session() as session:
        assert find_unit(session, "DH-PHUCCHU").name == "Phúc Chu"
