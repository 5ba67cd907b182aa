"""What the printed returns show: plain, frozen types that services fill and layouts render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode


@dataclass(frozen=True)
class Letterhead:
    """The office's letterhead and signer, as filled in the settings."""

    issuing_body: str
    superior_body: str
    place: str
    abbreviation: str
    signer_name: str
    signer_title: str
    signer_authority: str
    signer_collective: str
    recipients: tuple[str, ...]


IssuingRole = Literal["own", "reading_copy"]


@dataclass(frozen=True)
class IssuingUnit:
    """The unit a reading copy belongs to, as the office above knows it (its letterhead is made from this)."""

    kind: str  # a UnitKind value: the profile's letterhead templates are chosen by it
    name: str  # "Phúc Chu"
    label: str  # "Xã Phúc Chu"
    parent_label: str  # "Huyện Định Hóa"; "" when the office does not know the unit above
    printed_by: str  # the office whose database printed the copy: "Huyện Định Hóa"


@dataclass(frozen=True)
class ReportScope:
    """The unit and period a return covers, checked against the office's tree."""

    unit: UnitNode
    period_id: int
    period_code: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    office_label: str
    office: UnitNode  # the office's dated tree: whose return this is decides how it prints

    @property
    def unit_label(self) -> str:
        return self.unit.display

    def communes(self) -> list[UnitNode]:
        return [n for n in self.unit.walk() if UnitKind(n.kind).is_commune_level]


@dataclass(frozen=True)
class NarrativePart:
    heading: str | None
    text: str


@dataclass(frozen=True)
class NarrativeSection:
    heading: str
    parts: tuple[NarrativePart, ...]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # formatted, with its unit


@dataclass(frozen=True)
class ContributionRow:
    name: str
    kind: str
    village: str
    households: int
    cash: int
    land: float
    labour: float
    in_kind: int
    state: int


@dataclass(frozen=True)
class HouseRow:
    village: str
    status: str
    year: str
    state: int
    people_cash: int
    in_kind: int
    land: float
    labour: float
    households: int


@dataclass(frozen=True)
class CountTable:
    """Counts by row label and column label (e.g. models by field and recognition level)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    def get(self, row: str, column: str) -> int:
        return self.counts.get((row, column), 0)


@dataclass(frozen=True)
class NtmStatus:
    level: str
    met: tuple[str, ...]  # "2. Giao thông"
    total: int
    decision: str


@dataclass(frozen=True)
class OrganizationRow:
    organization: str
    branches: int
    members: int
    eligible: int
    new_members: int


@dataclass(frozen=True)
class DialogueRow:
    kind: str
    sessions: int
    attendees: int
    petitions: int
    resolved: int
    pending: int


@dataclass(frozen=True)
class IndicatorRow:
    """One Project 05 indicator: plan and result; "khống chế" ones are reached by not exceeding the plan."""

    number: int | None
    name: str
    unit: str  # đơn vị tính: "%", "mô hình", "vụ"
    target: float | None
    result: float | None
    restrictive: bool  # khống chế
    units_reached: tuple[int, int] | None = None  # summaries: units below that reached it / reported it
    assigned: bool = False  # the plan figure was assigned by the office above (targets)

    @property
    def reached(self) -> bool | None:
        """None until both figures are there."""
        if self.target is None or self.result is None:
            return None
        return self.result <= self.target if self.restrictive else self.result >= self.target

    @property
    def assessment(self) -> str:
        if self.target is None or self.result is None:
            return "Chưa có kết quả"
        if not self.reached:
            return "Không đạt"
        return "Vượt chỉ tiêu" if not self.restrictive and self.result > self.target else "Đạt"


@dataclass(frozen=True)
class CommuneReturnData:
    scope: ReportScope
    letterhead: Letterhead
    narrative: tuple[NarrativeSection, ...]
    figures: tuple[Figure, ...]
    reading_copy: IssuingUnit | None  # None: the office's own return, issued and numbered
    contributions: tuple[ContributionRow, ...]
    houses: tuple[HouseRow, ...]
    models: CountTable
    ntm: NtmStatus | None
    organizations: tuple[OrganizationRow, ...]
    dialogues: tuple[DialogueRow, ...]
    indicators: tuple[IndicatorRow, ...] = ()  # Project 05
    ntm_years: tuple[tuple[str, float], ...] = ()  # (year, criteria met) over the years, for a chart


@dataclass(frozen=True)
class RegisterData:
    """The rows of a register as printed: one string per cell, numbers already formatted."""

    scope: ReportScope
    letterhead: Letterhead
    form_id: str
    form_title: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class CommuneFigures:
    """One commune's key figures for the period (zeros where it sent nothing)."""

    code: str
    label: str
    is_xa: bool  # new-rural standards apply to xã, not to towns and wards
    missing_forms: tuple[str, ...]  # titles of the forms it has not sent
    reported: bool
    villages: int
    houses_built: int
    households: int
    cash: int
    in_kind: int
    land: float
    labour: float
    state: int
    models: int
    models_recognized: int
    ntm_level: str
    ntm_met: bool
    criteria_met: int | None
    members: int
    eligible: int
    petitions: int
    resolved: int
    group: str = ""  # the heading it is listed under ("Đơn vị cũ, có hiệu lực đến 30/6/2025"); "" none
    at_end: bool = True  # valid at the period's end: its end-of-period figures are the totals'


@dataclass(frozen=True)
class SummaryData:
    scope: ReportScope
    letterhead: Letterhead
    communes: tuple[CommuneFigures, ...]
    models: CountTable
    organizations: tuple[OrganizationRow, ...]
    model_list: tuple[tuple[str, str, str, str, str], ...]  # commune, name, field, status, typical
    narrative: tuple[NarrativeSection, ...]  # the office's own text, when it typed one
    reading_copy: IssuingUnit | None = None  # a unit below the office: its summary, for reading only
    notes: tuple[str, ...] = ()  # how units valid in part of the period are counted
    folded: tuple[tuple[str, str], ...] = ()  # (today's unit, the former units summed into it)
    structure_label: str = ""  # "quy đổi theo đơn vị hành chính mới"; "" the units of the period
    indicators: tuple[
        IndicatorRow, ...
    ] = ()  # Project 05: the office's own, with how many units reached each
    ntm_years: tuple[tuple[str, int, int], ...] = ()  # (year, xã meeting the standard, xã) for a chart

    def at_end(self) -> tuple[CommuneFigures, ...]:
        """The rows whose end-of-period figures (villages, houses, models, members, NTM) count."""
        return tuple(c for c in self.communes if c.at_end)

    def ntm_ratio(self) -> tuple[int, int]:
        xa = [c for c in self.at_end() if c.is_xa]
        return sum(c.ntm_met for c in xa), len(xa)

    def houses_ratio(self) -> tuple[int, int]:
        return sum(c.houses_built for c in self.at_end()), sum(c.villages for c in self.at_end())

    def model_count(self) -> int:
        return sum(c.models for c in self.at_end())

    def money(self) -> int:
        return sum(c.cash + c.in_kind for c in self.communes)
