"""Entering form data: validation with the form's rules, period locks, delete and restore, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import CriteriaSet, Organization, OrgUnit, Period, Record, RecordHistory
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import NUMERIC_TYPES, ChoiceDef, FieldDef, FormDef
from danvan_desktop.formspec.validate import Issue, ValidationContext, clean_and_validate
from danvan_desktop.formspec.values import format_value
from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.entry import records
from danvan_desktop.services.entry.locking import ensure_unlocked
from danvan_desktop.services.office.accounts import current_actor, require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.form_versions import form_version_def
from danvan_desktop.services.office.orgunits import dated_subtree, unit_label
from danvan_desktop.services.office.targets import INDICATOR_FORM, assigned_targets, with_targets
from danvan_desktop.services.office.validity import ensure_valid_during, field_unit_reasons
from danvan_desktop.text import fold


@dataclass(frozen=True)
class Writer:
    """Who is writing: this installation's site id and the person at the keyboard."""

    site_id: str
    user: str
    name: str | None = None  # the person's full name, carried with the record in packages


def current_writer(session: Session, site_id: str) -> Writer:
    """The signed-in account (services.office.accounts.current_actor), never the computer's login."""
    actor = current_actor(session)
    return Writer(site_id, actor.writer_name, actor.full_name if actor.id is not None else None)


class ValidationFailedError(UserError):
    """The values break the form's rules; nothing was saved."""

    def __init__(self, issues: list[Issue]) -> None:
        errors = [i for i in issues if i.severity == "error"]
        lines = "\n".join(f"  - {i.message}" for i in errors)
        super().__init__(f"Chưa lưu được vì còn {len(errors)} lỗi:\n{lines}")
        self.issues = issues


@dataclass
class FormContext:
    """What validating and showing a form needs beyond its definition, for one unit and period."""

    validation: ValidationContext
    choices: dict[str, list[ChoiceDef]] = field(default_factory=dict)  # for choices_from fields
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, label) for org_unit fields
    organizations: list[tuple[str, str]] = field(default_factory=list)  # (code, short name)
    # Full names, which a clerk types as often as the short ones ("phu nu" for "Hội LHPN").
    organization_names: dict[str, str] = field(default_factory=dict)
    # Project 05 plan figures assigned from above (indicator number -> chi_tieu): entry cannot change them.
    assigned_targets: dict[int, float] = field(default_factory=dict)
    _labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def labels(self, spec: FieldDef) -> dict[str, str]:
        """Code -> label for a choice, org-unit or organization field, built once per context."""
        if spec.id not in self._labels:
            if spec.type == "org_unit":
                pairs = self.units
            elif spec.type == "organization":
                pairs = self.organizations
            else:
                pairs = [(o.value, o.label) for o in self.choices.get(spec.id, spec.choices or [])]
            self._labels[spec.id] = dict(pairs)
        return self._labels[spec.id]


def criteria_in_force(session: Session, period: Period) -> CriteriaSet | None:
    """The NTM criteria set valid at the end of the period (else at its start)."""
    sets = session.scalars(select(CriteriaSet)).all()
    for day in (period.end, period.start):
        for cset in sets:
            if cset.valid_from <= day and (cset.valid_to is None or day <= cset.valid_to):
                return cset
    return None


def form_context(session: Session, form: FormDef, unit_id: int, period: Period) -> FormContext:
    choices: dict[str, list[ChoiceDef]] = {}
    cset = criteria_in_force(session, period)
    for f in form.fields():
        if f.choices_from == "ntm_criteria" and cset is not None:
            choices[f.id] = [
                ChoiceDef(value=str(c.number), label=f"{c.number}. {c.name}") for c in cset.criteria
            ]
    tree = dated_subtree(session, unit_id, period.start, period.end)
    nodes: list[UnitNode] = tree.walk() if tree else []
    villages = [n for n in nodes if UnitKind(n.kind).is_village_level]
    communes = [n for n in nodes if UnitKind(n.kind).is_commune_level]
    orgs = session.scalars(select(Organization).order_by(Organization.sort_order)).all()
    validation = ValidationContext(
        choices={fid: [c.value for c in options] for fid, options in choices.items()},
        org_units=[n.code for n in nodes],
        org_units_by_level={"village": [n.code for n in villages], "commune": [n.code for n in communes]},
        organizations=[o.code for o in orgs],
        unit_refusals=field_unit_reasons(session, unit_id, period.label, period.start, period.end),
    )
    return FormContext(
        validation=validation,
        choices=choices,
        units=[(n.code, n.display) for n in nodes],
        organizations=[(o.code, o.short_name) for o in orgs],
        organization_names={o.code: o.name for o in orgs},
        assigned_targets=(
            assigned_targets(session, unit_id, period.start, period.end) if form.id == INDICATOR_FORM else {}
        ),
    )


@dataclass(frozen=True)
class SaveResult:
    record_id: str
    warnings: list[Issue]
    changed: bool  # False when the values were already stored as they are
    change: int = 0  # the record's local_change now: what the next save of the same screen expects


