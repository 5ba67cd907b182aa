"""Typed schema of a form definition file (forms/*.yaml)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.strict_model import StrictModel

FieldId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
FormId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]

FieldType = Literal[
    "integer",  # whole number: households, people, members
    "decimal",  # number with a fractional part
    "money",  # đồng, whole number
    "area",  # m², may have decimals
    "labour_days",  # ngày công
    "percent",  # 0-100, shown as 72,7%
    "text",
    "long_text",
    "date",  # stored ISO yyyy-mm-dd, shown dd/mm/yyyy
    "choice",  # one value from `choices`
    "multi_choice",  # several values from `choices` (or from `choices_from`)
    "yes_no",
    "org_unit",  # a unit code within the office's tree (see `unit_level`)
    "organization",  # an organization code from the catalog
    "ratio",  # {"num": int, "den": int}, shown as 16/22
]

# What a field type is called in messages ("«Số hộ» phải là số nguyên.").
TYPE_NAMES = {
    "integer": "số nguyên",
    "decimal": "số",
    "money": "số tiền (đồng)",
    "area": "diện tích",
    "labour_days": "số ngày công",
    "percent": "tỷ lệ phần trăm",
    "text": "văn bản",
    "long_text": "văn bản",
    "date": "ngày",
    "choice": "một lựa chọn",
    "multi_choice": "danh sách lựa chọn",
    "yes_no": "có/không",
    "org_unit": "mã đơn vị",
    "organization": "mã tổ chức",
    "ratio": "tỷ số dạng a/b",
}

# The kinds of period a form can be due for: the values of catalog.periods.PeriodKind.
Periodicity = Literal["year", "nine_months", "half", "quarter", "month", "phase"]

NUMERIC_TYPES = frozenset({"integer", "decimal", "money", "area", "labour_days", "percent"})

# How a number field's values of several units combine into one figure above them (totals of an
# aggregate form, the summary, the cross-tab). sum: counts, money, area, labour days (the default);
# mean: a per-unit score whose province figure is "bình quân 15,2 tiêu chí/xã"; max: the highest
# unit's value, named (the province has at least as many ethnic groups as its most diverse commune);
# none: no figure above the units (an order number, targets of unlike indicators). A typed
# percentage is `none` unless it says `max`: it is never added up nor averaged.
Aggregate = Literal["sum", "mean", "max", "none"]
AGGREGATE_NAMES = {"sum": "tổng", "mean": "bình quân", "max": "cao nhất", "none": "không cộng dồn"}
WHOLE_NUMBER_TYPES = frozenset({"integer", "money"})


class ChoiceDef(StrictModel):
    value: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64)]
    label: Label


class FieldDef(StrictModel):
    """One input. `relevant` and `computed` are expressions over other field ids."""

    id: FieldId
    type: FieldType
    label: Label
    help: str | None = None
    unit: str | None = None  # shown after the input: "hộ", "người", "m²", "đồng"
    required: bool = False
    # Bounds: numbers for number fields, ISO dates (2000-01-01) for date fields. Unset sides fall
    # back to the defaults in formspec/bounds.py, which also cap what a form may declare.
    min: float | dt.date | None = None
    max: float | dt.date | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)
    pattern: str | None = None  # regular expression a text value must match in full
    pattern_message: str | None = None
    max_length: int | None = Field(default=None, ge=1)
    choices: list[ChoiceDef] | None = None
    choices_from: Literal["ntm_criteria"] | None = None  # the criteria set in force for the period
    unit_level: Literal["village", "commune", "any"] = "any"  # for org_unit fields
    relevant: str | None = None  # show and validate the field only when this is true
    computed: str | None = None  # read-only, recalculated from other fields
    default: str | int | float | bool | None = None
    # Former ids of this field (a rename in a later version): values stored under them read as this field.
    aliases: list[FieldId] = Field(default_factory=list)
    # How the values of several units combine (numbers only); None: the type's default (`combines`).
    aggregate: Aggregate | None = None

    @property
    def combines(self) -> Aggregate:
        """How this field's values add up across units: the declared way, else sum (percent: none)."""
        if self.aggregate is not None:
            return self.aggregate
        return "none" if self.type == "percent" else "sum"

    @functools.cached_property
    def choice_values(self) -> frozenset[str] | None:
        """The codes of the fixed choices (None when the field has none)."""
        return None if self.choices is None else frozenset(c.value for c in self.choices)


class SectionDef(StrictModel):
    title: Label
    help: str | None = None
    fields: list[FieldDef] = Field(min_length=1)


class RuleDef(StrictModel):
    """A cross-field check: `check` must be true, else `message` is shown on `fields`."""

    id: FieldId
    check: str
    message: Label
    severity: Literal["error", "warning"] = "error"
    fields: list[FieldId] = Field(default_factory=list)


class FormDef(StrictModel):
    """A form: aggregate (one value set per unit and period) or register (many records)."""

    id: FormId
    version: int = Field(ge=1)
    title: Label
    kind: Literal["aggregate", "register"]
    unit_level: Literal["commune", "village", "any"] = "commune"  # which units the form is filled for
    # Narrower still: only these kinds of unit fill it in (new-rural criteria: "xa", not a town).
    unit_kinds: list[UnitKind] | None = None
    description: str | None = None
    sections: list[SectionDef] = Field(min_length=1)
    rules: list[RuleDef] = Field(default_factory=list)
    list_columns: list[FieldId] = Field(default_factory=list)  # register table columns, in order
    record_title: str | None = None  # field id naming a register record ("ten_mo_hinh")
    # The kinds of period a unit must send the form for (completeness); None: every period.
    periodicity: list[Periodicity] | None = Field(default=None, min_length=1)

    def fields(self) -> list[FieldDef]:
        return list(self._all_fields)

    def due_for(self, period_kind: str) -> bool:
        """Whether units must send the form for a period of this kind (a year, a half, a phase...)."""
        return self.periodicity is None or period_kind in self.periodicity

    def applies_to(self, kind: str) -> bool:
        """Whether a unit of `kind` fills in the form (communes fill commune forms, and so on)."""
        unit_kind = UnitKind(kind)
        if self.unit_kinds is not None and unit_kind not in self.unit_kinds:
            return False
        if self.unit_level == "commune":
            return unit_kind.is_commune_level
        if self.unit_level == "village":
            return unit_kind.is_village_level
        return not unit_kind.is_village_level

    @functools.cached_property
    def _all_fields(self) -> tuple[FieldDef, ...]:
        # Frozen model: the list never changes, and validating a package asks for it thousands of times.
        return tuple(f for section in self.sections for f in section.fields)

    @functools.cached_property
    def field_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self._all_fields)

    @functools.cached_property
    def computed_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self._all_fields if f.computed is not None)

    @functools.cached_property
    def aliased_fields(self) -> tuple[FieldDef, ...]:
        """The fields renamed in this version (they declare the ids they had before)."""
        return tuple(f for f in self._all_fields if f.aliases)

    @functools.cached_property
    def has_relevance(self) -> bool:
        """Whether any field can be hidden; most forms show every field, always."""
        return any(f.relevant is not None for f in self._all_fields)

    def field(self, field_id: str) -> FieldDef:
        for candidate in self._all_fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)
