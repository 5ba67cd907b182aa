"""Project 05 indicators (chi_tieu_de_an_05 records) and new-rural progress over the years, for returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.models import Period, Record
from danvan_desktop.reports.model import IndicatorRow
from danvan_desktop.services.office.orgunits import dated_subtree
from danvan_desktop.services.reporting.common import NTM_MET, form_values
from danvan_desktop.text import fold, nfc

INDICATOR_FORM = "chi_tieu_de_an_05"
SHARE_UNIT = "%"  # a share is never summed across units


def _number(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def indicator_key(values: Mapping[str, Any]) -> tuple[str, str]:
    """The same indicator in every unit's records: its name and unit, accents and case aside."""
    return fold(str(values.get("ten_chi_tieu", ""))).strip(), fold(str(values.get("don_vi_tinh", ""))).strip()


def indicator_row(values: Mapping[str, Any]) -> IndicatorRow:
    number = values.get("so_thu_tu")
    return IndicatorRow(
        number=number if isinstance(number, int) and not isinstance(number, bool) else None,
        name=nfc(str(values.get("ten_chi_tieu", ""))),
        unit=nfc(str(values.get("don_vi_tinh", ""))),
        target=_number(values, "chi_tieu"),
        result=_number(values, "ket_qua"),
        restrictive=values.get("loai_chi_tieu") == "khong_che",
    )


def _ordered(rows: Iterable[IndicatorRow]) -> tuple[IndicatorRow, ...]:
    listed = list(rows)
    return tuple(sorted(listed, key=lambda r: (r.number is None, r.number or 0, listed.index(r))))


def unit_indicators(session: Session, unit_id: int, period_id: int) -> tuple[IndicatorRow, ...]:
    """A unit's own indicators for the period, in the project's order."""
    return _ordered(indicator_row(v) for _, v in form_values(session, INDICATOR_FORM, [unit_id], period_id))


def office_indicators(
    session: Session, office_id: int, unit_ids: Sequence[int], period_id: int
) -> tuple[IndicatorRow, ...]:
    """The office's indicators with how many units below reached each; without its own records, the
    units' indicators put together (counts summed, shares left unsummed)."""
    below: dict[tuple[str, str], list[IndicatorRow]] = {}
    first: dict[tuple[str, str], Mapping[str, Any]] = {}
    for _unit, values in form_values(session, INDICATOR_FORM, unit_ids, period_id):
        key = indicator_key(values)
        below.setdefault(key, []).append(indicator_row(values))
        first.setdefault(key, values)

    def reached(key: tuple[str, str]) -> tuple[int, int] | None:
        rows = [r for r in below.get(key, []) if r.reached is not None]
        return (sum(1 for r in rows if r.reached), len(rows)) if rows else None

    own = form_values(session, INDICATOR_FORM, [office_id], period_id)
    if own:
        return _ordered(_with_reached(indicator_row(v), reached(indicator_key(v))) for _, v in own)
    combined = []
    for key, rows in below.items():
        row = indicator_row(first[key])
        if row.unit.strip() == SHARE_UNIT:
            target = result = None
        else:
            target = _sum(r.target for r in rows)
            result = _sum(r.result for r in rows)
        combined.append(
            IndicatorRow(row.number, row.name, row.unit, target, result, row.restrictive, reached(key))
        )
    return _ordered(combined)


def _with_reached(row: IndicatorRow, reached: tuple[int, int] | None) -> IndicatorRow:
    return IndicatorRow(row.number, row.name, row.unit, row.target, row.result, row.restrictive, reached)


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _year_periods(session: Session, last_year: int) -> list[Period]:
    """The year periods up to `last_year` that hold any NTM record: the others need no tree built."""
    used = select(Record.period_id).where(Record.form_id == "tien_do_ntm", Record.deleted.is_(False))
    stmt = select(Period).where(Period.kind == "year", Period.id.in_(used.distinct())).order_by(Period.start)
    return [p for p in session.scalars(stmt) if p.start.year <= last_year]


def ntm_by_year(session: Session, root_id: int, last_year: int) -> tuple[tuple[str, int, int], ...]:
    """(year, xã meeting the new-rural standard, xã that reported) for each year up to `last_year` with
    reports: xã under the root in that year, from their year records of the NTM form."""
    found = []
    for period in _year_periods(session, last_year):
        tree = dated_subtree(session, root_id, period.start, period.end)
        xa = [n.id for n in tree.walk() if UnitKind(n.kind) == UnitKind.XA] if tree else []
        if not xa:
            continue
        levels = [v.get("muc_dat") for _, v in form_values(session, "tien_do_ntm", xa, period.id)]
        if levels:
            found.append((str(period.start.year), sum(1 for lv in levels if lv in NTM_MET), len(levels)))
    return tuple(found)


def criteria_by_year(session: Session, unit_id: int, last_year: int) -> tuple[tuple[str, float], ...]:
    """(year, criteria met) of one xã, from its year records of the NTM form."""
    found = []
    for period in _year_periods(session, last_year):
        rows = form_values(session, "tien_do_ntm", [unit_id], period.id)
        met = [v.get("so_tieu_chi_dat") for _, v in rows]
        if met and isinstance(met[0], int):
            found.append((str(period.start.year), float(met[0])))
    return tuple(found)
