"""Report fixtures: the demo district with known data entered through the form rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.services.office.settings import set_setting
from tests.databases import TestServer, copy_database
from tests.reports.factories import fill_district, fill_phuc_chu, set_up_phuc_chu_office, settings_for_tests


def _with_settings(db: Database) -> None:
    with db.transaction() as session:
        for key, value in settings_for_tests().items():
            set_setting(session, key, value)


@pytest.fixture(scope="session")
def phuc_chu_template(
    commune_template: Path, tmp_path_factory: pytest.TempPathFactory, test_server: TestServer | None
) -> Path:
    # Never dropped one by one: the server's databases of this run all go at its end.
    path = next(copy_database(commune_template, tmp_path_factory.mktemp("phucchu"), "phucchu", test_server))
    db = open_database(path)
    with db.transaction() as session:
        set_up_phuc_chu_office(session)
    db.close()
    return path


@pytest.fixture
def phuc_chu_db(
    phuc_chu_template: Path, tmp_path: Path, test_server: TestServer | None
) -> Iterator[Database]:
    """Phúc Chu's own database, with its 2023 return entered: it prints and numbers its own return."""
    for target in copy_database(phuc_chu_template, tmp_path, "phucchu", test_server):
        db = open_database(target)
        yield db
        db.close()


@pytest.fixture
def commune_data_db(demo_path: Path) -> Iterator[Database]:
    """The demo district with Phúc Chu's 2023 return entered (see factories.fill_phuc_chu): at the
    district, the commune's return prints as a reading copy."""
    db = open_database(demo_path)
    _with_settings(db)
    with db.transaction() as session:
        fill_phuc_chu(session)
    yield db
    db.close()


@pytest.fixture(scope="session")
def district_template(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory, test_server: TestServer | None
) -> Path:
    path = next(copy_database(demo_template, tmp_path_factory.mktemp("district"), "district", test_server))
    db = open_database(path)
    _with_settings(db)
    with db.transaction() as session:
        fill_district(session, skip=("DH-TRUNGLUONG",))
    db.close()
    return path


@pytest.fixture
def district_path(district_template: Path, tmp_path: Path, test_server: TestServer | None) -> Iterator[Path]:
    yield from copy_database(district_template, tmp_path, "district", test_server)


@pytest.fixture
def district_db(district_path: Path) -> Iterator[Database]:
    db = open_database(district_path)
    yield db
    db.close()
