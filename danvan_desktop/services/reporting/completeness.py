"""Which units have sent which forms for which periods: received, missing, late, in conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import Period, ReceivedPackage, Record, RecordConflict
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.orgunits import dated_subtree
from danvan_desktop.services.reporting.received_cells import received_cells

CellStatus = Literal["received", "missing", "late", "conflict", "not_due", "not_applicable"]
# Statuses that ask nothing of the unit: the form is not its to fill, or not due for this period.
NOT_EXPECTED: frozenset[str] = frozenset({"not_due", "not_applicable"})

GRACE_DAYS = 15  # after the end of a period, a missing return counts as late

STATUS_LABELS: dict[str, str] = {
    "received": "Đã nhận",
    "missing": "Chưa có",
    "late": "Trễ hạn",
    "conflict": "Xung đột",
    "not_due": "Không phải gửi kỳ này",
    "not_applicable": "Không áp dụng",
}


@dataclass(frozen=True)
class LastPackage:
    """The newest package the office received from a unit (times are naive UTC)."""

    sequence: int
    received_at: dt.datetime
    file_name: str
    record_count: int


@dataclass
class UnitRow:
    """One unit in one period: a status per form."""

    unit_id: int
    unit_code: str
    unit_label: str
    is_office: bool
    cells: dict[str, CellStatus] = field(default_factory=dict)  # form id -> status
    reviews: dict[str, str] = field(default_factory=dict)  # form id -> the return's review state (issue 14)
    last_package: LastPackage | None = None

    def expected(self) -> bool:
        """Whether the unit has at least one form to send."""
        return any(s not in NOT_EXPECTED for s in self.cells.values())

    def complete(self) -> bool:
        """Every form it has to send is there (a conflict still means it was sent)."""
        return self.expected() and all(
            s in ("received", "conflict") or s in NOT_EXPECTED for s in self.cells.values()
        )


@dataclass
class PeriodCompleteness:
    period_id: int
    period_code: str
    period_label: str
    period_end: dt.date
    rows: list[UnitRow]
    period_kind: str = "year"

    def reporting_rows(self) -> list[UnitRow]:
        """The units expected to send: those below the office, or the office itself when alone."""
        below = [r for r in self.rows if not r.is_office and r.expected()]
        return below or [r for r in self.rows if r.expected()]

    def summary(self) -> tuple[int, int]:
        """(units that sent every form, units expected to send)."""
        rows = self.reporting_rows()
        return sum(r.complete() for r in rows), len(rows)

    def due_forms(self, form_ids: Sequence[str]) -> list[str]:
        """The forms some unit owes (or sent anyway) for this period: the columns worth showing."""
        return [f for f in form_ids if any(r.cells.get(f) not in NOT_EXPECTED for r in self.rows)]

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            for status in row.cells.values():
                tally[status] += 1
        return tally


@dataclass
class CompletenessTable:
    form_ids: list[str]
    periods: list[PeriodCompleteness]

    def period(self, period_id: int) -> PeriodCompleteness:
        for period in self.periods:
            if period.period_id == period_id:
                return period
        raise KeyError(period_id)

    def status(self, unit_code: str, period_id: int, form_id: str) -> CellStatus:
        for row in self.period(period_id).rows:
            if row.unit_code == unit_code:
                return row.cells[form_id]
        raise KeyError(unit_code)


def form_applies(form: FormDef | None, kind: str) -> bool:
    """Whether a unit of `kind` fills in the form; a form this office does not know: any non-village."""
    return form.applies_to(kind) if form is not None else not UnitKind(kind).is_village_level


def form_due(form: FormDef | None, period_kind: str) -> bool:
    """Whether the form is due for a period of this kind; a form this office does not know: always."""
    return form.due_for(period_kind) if form is not None else True


def cell_status(
    form: FormDef | None, kind: str, period_kind: str, *, present: bool, disputed: bool, overdue: bool
) -> CellStatus:
    """One cell: whether the unit owes the form for the period, and if so whether it is there."""
    if not form_applies(form, kind):
        return "not_applicable"
    if disputed:  # sent, whatever the periodicity says: a conflict waits for a person
        return "conflict"
    if present:
        return "received"
    if not form_due(form, period_kind):
        return "not_due"
    return "late" if overdue else "missing"


def _rows_for(tree: UnitNode) -> list[UnitNode]:
    """The office first, then the commune-level units below it in the tree's order."""
    below = [n for n in tree.walk()[1:] if UnitKind(n.kind).is_commune_level]
    return [tree, *below]


