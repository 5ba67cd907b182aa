"""Version vector comparison, the heart of merging without losing anyone's edit."""

from __future__ import annotations

import pytest

from danvan_desktop.services.exchange.vectors import compare, merged


@pytest.mark.parametrize(
    ("local", "incoming", "relation"),
    [
        ({"a": 1}, {"a": 1}, "same"),
        ({"a": 1}, {"a": 2}, "incoming_newer"),
        ({"a": 2}, {"a": 1}, "local_newer"),
        ({"a": 1}, {"a": 1, "b": 1}, "incoming_newer"),  # the district edited after the commune
        ({"a": 1, "b": 1}, {"a": 1}, "local_newer"),
        ({"a": 2}, {"a": 1, "b": 1}, "concurrent"),  # both edited the same version
        ({"a": 1, "b": 2}, {"a": 2, "b": 1}, "concurrent"),
        ({}, {"a": 1}, "incoming_newer"),
    ],
)
def test_compare(local: dict[str, int], incoming: dict[str, int], relation: str) -> None:
    assert compare(local, incoming) == relation


def test_merged_vector_dominates_both() -> None:
    result = merged({"a": 2, "b": 1}, {"a": 1, "c": 3})
    assert result == {"a": 2, "b": 1, "c": 3}
    assert compare({"a": 2, "b": 1}, result) == "incoming_newer"
    assert compare({"a": 1, "c": 3}, result) == "incoming_newer"
