"""Canonical zip layout: one end record, contiguous members, headers that agree; checked before zipfile."""

from __future__ import annotations

import stat
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from danvan_desktop.transport.package_format import PackageError
from danvan_desktop.transport.safezip import shown_name, too_many_members

# Fixed-size little-endian records of PKWARE's APPNOTE. This is not a zip reader (zipfile reads
# the members): it only checks that the file has the one layout every zip reader agrees on, so a
# hostile sender cannot make zipfile read one thing and another program another.
_EOCD = struct.Struct("<4s4H2LH")  # signature, disk, cd disk, entries here, entries, cd size, offset, comment
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")


class _Central(NamedTuple):
    signature: bytes
    version: int
    system: int  # "version made by", high byte: the system whose attributes these are
    needed: int
    reserved: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    compressed: int
    size: int
    name_len: int
    extra_len: int
    comment_len: int
    disk: int
    internal: int
    external: int
    offset: int


class _Local(NamedTuple):
    signature: bytes
    needed: int
    reserved: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    compressed: int
    size: int
    name_len: int
    extra_len: int


_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ZIP64_EXTRA = 0x0001
_UNIX = 3  # "version made by" high byte: external attributes hold a Unix mode in their high 16 bits

_ENCRYPTED = 0x0001
_DATA_DESCRIPTOR = 0x0008
# Deflate's speed hints (bits 1, 2) and UTF-8 names (bit 11) change nothing in the layout.
_HARMLESS_FLAGS = 0x0002 | 0x0004 | 0x0800
_DOS_DIRECTORY_OR_LABEL = 0x10 | 0x08

_FIX = "; đã từ chối. Hãy xin nơi gửi xuất lại gói bằng Dân Vận Desktop."


@dataclass(frozen=True)
class _Entry:
    """What the central directory says about one member."""

    name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int

    def shown(self) -> str:
        return shown_name(self.name.decode("utf-8" if self.flags & 0x0800 else "cp437", "replace"))


def check_layout(source: IO[bytes], path: Path, max_members: int) -> None:
    """Refuse any zip that is not laid out exactly as the reference writer lays it out.

    One end-of-central-directory record at the very end (no comment, no zip64 records: no
    package within the limits needs them), the central directory right before it, and before
    that the members one after another from offset 0, each local header agreeing with its
    central directory entry; no data descriptors, only regular files, names unique after NFC
    normalization and case folding. Only headers are read (seeks), never member data.
    """
    size = source.seek(0, 2)
    if size < _EOCD.size:
        raise _damaged(path, f"{size} bytes: no room for an end record")
    end = size - _EOCD.size
    signature, disk, cd_disk, here, entries, cd_size, cd_offset, comment = _EOCD.unpack(
        _read(source, end, _EOCD.size, path)
    )
    if signature != _EOCD_SIGNATURE or comment:
        raise PackageError(
            path,
            "có dữ liệu thừa sau phần kết thúc của tệp zip (hoặc chú thích zip), gói không đúng dạng chuẩn"
            + _FIX,
            detail="bytes (or an archive comment) after the end-of-central-directory record",
        )
    if (
        (end >= 20 and _read(source, end - 20, 4, path) == _ZIP64_LOCATOR_SIGNATURE)
        or 0xFFFF in (disk, cd_disk, here, entries)
        or 0xFFFFFFFF in (cd_size, cd_offset)
    ):
        raise PackageError(
            path,
            "tệp zip có mục lục dạng zip64 (thừa với gói cỡ này, và có thể khác mục lục thường)" + _FIX,
            detail="zip64 end-of-central-directory locator or zip64 sentinel values",
        )
    if disk or cd_disk or here != entries:
        raise PackageError(
            path, "gói chia thành nhiều phần (nhiều đĩa) không được hỗ trợ" + _FIX, detail="multi-disk zip"
        )
    if entries > max_members:
        raise too_many_members(path, entries, max_members)
    if cd_offset + cd_size != end:
        raise PackageError(
            path,
            "mục lục của tệp zip không nằm ngay trước phần kết thúc (có dữ liệu thừa ở đầu tệp hoặc chen "
            "giữa, hoặc có mục lục thứ hai)" + _FIX,
            detail=f"central directory {cd_offset}+{cd_size} does not end at the end record ({end})",
        )
    if cd_size > entries * (_CENTRAL.size + 3 * 0xFFFF):
        raise _damaged(path, f"central directory of {cd_size} bytes for {entries} entries")
    members = _central_entries(_read(source, cd_offset, cd_size, path), entries, path)
    _check_names(members, path)
    position = 0
    for entry in sorted(members, key=lambda e: e.offset):
        if entry.offset != position:
            raise _not_contiguous(path, entry, position)
        position = _check_local(source, entry, cd_offset, path)
    if position != cd_offset:
        raise PackageError(
            path,
            "có dữ liệu lạ giữa thành phần cuối cùng và mục lục của tệp zip" + _FIX,
            detail=f"last member ends at {position}, central directory starts at {cd_offset}",
        )


