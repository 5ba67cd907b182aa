"""Version vectors: which of two edits of a record saw the other (site id -> edit counter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Relation = Literal["same", "incoming_newer", "local_newer", "concurrent"]


def compare(local: Mapping[str, int], incoming: Mapping[str, int]) -> Relation:
    """How the incoming edit relates to the local one.

    incoming_newer: it has seen every local edit (and more); local_newer: the reverse;
    concurrent: each has edits the other never saw, so a person must choose.
    """
    sites = set(local) | set(incoming)
    ahead = any(incoming.get(s, 0) > local.get(s, 0) for s in sites)
    behind = any(incoming.get(s, 0) < local.get(s, 0) for s in sites)
    if ahead and behind:
        return "concurrent"
    if ahead:
        return "incoming_newer"
    if behind:
        return "local_newer"
    return "same"


def merged(local: Mapping[str, int], incoming: Mapping[str, int]) -> dict[str, int]:
    """The vector of a record that has seen both edits (used when a conflict is resolved)."""
    return {s: max(local.get(s, 0), incoming.get(s, 0)) for s in sorted(set(local) | set(incoming))}
