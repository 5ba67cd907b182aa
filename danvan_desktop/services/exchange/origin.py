"""Origin binding: a site speaks only for its own unit and the units under it, judged per period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import display_name
from danvan_desktop.catalog.periods import parse_period_code
from danvan_desktop.db.models import OrgUnit, Period, UnitLineage
from danvan_desktop.errors import UserError
from danvan_desktop.services.office.orgunits import is_valid_during
from danvan_desktop.transport.schema import PackageRecord

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class _Unit:
    id: int
    code: str
    kind: str
    name: str
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    @property
    def label(self) -> str:
        return display_name(self.kind, self.name)


@dataclass
class Hierarchy:
    """The dated unit tree and its lineage, loaded once for a whole package."""

    units: dict[str, _Unit]
    by_id: dict[int, _Unit]
    merged_into: dict[int, list[tuple[int, dt.date]]]  # predecessor -> [(successor, effective)]
    periods: dict[str, Span]
    _cache: dict[tuple[str, str, str], bool | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Hierarchy:
        # Plain rows, not ORM objects: a province's catalog has thousands of units, read per package.
        columns = (OrgUnit.id, OrgUnit.code, OrgUnit.kind, OrgUnit.name, OrgUnit.parent_id)
        rows = session.execute(select(*columns, OrgUnit.valid_from, OrgUnit.valid_to))
        units = {row.code: _Unit(*row) for row in rows}
        merged_into: dict[int, list[tuple[int, dt.date]]] = {}
        for link in session.scalars(select(UnitLineage)):
            merged_into.setdefault(link.from_unit_id, []).append((link.to_unit_id, link.effective))
        periods = {p.code: (p.start, p.end) for p in session.scalars(select(Period))}
        return cls(units, {u.id: u for u in units.values()}, merged_into, periods)

    def label(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.label if unit is not None else f"đơn vị «{code}»"

    def span(self, period_code: str) -> Span | None:
        if period_code not in self.periods:
            try:
                spec = parse_period_code(period_code)
            except UserError:
                return None
            self.periods[period_code] = (spec.start, spec.end)
        return self.periods[period_code]

    def is_under(self, code: str, office_code: str, period_code: str) -> bool | None:
        """Whether unit `code` is the office's own or under it for that period; None: cannot judge.

        A child counts under its parent only while the child exists in the period; a unit merged
        into another counts under its successor only for periods that began before the merge (its
        own history), never for later ones.
        """
        key = (code, office_code, period_code)
        if key not in self._cache:
            self._cache[key] = self._judge(code, office_code, period_code)
        return self._cache[key]

    def _judge(self, code: str, office_code: str, period_code: str) -> bool | None:
        if code == office_code:
            return True
        unit, office, span = self.units.get(code), self.units.get(office_code), self.span(period_code)
        if unit is None or office is None or span is None:
            return None  # unknown unit or period: the merge rejects that record by itself
        seen: set[int] = set()
        queue = [unit]
        while queue:
            current = queue.pop()
            if current.id == office.id:
                return True
            if current.id in seen:
                continue
            seen.add(current.id)
            if current.parent_id is not None and is_valid_during(current, *span):
                queue.append(self.by_id[current.parent_id])
            for successor, effective in self.merged_into.get(current.id, []):
                if span[0] < effective:
                    queue.append(self.by_id[successor])
        return False


class ForeignOriginError(UserError):
    """A package speaking for a unit its site was not trusted for: refused whole, kept in the ledger."""

    kind = "origin"


def foreign_records(
    hierarchy: Hierarchy, office_code: str, records: Iterable[PackageRecord]
) -> list[PackageRecord]:
    """Records (tombstones included) whose unit is neither the office's own nor under it in their period."""
    return [r for r in records if hierarchy.is_under(r.unit_code, office_code, r.period_code) is False]


def check_origin(
    session: Session,
    *,
    file_name: str,
    trusted_office: str | None,
    manifest_office: str,
    records: Iterable[PackageRecord],
) -> None:
    """Raise ForeignOriginError unless the manifest and every record belong to the sending site.

    `trusted_office` is the unit the site was accepted for; None when a person is accepting the
    site now, having read the claimed unit with the fingerprint. Records outside the receiving
    office are the merge's to reject one by one (a misdirected package), not a forgery signal.
    """
    hierarchy = Hierarchy.load(session)
    claimed = hierarchy.label(manifest_office)
    if trusted_office is not None and manifest_office != trusted_office:
        raise ForeignOriginError(
            f"Gói {file_name} ghi là của {claimed}, nhưng khóa ký của nó đã được chấp nhận cho "
            f"{hierarchy.label(trusted_office)}. Một đơn vị chỉ được gửi số liệu của chính mình: "
            "đã từ chối cả gói, không lưu gì. Hãy báo cho quản trị viên.",
            detail=f"manifest office_unit {manifest_office!r} != trusted {trusted_office!r}",
        )
    trusted = trusted_office or manifest_office
    foreign = foreign_records(hierarchy, trusted, records)
    if foreign:
        first = foreign[0]
        units = sorted({r.unit_code for r in foreign})
        names = ", ".join(hierarchy.label(code) for code in units[:5]) + ("…" if len(units) > 5 else "")
        raise ForeignOriginError(
            f"Gói {file_name} của {hierarchy.label(trusted)} chứa {len(foreign)} bản ghi của đơn vị "
            f"không thuộc {hierarchy.label(trusted)}: {names} (ví dụ bản ghi {first.id}, kỳ "
            f"{first.period_code}). Một đơn vị chỉ được gửi số liệu của chính mình và các đơn vị trực "
            "thuộc: đã từ chối cả gói, không lưu gì. Hãy báo cho quản trị viên.",
            detail=f"{len(foreign)} records of units {units[:20]} not under {trusted!r}",
        )
