"""Package format constants, size limits, the writer's inputs and outputs, and package errors."""

from __future__ import annotations

import base64
import binascii
import errno
import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from danvan_desktop.errors import UserError

FORMAT_NAME = "danvan-package"
ENCRYPTED_FORMAT_NAME = "danvan-package-encrypted"
# The newest manifest version this program reads and writes. A writer uses the lowest version that
# holds what it sends: 1 for records alone, 2 when the package also defines units (docs §3.6), 3 when
# it carries signed return PDFs (docs §3.7), 4 when it states returns under review or is a reply (docs §8),
# so installations not yet updated keep reading the packages that need nothing new.
FORMAT_VERSION = 4
PLAIN_FORMAT_VERSION = 1  # a package without unit definitions
DEFINITIONS_FORMAT_VERSION = 2  # unit definitions, no returns
RETURNS_FORMAT_VERSION = 3  # signed return PDFs attached (with or without unit definitions)
# A reply of the office above to one of its units, and a data package that states returns (docs §8);
# such a data package may also define units and attach signed returns.
REVIEW_FORMAT_VERSION = 4
ENVELOPE_FORMAT_VERSION = 1  # envelope.json of an encrypted package: versioned on its own

MANIFEST_NAME = "manifest.json"
RECORDS_NAME = "records.jsonl"
ENVELOPE_NAME = "envelope.json"
PAYLOAD_NAME = "payload.bin"

REPLY_NAME = "reply.jsonl"  # a reply's review items: decisions and comments
PAYLOADS_NAME = "payloads.jsonl"  # a reply's payloads (form definitions, targets...), see reply_payloads
RETURNS_NAME = "returns.pdfs"  # format 3 and 4: the attached PDFs, one after another (docs §3.7)

PLAIN_MEMBERS = frozenset({MANIFEST_NAME, RECORDS_NAME})
OPTIONAL_PLAIN_MEMBERS = frozenset({RETURNS_NAME})
REPLY_MEMBERS = frozenset({MANIFEST_NAME, REPLY_NAME, PAYLOADS_NAME})
MAX_RETURNS = 500  # PDFs attached to one package
ENCRYPTED_MEMBERS = frozenset({ENVELOPE_NAME, PAYLOAD_NAME})

# A record's JSON may nest lists and objects (table rows inside a form), but not without end:
# deeper input is refused before anything recurses into it.
MAX_NESTING = 32

_MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds checked before a byte is inflated; tests pass small ones to stay fast."""

    max_file_size: int = 256 * _MIB  # the package file as found on the stick
    max_members: int = 4  # zip entries, counted before their names are looked at
    max_total_uncompressed: int = 512 * _MIB  # sum of the declared sizes of all members
    max_ratio: int = 200  # declared size / compressed size, per member...
    ratio_exempt_below: int = 1 * _MIB  # ...except members smaller than this, which cannot hurt
    max_manifest_size: int = 1 * _MIB
    max_envelope_size: int = 64 * 1024
    max_line_size: int = 1 * _MIB  # one record of records.jsonl
    # scrypt parameters read from an envelope: memory is 128 * n * r bytes, time grows with n * r * p.
    max_scrypt_memory: int = 256 * _MIB
    max_scrypt_work: int = 1 << 23  # n * r * p; the writer uses 2**15 * 8 * 1 = 2**18


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ManifestInfo:
    """What the exporting site says about itself and the package; the writer adds the rest."""

    site_id: str
    office_unit: str
    sequence: int  # this site's package counter, 1 for its first package
    app_version: str
    schema_revision: str
    forms: Mapping[str, int]  # form id -> form version of the definitions used
    periods: Sequence[str]  # period codes covered; every record's period must be one of them
    units: Sequence[str]  # unit codes covered; every record's unit must be one of them
    # Units the sender defined itself (villages): {"units": [...], "lineage": [...]} as in §3.6.
    unit_definitions: Mapping[str, Any] | None = None
    # Statements about the sender's returns (submitted, reopening asked, comments resolved), §8.3.
    review: Mapping[str, Any] | None = None
    # Signed PDFs of the returns the package covers (format_version 3 or 4): written to returns.pdfs.
    returns: Sequence[ReturnAttachment] = ()


@dataclass(frozen=True)
class ReturnAttachment:
    """One signed return PDF a package carries, and what it is (docs §3.7)."""

    kind: str  # "return" (a unit's own return) or "summary"
    unit: str
    period: str
    series: str  # the document-number series ("BC-UBND:2023")
    number: int
    pdf: bytes


@dataclass(frozen=True)
class PackageSummary:
    """What was written: enough for the export ledger and the confirmation message."""

    path: Path
    package_id: str
    record_count: int
    tombstone_count: int
    size: int  # bytes of the file
    sha256: str  # hex digest of the file
    encrypted: bool
    fingerprint: str  # of the signing key, for the person who compares it by phone


class PackageError(UserError):
    """A package file that cannot be written, opened or trusted; the message names the file."""

    exit_code = 2

    def __init__(self, path: Path | str, reason: str, *, detail: str = "", line: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        super().__init__(f"Gói «{self.path.name}»: {reason}", detail=detail or reason)


class PackageSignatureError(PackageError):
    """The signature does not match the manifest: changed after signing."""


class PackagePassphraseError(PackageError):
    """An encrypted package without a passphrase, or one that does not open it."""


class PackageVersionError(PackageError):
    """Written by a newer version of the format."""


class PackageWriteError(PackageError):
    """The package file could not be written (disk full, read-only stick...)."""

    @classmethod
    def from_os_error(cls, path: Path, exc: OSError) -> PackageWriteError:
        if exc.errno == errno.ENOSPC:
            reason = "không ghi được vì ổ đĩa (hoặc USB) đã đầy."
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = "không có quyền ghi vào thư mục này (USB bị khóa ghi hoặc thư mục chỉ đọc?)."
        elif exc.errno == errno.ENOENT:
            reason = "thư mục đích không tồn tại."
        else:
            reason = f"không ghi được tệp ({exc.strerror or exc})."
        return cls(path, reason, detail=f"write failed: {exc!r}")


def canonical_json(value: Any) -> bytes:
    """The one serialization used for signing, and for every JSON the writer produces."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key in a JSON object")
    return obj


