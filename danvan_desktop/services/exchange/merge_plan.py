"""Classifying incoming records against the database: new, updated, unchanged, stale, conflict, rejected."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, PeriodLock, Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.validate import clean_and_validate
from danvan_desktop.services.entry.entry import (
    FieldChange,
    FormContext,
    form_context,
    search_text,
    value_changes,
)
from danvan_desktop.services.exchange.package_records import office_unit_limits
from danvan_desktop.services.exchange.record_bounds import record_problem, values_problem
from danvan_desktop.services.exchange.vectors import compare
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.services.office.periods import allowed_period_spec
from danvan_desktop.services.office.validity import unit_period_problem
from danvan_desktop.transport.schema import PackageRecord

Outcome = Literal["new", "updated", "unchanged", "stale", "conflict", "rejected"]

OUTCOME_LABELS: dict[str, str] = {
    "new": "mới",
    "updated": "cập nhật",
    "unchanged": "không đổi",
    "stale": "cũ hơn bản đang có (bỏ qua)",
    "conflict": "xung đột, chờ quyết định",
    "rejected": "bị từ chối",
}


@dataclass
class RecordResult:
    """What will happen (or happened) to one incoming record, and why."""

    incoming: PackageRecord = field(repr=False)
    outcome: Outcome
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    unit_id: int | None = None
    merge_vector: bool = False  # same content edited on both sides: only the vector changes
    search_text: str = ""  # of a new or updated record: what apply_plan stores with it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.incoming.id,
            "form_id": self.incoming.form_id,
            "unit_code": self.incoming.unit_code,
            "period_code": self.incoming.period_code,
            "outcome": self.outcome,
            "reason": self.reason,
            "changes": [{"field": c.label, "old": c.old, "new": c.new} for c in self.changes],
        }


@dataclass
class MergePlan:
    results: list[RecordResult]

    def changes_records(self) -> bool:
        return any(r.outcome in ("new", "updated", "conflict") or r.merge_vector for r in self.results)

    def by_form_and_unit(self) -> dict[tuple[str, str], Counter[str]]:
        table: dict[tuple[str, str], Counter[str]] = {}
        for result in self.results:
            key = (result.incoming.form_id, result.incoming.unit_code)
            table.setdefault(key, Counter())[result.outcome] += 1
        return table


@dataclass(frozen=True)
class _Gate:
    """What the records of one form, unit and period share: a refusal of them all, or what they need."""

    refusal: str  # refused whatever the record: form, unit, kind of unit or period unknown here
    form: FormDef | None = None
    unit: OrgUnit | None = None
    period: Period | None = None
    validity: str = ""  # the unit did not exist in the period (a tombstone may still retire a copy)
    after_merge: str = ""  # the unit was merged into another before the period began
    locked: bool = False  # the unit's period is locked


class _Planner:
    def __init__(self, session: Session, office_unit_id: int) -> None:
        self.session = session
        self.forms = forms_in_force(session)  # a version pushed from above validates as the shipped one
        self.limits = office_unit_limits(session, office_unit_id)
        # Only the office's units as objects: the whole catalog (a province's thousands) read as ORM
        # objects for every package cost more than classifying its records.
        scope = (
            select(OrgUnit).where(OrgUnit.id.in_(list(self.limits)))
            if len(self.limits) < 5000
            else select(OrgUnit)
        )
        self.units = {u.code: u for u in session.scalars(scope) if u.id in self.limits}
        self.known_units = set(session.scalars(select(OrgUnit.code)))
        self.periods = {p.code: p for p in session.scalars(select(Period))}
        self.locks = set(session.execute(select(PeriodLock.org_unit_id, PeriodLock.period_id)))
        self.contexts: dict[tuple[str, int, str], FormContext] = {}  # by form id, unit id, period code
        self._shared: dict[tuple[str, int, str], FormContext] = {}
        self._gates: dict[tuple[str, str, str], _Gate] = {}  # by form id, unit code, period code
        self.local: dict[str, Record] = {}
        self.today = dt.date.today()  # date fields of tombstones: within the default 1945..+5 years

    def _nothing_new(self, incoming: PackageRecord) -> bool:
        """The incoming version is one this office has (or older): an approved, locked period sent
        again in full is no change to refuse (review, issue 14)."""
        local = self.local.get(incoming.id)
        return local is not None and compare(local.version_vector, incoming.version_vector) in (
            "same",
            "local_newer",
        )

    def preload(self, ids: Sequence[str]) -> None:
        """The local versions of the incoming records, 500 ids per query instead of one each."""
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            self.local.update(
                {r.id: r for r in self.session.scalars(select(Record).where(Record.id.in_(batch)))}
            )

    def period(self, code: str) -> Period | None:
        if code in self.periods:
            return self.periods[code]
        try:
            spec = allowed_period_spec(code)  # within the years a period may be created in
        except UserError:
            return None
        # Not stored yet: created when the plan is applied; enough here to know its dates.
        return Period(code=spec.code, kind=spec.kind.value, start=spec.start, end=spec.end, label=spec.label)

    def context(self, form: FormDef, unit: OrgUnit, period: Period) -> FormContext:
        key = (form.id, unit.id, period.code)
        if key not in self.contexts:
            # Only a form with catalog-driven choices needs its own context; the others share the
            # unit's (its dated subtree is the costly part), each form with its own cache of labels
            # (keyed by field id, which another form may use with other choices).
            shared = (form.id if any(f.choices_from for f in form.fields()) else "", unit.id, period.code)
            if shared not in self._shared:
                self._shared[shared] = form_context(self.session, form, unit.id, period)
            self.contexts[key] = dataclasses.replace(self._shared[shared], _labels={})
        return self.contexts[key]

    def gate(self, form_id: str, unit_code: str, period_code: str) -> _Gate:
        """The checks every record of one form, unit and period shares, made once for all of them
        (a package's thousands of records usually share one)."""
        key = (form_id, unit_code, period_code)
        if (known := self._gates.get(key)) is not None:
            return known
        gate = self._gates[key] = self._make_gate(form_id, unit_code, period_code)
        return gate

    def _make_gate(self, form_id: str, unit_code: str, period_code: str) -> _Gate:
        form = self.forms.get(form_id)
        if form is None:
            return _Gate(f"biểu mẫu «{form_id}» không có ở văn phòng này")
        unit = self.units.get(unit_code)
        if unit is None:
            where = "ngoài phạm vi đơn vị này" if unit_code in self.known_units else "không có trong danh mục"
            return _Gate(f"đơn vị «{unit_code}» {where}")
        if not form.applies_to(unit.kind):
            return _Gate(f"biểu mẫu «{form.title}» không dành cho {unit_label(unit)}")
        period = self.period(period_code)
        if period is None:
            return _Gate(f"kỳ báo cáo «{period_code}» không hợp lệ")
        merged = self.limits[unit.id]
        return _Gate(
            "",
            form,
            unit,
            period,
            validity=unit_period_problem(unit, period) or "",
            after_merge=_after_merge(unit, merged) if merged is not None and period.start >= merged else "",
            locked=period.id is not None and (unit.id, period.id) in self.locks,
        )

    def classify(self, incoming: PackageRecord) -> RecordResult:
        if problem := record_problem(incoming, known_periods=self.periods):  # timestamps, period years
            return RecordResult(incoming, "rejected", problem)
        gate = self.gate(incoming.form_id, incoming.unit_code, incoming.period_code)
        if gate.refusal:
            return RecordResult(incoming, "rejected", gate.refusal)
        form, unit, period = gate.form, gate.unit, gate.period
        assert form is not None and unit is not None and period is not None
        # A tombstone may still retire a copy stored before validity was enforced here.
        if gate.validity and not (incoming.deleted and incoming.id in self.local):
            return RecordResult(incoming, "rejected", gate.validity)
        if gate.after_merge:
            return RecordResult(incoming, "rejected", gate.after_merge)
        if gate.locked and not self._nothing_new(incoming):
            return RecordResult(
                incoming, "rejected", f"kỳ «{period.label}» của đơn vị đã chốt, không nhận thay đổi"
            )
        local = self.local.get(incoming.id)
        if local is not None and (local.form_id, local.org_unit_id) != (incoming.form_id, unit.id):
            return RecordResult(incoming, "rejected", "mã bản ghi trùng với một bản ghi khác")
        relation = (
            "incoming_newer" if local is None else compare(local.version_vector, incoming.version_vector)
        )
        if relation == "local_newer":
            return RecordResult(incoming, "stale", "bản đang có mới hơn", unit_id=unit.id)
        if relation == "same":
            return RecordResult(incoming, "unchanged", unit_id=unit.id)
        context = self.context(form, unit, period)  # a tombstone's search text needs it too
        if not incoming.deleted:
            _, issues = clean_and_validate(form, incoming.values, context.validation)
            errors = [i.message for i in issues if i.severity == "error"]
            if errors:
                return RecordResult(incoming, "rejected", "; ".join(errors), unit_id=unit.id)
        # After validation, whose messages name the field better: what it leaves unchecked.
        if problem := values_problem(incoming.values, form, self.today, tombstone=incoming.deleted):
            return RecordResult(incoming, "rejected", problem, unit_id=unit.id)
        # Made here, where the form and context are at hand (and in the worker process of a run).
        shown = search_text(form, incoming.values, context)
        if local is None:  # nothing to compare: a new record's fields are all "changes"
            return RecordResult(incoming, "new", unit_id=unit.id, search_text=shown)
        changes = value_changes(form, dict(local.values), incoming.values, context)
        if incoming.deleted != local.deleted:
            changes.append(FieldChange("Trạng thái", _state(local.deleted), _state(incoming.deleted)))
        if relation == "concurrent":
            if not changes:  # both sides made the same edit: nothing for a person to decide
                return RecordResult(
                    incoming, "unchanged", "cùng nội dung", unit_id=unit.id, merge_vector=True
                )
            return RecordResult(incoming, "conflict", "hai nơi cùng sửa bản ghi", changes, unit.id)
        return RecordResult(incoming, "updated", changes=changes, unit_id=unit.id, search_text=shown)


def _after_merge(unit: OrgUnit, merged: dt.date) -> str:
    day = f"{merged.day}/{merged.month}/{merged.year}"
    return (
        f"{unit_label(unit)} đã nhập vào đơn vị khác từ {day}: văn phòng này chỉ nhận số liệu của "
        "nó cho các kỳ bắt đầu trước ngày đó"
    )


def _state(deleted: bool) -> str:
    return "đã xóa" if deleted else "đang dùng"


def plan_merge(session: Session, office_unit_id: int, records: Sequence[PackageRecord]) -> MergePlan:
    """Decide, without writing anything, what each incoming record would do."""
    planner = _Planner(session, office_unit_id)
    planner.preload([record.id for record in records])
    results = [planner.classify(record) for record in records]
    return MergePlan(results)
