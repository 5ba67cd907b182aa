"""The databases last opened in the window: a small JSON list in the user data folder, newest first."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from danvan_desktop.atomic_files import atomic_file
from danvan_desktop.text import nfc

log = logging.getLogger(__name__)

MAX_RECENT = 8
FORMAT_VERSION = 1


@dataclass(frozen=True)
class RecentDatabase:
    """A database file and the office it served when it was last opened."""

    path: Path
    office: str

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def _same_file(a: Path, b: Path) -> bool:
    return os.path.normcase(str(a)) == os.path.normcase(str(b))


def _absolute(path: Path) -> Path:
    # resolve(): one file opened as ./x.sqlite3 and as /home/…/x.sqlite3 is one entry, not two.
    return Path(path).expanduser().resolve()


def load_recent(list_file: Path) -> list[RecentDatabase]:
    """The stored list; a missing, unreadable or garbled file is an empty list, never an error.

    The list is a convenience: losing it must not keep the window from opening.
    """
    try:
        data = json.loads(list_file.read_text(encoding="utf-8"))
        entries = data["databases"]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("ignoring the recent-databases list %s: %s", list_file, exc)
        return []
    recent: list[RecentDatabase] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        path, office = entry.get("path"), entry.get("office", "")
        if isinstance(path, str) and path and isinstance(office, str):
            candidate = RecentDatabase(Path(path), nfc(office))
            if not any(_same_file(candidate.path, r.path) for r in recent):
                recent.append(candidate)
    return recent[:MAX_RECENT]


def save_recent(list_file: Path, recent: list[RecentDatabase]) -> None:
    """Write the list atomically: a crash mid-write leaves the old list, not half a file."""
    payload = {
        "format_version": FORMAT_VERSION,
        "databases": [{"path": str(r.path), "office": r.office} for r in recent[:MAX_RECENT]],
    }
    list_file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(list_file) as out:
        out.write(json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))


def _store(list_file: Path, recent: list[RecentDatabase]) -> list[RecentDatabase]:
    try:
        save_recent(list_file, recent)
    except OSError as exc:  # a read-only profile: the window keeps working, the list is not kept
        log.warning("could not write the recent-databases list %s: %s", list_file, exc)
    return recent


def remember_database(list_file: Path, path: Path, office: str) -> list[RecentDatabase]:
    """Put `path` first (with its office's name), keeping at most MAX_RECENT entries."""
    entry = RecentDatabase(_absolute(path), nfc(office))
    others = [r for r in load_recent(list_file) if not _same_file(r.path, entry.path)]
    return _store(list_file, [entry, *others][:MAX_RECENT])


def forget_database(list_file: Path, path: Path) -> list[RecentDatabase]:
    """Drop `path` from the list (its file is gone)."""
    target = _absolute(path)
    return _store(list_file, [r for r in load_recent(list_file) if not _same_file(r.path, target)])


def forget_missing(list_file: Path) -> list[RecentDatabase]:
    """Drop every entry whose file no longer exists."""
    return _store(list_file, [r for r in load_recent(list_file) if r.exists])
