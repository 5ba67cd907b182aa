"""Reports across the reform: which units a span covers, which records cover each, old or new rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind, display_name
from danvan_desktop.catalog.periods import PeriodKind
from danvan_desktop.db.models import OrgUnit, Period, UnitLineage
from danvan_desktop.errors import UserError
from danvan_desktop.reports.model import ReportScope
from danvan_desktop.services.office.orgunits import is_valid_during, is_valid_on

Structure = Literal["ky", "moi", "cu"]
STRUCTURES: dict[Structure, str] = {
    "ky": "theo đơn vị có hiệu lực trong kỳ",
    "moi": "quy đổi theo đơn vị hành chính mới",
    "cu": "theo đơn vị hành chính cũ, xã xếp theo huyện cũ",
}
DISTRICT_KINDS = frozenset({UnitKind.HUYEN, UnitKind.THANH_PHO, UnitKind.THI_XA, UnitKind.QUAN})
# Figures that happen during a period (money, labour days, dialogues): the parts of a span add up.
# Every other form of the summary describes a state at the end of the period (villages, houses,
# models, members, new-rural standard): only the units valid on the span's last day give it.
FLOW_FORMS = frozenset({"dong_gop_nhan_dan", "doi_thoai_tiep_dan"})


def day_text(day: dt.date) -> str:
    """30/6/2025, as official texts write dates."""
    return f"{day.day}/{day.month}/{day.year}"


def parse_structure(text: str | None) -> Structure:
    wanted = (text or "ky").strip().lower()
    for key in STRUCTURES:
        if wanted == key:
            return key
    raise UserError(
        f"Cách tính theo đơn vị «{text}» không có. Dùng: moi (quy đổi theo đơn vị hành chính mới) "
        "hoặc cu (theo đơn vị hành chính cũ); bỏ trống: theo đơn vị có hiệu lực trong kỳ."
    )


@dataclass(frozen=True)
class Member:
    """A commune-level unit whose records feed a row, with the part of the span it covers."""

    id: int
    code: str
    name: str
    kind: str
    label: str
    start: dt.date
    end: dt.date
    at_end: bool  # valid on the span's last day: its end-of-period figures are the span's
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class PlannedRow:
    code: str
    label: str
    kind: str
    group: str
    members: tuple[Member, ...]

    @property
    def at_end(self) -> bool:
        return any(m.at_end for m in self.members)


@dataclass(frozen=True)
class RowPlan:
    span: tuple[dt.date, dt.date]
    rows: tuple[PlannedRow, ...]
    notes: tuple[str, ...]
    folded: tuple[tuple[str, str], ...]  # (new unit, the former units summed into it)

    def members(self) -> list[Member]:
        return [m for row in self.rows for m in row.members]


class Lineage:
    """Units and lineage links loaded once: a province plans hundreds of rows, each asking lineage.

    The same answers as orgunits.predecessors and orgunits.units_covering, without a query each.
    """

    def __init__(self, session: Session) -> None:
        self.units = {u.id: u for u in session.scalars(select(OrgUnit))}
        self.forward: dict[int, list[tuple[int, dt.date]]] = {}
        self.backward: dict[int, list[int]] = {}
        for link in session.scalars(select(UnitLineage)):
            self.forward.setdefault(link.from_unit_id, []).append((link.to_unit_id, link.effective))
            self.backward.setdefault(link.to_unit_id, []).append(link.from_unit_id)

    def parent(self, unit: OrgUnit) -> OrgUnit | None:
        return self.units.get(unit.parent_id) if unit.parent_id is not None else None

    def predecessors(self, unit: OrgUnit) -> list[OrgUnit]:
        """Every unit that became part of `unit`, directly or through earlier merges."""
        found: dict[int, OrgUnit] = {}
        queue = list(self.backward.get(unit.id, []))
        while queue:
            current = queue.pop(0)
            if current not in found and current != unit.id:
                found[current] = self.units[current]
                queue.extend(self.backward.get(current, []))
        return sorted(found.values(), key=lambda u: (u.valid_from, u.name_folded))

    def covering(self, unit: OrgUnit, day: dt.date) -> list[OrgUnit]:
        """Every unit holding part of `unit`'s territory on `day` (itself when valid then)."""
        if is_valid_on(unit, day):
            return [unit]
        found: list[OrgUnit] = []
        seen = {unit.id}
        queue = [to for to, effective in self.forward.get(unit.id, []) if effective <= day]
        while queue:
            current = self.units[queue.pop(0)]
            if current.id in seen:
                continue
            seen.add(current.id)
            if is_valid_on(current, day):
                found.append(current)
            else:
                queue.extend(to for to, effective in self.forward.get(current.id, []) if effective <= day)
        return sorted(found, key=lambda u: u.name_folded)


