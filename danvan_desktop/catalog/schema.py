"""Typed schema of catalog files (YAML): org units, lineage, organizations, criteria, programmes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.text import nfc

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]*$", max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc_strings(cls, value: object) -> object:
        return nfc(value) if isinstance(value, str) else value


class UnitEntry(_Strict):
    code: Code
    name: Name
    kind: UnitKind
    parent: Code | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    admin_code: str | None = None
    note: str | None = None


class LineageEntry(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_code: Code = Field(alias="from")
    to_code: Code = Field(alias="to")
    date: dt.date
    kind: Literal["merge", "split", "rename", "transfer"] = "merge"
    verified: bool = True
    source: str | None = None


class OrganizationEntry(_Strict):
    code: Code
    name: Name
    short_name: Name
    branch_label: Name  # what a village-level branch is called: "chi hội", "chi đoàn"...
    sort_order: int = 0


class CriterionEntry(_Strict):
    number: int = Field(ge=1)
    name: Name


class CriteriaGroupEntry(_Strict):
    name: Name
    criteria: list[CriterionEntry] = Field(min_length=1)


class CriteriaSetEntry(_Strict):
    code: Code
    title: Name
    decision: Name
    issued: dt.date | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    criteria_count: int = Field(ge=1)
    groups: list[CriteriaGroupEntry] = Field(min_length=1)


class PhaseEntry(_Strict):
    code: Code
    kind: Literal["so_ket", "tong_ket"]
    label: Name
    start: dt.date
    end: dt.date


class ProgrammeEntry(_Strict):
    code: Code
    title: Name
    document: Name
    issued: dt.date
    start_year: int
    end_year: int
    phases: list[PhaseEntry] = Field(default_factory=list)


class CatalogFile(_Strict):
    """One catalog file; several files (the shipped one plus user extensions) may be combined."""

    catalog_version: int = Field(ge=1)
    title: Name
    units: list[UnitEntry] = Field(default_factory=list)
    lineage: list[LineageEntry] = Field(default_factory=list)
    organizations: list[OrganizationEntry] = Field(default_factory=list)
    criteria_sets: list[CriteriaSetEntry] = Field(default_factory=list)
    programmes: list[ProgrammeEntry] = Field(default_factory=list)
