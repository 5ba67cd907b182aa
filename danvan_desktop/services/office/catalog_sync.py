"""Copy catalog files into the database (insert or update by code), shipped or user-supplied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from danvan_desktop.catalog.files import shipped_catalog_paths
from danvan_desktop.catalog.loader import check_consistency, load_checked
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

# Core tables: a province file is inserted with one executemany, not hundreds of ORM objects.
_UNITS = cast(Table, OrgUnit.__table__)
_LINEAGE = cast(Table, UnitLineage.__table__)


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


def import_catalog_data(session: Session, catalog: CatalogFile, source: str) -> SyncCounts:
    """Store catalog entries received as data (a reply package), checked as a user's file is."""
    problems = check_consistency(catalog, known_unit_entries(session))
    if problems:
        raise CatalogError(f"Danh mục có {len(problems)} lỗi:", problems)
    _refuse_overwriting_other_sources(session, [catalog], source)
    counts = SyncCounts()
    _store(session, catalog, source, counts)
    return counts


def _refuse_overwriting_other_sources(session: Session, catalogs: Sequence[CatalogFile], source: str) -> None:
    """A user's file may add units, or change its own, never rewrite the official catalog's."""
    codes = {u.code for c in catalogs for u in c.units}
    clashes = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes), OrgUnit.source != source)).all()
    if clashes:
        problems = [f"đơn vị {u.code} ({u.name}) đã có trong danh mục nguồn «{u.source}»" for u in clashes]
        raise CatalogError("Tệp bổ sung không được sửa đơn vị đã có trong danh mục:", problems)


def sync_shipped_catalog(session: Session, files: Path | Sequence[Path]) -> SyncCounts:
    """Copy shipped files into the database: those an office needs (catalog.files.office_catalog_paths),
    or, given the catalog folder, every file in it."""
    paths = shipped_catalog_paths(files) if isinstance(files, Path) else files
    return import_catalog_files(session, paths, source="catalog")


def _store(session: Session, catalog: CatalogFile, source: str, counts: SyncCounts) -> None:
    if catalog.units or catalog.lineage:  # the common files hold none: skip loading every unit
        ids = _store_units(session, catalog, source, counts)
        _store_lineage(session, catalog, ids, source, counts)
    _store_organizations(session, catalog, counts)
    _store_criteria(session, catalog, counts)
    _store_programmes(session, catalog, counts)
    session.flush()


def _store_units(session: Session, catalog: CatalogFile, source: str, counts: SyncCounts) -> dict[str, int]:
    """Insert new units in one statement (a province file holds hundreds), update known ones."""
    codes = [e.code for e in catalog.units]
    existing = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    # A unit an office defined (or learned from a package) under a code a later catalog also uses
    # stays as the office has it: the catalog neither rewrites nor re-parents it.
    kept = {c for c, u in existing.items() if u.source == "office" or u.source.startswith("package:")}
    new_rows: list[dict[str, object]] = []
    for entry in catalog.units:
        if entry.code in kept:
            continue
        values: dict[str, object] = {
            "name": entry.name,
            "name_folded": fold(entry.name),
            "kind": entry.kind.value,
            "valid_from": entry.valid_from,
            "valid_to": entry.valid_to,
            "admin_code": entry.admin_code,
            "note": entry.note,
        }
        unit = existing.get(entry.code)
        if unit is None:
            new_rows.append({"code": entry.code, "source": source, **values})
        else:
            for key, value in values.items():
                setattr(unit, key, value)
        counts.units += 1
    session.flush()
    if new_rows:
        session.execute(insert(_UNITS), new_rows)
    ids = {code: id_ for code, id_ in session.execute(select(OrgUnit.code, OrgUnit.id))}
    parents = [
        {"unit_id": ids[e.code], "parent": ids[e.parent] if e.parent else None}
        for e in catalog.units
        if e.code not in kept
    ]
    if parents:  # parents are linked once every unit of the file has an id
        session.execute(
            update(_UNITS).where(_UNITS.c.id == bindparam("unit_id")).values(parent_id=bindparam("parent")),
            parents,
        )
        session.expire_all()  # the ORM objects loaded above do not see the bulk update
    return ids


def _store_lineage(
    session: Session, catalog: CatalogFile, ids: dict[str, int], source: str, counts: SyncCounts
) -> None:
    own = {ids[u.code] for u in catalog.units}
    existing = {
        (r.from_unit_id, r.to_unit_id): r
        for r in session.scalars(
            select(UnitLineage).where(
                UnitLineage.to_unit_id.in_(own | {ids[x.to_code] for x in catalog.lineage})
            )
        )
    }
    wanted: set[tuple[int, int]] = set()
    new_rows: list[dict[str, object]] = []
    for link in catalog.lineage:
        key = (ids[link.from_code], ids[link.to_code])
        wanted.add(key)
        values = {"effective": link.date, "kind": link.kind, "verified": link.verified, "source": link.source}
        row = existing.get(key)
        if row is None:
            new_rows.append({"from_unit_id": key[0], "to_unit_id": key[1], **values})
        else:
            row.effective, row.kind, row.verified, row.source = (
                link.date,
                link.kind,
                link.verified,
                link.source,
            )
        counts.lineage += 1
    if new_rows:
        session.execute(insert(_LINEAGE), new_rows)
    if source == "catalog":
        # The shipped file is the authority on links between its own units: a link an earlier
        # version held and this one corrected (Bảo Cường) goes, links to other units stay.
        for key, row in existing.items():
            if key[0] in own and key[1] in own and key not in wanted:
                session.delete(row)


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
