"""Sites for exchange tests: two communes, the district, the province; each a real database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import Record
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.exchange.package_import import PackageReport, import_package
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database, load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.databases import TestServer, copy_database, template_location


@dataclass
class Site:
    db: Database
    folder: Path

    @property
    def site_id(self) -> str:
        with self.db.session() as session:
            return load_installation(session).site_id

    def writer(self, user: str = "Nguyễn Thị Lan") -> Writer:
        return Writer(self.site_id, user)

    def save(
        self, form_id: str, unit: str, period: str, values: dict[str, object], record_id: str | None = None
    ) -> str:
        with self.db.transaction() as session:
            unit_row, period_row = find_unit(session, unit), get_period(session, period)
            result = save_entry(
                session,
                get_form(form_id),
                unit_row.id,
                period_row.id,
                values,
                writer=self.writer(),
                record_id=record_id,
            )
        return result.record_id

    def export(self, name: str, **options: object) -> Path:
        out = self.folder / name
        result = export_package(self.db, out, **options)  # type: ignore[arg-type]
        assert result.summary is not None
        return out

    def import_(self, package: Path, **options: object) -> PackageReport:
        return import_package(
            self.db,
            package,
            user="Hoàng Văn Dũng",
            backup_dir=self.folder / "backups",
            **options,  # type: ignore[arg-type]
        )

    def record(self, record_id: str) -> Record | None:
        with self.db.session() as session:
            return session.get(Record, record_id)

    def records(self) -> list[Record]:
        with self.db.session() as session:
            return list(session.scalars(select(Record)))


@pytest.fixture(scope="session")
def site_templates(
    tmp_path_factory: pytest.TempPathFactory, test_server: TestServer | None
) -> dict[str, Path]:
    made = {}
    for code in ("DH-PHUCCHU", "DH-BAOLINH", "DH", "TN"):
        path = template_location(tmp_path_factory.mktemp(code), "site", test_server)
        initialize_database(path, code, None, catalog_dir=paths.catalog_dir()).close()
        made[code] = path
    return made


def _site(templates: dict[str, Path], code: str, tmp_path: Path, server: TestServer | None) -> Iterator[Site]:
    folder = tmp_path / code
    folder.mkdir()
    for path in copy_database(templates[code], folder, "site", server):
        site = Site(open_database(path), folder)
        yield site
        site.db.close()


@pytest.fixture
def phuc_chu(
    site_templates: dict[str, Path], tmp_path: Path, test_server: TestServer | None
) -> Iterator[Site]:
    yield from _site(site_templates, "DH-PHUCCHU", tmp_path, test_server)


@pytest.fixture
def bao_linh(
    site_templates: dict[str, Path], tmp_path: Path, test_server: TestServer | None
) -> Iterator[Site]:
    yield from _site(site_templates, "DH-BAOLINH", tmp_path, test_server)


@pytest.fixture
def district(
    site_templates: dict[str, Path], tmp_path: Path, test_server: TestServer | None
) -> Iterator[Site]:
    yield from _site(site_templates, "DH", tmp_path, test_server)


@pytest.fixture
def province(
    site_templates: dict[str, Path], tmp_path: Path, test_server: TestServer | None
) -> Iterator[Site]:
    yield from _site(site_templates, "TN", tmp_path, test_server)


BRANCH = {"to_chuc": "HLHPN", "ten_chi_hoi": "Chi hội Phụ nữ xã", "hoi_vien": 450, "doi_tuong": 600}