def _read(source: IO[bytes], offset: int, length: int, path: Path) -> bytes:
    source.seek(offset)
    data = source.read(length)
    if len(data) != length:
        raise _damaged(path, f"{length} bytes at {offset} past the end of the file")
    return data


def _damaged(path: Path, detail: str) -> PackageError:
    return PackageError(
        path,
        "tệp zip bị hỏng hoặc không đầy đủ; hãy chép lại gói từ nơi gửi.",
        detail=f"zip layout: {detail}",
    )


def _central_entries(data: bytes, entries: int, path: Path) -> list[_Entry]:
    members: list[_Entry] = []
    at = 0
    while at < len(data):
        if len(data) - at < _CENTRAL.size:
            raise _damaged(path, "truncated central directory entry")
        record = _Central._make(_CENTRAL.unpack_from(data, at))
        if record.signature != _CENTRAL_SIGNATURE:
            raise _damaged(path, f"bad central directory signature at entry {len(members) + 1}")
        name_at = at + _CENTRAL.size
        extra_at = name_at + record.name_len
        at = extra_at + record.extra_len + record.comment_len
        if at > len(data):
            raise _damaged(path, "central directory entry runs past the directory")
        entry = _Entry(
            data[name_at:extra_at],
            record.flags,
            record.method,
            record.crc,
            record.compressed,
            record.size,
            record.offset,
        )
        if (
            record.disk
            or 0xFFFFFFFF in (record.compressed, record.size, record.offset)
            or _has_zip64_extra(data[extra_at : extra_at + record.extra_len])
        ):
            raise PackageError(
                path,
                f"thành phần «{entry.shown()}» dùng trường kích thước zip64 (thừa với gói cỡ này)" + _FIX,
                detail=f"{entry.name!r}: zip64 sizes/offset or zip64 extra field in the central directory",
            )
        _check_flags(entry, path)
        _check_regular(entry, record.system, record.external, path)
        members.append(entry)
    if len(members) != entries:
        raise _damaged(path, f"{len(members)} central directory entries, end record says {entries}")
    return members


def _has_zip64_extra(extra: bytes) -> bool:
    """True when the extra field holds a zip64 block; malformed extra data counts as one (refused)."""
    at = 0
    while at < len(extra):
        if len(extra) - at < 4:
            return True
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == _ZIP64_EXTRA:
            return True
        at += 4 + length
    return at != len(extra)


def _check_flags(entry: _Entry, path: Path) -> None:
    if entry.flags & _ENCRYPTED:
        raise PackageError(
            path, "gói dùng kiểu mã hóa zip không được hỗ trợ.", detail=f"{entry.name!r}: zip encryption"
        )
    if entry.flags & _DATA_DESCRIPTOR:
        raise PackageError(
            path,
            f"thành phần «{entry.shown()}» ghi kích thước và CRC sau dữ liệu (data descriptor), định dạng "
            "gói không cho phép" + _FIX,
            detail=f"{entry.name!r}: general purpose flag bit 3 (data descriptor)",
        )
    if entry.flags & ~_HARMLESS_FLAGS:
        raise PackageError(
            path,
            f"thành phần «{entry.shown()}» dùng tính năng zip không được hỗ trợ" + _FIX,
            detail=f"{entry.name!r}: general purpose flags {entry.flags:#06x}",
        )