class StaleRecordError(UserError):
    """The record was saved elsewhere (another window, another PC) after this screen read it."""


def find_aggregate(session: Session, form_id: str, unit_id: int, period_id: int) -> Record | None:
    stmt = select(Record).where(
        Record.form_id == form_id,
        Record.org_unit_id == unit_id,
        Record.period_id == period_id,
        Record.deleted.is_(False),
    )
    return session.scalars(stmt.order_by(Record.created_at)).first()


def check_values(
    session: Session,
    form: FormDef,
    unit_id: int,
    period: Period,
    values: Mapping[str, object],
    context: FormContext | None = None,
) -> tuple[dict[str, object], list[Issue]]:
    """Cleaned values (irrelevant fields dropped, computed ones set) and every issue found."""
    context = context or form_context(session, form, unit_id, period)
    return clean_and_validate(form, values, context.validation)


_CODED_TYPES = frozenset({"org_unit", "organization", "choice", "multi_choice"})


def search_text(form: FormDef, values: Mapping[str, object], context: FormContext) -> str:
    """What a search may match: the values as shown (choice labels, village names), accents folded."""
    shown: list[str] = []
    for spec in form.fields():
        value = values.get(spec.id)
        if value is None:
            continue
        if spec.type in _CODED_TYPES:
            # Labels from a dict kept by the context: a package's 2,000 records share one.
            labels = context.labels(spec)
            shown.extend(
                labels.get(str(code), str(code)) for code in (value if isinstance(value, list) else [value])
            )
        elif spec.type in NUMERIC_TYPES and isinstance(value, int | float) and not isinstance(value, bool):
            # Digits, as the register's column filter matches them; formatting every number of a
            # 2,000-record package with Babel would dominate its import.
            shown.append(str(int(value)) if float(value).is_integer() else str(value))
        else:
            shown.append(format_value(spec, value, context.choices.get(spec.id)))
    return fold(" ".join(shown))


def save_entry(
    session: Session,
    form: FormDef,
    unit_id: int,
    period_id: int,
    values: Mapping[str, object],
    *,
    writer: Writer,
    record_id: str | None = None,
    context: FormContext | None = None,
    expected_change: int | None = None,
    audit: bool = True,
) -> SaveResult:
    """Validate and store; an aggregate form keeps one record per unit and period.

    `context` may be passed when saving many records of one form, unit and period (a load).
    `expected_change`: the record's local_change when the screen read it (0: there was none yet);
    a record written since is refused with StaleRecordError, so no one's save is lost silently.
    `audit` False: the caller writes one audit row for the whole batch (a load of 2,000 rows).
    """
    require_in(session, "record.edit")
    ensure_unlocked(session, unit_id, period_id)
    unit = session.get_one(OrgUnit, unit_id)
    if not form.applies_to(unit.kind):  # the screens never offer it; a sheet or a script might
        raise UserError(f"Biểu mẫu «{form.title}» không dành cho {unit_label(unit)}.")
    period = session.get_one(Period, period_id)
    ensure_valid_during(session, unit, period)  # the screens offer no such pair; a sheet or a script might
    context = context or form_context(session, form, unit_id, period)
    if context.assigned_targets:  # the plan figure from above wins over whatever was typed or loaded
        values = with_targets(values, context.assigned_targets)
    cleaned, issues = check_values(session, form, unit_id, period, values, context)
    if any(i.severity == "error" for i in issues):
        raise ValidationFailedError(issues)
    warnings = [i for i in issues if i.severity == "warning"]
    record = session.get(Record, record_id) if record_id else None
    if record is None and form.kind == "aggregate":
        record = find_aggregate(session, form.id, unit_id, period_id)
    if expected_change is not None and (record.local_change if record else 0) != expected_change:
        raise _stale(record)
    if record is not None:
        if (record.form_id, record.org_unit_id, record.period_id) != (form.id, unit_id, period_id):
            raise UserError("Bản ghi không thuộc biểu mẫu, đơn vị hoặc kỳ báo cáo đang mở.")
        if record.values == cleaned and record.form_version == form.version and not record.deleted:
            return SaveResult(record.id, warnings, changed=False, change=record.local_change)
        if audit:
            _audit_change(session, "record.update", form, record, record.values, cleaned, context)
        records.update_record(
            session,
            record,
            site_id=writer.site_id,
            user=writer.user,
            values=cleaned,
            form_version=form.version,
            search_text=search_text(form, cleaned, context),
            user_name=writer.name,
        )
        return SaveResult(record.id, warnings, changed=True, change=record.local_change)
    created = records.create_record(
        session,
        site_id=writer.site_id,
        user=writer.user,
        form_id=form.id,
        form_version=form.version,
        org_unit_id=unit_id,
        period_id=period_id,
        values=cleaned,
        record_id=record_id,
        search_text=search_text(form, cleaned, context),
        user_name=writer.name,
    )
    if audit:
        _audit_change(session, "record.create", form, created, {}, cleaned, context)
    return SaveResult(created.id, warnings, changed=True, change=created.local_change)


