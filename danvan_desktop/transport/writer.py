"""Writing a package: records streamed into records.jsonl, a signed manifest, optional encryption."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from danvan_desktop.text import nfc
from danvan_desktop.transport import crypto
from danvan_desktop.transport.files import atomic_file, sha256_of
from danvan_desktop.transport.keys import fingerprint, public_key_raw
from danvan_desktop.transport.package_format import (
    DEFAULT_LIMITS,
    DEFINITIONS_FORMAT_VERSION,
    ENVELOPE_NAME,
    FORMAT_NAME,
    MANIFEST_NAME,
    MAX_NESTING,
    PAYLOAD_NAME,
    PLAIN_FORMAT_VERSION,
    RECORDS_NAME,
    RETURNS_FORMAT_VERSION,
    RETURNS_NAME,
    REVIEW_FORMAT_VERSION,
    Limits,
    ManifestInfo,
    PackageError,
    PackagePassphraseError,
    PackageSummary,
    PackageWriteError,
    canonical_json,
)
from danvan_desktop.transport.safezip import megabytes
from danvan_desktop.transport.schema import (
    PRENORMALIZED,
    Manifest,
    PackageRecord,
    UnitDefinitions,
    english_detail,
    format_utc,
    normalize_json,
)
from danvan_desktop.transport.signing import sign_manifest

_FLUSH_AT = 1 << 18  # bytes of JSON lines gathered before each write into the zip member


@dataclass
class _RecordsTally:
    """What the manifest says about records.jsonl, gathered while streaming it."""

    digest: Any = field(default_factory=hashlib.sha256)
    size: int = 0
    count: int = 0
    tombstones: int = 0


def write_package(
    out: Path,
    manifest_fields: ManifestInfo,
    records: Iterable[Mapping[str, Any] | PackageRecord],
    private_key: Ed25519PrivateKey,
    passphrase: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> PackageSummary:
    """Write a signed (and, with a passphrase, encrypted) package to `out`, atomically.

    Records are mappings with the fields of docs/package-format.md (naive datetimes are UTC, as
    in the database) or PackageRecord objects. A record that does not validate, or whose unit,
    period or form is not declared in `manifest_fields`, is a programming error: ValueError.
    PackageError when the data would exceed what a reader accepts, or the file cannot be written.
    `out` is only replaced once everything is written and flushed; no partial file is left behind.
    """
    out = Path(out)
    if passphrase is not None and not passphrase:
        raise PackagePassphraseError(out, "mật khẩu không được để trống.", detail="empty passphrase")
    try:
        with atomic_file(out) as handle:
            if passphrase is None:
                manifest = _write_plain(handle, manifest_fields, records, private_key, out, limits)
            else:
                buffer = io.BytesIO()
                manifest = _write_plain(buffer, manifest_fields, records, private_key, out, limits)
                envelope_bytes, payload = crypto.encrypt(buffer.getvalue(), passphrase)
                del buffer
                _write_envelope(handle, envelope_bytes, payload)
                del payload
            handle.seek(0)
            sha256, size = sha256_of(handle)
            if size > limits.max_file_size:
                raise PackageError(
                    out,
                    f"gói quá lớn ({megabytes(size)}, tối đa {megabytes(limits.max_file_size)}); "
                    "hãy xuất theo từng kỳ hoặc từng đơn vị.",
                    detail=f"{size} bytes",
                )
    except OSError as exc:
        raise PackageWriteError.from_os_error(out, exc) from exc
    return PackageSummary(
        path=out,
        package_id=manifest["package_id"],
        record_count=manifest["record_count"],
        tombstone_count=manifest["tombstone_count"],
        size=size,
        sha256=sha256,
        encrypted=passphrase is not None,
        fingerprint=fingerprint(public_key_raw(private_key)),
    )


def _member(name: str, when: dt.datetime, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compress_type  # ZipInfo defaults to STORED, whatever the ZipFile says
    info.external_attr = 0o644 << 16
    return info


def _write_plain(
    target: IO[bytes],
    info: ManifestInfo,
    records: Iterable[Mapping[str, Any] | PackageRecord],
    private_key: Ed25519PrivateKey,
    out: Path,
    limits: Limits,
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    forms = {nfc(form_id): version for form_id, version in info.forms.items()}
    if len(forms) != len(info.forms):  # two spellings of one form id: one version would be lost
        raise ValueError("two form ids in the manifest fields are the same text after NFC normalization")
    units = sorted({nfc(code) for code in info.units})
    periods = sorted({nfc(code) for code in info.periods})
    with zipfile.ZipFile(target, "w") as zf:
        with zf.open(_member(RECORDS_NAME, now), "w") as member:
            tally = _stream_records(member, records, set(forms), set(units), set(periods), out, limits)
        definitions = _definitions(info)
        review = _review(info)
        members = {RECORDS_NAME: {"sha256": tally.digest.hexdigest(), "size": tally.size}}
        returns = _write_returns(zf, info, now, members)
        version = (
            REVIEW_FORMAT_VERSION
            if review is not None
            else RETURNS_FORMAT_VERSION
            if returns
            else DEFINITIONS_FORMAT_VERSION
            if definitions is not None
            else PLAIN_FORMAT_VERSION
        )
        unsigned = {
            "format": FORMAT_NAME,
            "format_version": version,
            "package_id": str(uuid.uuid4()),
            "site_id": nfc(info.site_id),
            "office_unit": nfc(info.office_unit),
            "sequence": info.sequence,
            "app_version": info.app_version,
            "schema_revision": info.schema_revision,
            "forms": forms,
            "created_utc": format_utc(now),
            "periods": periods,
            "units": units,
            "record_count": tally.count,
            "tombstone_count": tally.tombstones,
            "members": members,
        }
        if definitions is not None:
            unsigned["unit_definitions"] = definitions
        if review is not None:
            unsigned["review"] = review
        if returns:
            unsigned["returns"] = returns
        manifest = sign_manifest(unsigned, private_key)
        try:
            Manifest.model_validate(manifest)  # never write what a reader would refuse
        except ValidationError as exc:
            raise ValueError(f"invalid manifest fields: {english_detail(exc)}") from exc
        zf.writestr(_member(MANIFEST_NAME, now), canonical_json(manifest))
    return manifest


def _write_returns(
    zf: zipfile.ZipFile, info: ManifestInfo, when: dt.datetime, members: dict[str, Any]
) -> list[dict[str, Any]]:
    """returns.pdfs (the PDFs one after another) and the manifest's entries for them; [] without any."""
    if not info.returns:
        return []
    entries, offset = [], 0
    digest = hashlib.sha256()
    # PDFs are compressed inside already: STORED keeps the member's ratio check meaningful and cheap.
    with zf.open(_member(RETURNS_NAME, when, zipfile.ZIP_STORED), "w") as member:
        for attachment in info.returns:
            if not attachment.pdf.startswith(b"%PDF-"):
                raise ValueError(f"return {attachment.unit} {attachment.number}: not a PDF")
            member.write(attachment.pdf)
            digest.update(attachment.pdf)
            entries.append(
                {
                    "offset": offset,
                    "size": len(attachment.pdf),
                    "sha256": hashlib.sha256(attachment.pdf).hexdigest(),
                    "kind": attachment.kind,
                    "unit": nfc(attachment.unit),
                    "period": nfc(attachment.period),
                    "series": nfc(attachment.series),
                    "number": attachment.number,
                }
            )
            offset += len(attachment.pdf)
    members[RETURNS_NAME] = {"sha256": digest.hexdigest(), "size": offset}
    return entries