def _check_regular(entry: _Entry, system: int, external: int, path: Path) -> None:
    """Only plain files: a symlink or a folder means something else to an extracting program."""
    file_type = stat.S_IFMT(external >> 16) if system == _UNIX else 0
    if external & _DOS_DIRECTORY_OR_LABEL or file_type not in (0, stat.S_IFREG):
        raise PackageError(
            path,
            f"thành phần «{entry.shown()}» không phải tệp thường (liên kết tượng trưng, thư mục...)" + _FIX,
            detail=f"{entry.name!r}: external attributes {external:#010x} (system {system})",
        )


def _check_names(members: list[_Entry], path: Path) -> None:
    """Two names that are one file on Windows or macOS (case, NFC/NFD) are refused like duplicates."""
    seen: dict[str, _Entry] = {}
    for entry in members:
        text = entry.name.decode("utf-8" if entry.flags & 0x0800 else "cp437", "replace")
        folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
        if folded in seen:
            first = seen[folded]
            raise PackageError(
                path,
                f"gói chứa hai thành phần trùng tên «{first.shown()}» và «{entry.shown()}» (khi không phân "
                "biệt chữ hoa, chữ thường và cách ghi dấu)" + _FIX,
                detail=f"duplicate names after NFC and case folding: {first.name!r}, {entry.name!r}",
            )
        seen[folded] = entry


def _check_local(source: IO[bytes], entry: _Entry, limit: int, path: Path) -> int:
    """The local header agrees with the central directory; returns where the member's data ends."""
    if entry.offset + _LOCAL.size > limit:
        raise _not_contiguous(path, entry, limit)
    local = _Local._make(_LOCAL.unpack(_read(source, entry.offset, _LOCAL.size, path)))
    name_at = entry.offset + _LOCAL.size
    name = _read(source, name_at, local.name_len, path)
    extra = _read(source, name_at + local.name_len, local.extra_len, path)
    found = {
        "signature": local.signature,
        "name": name,
        "flags": local.flags,
        "method": local.method,
        "crc": local.crc,
        "compressed size": local.compressed,
        "size": local.size,
    }
    wanted = (
        _LOCAL_SIGNATURE,
        entry.name,
        entry.flags,
        entry.method,
        entry.crc,
        entry.compressed,
        entry.size,
    )
    differing = [field for (field, a), b in zip(found.items(), wanted, strict=True) if a != b]
    if differing:
        raise PackageError(
            path,
            f"phần đầu của thành phần «{entry.shown()}» không khớp với mục lục của tệp zip (tên, kích "
            "thước, CRC hoặc cách nén)" + _FIX,
            detail=f"{entry.name!r}: local header and central directory differ in {', '.join(differing)}",
        )
    if _has_zip64_extra(extra):
        raise PackageError(
            path,
            f"thành phần «{entry.shown()}» dùng trường kích thước zip64 (thừa với gói cỡ này)" + _FIX,
            detail=f"{entry.name!r}: zip64 or malformed extra field in the local header",
        )
    end = name_at + local.name_len + local.extra_len + entry.compressed
    if end > limit:
        raise _not_contiguous(path, entry, limit)
    return end


def _not_contiguous(path: Path, entry: _Entry, expected: int) -> PackageError:
    before = expected == 0
    reason = (
        "có dữ liệu lạ trước thành phần đầu tiên của tệp zip"
        if before and entry.offset > 0
        else "các thành phần trong tệp zip không nằm liền nhau (có khoảng trống hoặc chồng lên nhau)"
    )
    return PackageError(
        path,
        reason + _FIX,
        detail=f"{entry.name!r} at offset {entry.offset}, expected {expected}",
    )
