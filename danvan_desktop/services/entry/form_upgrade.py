"""Records entered under an older form version, read with the version in force: what they now break."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, Record
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.validate import clean_and_validate
from danvan_desktop.services.entry.entry import FormContext, form_context
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.orgunits import unit_label


@dataclass(frozen=True)
class RuleBreak:
    """A stored record that a newer version's rules or fields no longer accept: listed, never rejected."""

    record_id: str
    form_id: str
    form_title: str
    record_version: int  # the version it was entered under
    form_version: int  # the version in force
    unit_code: str
    unit_label: str
    period_code: str
    period_label: str
    title: str  # the record's own name (register forms), else ""
    messages: tuple[str, ...]


def records_breaking_rules(
    session: Session, form_id: str | None = None, unit_code: str | None = None
) -> list[RuleBreak]:
    """Records of an older version than the one in force whose values break its errors (not warnings).

    Nothing is changed: the clerk opens each record, fixes it and saves it under the new version.
    """
    forms = forms_in_force(session)
    stmt = select(Record).where(Record.deleted.is_(False)).order_by(Record.form_id, Record.created_at)
    if form_id is not None:
        stmt = stmt.where(Record.form_id == form_id)
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    periods = {p.id: p for p in session.scalars(select(Period))}
    contexts: dict[tuple[str, int, int], FormContext] = {}
    found: list[RuleBreak] = []
    for record in session.scalars(stmt):
        form = forms.get(record.form_id)
        unit, period = units[record.org_unit_id], periods[record.period_id]
        if form is None or record.form_version >= form.version:
            continue
        if unit_code is not None and unit.code != unit_code.strip().upper():
            continue
        key = (form.id, unit.id, period.id)
        if key not in contexts:
            contexts[key] = form_context(session, form, unit.id, period)
        _, issues = clean_and_validate(form, record.values, contexts[key].validation)
        errors = tuple(dict.fromkeys(i.message for i in issues if i.severity == "error"))
        if errors:
            found.append(_rule_break(record, form, unit, period, errors))
    return found


def _rule_break(
    record: Record, form: FormDef, unit: OrgUnit, period: Period, errors: tuple[str, ...]
) -> RuleBreak:
    title = str(record.values.get(form.record_title) or "") if form.record_title else ""
    return RuleBreak(
        record_id=record.id,
        form_id=form.id,
        form_title=form.title,
        record_version=record.form_version,
        form_version=form.version,
        unit_code=unit.code,
        unit_label=unit_label(unit),
        period_code=period.code,
        period_label=period.label,
        title=title,
        messages=errors,
    )
