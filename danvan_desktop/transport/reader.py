"""Opening a package: every check (size, zip, members, envelope, manifest, signature, hashes) first."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from danvan_desktop.transport import crypto
from danvan_desktop.transport.keys import fingerprint
from danvan_desktop.transport.package_format import (
    DEFAULT_LIMITS,
    ENVELOPE_NAME,
    FORMAT_NAME,
    MANIFEST_NAME,
    MAX_NESTING,
    PAYLOAD_NAME,
    RECORDS_NAME,
    RETURNS_NAME,
    Limits,
    PackageError,
    canonical_json,
    check_format_header,
    load_json_object,
    loads_strict,
)
from danvan_desktop.transport.record_decoding import decode_plain_line
from danvan_desktop.transport.reply import VerifiedReply, verify_reply
from danvan_desktop.transport.review_schema import CommentItem, ReplyManifest, ReturnItem
from danvan_desktop.transport.safezip import (
    check_members,
    iter_member_chunks,
    megabytes,
    open_zip,
    read_member,
    split_lines,
    zip_failures,
)
from danvan_desktop.transport.schema import (
    PRENORMALIZED,
    Manifest,
    PackageRecord,
    ReturnEntry,
    describe_validation_error,
    english_detail,
    validated_member,
)
from danvan_desktop.transport.signing import verified_signer
from danvan_desktop.transport.zip_layout import check_layout

# A JSON escape of a UTF-16 surrogate; json.loads pairs them up, a lone one is refused.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_CHANGED = "gói đã thay đổi trong lúc đang đọc; hãy mở lại."


@dataclass(frozen=True)
class VerifiedPackage:
    """A package whose zip, manifest, signature and member hashes have all been checked.

    The signature proves the manifest and records are unchanged since signing with the embedded
    key; whether that key belongs to the site it claims is for the caller to decide by comparing
    `fingerprint` with the one it trusts for `manifest.site_id`.
    """

    path: Path
    manifest: Manifest
    public_key: bytes
    fingerprint: str
    encrypted: bool
    file_size: int
    file_sha256: str
    limits: Limits = field(repr=False)
    _plain_bytes: bytes | None = field(default=None, repr=False)  # decrypted package, if encrypted

    def records(self) -> Iterator[PackageRecord]:
        """Records one by one, each parsed, validated and NFC-normalized; PackageError names the line.

        Also checks, as it goes, that ids are unique and that units, periods and forms are the
        manifest's; and at the end that counts and hash still match (the file may have been
        replaced since it was opened). Use read_all_records() before changing anything.
        """
        manifest = self.manifest
        expected = manifest.members[RECORDS_NAME]
        units, periods, forms = set(manifest.units), set(manifest.periods), set(manifest.forms)
        seen: set[str] = set()
        count = tombstones = 0
        digest = hashlib.sha256()
        with self._source() as source, open_zip(source, self.path) as zf:
            kind, infos = check_members(zf, self.path, self.limits)
            if kind != "plain":
                raise PackageError(self.path, _CHANGED, detail="no longer a plain package")
            chunks = iter_member_chunks(zf, infos[RECORDS_NAME], self.path)
            for number, raw in enumerate(
                split_lines(_tally(chunks, digest), self.limits.max_line_size, self.path, RECORDS_NAME), 1
            ):
                record = parse_record_line(raw, number, self.path)
                problem = _membership_problem(record, units, periods, forms, seen)
                if problem:
                    raise PackageError(
                        self.path,
                        f"dòng {number} của {RECORDS_NAME}: {problem}",
                        detail=f"line {number}: record {record.id} repeated or outside the manifest's "
                        "units/periods/forms",
                        line=number,
                    )
                seen.add(record.id)
                count += 1
                tombstones += record.deleted
                yield record
        if digest.hexdigest() != expected.sha256:
            raise PackageError(self.path, _CHANGED, detail="records.jsonl hash changed since opening")
        if (count, tombstones) != (manifest.record_count, manifest.tombstone_count):
            raise PackageError(
                self.path,
                f"số bản ghi ({count}, trong đó {tombstones} đã xóa) khác với manifest "
                f"({manifest.record_count}, {manifest.tombstone_count}).",
                detail="record/tombstone counts differ from the manifest",
            )

    def return_pdfs(self) -> list[tuple[ReturnEntry, bytes]]:
        """The signed return PDFs of a format-3 package with their manifest entries ([] for others).

        Each PDF's SHA-256 is checked against its entry; a mismatch (the file changed since it was
        opened: the member's hash was checked then) refuses the package.
        """
        entries = self.manifest.returns or []
        if not entries:
            return []
        with self._source() as source, open_zip(source, self.path) as zf:
            _kind, infos = check_members(zf, self.path, self.limits)
            if RETURNS_NAME not in infos:
                raise PackageError(self.path, _CHANGED, detail="returns member gone")
            data = read_member(zf, infos[RETURNS_NAME], self.limits.max_total_uncompressed, self.path)
        pdfs = []
        for entry in entries:
            pdf = data[entry.offset : entry.offset + entry.size]
            if hashlib.sha256(pdf).hexdigest() != entry.sha256:
                raise PackageError(
                    self.path,
                    f"tệp báo cáo số {entry.number} ({entry.unit}) trong gói không khớp với manifest: gói "
                    "đã bị sửa hoặc bị hỏng; hãy xin gửi lại gói.",
                    detail=f"returns entry {entry.number} {entry.unit}: sha256 differs",
                )
            pdfs.append((entry, pdf))
        return pdfs

    def check_records(self) -> None:
        """Sizes and hashes of records.jsonl (and returns.pdfs) against the signed manifest (open_package
        checks them first, unless told not to: a caller that may not need the records checks them here)."""
        with self._source() as source, open_zip(source, self.path) as zf:
            _kind, infos = check_members(zf, self.path, self.limits)
            for name in sorted(self.manifest.members):
                _verify_member(zf, infos[name], self.manifest, self.path)

    def read_all_records(self) -> list[PackageRecord]:
        """Every record, validated: one bad line refuses the whole package before anything is stored."""
        return list(self.records())

    @contextlib.contextmanager
    def _source(self) -> Iterator[IO[bytes]]:
        if self._plain_bytes is not None:
            yield io.BytesIO(self._plain_bytes)
            return
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise PackageError(
                self.path, f"không đọc lại được tệp ({exc.strerror or exc}).", detail=repr(exc)
            ) from exc
        with handle:
            if os.fstat(handle.fileno()).st_size > self.limits.max_file_size:
                raise PackageError(self.path, _CHANGED, detail="file grew past the size limit")
            with zip_failures(self.path):
                check_layout(handle, self.path, self.limits.max_members)
            yield handle


def _tally(chunks: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def _membership_problem(
    record: PackageRecord, units: set[str], periods: set[str], forms: set[str], seen: set[str]
) -> str:
    if record.id in seen:
        return f"mã bản ghi {record.id} xuất hiện hai lần."
    if record.unit_code not in units:
        return f"đơn vị «{record.unit_code}» không có trong danh sách đơn vị của gói."
    if record.period_code not in periods:
        return f"kỳ «{record.period_code}» không có trong danh sách kỳ của gói."
    if record.form_id not in forms:
        return f"biểu mẫu «{record.form_id}» không có trong danh sách biểu mẫu của gói."
    return ""


def parse_record_line(raw: bytes, number: int, path: Path) -> PackageRecord:
    """One line of records.jsonl -> a validated, NFC-normalized record, or PackageError naming the line."""
    where = f"dòng {number} của {RECORDS_NAME}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(
            path, f"{where} không phải văn bản UTF-8 hợp lệ.", detail=f"line {number}: {exc}", line=number
        ) from exc
    # Fast path: NFC of the whole line equals NFC of each string when there are no escapes
    # (structural characters are ASCII starters that never compose). The writer emits NFC, so
    # usually even this is a no-op check.
    escaped = "\\" in text
    if not escaped and not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Each list/object opens with a bracket, so their count bounds the nesting from above.
    walk = escaped or text.count("{") + text.count("[") > MAX_NESTING
    if not walk and (record := decode_plain_line(text)) is not None:
        return record  # else the slow reading below refuses the line and says why
    try:
        obj = loads_strict(text, nfc_text=not escaped)
        if _SURROGATE_ESCAPE.search(raw):
            canonical_json(obj)  # UnicodeEncodeError (a ValueError) on a lone surrogate
    except (ValueError, RecursionError) as exc:
        raise PackageError(
            path, f"{where} không phải JSON hợp lệ.", detail=f"line {number}: {exc}"[:600], line=number
        ) from exc
    if not isinstance(obj, dict):
        raise PackageError(path, f"{where} không phải một bản ghi.", detail=f"line {number}", line=number)
    try:
        return PackageRecord.model_validate(obj, context=None if walk else PRENORMALIZED)
    except ValidationError as exc:
        raise PackageError(
            path,
            f"{where}: bản ghi thiếu hoặc sai trường {describe_validation_error(exc)}.",
            detail=f"line {number}: {english_detail(exc)}",
            line=number,
        ) from exc


class ReplyPackageError(PackageError):
    """open_package was given a reply package (docs §8): the caller may route it (`reply`)."""

    def __init__(self, reply: VerifiedReply) -> None:
        super().__init__(
            reply.path,
            "đây là gói phản hồi của cấp trên gửi đơn vị; nhập bằng «Nhập gói» (danvan import) tại đơn vị "
            "nhận.",
            detail="a reply package where a data package was expected",
        )
        self.reply = reply


def open_package(
    path: Path,
    passphrase: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    records_checked: bool = True,
) -> VerifiedPackage:
    """Open and verify a data package; no record is parsed until records() is iterated.

    With `records_checked` False the members are not inflated and hashed here (the manifest, its
    signature and the zip layout still are): the caller calls check_records() if it needs them.
    Raises PackageError (or PackageSignatureError, PackagePassphraseError, PackageVersionError;
    ReplyPackageError, carrying the verified reply, when the file is a reply package).
    """
    package = open_any(path, passphrase, limits, records_checked=records_checked)
    if isinstance(package, VerifiedReply):
        raise ReplyPackageError(package)
    return package


def open_reply(path: Path, passphrase: str | None = None, limits: Limits = DEFAULT_LIMITS) -> VerifiedReply:
    """Open and verify a reply package (PackageError for a data package or anything wrong)."""
    package = open_any(path, passphrase, limits)
    if not isinstance(package, VerifiedReply):
        raise PackageError(
            path, "đây là gói dữ liệu, không phải gói phản hồi của cấp trên.", detail="not a reply package"
        )
    return package


def open_any(
    path: Path,
    passphrase: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    records_checked: bool = True,
) -> VerifiedPackage | VerifiedReply:
    """Open and verify a data package or a reply package, whichever the file is."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a folder, or a pipe that would block open()
            raise PackageError(path, "đây không phải một tệp gói (có thể là thư mục).", detail="not a file")
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise PackageError(path, "không tìm thấy tệp.", detail=repr(exc)) from exc
    except OSError as exc:
        raise PackageError(path, f"không mở được tệp ({exc.strerror or exc}).", detail=repr(exc)) from exc
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise PackageError(path, "tệp rỗng (0 byte), có thể chép chưa xong.", detail="empty file")
        if size > limits.max_file_size:
            raise PackageError(
                path,
                f"tệp quá lớn ({megabytes(size)}, tối đa {megabytes(limits.max_file_size)}).",
                detail=f"{size} bytes",
            )
        with zip_failures(path):
            file_sha256 = _sha256_of(handle)
            handle.seek(0)
            is_zip = zipfile.is_zipfile(handle)
            handle.seek(0)
        if not is_zip:
            raise PackageError(
                path,
                "không phải gói dữ liệu Dân Vận: tệp không có dạng zip, hoặc bị cắt cụt (chép chưa xong?).",
                detail="not a zip file",
            )
        with zip_failures(path):
            check_layout(handle, path, limits.max_members)
        with open_zip(handle, path) as zf:
            kind, infos = check_members(zf, path, limits)
            if kind == "reply":
                return _reply(path, verify_reply(zf, infos, path, limits), False, size, file_sha256)
            if kind == "plain":
                manifest, public = _verify_plain(zf, infos, path, limits, records_checked)
                return VerifiedPackage(
                    path, manifest, public, fingerprint(public), False, size, file_sha256, limits
                )
            envelope_bytes = read_member(zf, infos[ENVELOPE_NAME], limits.max_envelope_size, path)
            envelope = crypto.parse_envelope(envelope_bytes, path, limits)
            crypto.require_passphrase(passphrase, path)
            payload = read_member(zf, infos[PAYLOAD_NAME], limits.max_file_size, path)
    plain = crypto.decrypt(envelope, envelope_bytes, payload, passphrase, path)
    del payload
    verified = _verify_decrypted(plain, path, limits)
    if not isinstance(verified, tuple):
        return _reply(path, verified.content, True, size, file_sha256)
    manifest, public = verified
    return VerifiedPackage(
        path, manifest, public, fingerprint(public), True, size, file_sha256, limits, plain
    )