def last_packages(session: Session) -> dict[str, LastPackage]:
    """The newest received package per sending office unit code."""
    newest: dict[str, LastPackage] = {}
    columns = (
        ReceivedPackage.office_unit_code,
        ReceivedPackage.sequence,
        ReceivedPackage.received_at,
        ReceivedPackage.file_name,
        ReceivedPackage.record_count,
    )
    # Columns, not rows: a province has received hundreds of packages and the home page asks each time.
    for code, sequence, received_at, file_name, count in session.execute(
        select(*columns).order_by(ReceivedPackage.received_at)
    ):
        newest[code] = LastPackage(sequence, received_at, file_name, count)
    return newest


def completeness(
    session: Session,
    office_unit_id: int,
    period_ids: Sequence[int],
    form_ids: Sequence[str],
    today: dt.date,
    *,
    grace_days: int = GRACE_DAYS,
    trees: Mapping[int, UnitNode | None] | None = None,
) -> CompletenessTable:
    """The units × forms table for each period; periods the office did not exist in have no rows."""
    forms = forms_in_force(session)
    periods = [session.get_one(Period, pid) for pid in period_ids]
    cell = (Record.org_unit_id, Record.period_id, Record.form_id)
    # Plain rows through the connection: the ORM's result machinery costs more than the query here.
    connection = session.connection()
    waiting = (
        select(*cell)
        .join(RecordConflict, RecordConflict.record_id == Record.id)
        .where(RecordConflict.resolved_at.is_(None), Record.period_id.in_(period_ids))
    )
    # Most offices have no conflict waiting: asked first, so the join (which SQLite drives from the
    # period's records, record ids being text) runs only when one is.
    open_conflict = select(RecordConflict.id).where(RecordConflict.resolved_at.is_(None)).limit(1)
    any_waiting = connection.execute(open_conflict).first() is not None
    disputed = {tuple(r) for r in connection.execute(waiting.distinct()).all()} if any_waiting else set()
    packages = last_packages(session)
    from danvan_desktop.services.review.listing import review_states

    result = []
    for period in periods:
        period_id, period_kind = period.id, period.kind
        reviews = review_states(session, period_id)
        # A caller holding the dated tree already (the home page) passes it: loading every unit
        # again is most of the cost of a one-period table.
        if trees is not None and period_id in trees:
            tree = trees[period_id]
        else:
            tree = dated_subtree(session, office_unit_id, period.start, period.end)
        overdue = (today - period.end).days > grace_days
        # A cell's status depends on the form, the unit's kind and what was received: worked out
        # once per combination (a province has a hundred units of a handful of kinds).
        statuses: dict[tuple[str, str, bool, bool], CellStatus] = {}
        nodes = _rows_for(tree) if tree else []
        present = received_cells(connection, [n.id for n in nodes], form_ids, period_id)
        rows = []
        for node in nodes:
            row = UnitRow(
                node.id, node.code, node.display, node is tree, last_package=packages.get(node.code)
            )
            for form_id in form_ids:
                key = (node.id, period_id, form_id)
                situation = (form_id, node.kind, (node.id, form_id) in present, key in disputed)
                status = statuses.get(situation)
                if status is None:
                    status = statuses[situation] = cell_status(
                        forms.get(form_id),
                        node.kind,
                        period_kind,
                        present=situation[2],
                        disputed=situation[3],
                        overdue=overdue,
                    )
                row.cells[form_id] = status
                if (node.id, form_id) in reviews:
                    row.reviews[form_id] = reviews[node.id, form_id]
            rows.append(row)
        result.append(PeriodCompleteness(period_id, period.code, period.label, period.end, rows, period_kind))
    return CompletenessTable(list(form_ids), result)
