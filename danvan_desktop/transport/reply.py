"""The reply package (format_version 4): the office above's decisions, comments and payloads for one unit."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import TypeAdapter, ValidationError

from danvan_desktop.text import nfc
from danvan_desktop.transport import crypto
from danvan_desktop.transport.files import atomic_file, sha256_of
from danvan_desktop.transport.keys import fingerprint, public_key_raw
from danvan_desktop.transport.package_format import (
    DEFAULT_LIMITS,
    ENVELOPE_NAME,
    FORMAT_NAME,
    MANIFEST_NAME,
    PAYLOAD_NAME,
    PAYLOADS_NAME,
    REPLY_NAME,
    REVIEW_FORMAT_VERSION,
    Limits,
    PackageError,
    PackagePassphraseError,
    PackageSummary,
    PackageWriteError,
    canonical_json,
    check_format_header,
    load_json_object,
    loads_strict,
)
from danvan_desktop.transport.review_schema import (
    CommentItem,
    PayloadLine,
    ReplyItem,
    ReplyManifest,
    ReturnItem,
)
from danvan_desktop.transport.safezip import iter_member_chunks, megabytes, read_member, split_lines
from danvan_desktop.transport.schema import (
    describe_validation_error,
    english_detail,
    format_utc,
    normalize_json,
)
from danvan_desktop.transport.signing import sign_manifest, verified_signer

_ITEMS: TypeAdapter[ReturnItem | CommentItem] = TypeAdapter(ReplyItem)


@dataclass(frozen=True)
class ReplyInfo:
    """What the office above says about itself and the reply; the writer adds the rest."""

    site_id: str
    office_unit: str  # the sender: the office above
    recipient_unit: str  # the one unit the reply is for
    sequence: int  # the office's counter of replies to that unit, 1 for the first
    app_version: str
    schema_revision: str


@dataclass(frozen=True)
class VerifiedReply:
    """A reply whose zip, manifest, signature and members have been checked, with its content read."""

    path: Path
    manifest: ReplyManifest
    public_key: bytes
    fingerprint: str
    encrypted: bool
    file_size: int
    file_sha256: str
    items: list[ReturnItem | CommentItem] = field(repr=False)
    payloads: list[tuple[str, bytes]] = field(repr=False)


def write_reply(
    out: Path,
    info: ReplyInfo,
    items: Sequence[Mapping[str, Any]],
    payloads: Sequence[tuple[str, bytes]],
    private_key: Ed25519PrivateKey,
    passphrase: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> PackageSummary:
    """Write a signed (optionally encrypted) reply package to `out`, atomically.

    `items` are review items (docs §8.2) as mappings; `payloads` (kind, bytes) in the order to apply.
    An item or payload that does not fit the format is a programming error: ValueError.
    """
    out = Path(out)
    if passphrase is not None and not passphrase:
        raise PackagePassphraseError(out, "mật khẩu không được để trống.", detail="empty passphrase")
    item_lines = [_line(_validated_item(item, n), out, limits) for n, item in enumerate(items, 1)]
    payload_lines = []
    for kind, data in payloads:
        try:
            line = PayloadLine.model_validate({"kind": kind, "data": base64.b64encode(data).decode("ascii")})
        except ValidationError as exc:
            raise ValueError(f"payload {kind!r}: {english_detail(exc)}") from exc
        payload_lines.append(_line(line.model_dump(), out, limits))
    kinds = [kind for kind, _ in payloads]
    if len(kinds) != len(set(kinds)):
        raise ValueError("one payload per kind in a reply")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reply_bytes, payload_bytes = b"".join(item_lines), b"".join(payload_lines)
    unsigned = {
        "format": FORMAT_NAME,
        "format_version": REVIEW_FORMAT_VERSION,
        "package_kind": "reply",
        "package_id": str(uuid.uuid4()),
        "site_id": nfc(info.site_id),
        "office_unit": nfc(info.office_unit),
        "recipient_unit": nfc(info.recipient_unit),
        "sequence": info.sequence,
        "app_version": info.app_version,
        "schema_revision": info.schema_revision,
        "created_utc": format_utc(now),
        "item_count": len(item_lines),
        "payload_count": len(payload_lines),
        "payload_kinds": sorted(set(kinds)),
        "members": {
            REPLY_NAME: {"sha256": hashlib.sha256(reply_bytes).hexdigest(), "size": len(reply_bytes)},
            PAYLOADS_NAME: {"sha256": hashlib.sha256(payload_bytes).hexdigest(), "size": len(payload_bytes)},
        },
    }
    manifest = sign_manifest(unsigned, private_key)
    _reply_manifest(manifest, out)  # never write what a reader would refuse
    try:
        with atomic_file(out) as handle:
            plain = io.BytesIO()
            with zipfile.ZipFile(plain, "w") as zf:
                zf.writestr(_member(REPLY_NAME, now), reply_bytes)
                zf.writestr(_member(PAYLOADS_NAME, now), payload_bytes)
                zf.writestr(_member(MANIFEST_NAME, now), canonical_json(manifest))
            if passphrase is None:
                handle.write(plain.getvalue())
            else:
                envelope_bytes, ciphertext = crypto.encrypt(plain.getvalue(), passphrase)
                with zipfile.ZipFile(handle, "w") as zf:
                    zf.writestr(_member(ENVELOPE_NAME, now), envelope_bytes)
                    zf.writestr(_member(PAYLOAD_NAME, now, zipfile.ZIP_STORED), ciphertext)
            handle.seek(0)
            sha256, size = sha256_of(handle)
    except OSError as exc:
        raise PackageWriteError.from_os_error(out, exc) from exc
    if size > limits.max_file_size:
        raise PackageError(out, f"gói quá lớn ({megabytes(size)}).", detail=f"{size} bytes")
    return PackageSummary(
        path=out,
        package_id=manifest["package_id"],
        record_count=len(item_lines),
        tombstone_count=0,
        size=size,
        sha256=sha256,
        encrypted=passphrase is not None,
        fingerprint=fingerprint(public_key_raw(private_key)),
    )


def _member(name: str, when: dt.datetime, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def _validated_item(item: Mapping[str, Any], number: int) -> dict[str, Any]:
    try:
        parsed = _ITEMS.validate_python(normalize_json(dict(item)))
    except ValidationError as exc:
        raise ValueError(f"reply item {number}: {english_detail(exc)}") from exc
    return dict(parsed.model_dump(mode="json", exclude_none=True))


def _line(obj: Mapping[str, Any], out: Path, limits: Limits) -> bytes:
    line = canonical_json(obj)
    if len(line) > limits.max_line_size:
        raise PackageError(out, f"một mục của gói phản hồi quá lớn ({megabytes(len(line))}).", detail="line")
    return line + b"\n"


def _reply_manifest(obj: Mapping[str, Any], path: Path) -> ReplyManifest:
    try:
        return ReplyManifest.model_validate(obj)
    except ValidationError as exc:
        raise PackageError(
            path,
            f"{MANIFEST_NAME} của gói phản hồi thiếu hoặc sai trường: {describe_validation_error(exc)}.",
            detail=english_detail(exc),
        ) from exc


def verify_reply(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], path: Path, limits: Limits
) -> tuple[ReplyManifest, bytes, list[ReturnItem | CommentItem], list[tuple[str, bytes]]]:
    """Manifest, signature, then both members against the manifest, every line parsed and validated."""
    raw = read_member(zf, infos[MANIFEST_NAME], limits.max_manifest_size, path)
    obj = load_json_object(raw, path, MANIFEST_NAME)
    check_format_header(obj, FORMAT_NAME, path, MANIFEST_NAME)
    manifest = _reply_manifest(obj, path)
    public = verified_signer(obj, manifest.public_key, path)
    item_lines = list(_member_lines(zf, infos[REPLY_NAME], manifest, path, limits))
    items = [_parsed_item(line, n, path) for n, line in enumerate(item_lines, 1)]
    payloads = [
        _parsed_payload(line, n, path)
        for n, line in enumerate(_member_lines(zf, infos[PAYLOADS_NAME], manifest, path, limits), 1)
    ]
    if (len(items), len(payloads)) != (manifest.item_count, manifest.payload_count):
        raise PackageError(path, "số mục trong gói phản hồi khác với manifest.", detail="counts differ")
    kinds = [kind for kind, _ in payloads]
    if len(kinds) != len(set(kinds)) or sorted(kinds) != manifest.payload_kinds:
        raise PackageError(
            path,
            "danh sách loại nội dung trong gói phản hồi khác với manifest.",
            detail="payload kinds differ",
        )
    comments = [item.id for item in items if item.type == "comment"]
    returns = [(i.unit, i.period, i.form) for i in items if i.type == "return"]
    if len(comments) != len(set(comments)) or len(returns) != len(set(returns)):
        raise PackageError(path, "gói phản hồi có mục lặp lại hai lần.", detail="repeated item")
    return manifest, public, items, payloads


def _member_lines(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, manifest: ReplyManifest, path: Path, limits: Limits
) -> Iterator[bytes]:
    expected = manifest.members[info.filename]
    mismatch = f"nội dung {info.filename} không khớp với manifest: gói đã bị sửa hoặc bị hỏng."
    if info.file_size != expected.size:
        raise PackageError(path, mismatch, detail=f"{info.filename}: size differs from the manifest")
    digest = hashlib.sha256()
    lines = list(
        split_lines(
            _tally(iter_member_chunks(zf, info, path), digest), limits.max_line_size, path, info.filename
        )
    )
    if digest.hexdigest() != expected.sha256:
        raise PackageError(path, mismatch, detail=f"{info.filename}: sha256 differs from the manifest")
    yield from lines


def _tally(chunks: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def _json_line(raw: bytes, number: int, path: Path, member: str) -> Any:
    where = f"dòng {number} của {member}"
    try:
        obj = loads_strict(raw.decode("utf-8"))
        canonical_json(obj)  # a lone surrogate cannot be stored
    except (ValueError, RecursionError) as exc:
        raise PackageError(
            path, f"{where} không phải JSON hợp lệ.", detail=f"{member} line {number}: {exc}", line=number
        ) from exc
    if not isinstance(obj, dict):
        raise PackageError(
            path, f"{where} không phải một đối tượng JSON.", detail=f"line {number}", line=number
        )
    return normalize_json(obj)


def _parsed_item(raw: bytes, number: int, path: Path) -> ReturnItem | CommentItem:
    obj = _json_line(raw, number, path, REPLY_NAME)
    try:
        return _ITEMS.validate_python(obj)
    except ValidationError as exc:
        raise PackageError(
            path,
            f"dòng {number} của {REPLY_NAME}: mục thiếu hoặc sai trường {describe_validation_error(exc)}.",
            detail=f"line {number}: {english_detail(exc)}",
            line=number,
        ) from exc


def _parsed_payload(raw: bytes, number: int, path: Path) -> tuple[str, bytes]:
    obj = _json_line(raw, number, path, PAYLOADS_NAME)
    try:
        line = PayloadLine.model_validate(obj)
        return line.kind, base64.b64decode(line.data, validate=True)
    except (ValidationError, ValueError) as exc:
        raise PackageError(
            path,
            f"dòng {number} của {PAYLOADS_NAME} không hợp lệ.",
            detail=f"line {number}: {exc}"[:600],
            line=number,
        ) from exc