def report_span(period: Period) -> tuple[dt.date, dt.date]:
    """The dates a report reads: a programme phase counts in whole years (its reviews do)."""
    if period.kind == PeriodKind.PHASE.value:
        return dt.date(period.start.year, 1, 1), dt.date(period.end.year, 12, 31)
    return period.start, period.end


def _member(unit: OrgUnit, span: tuple[dt.date, dt.date]) -> Member:
    start = max(span[0], unit.valid_from)
    end = span[1] if unit.valid_to is None else min(span[1], unit.valid_to)
    label = display_name(unit.kind, unit.name)
    at_end = is_valid_on(unit, span[1])
    return Member(
        unit.id, unit.code, unit.name, unit.kind, label, start, end, at_end, unit.valid_from, unit.valid_to
    )


def _base_units(
    graph: Lineage, scope: ReportScope, span: tuple[dt.date, dt.date], structure: Structure
) -> list[OrgUnit]:
    """The commune-level units of the scope valid in the span, and their predecessors valid then."""
    nodes = scope.communes()
    if structure == "ky" or len(nodes) > 1:
        nodes = [n for n in nodes if n.id != scope.unit.id]
    units = [graph.units[n.id] for n in nodes]
    known = {u.id for u in units}
    for unit in list(units):
        for earlier in graph.predecessors(unit):
            commune = UnitKind(earlier.kind).is_commune_level
            if commune and earlier.id not in known and is_valid_during(earlier, *span):
                units.append(earlier)
                known.add(earlier.id)
    # A unit of today asked for a span before it existed (its history, "moi"): its predecessors only.
    return [u for u in units if is_valid_during(u, *span)]


def _validity_phrase(member: Member, span: tuple[dt.date, dt.date]) -> str:
    starts, ends = member.start > span[0], member.end < span[1]
    if starts and ends:
        return f"từ {day_text(member.start)} đến {day_text(member.end)}"
    if ends:
        return f"đến {day_text(member.end)}"
    if starts:
        return f"từ {day_text(member.start)}"
    return ""


def _change_notes(label: str, members: Iterable[Member], span: tuple[dt.date, dt.date]) -> list[str]:
    """What the page says about units valid in part of the period: never left for the reader to guess."""
    members = list(members)
    last = max((m.end for m in members), default=span[1])
    starts = {m.start for m in members if m.start > span[0]}
    ends = {m.end + dt.timedelta(days=1) for m in members if m.end < last}
    notes = []
    for day in sorted(starts | ends):
        before = day - dt.timedelta(days=1)
        if day in starts and day in ends:
            notes.append(
                f"{label} gồm số liệu của các đơn vị cũ đến {day_text(before)} và các đơn vị mới từ "
                f"{day_text(day)}: số liệu phát sinh trong kỳ (tiền, hiện vật, đất hiến, ngày công, số hộ, "
                "buổi đối thoại, kiến nghị) cộng cả hai phần, không tính trùng; số liệu tại thời điểm cuối "
                "kỳ (số xóm, nhà văn hóa, mô hình, hội viên, xã đạt chuẩn nông thôn mới) tính theo các đơn "
                f"vị có hiệu lực ngày {day_text(last)}."
            )
        elif day in starts:
            notes.append(f"{label}: đơn vị thành lập từ {day_text(day)} có số liệu tính từ ngày đó.")
        else:
            notes.append(
                f"{label}: đơn vị hết hiệu lực từ {day_text(day)} có số liệu tính đến {day_text(before)}."
            )
    if last < span[1]:
        notes.append(
            f"{label}: các đơn vị của báo cáo chỉ có hiệu lực đến {day_text(last)}; số liệu, kể cả số liệu "
            "tại thời điểm cuối kỳ, tính đến ngày đó."
        )
    return notes


def _distinct_labels(
    graph: Lineage, rows: list[PlannedRow], span: tuple[dt.date, dt.date]
) -> list[PlannedRow]:
    """Never the same name twice: a repeated name carries the dates its unit was valid, and where
    that is not enough (two former wards of one name in two districts) the unit above it."""
    dated = []
    counts = Counter(row.label for row in rows)
    for row in rows:
        phrase = _validity_phrase(row.members[0], span) if len(row.members) == 1 else ""
        if counts[row.label] > 1 and phrase:
            row = replace(row, label=f"{row.label} ({phrase})")
        dated.append(row)
    counts = Counter(row.label for row in dated)
    result = []
    for row in dated:
        unit = graph.units.get(row.members[0].id) if len(row.members) == 1 else None
        above = graph.parent(unit) if unit is not None else None
        if counts[row.label] > 1 and above is not None:
            place = display_name(above.kind, above.name)
            label = f"{row.label[:-1]}, {place})" if row.label.endswith(")") else f"{row.label} ({place})"
            row = replace(row, label=label)
        result.append(row)
    return result


