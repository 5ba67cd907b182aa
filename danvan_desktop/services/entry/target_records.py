"""Targets from above become the plan figure (chi_tieu) of the unit's Project 05 indicator records."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Period, PeriodLock, Record, UnitTarget
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.validate import clean_and_validate
from danvan_desktop.services.entry import records
from danvan_desktop.services.entry.entry import Writer, form_context, search_text
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.targets import NUMBER_FIELD, TARGET_FIELD


@dataclass
class TargetFill:
    """What applying a unit's targets for a year changed in its records."""

    created: int = 0
    updated: int = 0
    locked: list[str] = field(default_factory=list)  # periods left as they are: submitted (chốt)
    refused: list[str] = field(default_factory=list)  # records the new figure would make invalid

    def summary_vi(self) -> str:
        text = f"{self.created} chỉ tiêu mới, {self.updated} chỉ tiêu cập nhật"
        if self.locked:
            text += "; kỳ đã chốt, chưa cập nhật: " + ", ".join(self.locked)
        if self.refused:
            text += "; chưa cập nhật được: " + "; ".join(self.refused)
        return text


def fill_target_records(
    session: Session, form: FormDef, unit_id: int, year: int, writer: Writer
) -> TargetFill:
    """Set chi_tieu of every indicator record of `unit_id` in the periods of `year`; create in the year.

    A period within the year (year, 9 months, halves, quarters) takes the year's figure; a programme
    phase spanning years is left alone. A submitted period is not touched (listed in the summary):
    entry applies the figure when the period is reopened and the record saved.
    """
    fill = TargetFill()
    targets = list(
        session.scalars(select(UnitTarget).where(UnitTarget.org_unit_id == unit_id, UnitTarget.year == year))
    )
    if not targets:
        return fill
    year_period = get_period(session, str(year))
    stored = session.scalars(
        select(Record).where(
            Record.form_id == form.id, Record.org_unit_id == unit_id, Record.deleted.is_(False)
        )
    ).all()
    periods = {p.id: p for p in session.scalars(select(Period)) if p.start.year == p.end.year == year}
    locks = set(session.scalars(select(PeriodLock.period_id).where(PeriodLock.org_unit_id == unit_id)))
    by_period: dict[int, list[Record]] = {year_period.id: []}
    for kept in stored:
        if kept.period_id in periods:
            by_period.setdefault(kept.period_id, []).append(kept)
    for period_id, period_records in sorted(by_period.items()):
        period = periods[period_id]
        if period_id in locks:
            fill.locked.append(period.label)
            continue
        context = form_context(session, form, unit_id, period)
        numbered: dict[object, Record] = {r.values.get(NUMBER_FIELD): r for r in period_records}
        for target in targets:
            figure = float(target.value)
            record: Record | None = numbered.get(target.indicator)
            if record is None and period_id != year_period.id:
                continue  # indicator records are created in the year's period only
            if record is None:
                values: dict[str, object] = {
                    NUMBER_FIELD: target.indicator,
                    "ten_chi_tieu": target.name,
                    "don_vi_tinh": target.measure,
                    "loai_chi_tieu": target.kind,
                    TARGET_FIELD: figure,
                }
            elif record.values.get(TARGET_FIELD) == figure:
                continue
            else:
                values = {**record.values, TARGET_FIELD: figure}
            cleaned, issues = clean_and_validate(form, values, context.validation)
            errors = [i.message for i in issues if i.severity == "error"]
            if errors:
                fill.refused.append(f"chỉ tiêu số {target.indicator}, {period.label}: {errors[0]}")
                continue
            text = search_text(form, cleaned, context)
            if record is None:
                records.create_record(
                    session,
                    site_id=writer.site_id,
                    user=writer.user,
                    form_id=form.id,
                    form_version=form.version,
                    org_unit_id=unit_id,
                    period_id=period_id,
                    values=cleaned,
                    search_text=text,
                    user_name=writer.name,
                )
                fill.created += 1
            else:
                records.update_record(
                    session,
                    record,
                    site_id=writer.site_id,
                    user=writer.user,
                    values=cleaned,
                    form_version=form.version,
                    search_text=text,
                    user_name=writer.name,
                )
                fill.updated += 1
    return fill
