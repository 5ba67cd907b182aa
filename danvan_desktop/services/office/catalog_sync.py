"""Copy catalog files into the database (insert or update by code), shipped or user-supplied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.files import shipped_catalog_paths
from danvan_desktop.catalog.loader import load_checked
from danvan_desktop.catalog.schema import CatalogFile, UnitEntry
from danvan_desktop.db.models import (
    CriteriaSet,
    Criterion,
    Organization,
    OrgUnit,
    Period,
    Programme,
    UnitLineage,
)
from danvan_desktop.errors import CatalogError
from danvan_desktop.text import fold


@dataclass
class SyncCounts:
    units: int = 0
    lineage: int = 0
    organizations: int = 0
    criteria_sets: int = 0
    programmes: int = 0

    def summary_vi(self) -> str:
        return (
            f"{self.units} đơn vị, {self.lineage} quan hệ kế thừa, {self.organizations} tổ chức, "
            f"{self.criteria_sets} bộ tiêu chí, {self.programmes} đề án/chương trình"
        )


def known_unit_entries(session: Session) -> list[UnitEntry]:
    """The database's units in catalog form, so user files may refer to them as parents."""
    units = session.scalars(select(OrgUnit)).all()
    by_id = {u.id: u.code for u in units}
    return [
        UnitEntry(
            code=u.code,
            name=u.name,
            kind=u.kind,
            parent=by_id.get(u.parent_id) if u.parent_id else None,
            valid_from=u.valid_from,
            valid_to=u.valid_to,
        )
        for u in units
    ]


def import_catalog_files(session: Session, paths: Sequence[Path], source: str) -> SyncCounts:
    """Validate `paths` against each other and the database, then store them."""
    catalogs = load_checked(paths, known_unit_entries(session))
    if source != "catalog":
        _refuse_overwriting_other_sources(session, catalogs, source)
    counts = SyncCounts()
    for catalog in catalogs:
        _store(session, catalog, source, counts)
    return counts


def _refuse_overwriting_other_sources(session: Session, catalogs: Sequence[CatalogFile], source: str) -> None:
    """A user's file may add units, or change its own, never rewrite the official catalog's."""
    codes = {u.code for c in catalogs for u in c.units}
    clashes = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes), OrgUnit.source != source)).all()
    if clashes:
        problems = [f"đơn vị {u.code} ({u.name}) đã có trong danh mục nguồn «{u.source}»" for u in clashes]
        raise CatalogError("Tệp bổ sung không được sửa đơn vị đã có trong danh mục:", problems)


def sync_shipped_catalog(session: Session, catalog_dir: Path) -> SyncCounts:
    paths = shipped_catalog_paths(catalog_dir)
    return import_catalog_files(session, paths, source="catalog")


def _store(session: Session, catalog: CatalogFile, source: str, counts: SyncCounts) -> None:
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    # A unit an office defined (or learned from a package) under a code a later catalog also uses
    # stays as the office has it: the catalog neither rewrites nor re-parents it.
    kept = {c for c, u in units.items() if u.source == "office" or u.source.startswith("package:")}
    for entry in catalog.units:  # first pass: rows; parents are linked once all have ids
        if entry.code in kept:
            continue
        unit = units.get(entry.code) or OrgUnit(code=entry.code, source=source)
        unit.name = entry.name
        unit.name_folded = fold(entry.name)
        unit.kind = entry.kind.value
        unit.valid_from = entry.valid_from
        unit.valid_to = entry.valid_to
        unit.admin_code = entry.admin_code
        unit.note = entry.note
        units[entry.code] = unit
        session.add(unit)
        counts.units += 1
    session.flush()
    for entry in catalog.units:
        if entry.code not in kept:
            units[entry.code].parent_id = units[entry.parent].id if entry.parent else None
    session.flush()
    existing = {(r.from_unit_id, r.to_unit_id): r for r in session.scalars(select(UnitLineage))}
    for link in catalog.lineage:
        key = (units[link.from_code].id, units[link.to_code].id)
        row = existing.get(key) or UnitLineage(from_unit_id=key[0], to_unit_id=key[1])
        row.effective, row.kind, row.verified, row.source = (
            link.date,
            link.kind,
            link.verified,
            link.source,
        )
        session.add(row)
        counts.lineage += 1
    _store_organizations(session, catalog, counts)
    _store_criteria(session, catalog, counts)
    _store_programmes(session, catalog, counts)
    session.flush()


def _store_organizations(session: Session, catalog: CatalogFile, counts: SyncCounts) -> None:
    orgs = {o.code: o for o in session.scalars(select(Organization))}
    for entry in catalog.organizations:
        org = orgs.get(entry.code) or Organization(code=entry.code)
        org.name, org.short_name = entry.name, entry.short_name
        org.branch_label, org.sort_order = entry.branch_label, entry.sort_order
        session.add(org)
        counts.organizations += 1


def _store_criteria(session: Session, catalog: CatalogFile, counts: SyncCounts) -> None:
    sets = {s.code: s for s in session.scalars(select(CriteriaSet))}
    for entry in catalog.criteria_sets:
        cset = sets.get(entry.code) or CriteriaSet(code=entry.code)
        cset.title, cset.decision, cset.issued = entry.title, entry.decision, entry.issued
        cset.valid_from, cset.valid_to = entry.valid_from, entry.valid_to
        by_number = {c.number: c for c in cset.criteria}
        for group in entry.groups:
            for item in group.criteria:
                criterion = by_number.get(item.number) or Criterion(number=item.number)
                criterion.group_name, criterion.name = group.name, item.name
                if criterion not in cset.criteria:
                    cset.criteria.append(criterion)
        session.add(cset)
        counts.criteria_sets += 1


def _store_programmes(session: Session, catalog: CatalogFile, counts: SyncCounts) -> None:
    progs = {p.code: p for p in session.scalars(select(Programme))}
    periods = {p.code: p for p in session.scalars(select(Period))}
    for entry in catalog.programmes:
        prog = progs.get(entry.code) or Programme(code=entry.code)
        prog.title, prog.document, prog.issued = entry.title, entry.document, entry.issued
        prog.start_year, prog.end_year = entry.start_year, entry.end_year
        session.add(prog)
        session.flush()
        for phase in entry.phases:
            period = periods.get(phase.code) or Period(code=phase.code, kind="phase")
            period.start, period.end, period.label = phase.start, phase.end, phase.label
            period.programme_id = prog.id
            session.add(period)
        counts.programmes += 1
