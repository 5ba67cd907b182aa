"""Typed schema of catalog files (YAML): org units, lineage, organizations, criteria, programmes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.strict_model import StrictModel

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]*$", max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class UnitEntry(StrictModel):
    code: Code
    name: Name
    kind: UnitKind
    parent: Code | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    admin_code: str | None = None  # the statistics office's code, where a source gives it
    note: str | None = None
    source: str | None = None  # where the unit's facts come from (a library and version, a resolution)
    verified: bool = True  # false: taken from a source not yet checked against the official text
    office_name: Name | None = None  # the Party office serving the unit, as data (not necessarily verified)


class LineageEntry(StrictModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_code: Code = Field(alias="from")
    to_code: Code = Field(alias="to")
    date: dt.date
    kind: Literal["merge", "split", "rename", "transfer"] = "merge"
    verified: bool = True
    source: str | None = None


class OrganizationEntry(StrictModel):
    code: Code
    name: Name
    short_name: Name
    branch_label: Name  # what a village-level branch is called: "chi hội", "chi đoàn"...
    sort_order: int = 0


class CriterionEntry(StrictModel):
    number: int = Field(ge=1)
    name: Name


class CriteriaGroupEntry(StrictModel):
    name: Name
    criteria: list[CriterionEntry] = Field(min_length=1)


class CriteriaSetEntry(StrictModel):
    code: Code
    title: Name
    decision: Name
    issued: dt.date | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    criteria_count: int = Field(ge=1)
    groups: list[CriteriaGroupEntry] = Field(min_length=1)


class PhaseEntry(StrictModel):
    code: Code
    kind: Literal["so_ket", "tong_ket"]
    label: Name
    start: dt.date
    end: dt.date


class ProgrammeEntry(StrictModel):
    code: Code
    title: Name
    document: Name
    issued: dt.date
    start_year: int
    end_year: int
    phases: list[PhaseEntry] = Field(default_factory=list)


class CatalogFile(StrictModel):
    """One catalog file; several files (the shipped one plus user extensions) may be combined."""

    catalog_version: int = Field(ge=1)
    title: Name
    units: list[UnitEntry] = Field(default_factory=list)
    lineage: list[LineageEntry] = Field(default_factory=list)
    organizations: list[OrganizationEntry] = Field(default_factory=list)
    criteria_sets: list[CriteriaSetEntry] = Field(default_factory=list)
    programmes: list[ProgrammeEntry] = Field(default_factory=list)
