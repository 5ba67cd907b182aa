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
        return form.applies_to(self.unit_kind)

    def refusal(self, form: FormDef, doing: str) -> str | None:
        """Why this unit cannot `doing` ("nhập biểu mẫu này"), or None when it can."""
        if self.can_enter(form):
            return None
        if form.unit_kinds is not None and UnitKind(self.unit_kind).is_commune_level:
            kinds = ", ".join(UnitKind(k).label for k in form.unit_kinds)
            return f"Biểu mẫu này chỉ dành cho {kinds}; {self.unit_label} không lập biểu mẫu này."
        where = "một xóm, tổ dân phố" if form.unit_level == "village" else "một đơn vị cấp xã"
        return f"Chọn {where} ở cây bên trái để {doing}."
