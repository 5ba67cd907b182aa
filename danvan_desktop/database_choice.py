"""Which database the window and the commands use: one rule for both, with the reason said aloud."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from danvan_desktop.atomic_files import atomic_file
from danvan_desktop.db.location import URL_ENV, resolve_database
from danvan_desktop.paths import UserPaths

log = logging.getLogger(__name__)

DATABASE_ENV = "DANVAN_DATABASE"
LAST_OPENED_FILE_NAME = "last-database.txt"  # in the data folder: the file the window opened last

Source = Literal["option", "env", "last", "office", "demo", "none"]

REASONS: dict[Source, str] = {
    "option": "chỉ định bằng tùy chọn --db",
    "env": f"chỉ định bằng biến môi trường {URL_ENV} hoặc {DATABASE_ENV}",
    "last": "tệp cửa sổ chương trình đã mở lần gần nhất",
    "office": "tệp dữ liệu của đơn vị trong thư mục dữ liệu",
    "demo": "thư mục dữ liệu chỉ có dữ liệu minh họa",
    "none": "chưa có cơ sở dữ liệu nào; tệp sẽ được tạo ở đây",
}


@dataclass(frozen=True)
class DatabaseChoice:
    path: Path
    source: Source

    @property
    def reason(self) -> str:
        return REASONS[self.source]


def choose_database(
    explicit: str | Path | None, user: UserPaths, *, creating: bool = False
) -> DatabaseChoice:
    """The database to use: --db > DANVAN_DATABASE_URL > DANVAN_DATABASE > the one the window opened
    last (if it still exists) > danvan.sqlite3 > demo.sqlite3 when it is the only one >
    danvan.sqlite3 to be created.

    `creating` (`init`, the first-run window) wants the office's own file: the window's last file and
    the demo never count there, so declaring a real office beside the demo makes a new file.
    A PostgreSQL URL becomes the path of its connection file (db/location.py); other URLs are refused.
    """
    if explicit is not None:
        return DatabaseChoice(resolve_database(explicit, user.data_dir), "option")
    from_env = os.environ.get(URL_ENV) or os.environ.get(DATABASE_ENV)
    if from_env:
        return DatabaseChoice(resolve_database(from_env, user.data_dir), "env")
    if creating:
        return DatabaseChoice(user.default_database, "office" if user.default_database.is_file() else "none")
    last = last_opened(user)
    if last is not None and last.is_file():
        return DatabaseChoice(last, "last")
    if user.default_database.is_file():
        return DatabaseChoice(user.default_database, "office")
    if user.demo_database.is_file():
        return DatabaseChoice(user.demo_database, "demo")
    return DatabaseChoice(user.default_database, "none")


def last_opened(user: UserPaths) -> Path | None:
    """The database the window opened last, as remembered in the data folder (None if unknown)."""
    try:
        text = (user.data_dir / LAST_OPENED_FILE_NAME).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text else None


def remember_opened(user: UserPaths, database: Path) -> None:
    """Note the database the window has just opened, so that the commands find the same one.

    Written to a temporary file and renamed: a crash leaves the old note or the new one, never half.
    A data folder that cannot be written only costs the note, never the opening.
    """
    target = user.data_dir / LAST_OPENED_FILE_NAME
    text = str(Path(database).resolve())
    if last_opened(user) == Path(text):
        return  # nothing changed: no write on every start
    try:
        user.data_dir.mkdir(parents=True, exist_ok=True)
        with atomic_file(target) as handle:
            handle.write((text + "\n").encode("utf-8"))
    except OSError as exc:
        log.warning("could not note the last database in %s: %s", target, exc)
