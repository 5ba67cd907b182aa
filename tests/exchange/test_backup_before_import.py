"""The copy before an import: made when the database changed since the last verified copy, else reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_desktop.db.engine import open_database
from danvan_desktop.services.exchange.package_import import backup_database
from danvan_desktop.services.maintenance.backups import restore_backup
from tests.exchange.conftest import BRANCH, Site

pytestmark = pytest.mark.sqlite_only(reason="copies of the SQLite file")


def test_a_copy_of_an_unchanged_database_is_reused(phuc_chu: Site, district: Site) -> None:
    backups = district.folder / "backups"
    first = backup_database(district.db, backups, "nhap-goi")
    again = backup_database(district.db, backups, "nhap-goi")
    assert again == first and sorted(backups.glob("*.sqlite3")) == [first]  # nothing written since
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    report = district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    assert report.status == "applied" and report.backup == str(first)  # still the state before it
    third = backup_database(district.db, backups, "nhap-goi")
    assert third != first and third.exists()  # the import changed the database: a new copy


def test_a_changed_copy_is_not_reused(district: Site) -> None:
    backups = district.folder / "backups"
    first = backup_database(district.db, backups, "nhap-goi")
    with first.open("r+b") as handle:  # the copy itself changed since it was checked
        handle.seek(200)
        handle.write(b"\x00")
    assert backup_database(district.db, backups, "nhap-goi") != first


def test_the_reused_copy_undoes_the_import(phuc_chu: Site, district: Site) -> None:
    backups = district.folder / "backups"
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    before = {r.id for r in district.records()}
    copy = backup_database(district.db, backups, "nhap-goi")  # e.g. a run that imported nothing
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH | {"hoi_vien": 9})
    report = district.import_(phuc_chu.export("pc-2.danvan"))
    assert report.backup == str(copy) and len(district.records()) == len(before) + 1
    district.db.close()
    restore_backup(Path(report.backup), district.db.path, backups)
    district.db = open_database(district.db.path)
    assert {r.id for r in district.records()} == before