def _definitions(info: ManifestInfo) -> dict[str, Any] | None:
    """The unit definitions in their written form (NFC, dates as text); None when there are none."""
    given = info.unit_definitions
    if not given or not (given.get("units") or given.get("lineage")):
        return None  # nothing to define: a format_version 1 package, readable by older installations
    try:
        return UnitDefinitions.model_validate(normalize_json(dict(given))).to_json_dict()
    except ValidationError as exc:
        raise ValueError(f"invalid unit definitions: {english_detail(exc)}") from exc


def _review(info: ManifestInfo) -> dict[str, Any] | None:
    """The returns' statements in their written form; None when there is nothing to state."""
    from danvan_desktop.transport.review_schema import ReviewStatements

    given = info.review
    if not given or not (given.get("returns") or given.get("resolved")):
        return None  # nothing to state: the package stays readable by installations without review
    try:
        return ReviewStatements.model_validate(normalize_json(dict(given))).to_json_dict()
    except ValidationError as exc:
        raise ValueError(f"invalid review statements: {english_detail(exc)}") from exc


def _stream_records(
    member: IO[bytes],
    records: Iterable[Mapping[str, Any] | PackageRecord],
    forms: set[str],
    units: set[str],
    periods: set[str],
    out: Path,
    limits: Limits,
) -> _RecordsTally:
    tally = _RecordsTally()
    seen: set[str] = set()
    pending: list[bytes] = []
    pending_size = 0
    for number, item in enumerate(records, 1):
        record, line = _prepare(item, number)
        if record.id in seen:
            raise ValueError(f"record {number}: id {record.id} appears twice")
        if record.unit_code not in units or record.period_code not in periods or record.form_id not in forms:
            raise ValueError(
                f"record {number}: unit {record.unit_code!r}, period {record.period_code!r} or form "
                f"{record.form_id!r} is not declared in the manifest fields"
            )
        seen.add(record.id)
        if len(line) > limits.max_line_size:
            raise PackageError(
                out,
                f"bản ghi {record.id} quá lớn ({megabytes(len(line))}, "
                f"tối đa {megabytes(limits.max_line_size)}).",
                detail=f"record {number}: {len(line)} bytes",
            )
        line += b"\n"
        tally.digest.update(line)
        tally.size += len(line)
        tally.count += 1
        tally.tombstones += record.deleted
        if tally.size > limits.max_total_uncompressed:
            raise PackageError(
                out,
                f"dữ liệu quá lớn cho một gói (quá {megabytes(limits.max_total_uncompressed)}); "
                "hãy xuất theo từng kỳ hoặc từng đơn vị.",
                detail=f"records.jsonl over {limits.max_total_uncompressed} bytes",
            )
        pending.append(line)
        pending_size += len(line)
        if pending_size >= _FLUSH_AT:
            member.write(b"".join(pending))
            pending.clear()
            pending_size = 0
    member.write(b"".join(pending))
    return tally


