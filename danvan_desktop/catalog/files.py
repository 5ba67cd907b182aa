"""Which catalog files ship with the app, which of them an office needs, and a digest of them."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# One file per province as it is since 1/7/2025 (tools/generate_catalog.py writes them); every
# other *.yaml file (organizations, criteria, programmes) is common to all offices.
UNITS_PREFIX = "10_units_"
INDEX_NAME = "units_index.json"
ALL_FILES = "*"  # stored instead of a file name when an office's unit is in no units file
# The desktop bundle ships the province files and the index gzip-compressed (6 MB less, see
# build_installer.spec); a source checkout keeps them as text. Names are compared without ".gz".
GZ = ".gz"


def logical_name(path: Path) -> str:
    return path.name.removesuffix(GZ)


def shipped_catalog_paths(catalog_dir: Path) -> list[Path]:
    """Every catalog file shipped in resources/, in a stable order (what `catalog check` reads)."""
    return sorted([*catalog_dir.glob("*.yaml"), *catalog_dir.glob(f"*.yaml{GZ}")], key=logical_name)


def read_bytes(path: Path) -> bytes:
    """A catalog file's text as bytes, unpacked when it is gzip-compressed."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(GZ) else data


def units_file_for(catalog_dir: Path, unit_code: str) -> str | None:
    """The name of the province file that holds `unit_code`, from the index; None if it is in none."""
    index = read_index(catalog_dir)
    if index is None:
        return None
    files: list[str] = index["files"]
    for row in index["units"]:
        if row[0] == unit_code:
            name = files[row[-1]]
            present = (catalog_dir / name).is_file() or (catalog_dir / f"{name}{GZ}").is_file()
            return name if present else None
    return None


def office_catalog_paths(catalog_dir: Path, units_file: str) -> list[Path]:
    """The files one office's database holds: its province's units and the common files.

    A database of Thái Nguyên has no need of Cà Mau's 400 units; syncing only its own province keeps
    `init` as fast as it was with one district. `ALL_FILES` (an office outside every units file, for
    instance a village added in a file of its own) takes everything.
    """
    paths = shipped_catalog_paths(catalog_dir)
    if units_file == ALL_FILES:
        return paths
    return [p for p in paths if not p.name.startswith(UNITS_PREFIX) or logical_name(p) == units_file]


def read_index(catalog_dir: Path) -> dict[str, Any] | None:
    """The compact list of every unit written with the catalog; None when it is missing or unreadable."""
    plain = catalog_dir / INDEX_NAME
    path = plain if plain.is_file() else catalog_dir / f"{INDEX_NAME}{GZ}"
    try:
        data = json.loads(read_bytes(path).decode("utf-8"))
    except (OSError, ValueError, EOFError):  # gzip errors are OSError or EOFError
        return None
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        return None
    return data


def catalog_digest(paths: Sequence[Path]) -> str:
    """A digest of the catalog files, stored so a later start can tell whether they changed."""
    h = hashlib.sha256()
    for path in paths:
        h.update(logical_name(path).encode())
        h.update(read_bytes(path))
    return h.hexdigest()