def _stale(record: Record | None) -> StaleRecordError:
    who = (
        f"lúc {local_time_text(record.updated_at)} ({record.updated_by})"
        if record is not None
        else "(bản ghi đã bị xóa hẳn)"
    )
    return StaleRecordError(
        f"Bản ghi này vừa được lưu ở cửa sổ hoặc máy khác {who}, sau khi bạn mở nó. "
        "Số liệu bạn vừa nhập CHƯA được lưu, để không ghi đè lên bản kia: hãy chép lại phần thay đổi, "
        "mở lại bản ghi để xem bản mới nhất rồi nhập lại.",
        detail=f"stale save of {record.id if record else 'a missing record'}",
    )


def _audit_change(
    session: Session,
    action: str,
    form: FormDef | None,
    record: Record,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    context: FormContext | None,
) -> None:
    """One audit row per save, with the changed fields as people read them (old → new)."""
    changes = value_changes(form, old, new, context)
    record_action(
        session,
        action,
        unit_id=record.org_unit_id,
        period_id=record.period_id,
        form_id=record.form_id,
        record_id=record.id,
        old="; ".join(f"{c.label}: {c.old}" for c in changes if c.old) or None,
        new="; ".join(f"{c.label}: {c.new}" for c in changes if c.new) or None,
    )


def set_entry_deleted(session: Session, record_id: str, *, writer: Writer, deleted: bool) -> Record:
    """Delete (tombstone) or restore a record; both are refused in a locked period."""
    require_in(session, "record.edit")
    record = session.get(Record, record_id)
    if record is None:
        raise UserError("Không tìm thấy bản ghi (có thể đã bị xóa hẳn ở nơi khác).")
    ensure_unlocked(session, record.org_unit_id, record.period_id)
    if record.deleted == deleted:
        return record
    record_action(
        session,
        "record.delete" if deleted else "record.restore",
        unit_id=record.org_unit_id,
        period_id=record.period_id,
        form_id=record.form_id,
        record_id=record.id,
    )
    return records.set_deleted(
        session, record, site_id=writer.site_id, user=writer.user, deleted=deleted, user_name=writer.name
    )


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version of a record, with what changed from the version before."""

    at: dt.datetime
    by: str
    change: str
    changes: list[FieldChange]


CHANGE_LABELS = {
    "create": "Tạo mới",
    "update": "Sửa",
    "delete": "Xóa",
    "restore": "Khôi phục",
    "merge": "Hợp nhất",
}


def shown_value(spec: FieldDef, value: object, context: FormContext | None = None) -> str:
    """A value as the register shows it: unit and organization names, choice labels (with
    `context`; without it, the codes of catalog lists)."""
    if context is not None and value is not None:
        if spec.type in ("org_unit", "organization"):
            return context.labels(spec).get(str(value), str(value))
        if spec.type in ("choice", "multi_choice"):
            return format_value(spec, value, context.choices.get(spec.id))
    return format_value(spec, value)


def value_changes(
    form: FormDef | None,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    context: FormContext | None = None,
    older: FormDef | None = None,
) -> list[FieldChange]:
    """Field by field, what differs between two value sets, as shown to a person.

    `older`: the version the values were entered under, which names fields since removed.
    """
    fields = {f.id: f for f in older.fields()} if older else {}
    fields |= {f.id: f for f in form.fields()} if form else {}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        spec = fields.get(key)
        if spec is None:  # a field no longer in the form keeps its id as label
            changes.append(FieldChange(key, _raw_text(before), _raw_text(after)))
        else:
            changes.append(
                FieldChange(spec.label, shown_value(spec, before, context), shown_value(spec, after, context))
            )
    return changes


def record_history(session: Session, form: FormDef, record_id: str) -> list[HistoryEntry]:
    """Who changed which value when, oldest first; villages and choices by name, as listed."""
    record = session.get_one(Record, record_id)
    context = form_context(session, form, record.org_unit_id, session.get_one(Period, record.period_id))
    versions = session.scalars(
        select(RecordHistory).where(RecordHistory.record_id == record_id).order_by(RecordHistory.id)
    ).all()
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] = {}
    older: dict[int, FormDef | None] = {}
    previous_version = versions[0].form_version if versions else form.version
    for version in versions:
        # A field removed by this version was named by the one before: its label comes from there.
        if previous_version not in older:
            older[previous_version] = form_version_def(session, form.id, previous_version)
        changes = value_changes(form, previous, version.values, context, older[previous_version])
        previous_version = version.form_version
        label = CHANGE_LABELS.get(version.change, version.change)
        by = version.changed_by_name or version.changed_by  # the full name where one was recorded
        entries.append(HistoryEntry(version.changed_at, by, label, changes))
        previous = dict(version.values)
    return entries


def _raw_text(value: object) -> str:
    return "" if value is None else str(value)


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))
