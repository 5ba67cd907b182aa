"""Record lines decoded by msgspec: schema.PackageRecord's strict checks at C speed, or no answer.

`decode_plain_line` takes the common line (NFC text, no backslash escape, shallow nesting) and
returns the record, or None when msgspec or a check below refuses it: the caller then reads the
line the slow way (stdlib json with its duplicate-key hook, pydantic), whose message names the
fault. So this path never accepts a line that path refuses, and never has to word a refusal.

What stdlib json and pydantic check, and how it is kept here:
- strict JSON (no NaN, Infinity, 1e999, trailing commas): msgspec's own decoder refuses them;
- unique keys: msgspec keeps the last of two equal keys, so the strings it decoded (keys and
  values) are counted against the quotes of the text, two each (there is no escaped quote);
- field types and bounds: the same constraints as PackageRecord's, in msgspec's strict types
  (no bool for an int, no float for an int, no text for a bool), unknown fields refused;
- times with a UTC offset and ids that are UUIDs: the same functions as PackageRecord's.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from danvan_desktop.transport.schema import PackageRecord, canonical_uuid, utc_time

_Code = Annotated[str, Meta(min_length=1, max_length=64)]
_Name = Annotated[str, Meta(max_length=200)]
_Time = Annotated[str, Meta(max_length=40)]


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    id: Annotated[str, Meta(min_length=32, max_length=45)]
    form_id: _Code
    form_version: Annotated[int, Meta(ge=1)]
    unit_code: _Code
    period_code: _Code
    values: dict[str, Any]
    version_vector: dict[_Code, Annotated[int, Meta(ge=0)]]
    deleted: bool
    created_by: _Name
    created_at: _Time
    updated_by: _Name
    updated_at: _Time
    origin_site: _Code
    updated_by_name: _Name | UnsetType | None = UNSET  # UNSET: absent, so that its key is not counted


_DECODER = msgspec.json.Decoder(_Line)
# Text fields of _Line, each one string token of the line (updated_by_name only when it is text).
_TEXT_FIELDS = 9
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _tokens(value: Any) -> tuple[int, int]:
    """(keys, texts): the keys of every object in `value` and the strings among its values."""
    if isinstance(value, str):
        return 0, 1
    if isinstance(value, dict):
        keys, texts = len(value), 0
        items: Any = value.values()
    elif isinstance(value, list):
        keys, texts, items = 0, 0, value
    else:
        return 0, 0
    for item in items:
        if isinstance(item, str):
            texts += 1
        elif isinstance(item, dict | list):
            more_keys, more_texts = _tokens(item)
            keys, texts = keys + more_keys, texts + more_texts
    return keys, texts


def decode_plain_line(text: str) -> PackageRecord | None:
    """The record of one NFC line without backslashes and nested at most MAX_NESTING deep, or None."""
    try:
        line = _DECODER.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    # Without escapes every string, key or value, is two quotes: a key written twice (msgspec
    # keeps one of them) leaves more quotes in the text than the decoded line accounts for.
    keys, texts = _tokens(line.values)
    keys += len(_Line.__struct_fields__) - (line.updated_by_name is UNSET) + len(line.version_vector)
    texts += _TEXT_FIELDS + isinstance(line.updated_by_name, str)
    if text.count('"') != 2 * (keys + texts):
        return None
    try:
        record_id = line.id if _CANONICAL_UUID.fullmatch(line.id) else canonical_uuid(line.id)
        created_at, updated_at = utc_time(line.created_at), utc_time(line.updated_at)
    except ValueError:
        return None
    return PackageRecord.checked(
        id=record_id,
        form_id=line.form_id,
        form_version=line.form_version,
        unit_code=line.unit_code,
        period_code=line.period_code,
        values=line.values,
        version_vector=line.version_vector,
        deleted=line.deleted,
        created_by=line.created_by,
        created_at=created_at,
        updated_by=line.updated_by,
        updated_at=updated_at,
        origin_site=line.origin_site,
        updated_by_name=None if line.updated_by_name is UNSET else line.updated_by_name,
    )
