"""Reading values stored under an older form version: renamed fields found by their declared aliases."""

from __future__ import annotations

from collections.abc import Mapping

from danvan_desktop.formspec.model import FormDef


def with_aliases(form: FormDef, values: Mapping[str, object]) -> Mapping[str, object]:
    """`values` with each renamed field's old value under its new id (the new id wins when both exist).

    Keys the form no longer has stay as they are: callers that store drop them, history keeps them.
    """
    if not form.aliased_fields:
        return values  # most forms: nothing renamed, nothing copied
    upgraded = dict(values)
    for field in form.aliased_fields:
        if field.id in upgraded:
            continue
        for alias in field.aliases:
            if alias in values:
                upgraded[field.id] = values[alias]
                break
    return upgraded
