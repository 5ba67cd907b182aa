"""Where entered data goes (unit and period): light enough for the main window to import at start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from danvan_desktop.catalog.kinds import UnitKind

if TYPE_CHECKING:
    from danvan_desktop.formspec.model import FormDef


@dataclass(frozen=True)
class EntryTarget:
    """Where entered data goes: a unit (and the units whose records are listed) in a period."""

    unit_id: int
    unit_label: str
    unit_kind: str
    period_id: int
    period_label: str
    site_id: str
    listed_unit_ids: tuple[int, ...]  # the unit and, for a district, its communes

    def can_enter(self, form: FormDef) -> bool:
        """Whether this unit fills in the form (communes fill commune forms, and so on)."""
        kind = UnitKind(self.unit_kind)
        if form.unit_level == "commune":
            return kind.is_commune_level
        if form.unit_level == "village":
            return kind.is_village_level
        return not kind.is_village_level
