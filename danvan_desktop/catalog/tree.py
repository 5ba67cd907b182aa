"""A unit of the dated hierarchy detached from the database: what services hand to reports and the UI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from danvan_desktop.catalog.kinds import display_name


@dataclass
class UnitNode:
    """A unit in a dated tree, detached from the session (safe to hand to the UI)."""

    id: int
    code: str
    name: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    children: list[UnitNode] = field(default_factory=list)

    @property
    def display(self) -> str:
        return display_name(self.kind, self.name)

    def walk(self) -> list[UnitNode]:
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes
