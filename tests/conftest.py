"""Shared fixtures: offscreen Qt, a redirected data folder, template databases copied per test."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.demo.build import build_demo
from danvan_desktop.services.office.installation import initialize_database


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user data folder; nothing touches the real profile."""
    folder = tmp_path / "userdata"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    monkeypatch.delenv("DANVAN_DATABASE", raising=False)  # database_choice: the folder's own files count
    return folder


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("templates") / "demo.sqlite3"
    # The district's units without records: tests enter the data they check (demo records: test_demo.py).
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), records=False).close()
    return path


@pytest.fixture(scope="session")
def commune_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("templates") / "phucchu.sqlite3"
    initialize_database(path, "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir()).close()
    return path


def _copy(template: Path, target: Path) -> Path:
    """A copy of a template database with its signing key (kept beside it in keys/)."""
    shutil.copyfile(template, target)
    shutil.copytree(template.parent / "keys", target.parent / "keys", dirs_exist_ok=True)
    return target


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    return _copy(demo_template, tmp_path / "demo.sqlite3")


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    db = open_database(demo_path)
    yield db
    db.close()


@pytest.fixture
def commune_path(commune_template: Path, tmp_path: Path) -> Path:
    return _copy(commune_template, tmp_path / "phucchu.sqlite3")


@pytest.fixture
def commune_db(commune_path: Path) -> Iterator[Database]:
    db = open_database(commune_path)
    yield db
    db.close()


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The computer's time zone set to the test's parameter (indirect); the old one comes back after."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