def _sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 16):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _InnerReply:
    content: tuple[ReplyManifest, bytes, list[ReturnItem | CommentItem], list[tuple[str, bytes]]]


def _reply(
    path: Path,
    content: tuple[ReplyManifest, bytes, list[ReturnItem | CommentItem], list[tuple[str, bytes]]],
    encrypted: bool,
    size: int,
    file_sha256: str,
) -> VerifiedReply:
    manifest, public, items, payloads = content
    return VerifiedReply(
        path, manifest, public, fingerprint(public), encrypted, size, file_sha256, items, payloads
    )


def _verify_decrypted(plain: bytes, path: Path, limits: Limits) -> tuple[Manifest, bytes] | _InnerReply:
    source = io.BytesIO(plain)
    with zip_failures(path):
        is_zip = zipfile.is_zipfile(source)
        source.seek(0)
    if not is_zip:
        raise PackageError(path, "nội dung sau khi giải mã không phải gói hợp lệ.", detail="inner not a zip")
    with zip_failures(path):
        check_layout(source, path, limits.max_members)
    with open_zip(source, path) as zf:
        kind, infos = check_members(zf, path, limits)
        if kind == "encrypted":
            raise PackageError(path, "gói mã hóa lồng trong gói mã hóa.", detail="nested envelope")
        if kind == "reply":
            return _InnerReply(verify_reply(zf, infos, path, limits))
        return _verify_plain(zf, infos, path, limits)


