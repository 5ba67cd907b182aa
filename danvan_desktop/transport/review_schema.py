"""Typed shapes of the review workflow in packages: returns' states, comments, and the reply manifest."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from danvan_desktop.transport.package_format import PAYLOADS_NAME, REPLY_NAME
from danvan_desktop.transport.schema import (
    Base64Text,
    Code,
    Count,
    Label,
    MemberDigest,
    Name,
    Positive,
    SiteId,
    UtcTime,
    UuidText,
    _normalized,
)

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)

STATES = ("dang_nhap", "da_nop", "da_nhan", "da_duyet", "tra_lai")
State = Literal["dang_nhap", "da_nop", "da_nhan", "da_duyet", "tra_lai"]
Words = Annotated[str, StringConstraints(max_length=4000)]
CommentText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
# A payload kind names the registered handler: lower-case letters, digits, "_" and "." only.
PayloadKind = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")]


class ReturnState(BaseModel):
    """A return (unit × period × form) in a state, as of a revision that grows at both ends."""

    model_config = _STRICT

    unit: Code
    period: Code
    form: Code
    state: State
    revision: Positive
    changed_at: UtcTime
    changed_by_name: Name
    note: Words | None = None  # the reviewer's words with a decision, or the grant's
    reopen_reason: Words | None = None  # upward only: the unit asks to reopen an approved return
    reopen_requested_at: UtcTime | None = None

    @model_validator(mode="after")
    def _request_whole(self) -> ReturnState:
        if (self.reopen_reason is None) != (self.reopen_requested_at is None):
            raise ValueError("reopen_reason and reopen_requested_at go together")
        return self


class Resolution(BaseModel):
    """The unit marked a reviewer's comment resolved."""

    model_config = _STRICT

    comment: UuidText
    resolved_at: UtcTime
    resolved_by_name: Name


class ReviewStatements(BaseModel):
    """manifest.json's `review` in a data package (format_version 4): what the unit says upward."""

    model_config = _STRICT

    returns: list[ReturnState]
    resolved: list[Resolution]

    @model_validator(mode="after")
    def _unique(self) -> ReviewStatements:
        keys = [(r.unit, r.period, r.form) for r in self.returns]
        if len(keys) != len(set(keys)):
            raise ValueError("a return is stated twice")
        ids = [r.comment for r in self.resolved]
        if len(ids) != len(set(ids)):
            raise ValueError("a comment is resolved twice")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ReturnItem(ReturnState):
    """A line of reply.jsonl: the office's state of one of the unit's returns."""

    type: Literal["return"]


class CommentItem(BaseModel):
    """A line of reply.jsonl: a reviewer's comment on a return, a record (record_id) or a field."""

    model_config = _STRICT

    type: Literal["comment"]
    id: UuidText
    unit: Code
    period: Code
    form: Code
    record_id: UuidText | None = None
    field_id: Code | None = None
    text: CommentText
    author_name: Name
    created_at: UtcTime
    resolved_at: UtcTime | None = None
    resolved_by_name: Name | None = None

    @model_validator(mode="after")
    def _field_needs_record(self) -> CommentItem:
        if self.field_id is not None and self.record_id is None:
            raise ValueError("a field comment names its record")
        return self


ReplyItem = Annotated[ReturnItem | CommentItem, Field(discriminator="type")]


class PayloadLine(BaseModel):
    """A line of payloads.jsonl: the bytes one registered handler wrote for the unit."""

    model_config = _STRICT

    kind: PayloadKind
    data: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]*={0,2}$")]


class ReplyManifest(BaseModel):
    """manifest.json of a reply package (format_version 4, package_kind "reply"), see docs §8."""

    model_config = _STRICT

    format: Literal["danvan-package"]
    format_version: Literal[4]
    package_kind: Literal["reply"]
    package_id: UuidText
    site_id: SiteId
    office_unit: Code
    recipient_unit: Code
    sequence: Positive
    app_version: Label
    schema_revision: Label
    created_utc: UtcTime
    item_count: Count
    payload_count: Count
    payload_kinds: list[PayloadKind]
    members: dict[str, MemberDigest]
    public_key: Base64Text
    key_fingerprint: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    signature: Base64Text

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any, info: ValidationInfo) -> Any:
        return _normalized(data, info)

    @model_validator(mode="after")
    def _members(self) -> ReplyManifest:
        if set(self.members) != {REPLY_NAME, PAYLOADS_NAME}:
            raise ValueError(f"members must list exactly {REPLY_NAME} and {PAYLOADS_NAME}")
        if self.payload_kinds != sorted(set(self.payload_kinds)):
            raise ValueError("payload_kinds is sorted and without repeats")
        if self.office_unit == self.recipient_unit:
            raise ValueError("a reply goes to another unit than its sender")
        return self
