"""The one place that knows where user data, resources and form definitions live."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from danvan_desktop import APP_NAME

DATA_DIR_ENV = "DANVAN_DATA_DIR"
RESOURCES_DIR_ENV = "DANVAN_RESOURCES_DIR"
DATABASE_FILE_NAME = "danvan.sqlite3"
DEMO_FILE_NAME = "demo.sqlite3"
PACKAGE_SUFFIX = ".danvan"  # the extension the app gives package files and looks for in folders


@dataclass(frozen=True)
class UserPaths:
    """Folders in the user's profile; computed on demand so tests can redirect them."""

    data_dir: Path

    @property
    def default_database(self) -> Path:
        return self.data_dir / DATABASE_FILE_NAME

    @property
    def demo_database(self) -> Path:
        return self.data_dir / DEMO_FILE_NAME

    @property
    def province_demo_database(self) -> Path:
        """`danvan demo --province`: the province office fed by every commune's packages."""
        return self.data_dir / "demo-tinh.sqlite3"

    @property
    def profiles_dir(self) -> Path:
        """An office's own document profiles."""
        return self.data_dir / "profiles"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "danvan.log"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def window_settings(self) -> Path:
        """Window size and layout on this computer (INI); what the office chose lives in its database."""
        return self.data_dir / "window.ini"

    @property
    def recent_databases_file(self) -> Path:
        """The databases last opened in the window (File → Recent), newest first."""
        return self.data_dir / "recent-databases.json"


def user_paths() -> UserPaths:
    """Return the user folders, honouring DANVAN_DATA_DIR (tests and portable installs)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return UserPaths(Path(override))
    import platformdirs  # deferred: only needed once per run

    return UserPaths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False)))


def _candidate_roots() -> list[Path]:
    roots: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:  # PyInstaller bundle
        roots.append(Path(frozen_root))
    roots.append(Path(__file__).resolve().parent.parent)  # source checkout / editable install
    roots.append(Path(sys.prefix) / "share" / "danvan-desktop")  # installed wheel
    return roots


def _find_dir(name: str, env: str | None = None) -> Path:
    if env and os.environ.get(env):
        return Path(os.environ[env])
    for root in _candidate_roots():
        candidate = root / name
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(r / name) for r in _candidate_roots())
    raise FileNotFoundError(f"{name}/ folder not found; looked in {searched}")


def resources_dir() -> Path:
    """The folder holding catalog data, demo data, fonts and document profiles."""
    return _find_dir("resources", RESOURCES_DIR_ENV)


def forms_dir() -> Path:
    """The folder holding the declarative form definitions."""
    return _find_dir("forms")


def catalog_dir() -> Path:
    return resources_dir() / "catalog"


def demo_dir() -> Path:
    return resources_dir() / "demo"


def fonts_dir() -> Path:
    """Liberation Serif (SIL OFL) embedded in every PDF."""
    return resources_dir() / "fonts"


def translations_dir() -> Path:
    """Compiled Vietnamese translations of Qt's own texts (buttons, file and print dialogs)."""
    return resources_dir() / "translations"


def profiles_dir() -> Path:
    """The shipped document profiles (State, Party)."""
    return resources_dir() / "profiles"


def manual_dir() -> Path:
    """The user manual: one Markdown page per screen or task, `index.md` lists them."""
    return resources_dir() / "manual"
