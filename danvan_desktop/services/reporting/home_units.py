"""The units a home page or a totals page adds up: a unit's villages, or its communes across the reform.

The same units as the summary's plan by validity (lineage.plan_rows, structure "ky"): the commune-level
units under the unit valid in the period, with their predecessors valid then, each knowing whether it
stands on the period's last day (states) or only in part of it (flows only). Loaded as plain tuples in
two queries, not as ORM rows: the home page of a province is drawn on every unit or period change.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind, display_name
from danvan_desktop.catalog.periods import PeriodKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import OrgUnit, Period, UnitLineage
from danvan_desktop.services.reporting.lineage import Member, choose_tiles, day_text

# Forms whose figures happen during a period and add up over its parts (lineage.FLOW_FORMS names
# the summary's; the grassroots-democracy counts are meetings and petitions of the period too).
FLOWS = frozenset({"dong_gop_nhan_dan", "doi_thoai_tiep_dan", "dan_chu_co_so", "chi_tieu_de_an_05"})


@functools.lru_cache(maxsize=4096)
def _label(kind: str, name: str) -> str:
    return display_name(kind, name)


COMMUNE_KINDS = frozenset(k.value for k in UnitKind if k.is_commune_level)
VILLAGE_KINDS = frozenset(k.value for k in UnitKind if k.is_village_level)


class Unit(NamedTuple):
    """A unit as the index holds it (no session needed); a tuple: a province loads thousands."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    @property
    def label(self) -> str:
        return _label(self.kind, self.name)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def valid_during(self, start: dt.date, end: dt.date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)


@dataclass(frozen=True)
class Part:
    """A unit feeding a figure, with the days of the span it covers."""

    unit: Unit
    start: dt.date
    end: dt.date
    at_end: bool  # stands on the span's last day: its states (models, NTM level) are the span's

    @property
    def label(self) -> str:
        """Its name, and its dates when it covers only part of the span."""
        if self.at_end and self.unit.valid_from <= self.start:
            return self.unit.label
        if not self.at_end:
            return f"{self.unit.label} (đến {day_text(self.end)})"
        return f"{self.unit.label} (từ {day_text(self.start)})"


@dataclass(frozen=True)
class Span:
    """A period as the pages read it: its id, code, label and days."""

    id: int
    code: str
    kind: str
    label: str
    start: dt.date
    end: dt.date


