"""A register printout: every listed column of a register form's records, formatted for print."""

from __future__ import annotations

from sqlalchemy.orm import Session

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import NUMERIC_TYPES
from danvan_desktop.formspec.values import format_value
from danvan_desktop.reports.model import RegisterData
from danvan_desktop.services.entry.entry import form_context
from danvan_desktop.services.entry.registers import list_fields
from danvan_desktop.services.office.form_versions import form_in_force
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.common import form_values, load_letterhead, resolve_scope

UNIT_COLUMN = "Đơn vị"


def register_data(session: Session, form_id: str, unit_code: str, period_code: str) -> RegisterData:
    """The records of a register form for a unit (and the units under it) and a period."""
    form = form_in_force(session, form_id)
    if form.kind != "register":
        raise UserError(f"Biểu «{form.title}» không phải là sổ theo dõi; chỉ in danh sách được sổ theo dõi.")
    scope = resolve_scope(session, unit_code, period_code)
    letterhead = load_letterhead(session)
    units = scope.unit.walk()
    records = form_values(session, form.id, [u.id for u in units], scope.period_id)
    if not records:
        raise UserError(
            f"{scope.unit_label} chưa có dòng nào trong sổ «{form.title}» kỳ {scope.period_label}."
        )
    context = form_context(session, form, scope.unit.id, get_period(session, period_code, create=False))
    unit_names, org_names = dict(context.units), dict(context.organizations)
    by_id = {u.id: u.display for u in units}
    fields = list_fields(form)
    several = len({unit_id for unit_id, _ in records}) > 1
    columns = ([UNIT_COLUMN] if several else []) + [
        f"{f.label} ({f.unit})" if f.unit and f.type in NUMERIC_TYPES else f.label for f in fields
    ]
    numeric = ([False] if several else []) + [f.type in NUMERIC_TYPES for f in fields]
    order = {u.id: i for i, u in enumerate(units)}
    rows = []
    for unit_id, values in sorted(records, key=lambda r: order.get(r[0], 0)):
        cells = [by_id.get(unit_id, "")] if several else []
        for spec in fields:
            value = values.get(spec.id)
            if spec.type == "org_unit" and value:
                cells.append(unit_names.get(str(value), str(value)))
            elif spec.type == "organization" and value:
                cells.append(org_names.get(str(value), str(value)))
            else:
                cells.append(format_value(spec, value, context.choices.get(spec.id)))
        rows.append(tuple(cells))
    return RegisterData(scope, letterhead, form.id, form.title, tuple(columns), tuple(numeric), tuple(rows))
