"""Project 05 targets assigned per unit and year by the office above, and the plan figures they set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Record, UnitTarget
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.bounds import number_problem
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.values import ValueParseError, coerce_value, format_number, parse_input
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import PERIOD_FLOOR_YEAR, PERIOD_YEARS_AHEAD
from danvan_desktop.text import nfc

INDICATOR_FORM = "chi_tieu_de_an_05"
TARGET_FIELD = "chi_tieu"
NUMBER_FIELD = "so_thu_tu"
TARGET_NOTE = "Chỉ tiêu do cấp trên giao"
ORIGIN_HERE = "tai_cho"  # set by this office for a unit below it
ORIGIN_ABOVE = "cap_tren"  # received from the office above, for this office's own unit
KINDS = {"phan_dau": "Phấn đấu đạt", "khong_che": "Khống chế"}
MAX_INDICATOR = 500  # so_thu_tu's own bound in the form
NAME_MAX, MEASURE_MAX = 500, 50


@dataclass(frozen=True)
class TargetInfo:
    """One target as listed and as sent down (value exact, as text "85.50" in packages)."""

    unit_code: str
    unit_label: str
    year: int
    indicator: int
    name: str
    measure: str
    kind: str
    value: Decimal
    assigned_by: str
    origin: str

    @property
    def value_text(self) -> str:
        return format_number(self.value, 2)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _info(row: UnitTarget, unit: OrgUnit) -> TargetInfo:
    return TargetInfo(
        unit.code,
        unit_label(unit),
        row.year,
        row.indicator,
        row.name,
        row.measure,
        row.kind,
        Decimal(row.value).quantize(Decimal("0.01")),
        row.assigned_by,
        row.origin,
    )


def _is_below(session: Session, unit: OrgUnit, office_id: int) -> bool:
    seen: set[int] = set()
    current = unit.parent_id
    while current is not None and current not in seen:
        if current == office_id:
            return True
        seen.add(current)
        current = session.get_one(OrgUnit, current).parent_id
    return False


def check_target(
    form: FormDef, year: int, indicator: object, value: object, name: str, measure: str, kind: str
) -> tuple[int, Decimal]:
    """The target's fields checked as the indicator form checks them; UserError names what is wrong."""
    last = dt.date.today().year + PERIOD_YEARS_AHEAD
    if not isinstance(year, int) or isinstance(year, bool) or not PERIOD_FLOOR_YEAR <= year <= last:
        raise UserError(f"Năm «{year}» không hợp lệ: phải từ {PERIOD_FLOOR_YEAR} đến {last}.")
    if isinstance(indicator, bool) or not isinstance(indicator, int) or not 1 <= indicator <= MAX_INDICATOR:
        raise UserError(f"Số thứ tự chỉ tiêu «{indicator}» không hợp lệ: phải từ 1 đến {MAX_INDICATOR}.")
    field = form.field(TARGET_FIELD)
    try:
        stored = coerce_value(field, value)
    except ValueParseError as exc:
        raise UserError(f"Chỉ tiêu số {indicator}: {exc}") from exc
    if stored is None or (problem := number_problem(field, stored)):
        raise UserError(f"Chỉ tiêu số {indicator}: {problem or 'chưa có giá trị chỉ tiêu.'}")
    if not name.strip() or len(name) > NAME_MAX:
        raise UserError(f"Chỉ tiêu số {indicator}: tên chỉ tiêu phải có, dài không quá {NAME_MAX} ký tự.")
    if not measure.strip() or len(measure) > MEASURE_MAX:
        raise UserError(f"Chỉ tiêu số {indicator}: đơn vị tính phải có, dài không quá {MEASURE_MAX} ký tự.")
    if kind not in KINDS:
        raise UserError(
            f"Chỉ tiêu số {indicator}: loại chỉ tiêu «{kind}» không hợp lệ (phan_dau, khong_che)."
        )
    number = Decimal(str(stored))
    if measure.strip() == "%" and number > 100:
        raise UserError(f"Chỉ tiêu số {indicator} tính bằng % không được lớn hơn 100.")
    return indicator, number


def _known_indicator(session: Session, indicator: int) -> tuple[str, str, str] | None:
    """Name, measure and kind of an indicator already known here: a target given before, or a record."""
    row = session.scalar(
        select(UnitTarget)
        .where(UnitTarget.indicator == indicator)
        .order_by(UnitTarget.set_at.desc())
        .limit(1)
    )
    if row is not None:
        return row.name, row.measure, row.kind
    for record in session.scalars(
        select(Record).where(Record.form_id == INDICATOR_FORM, Record.deleted.is_(False))
    ):
        values = record.values
        if values.get(NUMBER_FIELD) == indicator and values.get("ten_chi_tieu") and values.get("don_vi_tinh"):
            return (
                str(values["ten_chi_tieu"]),
                str(values["don_vi_tinh"]),
                str(values.get("loai_chi_tieu") or "phan_dau"),
            )
    return None


