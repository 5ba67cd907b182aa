"""Demo villages of the communes formed on 1/7/2025, written as a catalog file (demo data only).

A commune formed from former communes of the demo (xã Định Hóa from Chợ Chu, Phúc Chu, Bảo Linh...)
takes over their villages under new codes, with a dated lineage link from each old village; any other
commune gets 6 to 12 villages named from the same pool, drawn by a seeded generator. The names are
illustrative, as in resources/demo/villages_dinh_hoa.yaml.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import OrgUnit
from danvan_desktop.services.office.orgunits import predecessors

VILLAGE_SOURCE = "Dữ liệu minh họa: xóm của các xã cũ chuyển về xã mới (không phải số liệu chính thức)"


@dataclass(frozen=True)
class VillageCatalog:
    """The villages of every commune (with lineage from the former villages), and each commune's alone."""

    everything: Path
    by_commune: dict[str, Path]


def write_village_catalogs(
    session: Session, communes: Sequence[UnitNode], folder: Path, seed: str
) -> VillageCatalog:
    """Catalog files in `folder` with the villages of `communes` (codes CODE-01, CODE-02...): one with
    them all and the lineage links, for the province; one per commune, for the commune's own site."""
    old_villages = _villages_by_parent(session)
    pool = sorted({v.name for kids in old_villages.values() for v in kids})
    every_unit: list[dict[str, Any]] = []
    lineage: list[dict[str, Any]] = []
    by_commune: dict[str, Path] = {}
    for commune in communes:
        rng = random.Random(f"{seed}:{commune.code}:villages")
        kind = UnitKind.XOM if commune.kind == UnitKind.XA.value else UnitKind.TO_DAN_PHO
        inherited = _inherited(session, commune, old_villages)
        names = [v.name for v in inherited] or rng.sample(pool, min(len(pool), rng.randint(6, 12)))
        units: list[dict[str, Any]] = []
        for number, name in enumerate(names, 1):
            code = f"{commune.code}-{number:02d}"
            entry = {"code": code, "name": name, "kind": kind.value, "parent": commune.code}
            units.append(entry | {"valid_from": commune.valid_from})
            if inherited:
                old = inherited[number - 1]
                lineage.append(
                    {"from": old.code, "to": code, "date": commune.valid_from, "kind": "merge"}
                    | {"verified": False, "source": VILLAGE_SOURCE}
                )
        by_commune[commune.code] = _write(folder / f"xom-{commune.code}.yaml", units, [])
        every_unit += units
    return VillageCatalog(_write(folder / "xom-tat-ca.yaml", every_unit, lineage), by_commune)


def _write(path: Path, units: list[dict[str, Any]], lineage: list[dict[str, Any]]) -> Path:
    document = {
        "catalog_version": 1,
        "title": "Dữ liệu minh họa: xóm, tổ dân phố của các xã, phường từ 1/7/2025",
        "units": units,
        "lineage": lineage,
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _villages_by_parent(session: Session) -> dict[int, list[OrgUnit]]:
    kinds = [k.value for k in UnitKind if k.is_village_level]
    found: dict[int, list[OrgUnit]] = {}
    for village in session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(kinds)).order_by(OrgUnit.code)):
        if village.parent_id is not None:
            found.setdefault(village.parent_id, []).append(village)
    return found


def _inherited(session: Session, commune: UnitNode, old: dict[int, list[OrgUnit]]) -> list[OrgUnit]:
    """The villages of the former communes the commune was formed from, one per name, valid the day before."""
    unit = session.get_one(OrgUnit, commune.id)
    eve = commune.valid_from - dt.timedelta(days=1)
    seen: set[str] = set()
    villages = []
    for former in predecessors(session, unit):
        if not UnitKind(former.kind).is_commune_level:
            continue
        for village in old.get(former.id, []):
            valid = village.valid_from <= eve and (village.valid_to is None or eve <= village.valid_to)
            if valid and village.name not in seen:  # two former xóm of one name: the commune keeps one
                seen.add(village.name)
                villages.append(village)
    return villages
