"""What a home page shows: figures, each with the units (and so the records) behind it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Share:
    """One unit's part of a figure: what the click-through lists, and where its records are."""

    label: str  # "Xã Phúc Chu", "Xóm Nà Lom", "Xã Lam Vỹ (đến 30/6/2025)"
    # Its value as shown ("125.500.000 đồng", "Đạt chuẩn nông thôn mới"), written when asked: a
    # province's page holds thousands of shares and only the ones clicked through are read.
    render: Callable[[], str]
    value: float  # for sorting and the bars
    unit_code: str  # the unit whose records these are (a village's figures are its commune's records)
    period_code: str
    form_id: str
    search: str = ""  # text that finds the records in the unit's register (a village's name)

    @property
    def text(self) -> str:
        return self.render()


def fixed(text: str) -> Callable[[], str]:
    """A share text known already."""
    return lambda: text


Listing = Callable[[], Iterable[Share]]


def _nobody() -> Iterable[Share]:
    return ()


def listed(shares: Iterable[Share]) -> Listing:
    """A listing of shares known already."""
    found = tuple(shares)
    return lambda: found


@dataclass(frozen=True)
class Figure:
    """A number on the page: its label, its value as shown, and its shares."""

    key: str
    label: str
    text: str
    value: float
    # The units behind it, made when the figure is clicked (a province's page has thousands; a page
    # is drawn on every unit or period change and most of its figures are never opened).
    listing: Listing = _nobody
    detail: str = ""  # a second line: "đã báo cáo 22/23 xã", "mục tiêu 100%"
    ratio: float | None = None  # 0..1 (or more) for a bar: % reached, share met

    @functools.cached_property
    def shares(self) -> tuple[Share, ...]:
        return tuple(self.listing())


@dataclass(frozen=True)
class Indicator:
    """A Project 05 indicator: target, result and how far it is reached (own or summed from units)."""

    number: int
    name: str
    unit: str
    kind: str  # phan_dau | khong_che
    target_text: str
    result_text: str
    reached_text: str  # "92,3%", "đạt", "8/10 đơn vị đạt"
    ratio: float | None
    met: bool | None
    listing: Listing

    @functools.cached_property
    def shares(self) -> tuple[Share, ...]:
        return tuple(self.listing())


@dataclass(frozen=True)
class Due:
    """A form due in the period, and who has not sent it."""

    form_id: str
    title: str
    received: int
    expected: int
    listing: Listing  # the units that have not sent it

    @functools.cached_property
    def missing(self) -> tuple[Share, ...]:
        return tuple(self.listing())


@dataclass
class HomePage:
    """The page of one unit in one period: for an office, its units'; for a commune, its villages'."""

    unit_code: str
    unit_label: str
    period_code: str
    period_label: str
    level: str  # "commune" (its villages) or "above" (its commune-level units)
    parts_label: str  # "xã, phường, thị trấn" or "xóm, tổ dân phố"
    complete: Figure | None = None
    due: list[Due] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    indicators_source: str = ""
    ntm_years: list[Figure] = field(default_factory=list)
    mobilized: list[Figure] = field(default_factory=list)
    models_by_field: list[Figure] = field(default_factory=list)
    models_by_level: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        """Every figure of the page (for tests and the click-through)."""
        found = [self.complete] if self.complete else []
        return [*found, *self.ntm_years, *self.mobilized, *self.models_by_field, *self.models_by_level]

    def figure(self, key: str) -> Figure:
        for candidate in self.figures():
            if candidate.key == key:
                return candidate
        raise KeyError(key)