def set_target(
    session: Session,
    form: FormDef,
    unit_code: str,
    year: int,
    indicator: int,
    value_text: str,
    *,
    name: str | None = None,
    measure: str | None = None,
    kind: str | None = None,
) -> TargetInfo:
    """At the office above: assign (or change) a unit's target; the unit must be below this office."""
    actor = require_in(session, "targets.assign")
    office = load_installation(session)
    unit = find_unit(session, unit_code)
    if not _is_below(session, unit, office.office_unit_id):
        raise UserError(
            f"{unit_label(unit)} ({unit.code}) không trực thuộc {office.office_label}: "
            "không giao chỉ tiêu được."
        )
    known = _known_indicator(session, indicator)
    if known is None and not (name and measure):
        raise UserError(
            f"Chỉ tiêu số {indicator} chưa có ở đây: hãy ghi tên và đơn vị tính (--name, --measure)."
        )
    base = known or ("", "", "phan_dau")
    name, measure, kind = nfc(name or base[0]).strip(), nfc(measure or base[1]).strip(), kind or base[2]
    try:
        typed = parse_input(form.field(TARGET_FIELD), nfc(value_text))
    except ValueParseError as exc:
        raise UserError(str(exc)) from exc
    indicator, number = check_target(form, year, indicator, typed, name, measure, kind)
    row = session.scalar(
        select(UnitTarget).where(
            UnitTarget.org_unit_id == unit.id, UnitTarget.year == year, UnitTarget.indicator == indicator
        )
    )
    if row is None:
        row = UnitTarget(org_unit_id=unit.id, year=year, indicator=indicator)
        session.add(row)
    row.name, row.measure, row.kind, row.value = name, measure, kind, number
    row.assigned_by, row.origin, row.set_at, row.set_by = (
        office.office_code,
        ORIGIN_HERE,
        _now(),
        actor.writer_name,
    )
    session.flush()
    return _info(row, unit)


ReceivedTarget = tuple[int, int, str, str, str, Decimal]  # year, indicator, name, measure, kind, value


def store_received_targets(
    session: Session, unit_id: int, targets: Sequence[ReceivedTarget], assigned_by: str, set_by: str
) -> None:
    """At the unit: keep the (checked) targets its office above assigned to it; later ones replace."""
    existing = {
        (r.year, r.indicator): r
        for r in session.scalars(select(UnitTarget).where(UnitTarget.org_unit_id == unit_id))
    }
    for year, indicator, name, measure, kind, value in targets:
        row = existing.get((year, indicator))
        if row is None:
            row = UnitTarget(org_unit_id=unit_id, year=year, indicator=indicator)
            session.add(row)
        row.name, row.measure, row.kind, row.value = name, measure, kind, value
        row.assigned_by, row.origin, row.set_at, row.set_by = assigned_by, ORIGIN_ABOVE, _now(), set_by
    session.flush()


def list_targets(session: Session, unit_code: str | None = None, year: int | None = None) -> list[TargetInfo]:
    stmt = select(UnitTarget, OrgUnit).join(OrgUnit, OrgUnit.id == UnitTarget.org_unit_id)
    if unit_code is not None:
        stmt = stmt.where(UnitTarget.org_unit_id == find_unit(session, unit_code).id)
    if year is not None:
        stmt = stmt.where(UnitTarget.year == year)
    rows = session.execute(stmt.order_by(OrgUnit.code, UnitTarget.year, UnitTarget.indicator)).all()
    return [_info(row, unit) for row, unit in rows]


def assigned_targets(session: Session, unit_id: int, start: dt.date, end: dt.date) -> dict[int, float]:
    """Indicator number -> plan figure for a period within one year; {} for a period spanning years."""
    if start.year != end.year:
        return {}  # a programme phase (2021-2025) is judged on its own figures, not one year's
    rows = session.scalars(
        select(UnitTarget).where(UnitTarget.org_unit_id == unit_id, UnitTarget.year == start.year)
    )
    return {row.indicator: float(row.value) for row in rows}


def target_of(values: Mapping[str, object], targets: Mapping[int, float]) -> float | None:
    """The assigned plan figure of an indicator record (matched by its number), else None."""
    number = values.get(NUMBER_FIELD)
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    return targets.get(number)


def with_targets(values: Mapping[str, object], targets: Mapping[int, float]) -> dict[str, object]:
    """`values` with the assigned plan figure in place of whatever was typed: entry cannot change it."""
    target = target_of(values, targets)
    return dict(values) if target is None else {**values, TARGET_FIELD: target}