def _unique_nfc_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = _unique_keys(pairs)
    # Keys are normalized to NFC later: two spellings of one key (NFC and NFD, or escaped) would
    # then silently become one, dropping a value. ASCII keys (nearly all of them) cannot differ so.
    if not "".join(obj).isascii() and len({unicodedata.normalize("NFC", key) for key in obj}) != len(obj):
        raise ValueError("duplicate key in a JSON object (same text after NFC normalization)")
    return obj


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def loads_strict(text: str, *, nfc_text: bool = False) -> Any:
    """json.loads refusing what other readers disagree on: duplicate keys, NaN, 1e999.

    Keys are duplicates when equal after NFC normalization. `nfc_text` is the caller's promise
    that `text` is NFC and has no backslash escape (so every key already is NFC, and only
    exact duplicates remain to look for). Raises ValueError (JSONDecodeError included) or
    RecursionError on bad input.
    """
    return json.loads(
        text,
        object_pairs_hook=_unique_keys if nfc_text else _unique_nfc_keys,
        parse_constant=_no_constants,
        parse_float=_finite_float,
    )


def _shown(value: Any) -> str:
    """An attacker-supplied value, short enough for a message."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def load_json_object(raw: bytes, path: Path, member: str) -> dict[str, Any]:
    """A member that must hold one JSON object (strict UTF-8, strict JSON)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(path, f"{member} không phải văn bản UTF-8.", detail=f"{member}: {exc}") from exc
    try:
        value = loads_strict(text)
    except (ValueError, RecursionError) as exc:
        raise PackageError(
            path, f"{member} không phải JSON hợp lệ (tệp hỏng hoặc bị sửa tay).", detail=f"{member}: {exc}"
        ) from exc
    if not isinstance(value, dict):
        raise PackageError(
            path, f"{member} không phải một đối tượng JSON.", detail=f"{member}: not an object"
        )
    return value


def check_format_header(
    obj: Mapping[str, Any], expected: str, path: Path, member: str, newest: int = FORMAT_VERSION
) -> None:
    """`format` must be ours and `format_version` one this program reads (newer: update the app)."""
    found = obj.get("format")
    if found != expected:
        raise PackageError(
            path,
            f"không phải gói dữ liệu Dân Vận (định dạng «{_shown(found)}» trong {member}).",
            detail=f"{member}: format {found!r}, expected {expected!r}",
        )
    version = obj.get("format_version")
    if type(version) is not int or version < 1:
        raise PackageError(
            path,
            f"số phiên bản định dạng trong {member} không hợp lệ («{_shown(version)}»).",
            detail=f"{member}: format_version {version!r}",
        )
    if version > newest:
        raise PackageVersionError(
            path,
            f"gói được tạo bởi phiên bản mới hơn, hãy cập nhật Dân Vận Desktop "
            f"(gói dùng định dạng {version}, phiên bản này đọc được đến định dạng {newest}).",
            detail=f"{member}: format_version {version} > {newest}",
        )


def encode_base64(raw: bytes) -> str:
    """Standard base64 with padding, as every binary field of the format."""
    return base64.b64encode(raw).decode("ascii")


def decode_base64(text: str) -> bytes | None:
    """Strict standard base64 (with padding); None when it is not."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