def _prepare(item: Mapping[str, Any] | PackageRecord, number: int) -> tuple[PackageRecord, bytes]:
    """The validated record and its JSON line (without LF).

    Database values are already NFC, so the record is first validated without walking every
    string; only when the serialized line turns out not to be NFC (or to nest deeply) is it
    validated again with the normalizing walk.
    """
    if isinstance(item, PackageRecord):  # validated, hence normalized, when it was built
        return item, _serialized(item, number)
    record = _validated(item, number, PRENORMALIZED)
    line = _serialized(record, number)
    text = line.decode("utf-8")
    if (not text.isascii() and not unicodedata.is_normalized("NFC", text)) or (
        text.count("{") + text.count("[") > MAX_NESTING
    ):
        record = _validated(item, number, None)
        line = _serialized(record, number)
    return record, line


def _validated(item: Mapping[str, Any], number: int, context: dict[str, bool] | None) -> PackageRecord:
    try:
        return PackageRecord.model_validate(item, context=context)
    except ValidationError as exc:
        raise ValueError(f"record {number} does not fit the package format: {english_detail(exc)}") from exc


def _serialized(record: PackageRecord, number: int) -> bytes:
    try:
        return canonical_json(record.to_json_dict())
    except (TypeError, ValueError, RecursionError) as exc:  # Decimal, set, NaN, a lone surrogate...
        raise ValueError(f"record {number} ({record.id}): values are not plain JSON: {exc}") from exc


def _write_envelope(target: IO[bytes], envelope_bytes: bytes, payload: bytes) -> None:
    now = dt.datetime.now(dt.UTC)
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(_member(ENVELOPE_NAME, now), envelope_bytes)
        zf.writestr(_member(PAYLOAD_NAME, now, zipfile.ZIP_STORED), payload)  # ciphertext: incompressible
