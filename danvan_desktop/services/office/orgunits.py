"""Org-unit queries: lookup with suggestions, accent-free search, dated subtrees, lineage."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy import and_, case, select, true
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import display_name
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import OrgUnit, UnitLineage
from danvan_desktop.errors import UnknownUnitError
from danvan_desktop.text import fold


def unit_label(unit: OrgUnit) -> str:
    return display_name(unit.kind, unit.name)


class Dated(Protocol):
    """Anything with a validity span: an OrgUnit row, a UnitNode, a unit held by the origin check."""

    @property
    def valid_from(self) -> dt.date: ...

    @property
    def valid_to(self) -> dt.date | None: ...


def is_valid_during(unit: Dated, start: dt.date, end: dt.date) -> bool:
    """True when the unit existed on at least one day of [start, end]."""
    return unit.valid_from <= end and (unit.valid_to is None or unit.valid_to >= start)


D = TypeVar("D", bound=Dated)


def valid_units(units: Iterable[D], start: dt.date, end: dt.date) -> list[D]:
    """The units (rows, tree nodes) that existed on at least one day of [start, end], in their order.

    The one filter of every unit list of a period: the dated tree (and so report rows,
    completeness and the pickers) and the validity checks of services/office/validity.py.
    """
    return [u for u in units if is_valid_during(u, start, end)]


def find_unit(session: Session, code: str) -> OrgUnit:
    """The unit with `code` (case-insensitive), or an error naming the nearest matches."""
    wanted = code.strip().upper()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == wanted))
    if unit is not None:
        return unit
    raise UnknownUnitError(code, suggest_units(session, code))


def suggest_units(session: Session, text: str, limit: int = 5) -> list[str]:
    units = session.scalars(select(OrgUnit)).all()
    by_code = {u.code: u for u in units}
    close = difflib.get_close_matches(text.strip().upper(), list(by_code), n=limit, cutoff=0.5)
    folded = fold(text)
    by_name = {u.name_folded: u for u in units}
    for name in difflib.get_close_matches(folded, list(by_name), n=limit, cutoff=0.6):
        close.append(by_name[name].code)
    for unit in units:  # a typed name fragment ("phuc chu") also suggests
        if folded and folded in unit.name_folded:
            close.append(unit.code)
    unique = list(dict.fromkeys(close))[:limit]
    return [f"{c} ({unit_label(by_code[c])})" for c in unique]


def search_units(
    session: Session, query: str, *, on: dt.date | None = None, limit: int = 50
) -> list[OrgUnit]:
    """Units whose folded name (or code) contains every word of `query`, diacritics ignored."""
    # true() first: an empty query (list everything) must not build an empty and_().
    words = [_like_pattern(w) for w in fold(query).split()]
    name_match = and_(true(), *(OrgUnit.name_folded.like(w, escape="\\") for w in words))
    code_match = OrgUnit.code.ilike(_like_pattern(query.strip()), escape="\\")
    stmt = select(OrgUnit).where(name_match | code_match)
    if on is not None:
        stmt = stmt.where(OrgUnit.valid_from <= on)
        stmt = stmt.where((OrgUnit.valid_to.is_(None)) | (OrgUnit.valid_to >= on))
    # Higher levels first (a commune before its villages of the same name), then by name.
    level = case((OrgUnit.kind.in_(["xom", "thon", "ban", "to_dan_pho"]), 1), else_=0)
    stmt = stmt.order_by(level, OrgUnit.name_folded, OrgUnit.valid_from).limit(limit)
    return list(session.scalars(stmt))


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def dated_subtree(session: Session, root_id: int, start: dt.date, end: dt.date) -> UnitNode | None:
    """The root and its descendants valid during [start, end]; None if the root was not."""
    units = session.scalars(select(OrgUnit)).all()
    children: dict[int, list[OrgUnit]] = {}
    for unit in units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit)
    by_id = {u.id: u for u in units}
    root = by_id.get(root_id)
    if root is None or not is_valid_during(root, start, end):
        return None

    def build(unit: OrgUnit) -> UnitNode:
        node = UnitNode(unit.id, unit.code, unit.name, unit.kind, unit.valid_from, unit.valid_to)
        kids = valid_units(children.get(unit.id, []), start, end)
        # Towns and communes first as the official lists do, then by name without accents.
        kids.sort(key=lambda c: (c.kind != "thi_tran", c.name_folded))
        node.children = [build(c) for c in kids]
        return node

    return build(root)


def successors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """Every unit `unit` became part of, directly or through later merges, oldest first."""
    return _follow(session, unit, forward=True)


def predecessors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """Every unit that became part of `unit`, directly or through earlier merges."""
    return _follow(session, unit, forward=False)


def _follow(session: Session, unit: OrgUnit, *, forward: bool) -> list[OrgUnit]:
    links = session.scalars(select(UnitLineage)).all()
    edges: dict[int, list[int]] = {}
    for link in links:
        a, b = (link.from_unit_id, link.to_unit_id) if forward else (link.to_unit_id, link.from_unit_id)
        edges.setdefault(a, []).append(b)
    found: list[int] = []
    queue = [unit.id]
    while queue:
        current = queue.pop(0)
        for nxt in edges.get(current, []):
            if nxt not in found and nxt != unit.id:
                found.append(nxt)
                queue.append(nxt)
    result = [session.get_one(OrgUnit, i) for i in found]
    return sorted(result, key=lambda u: (u.valid_from, u.name_folded))


def unit_covering(session: Session, unit: OrgUnit, day: dt.date) -> OrgUnit | None:
    """The unit that governs `unit`'s territory on `day`: itself, or a successor valid then.

    None also when the territory was split between several units valid that day: ask
    `units_covering` for all of them.
    """
    covering = units_covering(session, unit, day)
    return covering[0] if len(covering) == 1 else None


def units_covering(session: Session, unit: OrgUnit, day: dt.date) -> list[OrgUnit]:
    """Every unit holding part of `unit`'s territory on `day`: itself, or the successors valid then.

    Follows lineage links that took effect by `day` only, and stops at the first unit valid on
    `day` along each path (its own later successors are not `unit`'s).
    """
    if is_valid_on(unit, day):
        return [unit]
    links = session.scalars(select(UnitLineage)).all()
    edges: dict[int, list[int]] = {}
    for link in links:
        if link.effective <= day:
            edges.setdefault(link.from_unit_id, []).append(link.to_unit_id)
    found: list[OrgUnit] = []
    seen = {unit.id}
    queue = list(edges.get(unit.id, []))
    while queue:
        current = session.get_one(OrgUnit, queue.pop(0))
        if current.id in seen:
            continue
        seen.add(current.id)
        if is_valid_on(current, day):
            found.append(current)
        else:
            queue.extend(edges.get(current.id, []))
    return sorted(found, key=lambda u: u.name_folded)


def is_valid_on(unit: Dated, day: dt.date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to)
