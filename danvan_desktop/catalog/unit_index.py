"""Every unit of the shipped catalog as light rows, read from the index written with the catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from danvan_desktop.catalog.files import read_index, shipped_catalog_paths
from danvan_desktop.catalog.kinds import UnitKind, display_name
from danvan_desktop.text import fold


@dataclass(frozen=True)
class IndexedUnit:
    code: str
    name: str
    kind: str
    context: str  # the units above: "huyện Định Hóa, tỉnh Thái Nguyên"
    valid_from: dt.date
    valid_to: dt.date | None
    province: str  # the province (since 1/7/2025) whose file holds the unit

    @property
    def display(self) -> str:
        return display_name(self.kind, self.name)

    @property
    def folded(self) -> str:
        """What a search matches: the unit's own name and its code, not its district's name."""
        return f"{fold(self.display)} {self.code.lower()}"

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def load_unit_index(catalog_dir: Path) -> list[IndexedUnit]:
    """The units an office may choose (village level left out), from units_index.json.

    Without the index (a catalog folder assembled by hand) the YAML files are read instead: slower,
    but the same rows.
    """
    index = read_index(catalog_dir)
    if index is None:
        return _from_yaml(catalog_dir)
    provinces: list[str] = index.get("provinces", [])
    rows = []
    for code, name, kind, context, start, end, file_no in index["units"]:
        if UnitKind(kind).is_village_level:
            continue
        rows.append(
            IndexedUnit(
                code,
                name,
                kind,
                context,
                dt.date.fromisoformat(start),
                dt.date.fromisoformat(end) if end else None,
                provinces[file_no] if file_no < len(provinces) else "",
            )
        )
    return rows


def _from_yaml(catalog_dir: Path) -> list[IndexedUnit]:
    from danvan_desktop.catalog.loader import load_checked  # pydantic: only on this slow path

    units = [u for c in load_checked(shipped_catalog_paths(catalog_dir)) for u in c.units]
    by_code = {u.code: u for u in units}
    rows = []
    for unit in units:
        if unit.kind.is_village_level:
            continue
        labels = []
        top = unit
        parent = by_code.get(unit.parent) if unit.parent else None
        while parent is not None:
            labels.append(f"{parent.kind.label} {parent.name}")
            top = parent
            parent = by_code.get(parent.parent) if parent.parent else None
        rows.append(
            IndexedUnit(
                unit.code,
                unit.name,
                unit.kind.value,
                ", ".join(labels),
                unit.valid_from,
                unit.valid_to,
                top.name,
            )
        )
    return rows
