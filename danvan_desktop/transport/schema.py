"""Typed shapes of a package's manifest and records (pydantic), and the UTC time convention."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from danvan_desktop.transport.package_format import (
    MAX_NESTING,
    MAX_RETURNS,
    RECORDS_NAME,
    RETURNS_NAME,
    PackageError,
)

if TYPE_CHECKING:
    from danvan_desktop.transport.review_schema import ReviewStatements


def format_utc(moment: dt.datetime) -> str:
    """`2023-02-05T08:30:00Z` (microseconds only when there are some); naive means UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def utc_time(text: str) -> dt.datetime:
    """ISO 8601 text with an offset -> aware UTC; ValueError without one, or out of range."""
    if len(text) > 40:
        raise ValueError("time text too long")
    parsed = dt.datetime.fromisoformat(text)
    if parsed.utcoffset() is None:
        raise ValueError("time without a UTC offset")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError as exc:  # year 1 at +05:00 has no UTC equivalent
        raise ValueError("time out of range") from exc


def _to_utc(value: Any) -> Any:
    """ISO 8601 text with an offset (or a datetime; naive ones are the database's UTC) -> aware UTC."""
    if isinstance(value, str):
        return utc_time(value)
    if isinstance(value, dt.datetime):
        try:
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValueError("time out of range") from exc
    return value  # anything else is refused by the strict datetime check


def canonical_uuid(value: str) -> str:
    """The UUID's canonical spelling; ValueError when `value` is no UUID."""
    return str(uuid.UUID(value))


UtcTime = Annotated[dt.datetime, BeforeValidator(_to_utc)]
UuidText = Annotated[str, StringConstraints(min_length=32, max_length=45), AfterValidator(canonical_uuid)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
SiteId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(max_length=200)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]
Base64Text = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
]

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


# Validation context from a reader that has already NFC-normalized the JSON text and bounded
# its nesting (see reader.parse_record_line): the walk below is then skipped.
PRENORMALIZED = {"prenormalized": True}


