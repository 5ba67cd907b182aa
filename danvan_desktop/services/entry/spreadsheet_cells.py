"""Cells of form spreadsheets: stored values to typed cells and back, unit and organization names."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Organization, Period
from danvan_desktop.formspec.model import WHOLE_NUMBER_TYPES, ChoiceDef, FieldDef, FormDef
from danvan_desktop.formspec.values import ValueParseError, coerce_value, format_value
from danvan_desktop.services.entry.entry import FormContext, form_context
from danvan_desktop.text import fold

DATA_SHEET = "Dữ liệu"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh sách"
# Key of the record-id column in the id row; field ids start with a letter, so it cannot clash.
RECORD_KEY = "_id"
RECORD_LABEL = "Mã bản ghi"
ID_ROW, LABEL_ROW, FIRST_DATA_ROW = 1, 2, 3

_TEXT_FORMAT = "@"  # keeps "16/22" or "01/2023" typed into Excel from turning into dates
_QUOTED = re.compile(r'"[^"]*"|\\.')


def number_format(field: FieldDef) -> str:
    """The Excel number format of a column; Excel shows it with the reader's own separators."""
    kind, decimals = field.type, field.decimals
    if kind == "date":
        return "dd/mm/yyyy"
    if kind == "percent":
        return "0" + ("." + "0" * decimals if decimals else "") + "%"
    if kind in WHOLE_NUMBER_TYPES or (kind in ("decimal", "area", "labour_days") and decimals == 0):
        return "#,##0"
    if kind in ("decimal", "area", "labour_days"):
        # "#,##0.##" would show a dangling "12." for whole numbers, so no grouping without decimals.
        return "#,##0." + "0" * decimals if decimals else "General"
    return _TEXT_FORMAT


def is_percent_format(fmt: str | None) -> bool:
    """True for a real percent format ("0.0%"), not a literal sign ('0"%"'): the cell holds 0.727."""
    return bool(fmt) and "%" in _QUOTED.sub("", fmt or "")


@dataclass(frozen=True)
class CodeOptions:
    """The codes a unit or organization field accepts, each with the names it may be written as."""

    codes: list[str]
    names: dict[str, list[str]]  # code -> display names, preferred first

    def label(self, code: str) -> str:
        """The first name of `code` when no other allowed code shares it, else the code itself."""
        names = self.names.get(code)
        if not names:
            return code
        wanted = fold(names[0])
        clashes = [c for c in self.codes if any(fold(n) == wanted for n in self.names.get(c, []))]
        return names[0] if clashes == [code] else code

    def resolve(self, text: str) -> list[str]:
        """Codes written as `text` (the code itself, or a name; accents and case ignored)."""
        upper, folded = text.strip().upper(), fold(text)
        if upper in self.codes:
            return [upper]
        return [c for c in self.codes if any(fold(n) == folded for n in self.names.get(c, []))]


@dataclass(frozen=True)
class Vocabulary:
    """What turning cells into values needs beyond the form: catalog choices, units, organizations."""

    context: FormContext
    units: CodeOptions
    organizations: CodeOptions

    @classmethod
    def build(cls, session: Session, form: FormDef, unit_id: int, period: Period) -> Vocabulary:
        context = form_context(session, form, unit_id, period)
        unit_names = {code: [display] for code, display in context.units}
        orgs = session.scalars(select(Organization).order_by(Organization.sort_order)).all()
        org_names = {o.code: [o.short_name, o.name] for o in orgs}
        return cls(
            context,
            CodeOptions([code for code, _ in context.units], unit_names),
            CodeOptions([o.code for o in orgs], org_names),
        )

    def choices(self, field: FieldDef) -> Sequence[ChoiceDef] | None:
        return self.context.choices.get(field.id, field.choices)

    def code_options(self, field: FieldDef) -> CodeOptions:
        if field.type == "organization":
            return self.organizations
        by_level = self.context.validation.org_units_by_level
        allowed = by_level.get(field.unit_level, self.units.codes)
        return CodeOptions([c for c in self.units.codes if c in allowed], self.units.names)

    def list_labels(self, field: FieldDef) -> list[str]:
        """The drop-down entries of a column; empty when the column gets no drop-down."""
        if field.type == "choice":
            return [c.label for c in self.choices(field) or []]
        if field.type == "yes_no":
            return ["Có", "Không"]
        if field.type in ("org_unit", "organization"):
            options = self.code_options(field)
            return [options.label(code) for code in options.codes]
        return []

    def to_cell(self, field: FieldDef, value: object) -> object:
        """A stored value as a typed cell: numbers, real dates, labels instead of codes."""
        if value is None:
            return None
        kind = field.type
        if kind == "percent" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(Decimal(str(value)) / 100)  # Excel percent cells hold the fraction
        if kind == "date" and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        if kind in ("org_unit", "organization") and isinstance(value, str):
            return self.code_options(field).label(value)
        if kind in ("choice", "multi_choice", "yes_no", "ratio"):
            return format_value(field, value, self.choices(field))
        return value

    def from_cell(self, field: FieldDef, raw: object) -> object:
        """The stored value of a cell, by the same rules as typed input; raises ValueParseError."""
        if isinstance(raw, str):
            raw = raw.strip() or None
        if field.type in ("org_unit", "organization") and isinstance(raw, str):
            return self._code(field, raw)
        return coerce_value(field, raw, self.choices(field))

    def _code(self, field: FieldDef, text: str) -> str:
        found = self.code_options(field).resolve(text)
        if len(found) == 1:
            return found[0]
        what = "tổ chức" if field.type == "organization" else "đơn vị"
        if found:
            raise ValueParseError(f"«{field.label}»: có nhiều {what} tên «{text}»; hãy ghi mã {what}.")
        raise ValueParseError(f"«{field.label}»: không có {what} «{text}» trong danh mục.")
