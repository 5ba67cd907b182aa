"""A return as plain blocks (headings, paragraphs, tables, charts) before any layout is applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from danvan_desktop.reports.model import IssuingUnit, Letterhead

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. ...", 2: "1. ...", 3: "a) ..."


@dataclass(frozen=True)
class Paragraph:
    text: str  # plain text; a line break starts a new paragraph
    indent: bool = True


@dataclass(frozen=True)
class Column:
    label: str
    width: float = 1.0  # relative to the other columns
    align: Align = "left"


@dataclass(frozen=True)
class Table:
    """A statistics table; its header row repeats on every page it runs over."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    note: str = ""
    landscape: bool | None = None  # None: the profile decides from the number of columns


@dataclass(frozen=True)
class BarChart:
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_label: str  # what the bars count, under the chart
    bar_texts: tuple[str, ...] = ()  # printed over each bar instead of its value ("16/22")
    horizontal: bool = False  # many or long labels: one bar a line, the labels on the left
    decimals: int = 0


Block = Heading | Paragraph | Table | BarChart


@dataclass(frozen=True)
class ReportDocument:
    """What one printed return says; the profile decides how it looks."""

    letterhead: Letterhead
    summary: str  # the line under "BÁO CÁO" (trích yếu)
    date: dt.date
    body: tuple[Block, ...]
    annex: tuple[Block, ...] = ()
    number: int | None = None  # None: left blank for the clerk to write by hand
    doc_type: Literal["report", "list"] = "report"  # the profile's document_types: title and symbol
    reading_copy: IssuingUnit | None = None  # a unit's return read at the office above: marked, unsigned
    subject: str = ""  # PDF metadata
    landscape: bool = False  # the whole document (a register printout)
    extra: dict[str, str] = field(default_factory=dict)
    # The paper copy's verification code (services.reporting.return_code), printed on the last page.
    verification_code: str = ""