def _nfc_text(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def normalize_json(value: Any, depth: int = MAX_NESTING + 1) -> Any:
    """NFC every string (object keys too), tuples as lists.

    ValueError past `depth` levels, or when two keys of one mapping become equal once normalized.
    """
    if isinstance(value, str):
        return _nfc_text(value)
    if isinstance(value, Mapping):
        if depth <= 0:
            raise ValueError(f"values nest deeper than {MAX_NESTING} levels")
        normalized = {
            _nfc_text(k) if isinstance(k, str) else k: normalize_json(v, depth - 1) for k, v in value.items()
        }
        if len(normalized) != len(value):  # two spellings of one key: one value would be lost
            raise ValueError("two keys are the same text after NFC normalization")
        return normalized
    if isinstance(value, list | tuple):
        if depth <= 0:
            raise ValueError(f"values nest deeper than {MAX_NESTING} levels")
        return [normalize_json(v, depth - 1) for v in value]
    return value


def _normalized(data: Any, info: ValidationInfo) -> Any:
    if isinstance(info.context, dict) and info.context.get("prenormalized") is True:
        return data
    return normalize_json(data) if isinstance(data, Mapping) else data


class MemberDigest(BaseModel):
    """Size and SHA-256 of one uncompressed zip member."""

    model_config = _STRICT

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: Count


def _to_date(value: Any) -> Any:
    """A day as `YYYY-MM-DD` text (the only spelling the format has), or a date from the writer."""
    if isinstance(value, str):
        if len(value) != 10:
            raise ValueError("a date is written YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    return value  # a date passes; anything else is refused by the strict date check


Day = Annotated[dt.date, BeforeValidator(_to_date)]
UnitName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class DefinedUnit(BaseModel):
    """A unit the sending office defined itself (a village), as the receiver is to learn it."""

    model_config = _STRICT

    code: Code
    name: UnitName
    kind: Code
    parent: Code
    valid_from: Day
    valid_to: Day | None

    @model_validator(mode="after")
    def _span(self) -> DefinedUnit:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to before valid_from")
        return self


class DefinedLink(BaseModel):
    """A dated lineage link between defined units: `from` became (part of) `to` on `date`."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)

    from_code: Code = Field(alias="from")
    to_code: Code = Field(alias="to")
    date: Day
    kind: Literal["merge", "split", "rename", "transfer"]


class UnitDefinitions(BaseModel):
    """manifest.json's `unit_definitions` (format_version 2): units and their lineage, signed."""

    model_config = _STRICT

    units: list[DefinedUnit]
    lineage: list[DefinedLink]

    @model_validator(mode="after")
    def _unique(self) -> UnitDefinitions:
        codes = [u.code for u in self.units]
        if len(codes) != len(set(codes)):
            raise ValueError("a unit is defined twice")
        links = [(link.from_code, link.to_code) for link in self.lineage]
        if len(links) != len(set(links)):
            raise ValueError("a lineage link is listed twice")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class ReturnEntry(BaseModel):
    """manifest.json's `returns` (format_version 3): one signed PDF in returns.pdfs and what it is."""

    model_config = _STRICT

    offset: Count
    size: Annotated[int, Field(ge=5)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    kind: Literal["return", "summary"]
    unit: Code
    period: Code
    series: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    number: Positive


class Manifest(BaseModel):
    """manifest.json of format_version 1, 2 or 3, as validated (NFC) — see docs/package-format.md."""

    model_config = _STRICT

    format: Literal["danvan-package"]
    format_version: Literal[1, 2, 3, 4]
    package_id: UuidText
    site_id: SiteId
    office_unit: Code
    sequence: Positive
    app_version: Label
    schema_revision: Label
    forms: dict[Code, Positive]
    created_utc: UtcTime
    periods: list[Code]
    units: list[Code]
    record_count: Count
    tombstone_count: Count
    members: dict[str, MemberDigest]
    public_key: Base64Text
    key_fingerprint: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    signature: Base64Text
    unit_definitions: UnitDefinitions | None = None  # always in format_version 2, may be in 3 and 4
    returns: Annotated[list[ReturnEntry], Field(min_length=1, max_length=MAX_RETURNS)] | None = None  # v3, v4
    # format_version 4 only, and always there: the sender's returns (review_schema.ReviewStatements).
    review: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any, info: ValidationInfo) -> Any:
        return _normalized(data, info)

    @model_validator(mode="after")
    def _fields_of_the_version(self) -> Manifest:
        version = self.format_version
        if version == 1 and self.unit_definitions is not None:
            raise ValueError("unit_definitions appear in format_version 2, 3 or 4")
        if version == 2 and self.unit_definitions is None:
            raise ValueError("format_version 2 carries unit_definitions")
        if version == 3 and self.returns is None:
            raise ValueError("format_version 3 carries returns")
        if version < 3 and self.returns is not None:
            raise ValueError("returns appear in format_version 3 or 4")
        if (version == 4) != (self.review is not None):
            raise ValueError("review appears in format_version 4, and always there")
        if self.review is not None:
            from danvan_desktop.transport.review_schema import ReviewStatements

            ReviewStatements.model_validate(self.review)
        return self

    def review_statements(self) -> ReviewStatements | None:
        """The `review` of a format_version 4 package, typed; None in earlier versions."""
        from danvan_desktop.transport.review_schema import ReviewStatements

        return None if self.review is None else ReviewStatements.model_validate(self.review)

    @model_validator(mode="after")
    def _members_and_returns(self) -> Manifest:
        expected = {RECORDS_NAME} | ({RETURNS_NAME} if self.returns is not None else set())
        if set(self.members) != expected:
            raise ValueError(f"members must list exactly {', '.join(sorted(expected))}")
        if self.returns is not None and sum(e.size for e in self.returns) != self.members[RETURNS_NAME].size:
            raise ValueError(f"returns do not fill {RETURNS_NAME} exactly")
        return self

    @field_validator("returns")
    @classmethod
    def _contiguous(cls, returns: list[ReturnEntry] | None) -> list[ReturnEntry] | None:
        # The PDFs lie one after another in returns.pdfs, in this order, nothing between them.
        at = 0
        for entry in returns or []:
            if entry.offset != at:
                raise ValueError("returns are not contiguous from offset 0 in their order")
            at += entry.size
        return returns

    @model_validator(mode="after")
    def _counts(self) -> Manifest:
        if self.tombstone_count > self.record_count:
            raise ValueError("tombstone_count exceeds record_count")
        return self


class PackageRecord(BaseModel):
    """One record as carried between sites (values NFC-normalized, times aware UTC)."""

    model_config = _STRICT

    id: UuidText
    form_id: Code
    form_version: Positive
    unit_code: Code
    period_code: Code
    values: dict[str, Any]
    version_vector: dict[SiteId, Count]
    deleted: bool
    created_by: Name
    created_at: UtcTime
    updated_by: Name
    updated_at: UtcTime
    origin_site: SiteId
    # The full name of updated_by; optional, absent from packages written before accounts.
    updated_by_name: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any, info: ValidationInfo) -> Any:
        return _normalized(data, info)

    @classmethod
    def checked(cls, **fields: Any) -> PackageRecord:
        """A record from fields already checked as model_validate would (transport.record_decoding).

        model_construct without its per-field bookkeeping, which costs more than msgspec's decoding.
        """
        record = cls.__new__(cls)
        _set = object.__setattr__
        _set(record, "__dict__", fields)
        _set(record, "__pydantic_fields_set__", set(fields))
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record

    def to_json_dict(self) -> dict[str, Any]:
        """The object written as one line of records.jsonl."""
        data = self.model_dump()
        if data["updated_by_name"] is None:  # absent rather than null: older readers' lines stay alike
            del data["updated_by_name"]
        data["created_at"] = format_utc(self.created_at)
        data["updated_at"] = format_utc(self.updated_at)
        return data


ModelT = TypeVar("ModelT", bound=BaseModel)


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    """`values, created_at` — the fields a person should look at, without the input echoed."""
    fields: list[str] = []
    for error in exc.errors(include_input=False):
        name = ".".join(str(part) for part in error["loc"]) or "(toàn bộ)"
        if name not in fields:
            fields.append(name)
    shown = ", ".join(fields[:limit])
    return shown + (f" (và {len(fields) - limit} trường khác)" if len(fields) > limit else "")


def english_detail(exc: ValidationError, limit: int = 600) -> str:
    text = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
    )
    return text[:limit]


def validated_member(model: type[ModelT], obj: Mapping[str, Any], path: Path, member: str) -> ModelT:
    """`obj` (a package member's JSON object) as `model`, or PackageError naming the fields at fault."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise PackageError(
            path,
            f"{member} thiếu hoặc sai trường: {describe_validation_error(exc)}.",
            detail=english_detail(exc),
        ) from exc