class UnitIndex:
    """Every unit and lineage link, as tuples: what the pages ask of the hierarchy, without a query each."""

    def __init__(self, session: Session, *, villages_of: int | bool | None = True) -> None:
        """`villages_of`: every village (True), none (None: a page above communes never lists them;
        they are three units in four of a province), or only those of one commune (its id)."""
        columns = (
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.name,
            OrgUnit.kind,
            OrgUnit.parent_id,
            OrgUnit.valid_from,
            OrgUnit.valid_to,
            OrgUnit.name_folded,
        )
        query = select(*columns)
        if villages_of is not True:
            query = query.where(OrgUnit.kind.not_in(VILLAGE_KINDS) | (OrgUnit.parent_id == villages_of))
        rows = session.connection().execute(query).all()
        self.units = {row[0]: Unit._make(row[:7]) for row in rows}
        self.folded = {row[0]: row[7] for row in rows}
        self.children: dict[int, list[Unit]] = {}
        for unit in self.units.values():
            if unit.parent_id is not None:
                self.children.setdefault(unit.parent_id, []).append(unit)
        self.backward: dict[int, list[int]] = {}
        self._earlier: dict[int, list[Unit]] = {}  # predecessors, asked again for every year shown
        lineage = select(UnitLineage.from_unit_id, UnitLineage.to_unit_id)
        for source, target in session.connection().execute(lineage).all():
            self.backward.setdefault(target, []).append(source)

    def tree(self, unit_id: int, start: dt.date, end: dt.date) -> UnitNode | None:
        """The unit and its descendants valid in [start, end], as orgunits.dated_subtree builds it,
        down to the commune level: below an office, completeness lists communes, not villages."""
        root = self.units.get(unit_id)
        if root is None or not root.valid_during(start, end):
            return None

        def build(unit: Unit) -> UnitNode:
            node = UnitNode(unit.id, unit.code, unit.name, unit.kind, unit.valid_from, unit.valid_to)
            below = unit.id != unit_id and unit.kind in COMMUNE_KINDS
            kids = [c for c in self.children.get(unit.id, []) if not below and c.valid_during(start, end)]
            kids.sort(key=lambda c: (c.kind != "thi_tran", self.folded[c.id]))
            node.children = [build(c) for c in kids]
            return node

        return build(root)

    def unit(self, unit_id: int) -> Unit:
        return self.units[unit_id]

    def below(self, unit_id: int, start: dt.date, end: dt.date) -> list[Unit]:
        """The units under `unit_id` valid in the span, down to the commune level (not their villages)."""
        found: list[Unit] = []
        queue = [c for c in self.children.get(unit_id, []) if c.valid_during(start, end)]
        while queue:
            unit = queue.pop()
            found.append(unit)
            if unit.kind not in COMMUNE_KINDS:
                queue.extend(c for c in self.children.get(unit.id, []) if c.valid_during(start, end))
        return found

    def _predecessors(self, unit_id: int) -> list[Unit]:
        if unit_id in self._earlier:
            return self._earlier[unit_id]
        seen: dict[int, Unit] = {}
        queue = list(self.backward.get(unit_id, []))
        while queue:
            current = queue.pop()
            # A link to a unit not loaded (a village, when the index holds none) is not a commune's.
            if current not in seen and current != unit_id and current in self.units:
                seen[current] = self.units[current]
                queue.extend(self.backward.get(current, []))
        self._earlier[unit_id] = list(seen.values())
        return self._earlier[unit_id]

    def parts(self, unit_id: int, span: Span, pool: list[Unit] | None = None) -> list[Part]:
        """The units whose figures make up `unit_id`'s in the span, in the order a page lists them.

        A commune: its villages. Above it: the commune-level units under it valid in the span, and
        the former communes they were formed from that were valid in it (lineage), as the summary's
        rows by validity; communes first by name, former ones after. `pool`: what below() gave for
        a longer time, filtered here instead of walking the tree again.
        """
        parts = [self._part(u, span) for u in self._chosen(unit_id, span, pool)]
        last = max((p.end for p in parts), default=span.end)
        # States come from the units standing on the last day any of them did (a unit abolished
        # inside the period reports its states as they stood on its last day), as plan_rows does.
        parts = [Part(p.unit, p.start, p.end, p.end == last) for p in parts]
        return sorted(parts, key=lambda p: (not p.at_end, p.unit.kind != "thi_tran", p.unit.name))

    def standing(self, unit_id: int, span: Span, pool: list[Unit] | None = None) -> list[Unit]:
        """The units of parts() standing at the end (its `at_end` ones), unsorted and without their
        days: what a figure of states needs for each year of a chart."""
        chosen = self._chosen(unit_id, span, pool)
        ends = [span.end if u.valid_to is None else min(span.end, u.valid_to) for u in chosen]
        last = max(ends, default=span.end)
        return [u for u, end in zip(chosen, ends, strict=True) if end == last]

    def _chosen(self, unit_id: int, span: Span, pool: list[Unit] | None) -> list[Unit]:
        unit = self.units[unit_id]
        if pool is None:
            below = self.below(unit_id, span.start, span.end)
        else:  # the units under it over a longer time (below() of several years): this span's
            below = [u for u in pool if u.valid_during(span.start, span.end)]
        if unit.kind in COMMUNE_KINDS:
            return [u for u in below if u.kind in VILLAGE_KINDS]
        chosen = [u for u in below if u.kind in COMMUNE_KINDS]
        known = {u.id for u in chosen}
        for current in list(chosen):
            for earlier in self._predecessors(current.id):
                commune = earlier.kind in COMMUNE_KINDS
                if commune and earlier.id not in known and earlier.valid_during(span.start, span.end):
                    chosen.append(earlier)
                    known.add(earlier.id)
        return chosen

    @staticmethod
    def _part(unit: Unit, span: Span) -> Part:
        start = max(span.start, unit.valid_from)
        end = span.end if unit.valid_to is None else min(span.end, unit.valid_to)
        return Part(unit, start, end, unit.valid_on(span.end))


def load_span(session: Session, period_id: int) -> Span:
    period = session.get_one(Period, period_id)
    return Span(period.id, period.code, period.kind, period.label, period.start, period.end)


def tiles_of(
    session: Session, parts: list[Part], forms: list[str], span: Span
) -> dict[tuple[int, str], list[int]]:
    """Per (unit, form): the periods whose records stand for the unit's part of the span.

    The span's own period for every unit that covers all of it (no query needed); otherwise the
    summary's own tiling (lineage.choose_tiles), so that a reform inside the period and a programme
    phase count each day once.
    """
    whole = span.kind != PeriodKind.PHASE.value
    simple = {p.unit.id for p in parts if whole and (p.start, p.end) == (span.start, span.end)}
    tiles = {(unit_id, f): [span.id] for unit_id in simple for f in forms}
    rest = [p for p in parts if p.unit.id not in simple]
    if rest:
        members = [
            Member(
                p.unit.id,
                p.unit.code,
                p.unit.name,
                p.unit.kind,
                p.unit.label,
                p.start,
                p.end,
                p.at_end,
                p.unit.valid_from,
                p.unit.valid_to,
            )
            for p in rest
        ]
        period = session.get_one(Period, span.id)
        for key, chosen in choose_tiles(session, members, forms, period).items():
            tiles[key] = [t.period_id for t in chosen]
    return tiles


def wanted_records(
    tiles: dict[tuple[int, str], list[int]], parts: list[Part], form_id: str
) -> set[tuple[int, int]]:
    """(unit, period) pairs whose records of `form_id` count: flows from every tile, states from
    the last tile of the units standing at the end."""
    at_end = {p.unit.id for p in parts if p.at_end}
    wanted: set[tuple[int, int]] = set()
    for (unit_id, form), periods in tiles.items():
        if form != form_id or not periods:
            continue
        if form_id in FLOWS:
            wanted |= {(unit_id, pid) for pid in periods}
        elif unit_id in at_end:
            wanted.add((unit_id, periods[-1]))
    return wanted