def _verify_plain(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    path: Path,
    limits: Limits,
    records_checked: bool = True,
) -> tuple[Manifest, bytes]:
    """Manifest shape, key fingerprint, signature, then the size and hash of records.jsonl."""
    raw = read_member(zf, infos[MANIFEST_NAME], limits.max_manifest_size, path)
    obj = load_json_object(raw, path, MANIFEST_NAME)
    check_format_header(obj, FORMAT_NAME, path, MANIFEST_NAME)
    manifest = validated_member(Manifest, obj, path, MANIFEST_NAME)
    public = verified_signer(obj, manifest.public_key, path)
    if set(infos) - {MANIFEST_NAME} != set(manifest.members):
        raise PackageError(
            path,
            "các thành phần của gói không khớp với manifest: gói đã bị sửa hoặc bị hỏng.",
            detail=f"zip members {sorted(infos)} vs manifest members {sorted(manifest.members)}",
        )
    if records_checked:
        for name in sorted(manifest.members):
            _verify_member(zf, infos[name], manifest, path)
    return manifest, public


def _verify_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, manifest: Manifest, path: Path) -> None:
    expected = manifest.members[info.filename]
    mismatch = (
        f"nội dung {info.filename} không khớp với manifest: gói đã bị sửa hoặc bị hỏng; hãy xin gửi lại gói."
    )
    if info.file_size != expected.size:
        raise PackageError(path, mismatch, detail=f"size {info.file_size} != manifest {expected.size}")
    digest = hashlib.sha256()
    for chunk in iter_member_chunks(zf, info, path):
        digest.update(chunk)
    if digest.hexdigest() != expected.sha256:
        raise PackageError(path, mismatch, detail="sha256 differs from the manifest")
