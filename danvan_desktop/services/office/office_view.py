"""What the main window shows of an office: identity, periods, the dated unit tree."""

from __future__ import annotations

from dataclasses import dataclass

from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.installation import InstallationInfo, load_installation
from danvan_desktop.services.office.orgunits import dated_subtree
from danvan_desktop.services.office.periods import PeriodInfo, list_periods
from danvan_desktop.services.office.settings import get_setting, set_setting

PERIOD_SETTING = "ui.period"


@dataclass(frozen=True)
class OfficeSnapshot:
    """Everything the main window needs to draw itself, read in one go off the UI thread."""

    installation: InstallationInfo
    periods: list[PeriodInfo]
    period: PeriodInfo | None
    tree: UnitNode | None
    forms: dict[str, FormDef]


def choose_period(periods: list[PeriodInfo], saved: str | None, current_year: int) -> PeriodInfo | None:
    """The period last worked on, else the current year, else the newest one."""
    by_code = {p.code: p for p in periods}
    for code in (saved, str(current_year)):
        if code in by_code:
            return by_code[code]
    return periods[0] if periods else None


def load_office_snapshot(db: Database, current_year: int) -> OfficeSnapshot:
    with db.session() as session:
        installation = load_installation(session)
        periods = list_periods(session)
        period = choose_period(periods, get_setting(session, PERIOD_SETTING), current_year)
        tree = (
            dated_subtree(session, installation.office_unit_id, period.start, period.end) if period else None
        )
    return OfficeSnapshot(installation, periods, period, tree, form_registry())


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
