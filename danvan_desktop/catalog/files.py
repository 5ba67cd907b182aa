"""Which catalog files ship with the app, and a digest telling whether they changed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path


def shipped_catalog_paths(catalog_dir: Path) -> list[Path]:
    """The catalog files shipped in resources/, in a stable order."""
    return sorted(catalog_dir.glob("*.yaml"))


def catalog_digest(paths: Sequence[Path]) -> str:
    """A digest of the catalog files, stored so a later start can tell whether they changed."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