def _former_district(graph: Lineage, unit: OrgUnit) -> OrgUnit | None:
    """The district-level unit it stood under, or its predecessors all stood under."""
    parent = graph.parent(unit)
    if parent is not None and UnitKind(parent.kind) in DISTRICT_KINDS:
        return parent
    districts = {
        d.id: d
        for earlier in graph.predecessors(unit)
        if (d := graph.parent(earlier)) is not None and UnitKind(d.kind) in DISTRICT_KINDS
    }
    return next(iter(districts.values())) if len(districts) == 1 else None


def plan_rows(
    session: Session, scope: ReportScope, structure: Structure, *, today: dt.date | None = None
) -> RowPlan:
    """The rows of a summary over the scope's period: by validity, under today's units, or old."""
    period = session.get_one(Period, scope.period_id)
    span = report_span(period)
    graph = Lineage(session)
    units = _base_units(graph, scope, span, structure)
    members = {u.id: _member(u, span) for u in units}
    # States come from the units valid on the last day any of them was (an office abolished
    # mid-period reports its states as they stood on its last day).
    last = max((m.end for m in members.values()), default=span[1])
    members = {i: replace(m, at_end=m.end == last) for i, m in members.items()}
    label = scope.period_label[:1].upper() + scope.period_label[1:]
    notes = _change_notes(label, members.values(), span)
    if span != (period.start, period.end):
        notes.insert(
            0,
            f"Số liệu {scope.period_label} tổng hợp từ các kỳ báo cáo của từng đơn vị từ "
            f"{day_text(span[0])} đến {day_text(span[1])} (kỳ năm không cộng thêm kỳ 6 tháng, quý "
            "nằm trong nó).",
        )
    folded: list[tuple[str, str]] = []
    rows: list[PlannedRow]
    if structure == "moi":
        rows, folded, extra = _rows_under_new_units(graph, units, members, span, today)
        notes += extra
    elif structure == "cu":
        rows = _rows_by_former_district(graph, units, members, span)
        notes.append("Số liệu trình bày theo đơn vị hành chính cũ: xã, thị trấn xếp theo huyện cũ.")
    else:
        rows = _rows_by_validity(units, members, span)
    return RowPlan(span, tuple(_distinct_labels(graph, rows, span)), tuple(notes), tuple(folded))


def _rows_by_validity(
    units: list[OrgUnit], members: dict[int, Member], span: tuple[dt.date, dt.date]
) -> list[PlannedRow]:
    ordered = sorted(units, key=lambda u: (members[u.id].start, members[u.id].end))
    phrases = {u.id: _validity_phrase(members[u.id], span) for u in ordered}
    grouped = len(set(phrases.values())) > 1

    def group(unit: OrgUnit) -> str:
        if not grouped:
            return ""
        phrase = phrases[unit.id]
        m = members[unit.id]
        if not phrase:
            return "Đơn vị có hiệu lực cả kỳ"
        return f"Đơn vị {'cũ' if m.end < span[1] else 'mới'}, có hiệu lực {phrase}"

    return [PlannedRow(u.code, members[u.id].label, u.kind, group(u), (members[u.id],)) for u in ordered]


def _rows_by_former_district(
    graph: Lineage, units: list[OrgUnit], members: dict[int, Member], span: tuple[dt.date, dt.date]
) -> list[PlannedRow]:
    keyed = []
    for unit in units:
        district = _former_district(graph, unit)
        m = members[unit.id]
        if district is not None:
            group = f"{display_name(district.kind, district.name)} (cũ)"
        else:
            group = f"Đơn vị thành lập từ {day_text(m.start)}" if m.start > span[0] else "Đơn vị khác"
        label = m.label
        if m.start > span[0] and district is not None:
            label = f"{label} (từ {day_text(m.start)})"
        keyed.append(
            (
                (district is None, group, m.start, unit.name_folded),
                PlannedRow(unit.code, label, unit.kind, group, (m,)),
            )
        )
    return [row for _, row in sorted(keyed, key=lambda pair: pair[0])]


