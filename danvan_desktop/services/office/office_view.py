"""What the main window shows of an office: identity, periods, the dated unit tree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.installation import InstallationInfo, load_installation
from danvan_desktop.services.office.orgunits import dated_subtree, is_valid_during, unit_label
from danvan_desktop.services.office.periods import PeriodInfo, list_periods
from danvan_desktop.services.office.settings import get_setting, set_setting

PERIOD_SETTING = "ui.period"


@dataclass(frozen=True)
class OfficeSpan:
    """The office's unit and its validity: which periods it can work in."""

    label: str
    code: str
    valid_from: dt.date
    valid_to: dt.date | None

    def covers(self, period: PeriodInfo) -> bool:
        return is_valid_during(self, period.start, period.end)


@dataclass(frozen=True)
class OfficeSnapshot:
    """Everything the main window needs to draw itself, read in one go off the UI thread."""

    installation: InstallationInfo
    periods: list[PeriodInfo]
    period: PeriodInfo | None
    tree: UnitNode | None
    forms: dict[str, FormDef]
    office: OfficeSpan | None = None


def choose_period(
    periods: list[PeriodInfo], saved: str | None, current_year: int, office: OfficeSpan | None = None
) -> PeriodInfo | None:
    """The period last worked on, else the current year, else the newest one: each only if the
    office's unit existed in it. An abolished commune opens on its last half-year, not on a
    year it has no tree in; `periods` is newest first (list_periods)."""
    usable = [p for p in periods if office is None or office.covers(p)]
    by_code = {p.code: p for p in usable}
    for code in (saved, str(current_year)):
        if code in by_code:
            return by_code[code]
    if office is not None and office.valid_to is not None:
        # The newest period lying wholly in its time (2025-H1), before one it only touches (2025).
        whole = [p for p in usable if p.end <= office.valid_to]
        if whole:
            return max(whole, key=lambda p: p.end)  # max keeps the first of equals: a half before a quarter
    if usable:
        return usable[0]
    return periods[0] if periods else None


def office_span(unit: OrgUnit) -> OfficeSpan:
    return OfficeSpan(unit_label(unit), unit.code, unit.valid_from, unit.valid_to)


def load_office_snapshot(db: Database, current_year: int) -> OfficeSnapshot:
    with db.session() as session:
        installation = load_installation(session)
        periods = list_periods(session)
        office = office_span(session.get_one(OrgUnit, installation.office_unit_id))
        period = choose_period(periods, get_setting(session, PERIOD_SETTING), current_year, office)
        tree = (
            dated_subtree(session, installation.office_unit_id, period.start, period.end) if period else None
        )
        forms = forms_in_force(session)  # pushed from above or published here, over the shipped files
    return OfficeSnapshot(installation, periods, period, tree, forms, office)


def unit_tree(db: Database, office_unit_id: int, period: PeriodInfo) -> UnitNode | None:
    with db.session() as session:
        return dated_subtree(session, office_unit_id, period.start, period.end)


def lock_unit_period(db: Database, unit_id: int, period: PeriodInfo, user: str, note: str) -> None:
    from danvan_desktop.services.entry.locking import lock_period

    with db.transaction() as session:
        lock_period(session, unit_id, period.id, user=user, note=note)


def reopen_unit_period(db: Database, unit_id: int, period: PeriodInfo, user: str, reason: str) -> None:
    from danvan_desktop.services.entry.locking import reopen_period

    with db.transaction() as session:
        reopen_period(session, unit_id, period.id, user=user, reason=reason)


def is_locked(db: Database, unit_id: int, period: PeriodInfo) -> bool:
    from danvan_desktop.services.entry.locking import get_lock

    with db.session() as session:
        return get_lock(session, unit_id, period.id) is not None


def user_name(db: Database) -> str:
    from danvan_desktop.services.entry.entry import current_writer

    with db.session() as session:
        return current_writer(session, "").user


def remember_period(db: Database, period: PeriodInfo) -> None:
    with db.transaction() as session:
        set_setting(session, PERIOD_SETTING, period.code)
