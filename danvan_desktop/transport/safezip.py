"""Defensive zip reading: names, counts, sizes and ratios checked before a byte is inflated."""

from __future__ import annotations

import contextlib
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from danvan_desktop.transport.package_format import (
    ENCRYPTED_MEMBERS,
    ENVELOPE_NAME,
    OPTIONAL_PLAIN_MEMBERS,
    PLAIN_MEMBERS,
    REPLY_MEMBERS,
    REPLY_NAME,
    Limits,
    PackageError,
)

CHUNK = 1 << 16
Kind = Literal["plain", "encrypted", "reply"]

# What zipfile (and zlib under it) raise on damaged archives. Only zip calls run inside
# zip_failures(), so these never hide a mistake in our own code.
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    IndexError,
    OverflowError,
)


def megabytes(size: int) -> str:
    """A size the Vietnamese way: "1,5 MB", "12,0 KB", "300 byte"."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB".replace(".", ",")
    if size >= 1 << 10:
        return f"{size / (1 << 10):.1f} KB".replace(".", ",")
    return f"{size} byte"


@contextlib.contextmanager
def zip_failures(path: Path) -> Iterator[None]:
    """Turn zipfile's many exception types into one PackageError a person can act on."""
    try:
        yield
    except PackageError:
        raise
    except _ZIP_FAILURES as exc:
        if "CRC" in str(exc):
            reason = (
                "dữ liệu bên trong gói bị hỏng (sai mã kiểm tra CRC), thường do chép tệp bị lỗi; "
                "hãy chép lại gói từ nơi gửi."
            )
        else:
            reason = "tệp zip bị hỏng hoặc không đầy đủ; hãy chép lại gói từ nơi gửi."
        raise PackageError(path, reason, detail=f"zip: {exc!r}"[:600]) from exc


def open_zip(source: IO[bytes], path: Path) -> zipfile.ZipFile:
    """A ZipFile over an already size-checked file; the caller closes both."""
    with zip_failures(path):
        return zipfile.ZipFile(source)


def shown_name(name: str) -> str:
    """A member name as it may appear in a message: printable, not too long."""
    text = "".join(ch if ch.isprintable() else "?" for ch in name[:80])
    return text + ("..." if len(name) > 80 else "")


def too_many_members(path: Path, count: int, limit: int) -> PackageError:
    return PackageError(
        path,
        f"gói có quá nhiều thành phần ({count}, tối đa {limit}); không phải gói hợp lệ.",
        detail=f"{count} zip members",
    )


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or "\x00" in name
        or any(part in ("..", ".") for part in parts)
    )


def check_members(zf: zipfile.ZipFile, path: Path, limits: Limits) -> tuple[Kind, dict[str, zipfile.ZipInfo]]:
    """Refuse anything but the exact members of a plain or an encrypted package, within limits.

    Only the central directory is consulted; nothing is decompressed.
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise too_many_members(path, len(infos), limits.max_members)
    for info in infos:
        if _unsafe_name(info.filename):
            raise PackageError(
                path,
                f"gói chứa thành phần có tên nguy hiểm «{shown_name(info.filename)}» (đường dẫn ra ngoài "
                "thư mục); đã từ chối.",
                detail=f"unsafe member name {info.filename!r}",
            )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise PackageError(path, "gói chứa hai thành phần trùng tên.", detail=f"duplicate names {names!r}")
    kind: Kind = "encrypted" if ENVELOPE_NAME in names else "reply" if REPLY_NAME in names else "plain"
    expected = {"encrypted": ENCRYPTED_MEMBERS, "reply": REPLY_MEMBERS, "plain": PLAIN_MEMBERS}[kind]
    allowed = expected | OPTIONAL_PLAIN_MEMBERS if kind == "plain" else expected
    for name in names:
        if name not in allowed:
            raise PackageError(
                path, f"gói chứa thành phần lạ «{shown_name(name)}».", detail=f"unexpected {name!r}"
            )
    missing = sorted(expected - set(names))
    if missing:
        raise PackageError(path, f"gói thiếu thành phần «{missing[0]}».", detail=f"missing {missing}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise PackageError(
                path, "gói dùng kiểu mã hóa zip không được hỗ trợ.", detail=f"{info.filename}: zip encryption"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageError(
                path,
                "gói dùng phương pháp nén không được hỗ trợ.",
                detail=f"{info.filename}: compress_type {info.compress_type}",
            )
        total += info.file_size
        if info.file_size >= limits.ratio_exempt_below and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise PackageError(
                path,
                f"tỉ lệ nén của «{info.filename}» bất thường (có thể là «bom zip»); đã từ chối.",
                detail=f"{info.filename}: {info.file_size} bytes from {info.compress_size}",
            )
    if total > limits.max_total_uncompressed:
        raise PackageError(
            path,
            f"gói quá lớn khi giải nén ({megabytes(total)}, tối đa "
            f"{megabytes(limits.max_total_uncompressed)}); đã từ chối.",
            detail=f"{total} bytes uncompressed",
        )
    return kind, {info.filename: info for info in infos}


def iter_member_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> Iterator[bytes]:
    """The member's bytes in chunks, never more than its declared (and already checked) size."""
    with zip_failures(path):
        member = zf.open(info)
    with member:
        total = 0
        while True:
            with zip_failures(path):
                chunk = member.read(CHUNK)
            if not chunk:
                return
            total += len(chunk)
            if total > info.file_size:  # zipfile stops there already; kept in case it ever does not
                raise PackageError(
                    path,
                    f"«{info.filename}» lớn hơn kích thước khai báo; đã từ chối.",
                    detail=f"{info.filename}: more than {info.file_size} bytes",
                )
            yield chunk


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> bytes:
    """A whole (small) member, refused if its declared size is over `limit`."""
    if info.file_size > limit:
        raise PackageError(
            path,
            f"«{info.filename}» quá lớn ({megabytes(info.file_size)}, tối đa {megabytes(limit)}).",
            detail=f"{info.filename}: {info.file_size} > {limit}",
        )
    return b"".join(iter_member_chunks(zf, info, path))


def split_lines(chunks: Iterator[bytes], max_line: int, path: Path, member: str) -> Iterator[bytes]:
    """LF-separated lines (without the LF); a last line without LF is still a line."""
    pending = b""
    number = 0
    for chunk in chunks:
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for part in parts:
            number += 1
            if len(part) > max_line:
                raise _long_line(path, member, number, max_line)
            yield part
        if len(pending) > max_line:
            raise _long_line(path, member, number + 1, max_line)
    if pending:
        yield pending


def _long_line(path: Path, member: str, number: int, max_line: int) -> PackageError:
    return PackageError(
        path,
        f"dòng {number} của {member} dài quá {megabytes(max_line)}; đã từ chối.",
        detail=f"{member} line {number} longer than {max_line}",
        line=number,
    )
