"""Records of a summary's forms across a span: flows from every part, states from the period's end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, Record
from danvan_desktop.reports.model import ReportScope
from danvan_desktop.services.reporting.common import COMMUNE_FORMS, FormReader
from danvan_desktop.services.reporting.lineage import FLOW_FORMS, Member, Tile, choose_tiles


class SpanReader(FormReader):
    """FormReader over the units of a row plan: each unit's records from the tiles chosen for it.

    `values(form, unit)` gives a unit's flows from all its tiles and its state from its last tile;
    `values(form)` (all units) gives flows of every unit and states of the units valid at the end,
    so that office-wide tables (organizations, models) never count a territory twice.
    """

    def __init__(self, session: Session, scope: ReportScope, members: list[Member]) -> None:
        self.session, self.scope = session, scope
        self.members = {m.id: m for m in members}
        self.unit_ids = list(self.members)
        self.names = {n.code: n.name for n in scope.unit.walk()}
        period = session.get_one(Period, scope.period_id)
        self.tiles = choose_tiles(session, members, COMMUNE_FORMS, period)
        wanted = self._wanted()
        periods = {t.period_id for tiles in self.tiles.values() for t in tiles}
        rows: list[tuple[int, str, int, dict[str, Any]]] = []
        if periods:
            stmt = (
                select(Record.org_unit_id, Record.form_id, Record.period_id, Record.values)
                .where(
                    Record.org_unit_id.in_(self.unit_ids),
                    Record.form_id.in_(list(COMMUNE_FORMS)),
                    Record.period_id.in_(periods),
                    Record.deleted.is_(False),
                )
                .order_by(Record.created_at, Record.id)
            )
            rows = [(u, f, p, v) for u, f, p, v in session.execute(stmt) if (u, f, p) in wanted]
        self.by_form = {f: [(u, v) for u, form, _, v in rows if form == f] for f in COMMUNE_FORMS}
        self._add_village_names(session)

    def _wanted(self) -> set[tuple[int, str, int]]:
        wanted = set()
        for (unit_id, form_id), tiles in self.tiles.items():
            used: list[Tile] = tiles if form_id in FLOW_FORMS else tiles[-1:]
            wanted |= {(unit_id, form_id, t.period_id) for t in used}
        return wanted

    def _add_village_names(self, session: Session) -> None:
        """Villages of former units outside the office's tree for the period, for the model list."""
        ids = set(self.unit_ids)
        for unit in session.scalars(select(OrgUnit).where(OrgUnit.parent_id.in_(ids))):
            self.names.setdefault(unit.code, unit.name)

    def values(self, form_id: str, unit_id: int | None = None) -> list[dict[str, Any]]:
        if unit_id is not None:
            return [v for u, v in self.by_form[form_id] if u == unit_id]
        if form_id in FLOW_FORMS:
            return [v for _, v in self.by_form[form_id]]
        return [v for u, v in self.by_form[form_id] if self.members[u].at_end]

    def at_end(self, unit_id: int) -> bool:
        return self.members[unit_id].at_end