def _rows_under_new_units(
    graph: Lineage,
    units: list[OrgUnit],
    members: dict[int, Member],
    span: tuple[dt.date, dt.date],
    today: dt.date | None,
) -> tuple[list[PlannedRow], list[tuple[str, str]], list[str]]:
    day = max(span[1], today or dt.date.today())
    targets: dict[int, OrgUnit] = {}
    into: dict[int, list[Member]] = {}
    apart: list[tuple[Member, list[OrgUnit]]] = []
    for unit in units:
        covering = [u for u in graph.covering(unit, day) if UnitKind(u.kind).is_commune_level]
        if len(covering) == 1:
            targets[covering[0].id] = covering[0]
            into.setdefault(covering[0].id, []).append(members[unit.id])
        else:
            apart.append((members[unit.id], covering))
    rows, folded = [], []
    for target in sorted(targets.values(), key=lambda u: u.name_folded):
        parts = sorted(into[target.id], key=lambda m: (m.id != target.id, m.start, m.name))
        label = display_name(target.kind, target.name)
        rows.append(PlannedRow(target.code, label, target.kind, "", tuple(parts)))
        former = [m for m in parts if m.id != target.id]
        if former:
            folded.append(
                (label, ", ".join(f"{m.label} ({_validity_phrase(m, span) or 'cả kỳ'})" for m in former))
            )
    notes = [
        f"Số liệu quy đổi theo đơn vị hành chính mới (có hiệu lực ngày {day_text(day)}): mỗi đơn vị mới "
        "gồm số liệu của chính nó và của các đơn vị cũ đã nhập trọn vào nó."
    ]
    if apart:
        group = "Đơn vị cũ chia về nhiều đơn vị mới (không quy đổi)"
        for m, covering in sorted(apart, key=lambda pair: pair[0].name):
            rows.append(PlannedRow(m.code, m.label, m.kind, group, (m,)))
            if covering:
                names = ", ".join(display_name(u.kind, u.name) for u in covering)
                folded.append((f"{m.label} (chia về nhiều đơn vị)", names))
        notes.append(
            "Đơn vị cũ chia về nhiều đơn vị mới được liệt kê riêng, không cộng vào đơn vị mới nào; "
            "số liệu phát sinh trong kỳ của chúng vẫn có trong dòng cộng toàn bộ."
        )
    return rows, folded, notes


@dataclass(frozen=True)
class Tile:
    period_id: int
    start: dt.date
    end: dt.date


def choose_tiles(
    session: Session, members: list[Member], forms: Iterable[str], period: Period
) -> dict[tuple[int, str], list[Tile]]:
    """Per (unit, form): the periods whose records cover the unit's part of the span, never twice.

    A unit's records for the report's own period are its figures for the part it existed in.
    Without them, a unit covering only part of the period (a reform inside it) or a programme
    phase is tiled from its calendar periods inside its part, longest first (a year before its
    halves and quarters), so nothing is counted twice. A unit valid through a calendar period
    without records for it has none: its halves are not taken for the year.
    """
    from danvan_desktop.db.models import Record

    ids = [m.id for m in members]
    stmt = (
        select(Record.org_unit_id, Record.form_id, Period.id, Period.start, Period.end, Period.kind)
        .join(Period, Period.id == Record.period_id)
        .where(Record.org_unit_id.in_(ids), Record.form_id.in_(list(forms)), Record.deleted.is_(False))
        .distinct()
    )
    found: dict[tuple[int, str], list[tuple[int, dt.date, dt.date, str]]] = {}
    for unit_id, form_id, pid, start, end, kind in session.execute(stmt):
        found.setdefault((unit_id, form_id), []).append((pid, start, end, kind))
    whole = period.kind != PeriodKind.PHASE.value
    tiles: dict[tuple[int, str], list[Tile]] = {}
    for m in members:
        for form_id in forms:
            candidates = found.get((m.id, form_id), [])
            if any(pid == period.id for pid, *_ in candidates):
                tiles[m.id, form_id] = [Tile(period.id, m.start, m.end)]
                continue
            if whole and (m.start, m.end) == (period.start, period.end):
                continue
            tiles[m.id, form_id] = _tile(m, candidates)
    return tiles


def _tile(m: Member, candidates: list[tuple[int, dt.date, dt.date, str]]) -> list[Tile]:
    parts = []
    for pid, start, end, kind in candidates:
        if kind == PeriodKind.PHASE.value:
            continue  # another programme review: its figures overlap the calendar periods
        # A unit's record for a period speaks for the days of it the unit existed in.
        lo = max(start, m.valid_from)
        hi = end if m.valid_to is None else min(end, m.valid_to)
        if m.start <= lo <= hi <= m.end:
            parts.append(Tile(pid, lo, hi))
    parts.sort(key=lambda t: (t.start, -(t.end - t.start).days))
    chosen: list[Tile] = []
    cursor = m.start
    for tile in parts:
        if tile.start >= cursor:
            chosen.append(tile)
            cursor = tile.end + dt.timedelta(days=1)
    return chosen
