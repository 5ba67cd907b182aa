"""Zips that zipfile reads one way and another reader another way: each refused before zipfile reads it.

Every hostile file is built from a genuinely signed package (a real key, the real writer), so
only the zip layout is wrong: without the layout check, each of them opens as a valid package.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport import PackageError, open_package, write_package
from danvan_desktop.transport.crypto import encrypt
from tests.transport import manifest_info, read_members, sample_record, write_zip

_FIX = "Hãy xin nơi gửi xuất lại gói"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def good(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    out = tmp_path / "good.dvpkg"
    write_package(out, manifest_info(), [sample_record(i) for i in range(6)], key)
    return out


@pytest.fixture
def other(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    """A second genuine package of the same site, with other records."""
    out = tmp_path / "other.dvpkg"
    write_package(out, manifest_info(sequence=2), [sample_record(i) for i in range(40, 43)], key)
    return out


def refused(path: Path, fragment: str, passphrase: str | None = None) -> PackageError:
    with pytest.raises(PackageError) as caught:
        open_package(path, passphrase).read_all_records()
    error = caught.value
    assert error.message.startswith(f"Gói «{path.name}»: ")
    assert fragment in error.message, error.message
    assert error.detail and error.exit_code == 2
    return error


# -- raw layout helpers (the test builds hostile files byte by byte) ------------------------------


def _end(data: bytes) -> tuple[int, int, int]:
    """(offset of the end record, central directory offset, its size) of a comment-less zip."""
    end = len(data) - 22
    assert data[end : end + 4] == b"PK\x05\x06"
    size, offset = struct.unpack_from("<LL", data, end + 12)
    return end, offset, size


def _entries(data: bytes) -> dict[str, int]:
    """Member name -> position of its central directory entry."""
    _, at, size = _end(data)
    stop = at + size
    found = {}
    while at < stop:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        found[data[at + 46 : at + 46 + name_len].decode()] = at
        at += 46 + name_len + extra_len + comment_len
    return found


def _local(data: bytes, name: str) -> int:
    return int(struct.unpack_from("<L", data, _entries(data)[name] + 42)[0])


def _shift_offsets(data: bytearray, delta: int, after: int = 0) -> None:
    """After inserting `delta` bytes at `after`: move the central directory's offset, and the
    offsets of the members at or past `after`."""
    end = len(data) - 22
    struct.pack_into("<L", data, end + 16, struct.unpack_from("<L", data, end + 16)[0] + delta)
    for at in _entries(bytes(data)).values():
        (offset,) = struct.unpack_from("<L", data, at + 42)
        if offset >= after:
            struct.pack_into("<L", data, at + 42, offset + delta)


def _write(path: Path, data: bytes | bytearray) -> Path:
    path.write_bytes(bytes(data))
    return path


def _reads_fine_with_zipfile(path: Path) -> None:
    """The hostile file is a zip zipfile reads without complaint, with both of our members."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {"manifest.json", "records.jsonl"} <= set(zf.namelist())


# -- bytes outside the members, the central directory and the end record --------------------------


def test_writer_output_is_canonical(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    """What the reference writer produces has nothing the checks refuse (also the encrypted inner zip)."""
    secret = tmp_path / "secret.dvpkg"
    write_package(secret, manifest_info(), [sample_record(1)], key, passphrase="pw")
    for data in (good.read_bytes(), secret.read_bytes()):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.comment == b""
            for info in zf.infolist():
                assert info.flag_bits == 0 and info.extra == b"" and info.external_attr == 0o644 << 16
        assert _end(data)[1] + _end(data)[2] == len(data) - 22
    assert open_package(good).read_all_records()
    assert open_package(secret, "pw").read_all_records()


def test_bytes_before_the_first_member(tmp_path: Path, good: Path) -> None:
    data = good.read_bytes()
    # As a self-extracting archive: zipfile finds the members anyway (it accounts for the prefix).
    prefixed = _write(tmp_path / "prefix.dvpkg", b"MZ" + bytes(200) + data)
    _reads_fine_with_zipfile(prefixed)
    refused(prefixed, "có dữ liệu thừa ở đầu tệp")
    # With every offset moved to match: the first member simply does not start at 0.
    moved = bytearray(b"MZ" + bytes(200) + data)
    _shift_offsets(moved, 202)
    shifted = _write(tmp_path / "shifted.dvpkg", moved)
    _reads_fine_with_zipfile(shifted)
    error = refused(shifted, "có dữ liệu lạ trước thành phần đầu tiên")
    assert _FIX in error.message


def test_bytes_after_the_end_record(tmp_path: Path, good: Path) -> None:
    path = _write(tmp_path / "trailing.dvpkg", good.read_bytes() + b"\x00hidden payload\x00")
    _reads_fine_with_zipfile(path)
    refused(path, "có dữ liệu thừa sau phần kết thúc của tệp zip")


def test_archive_comment(tmp_path: Path, good: Path) -> None:
    path = tmp_path / "comment.dvpkg"
    path.write_bytes(good.read_bytes())
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = "Ghi chú: chỉ để đọc".encode()
    _reads_fine_with_zipfile(path)
    refused(path, "chú thích zip")


def test_gap_between_members(tmp_path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    second = _local(bytes(data), "manifest.json")
    data[second:second] = b"\x00" * 64
    _shift_offsets(data, 64, after=second)
    path = _write(tmp_path / "gap.dvpkg", data)
    _reads_fine_with_zipfile(path)
    refused(path, "không nằm liền nhau")


def test_bytes_between_last_member_and_central_directory(tmp_path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    _, cd_offset, _ = _end(bytes(data))
    data[cd_offset:cd_offset] = b"junk" * 8
    _shift_offsets(data, 32, after=cd_offset)
    path = _write(tmp_path / "junk.dvpkg", data)
    _reads_fine_with_zipfile(path)
    refused(path, "giữa thành phần cuối cùng và mục lục")


def test_overlapping_members(tmp_path: Path, good: Path) -> None:
    """records.jsonl claims more compressed bytes than it has, running into the manifest's header:
    zipfile stops at the end of the deflate stream and the CRC still matches."""
    data = bytearray(good.read_bytes())
    records = _local(bytes(data), "records.jsonl")
    assert records == 0
    cd_entry = _entries(bytes(data))["records.jsonl"]
    for at in (records + 18, cd_entry + 20):  # compressed size: local header, central directory
        struct.pack_into("<L", data, at, struct.unpack_from("<L", data, at)[0] + 40)
    path = _write(tmp_path / "overlap.dvpkg", data)
    # No premise about zipfile here: some Python 3.11 builds read this file (pyenv's 3.11.7),
    # others refuse overlapping members themselves (Debian's 3.11.2 with the CVE-2024-0450 fix).
    refused(path, "không nằm liền nhau")


# -- data descriptors ---------------------------------------------------------------------------


class _Unseekable(io.RawIOBase):
    """A pipe-like output: zipfile then writes data descriptors after each member's data."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]
        self.buffer += chunk
        return len(chunk)


def _streamed(good: Path) -> bytearray:
    out = _Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in read_members(good).items():
            zf.writestr(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return out.buffer


def test_data_descriptors(tmp_path: Path, good: Path) -> None:
    path = _write(tmp_path / "descriptor.dvpkg", _streamed(good))
    _reads_fine_with_zipfile(path)
    with zipfile.ZipFile(path) as zf:
        assert all(info.flag_bits & 0x08 for info in zf.infolist())
    refused(path, "data descriptor")


def test_data_descriptor_disagreeing_with_the_central_directory(tmp_path: Path, good: Path) -> None:
    """zipfile never reads the descriptor; a streaming reader trusts nothing else."""
    data = _streamed(good)
    descriptor = _local(bytes(data), "manifest.json") - 16  # records.jsonl's, right before the next member
    assert data[descriptor : descriptor + 4] == b"PK\x07\x08"
    struct.pack_into("<L", data, descriptor + 4, 0xDEADBEEF)  # its CRC
    path = _write(tmp_path / "descriptor-lies.dvpkg", data)
    _reads_fine_with_zipfile(path)
    refused(path, "data descriptor")


# -- two central directories --------------------------------------------------------------------


def test_classic_and_zip64_end_records_pointing_at_different_members(
    tmp_path: Path, good: Path, other: Path
) -> None:
    """The classic end record lists one package's members, a zip64 one (which zipfile prefers)
    another's: each reader would import different, genuinely signed records."""
    first, second = good.read_bytes(), other.read_bytes()
    _, first_cd, first_cd_size = _end(first)
    _, second_cd, second_cd_size = _end(second)
    members = first[:first_cd] + second[:second_cd]
    cd_a = first[first_cd : first_cd + first_cd_size]
    moved = bytearray(second[second_cd : second_cd + second_cd_size])
    for at in _entries(second).values():  # the second package's members now follow the first's
        field = at - second_cd + 42
        struct.pack_into("<L", moved, field, struct.unpack_from("<L", moved, field)[0] + first_cd)
    cd_b = bytes(moved)
    at_a, at_b = len(members), len(members) + len(cd_a)
    zip64_end = at_b + len(cd_b)
    zip64 = struct.pack("<4sQ2H2L2Q2Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 2, 2, len(cd_b), at_b)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_end, 1)
    classic = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(cd_a), at_a, 0)
    path = _write(tmp_path / "two-directories.dvpkg", members + cd_a + cd_b + zip64 + locator + classic)
    _reads_fine_with_zipfile(path)
    with zipfile.ZipFile(path) as zf:  # zipfile follows the zip64 record: the other package
        assert zf.read("records.jsonl") == read_members(other)["records.jsonl"]
    refused(path, "zip64")


def test_zip64_extra_field(tmp_path: Path, good: Path) -> None:
    """A member written with zip64 sizes although nothing needs them."""
    path = tmp_path / "zip64.dvpkg"
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in read_members(good).items():
            with zf.open(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), "w", force_zip64=True) as member:
                member.write(content)
    _reads_fine_with_zipfile(path)
    refused(path, "zip64")


# -- what the members are -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "attributes"),
    [
        (3, (stat.S_IFLNK | 0o777) << 16),  # a Unix symbolic link
        (3, (stat.S_IFDIR | 0o755) << 16),  # a Unix folder
        (3, (stat.S_IFIFO | 0o644) << 16),  # a named pipe
        (0, 0x10),  # the MS-DOS directory bit
    ],
    ids=["symlink", "folder", "pipe", "dos-folder"],
)
def test_member_that_is_not_a_regular_file(tmp_path: Path, good: Path, system: int, attributes: int) -> None:
    path = tmp_path / "link.dvpkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in read_members(good).items():
            info = zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == "records.jsonl":
                info.create_system, info.external_attr = system, attributes
            zf.writestr(info, content)
    _reads_fine_with_zipfile(path)
    refused(path, "thành phần «records.jsonl» không phải tệp thường")


@pytest.mark.parametrize("twin", ["Manifest.json", "MANIFEST.JSON", "recordſ.jsonl"])  # ſ folds to s
def test_names_equal_after_case_folding(tmp_path: Path, good: Path, twin: str) -> None:
    members = read_members(good)
    original = "records.jsonl" if "jsonl" in twin else "manifest.json"
    path = write_zip(tmp_path / "twins.dvpkg", [*members.items(), (twin, members[original])])
    refused(path, "trùng tên")


def test_names_equal_after_nfc(tmp_path: Path) -> None:
    """No member name of a package has accents, but the rule holds for any name (NFD vs NFC)."""
    path = write_zip(tmp_path / "nfd.dvpkg", [("Hà Nội.txt", b"1"), ("Ha\u0300 No\u0323\u0302i.txt", b"2")])
    refused(path, "trùng tên «Hà Nội.txt»")


# -- local headers against the central directory ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "offset", "size", "value"),
    [
        ("crc", 14, 4, 0x12345678),
        ("compressed size", 18, 4, 10),
        ("size", 22, 4, 10),
        ("method", 8, 2, 0),  # a streaming reader would copy the deflate stream out as stored
        ("flags", 6, 2, 0x0800),
    ],
)
def test_local_header_disagrees_with_the_central_directory(
    tmp_path: Path, good: Path, field: str, offset: int, size: int, value: int
) -> None:
    data = bytearray(good.read_bytes())
    struct.pack_into("<L" if size == 4 else "<H", data, _local(bytes(data), "manifest.json") + offset, value)
    path = _write(tmp_path / "local.dvpkg", data)
    _reads_fine_with_zipfile(path)  # zipfile reads sizes, CRC and method from the central directory
    error = refused(path, "phần đầu của thành phần «manifest.json» không khớp với mục lục")
    assert field in error.detail


# -- the plain package inside an encrypted one ----------------------------------------------------


def test_inner_package_is_checked_too(tmp_path: Path, good: Path) -> None:
    envelope, payload = encrypt(good.read_bytes() + b"trailing", "pw")
    path = write_zip(tmp_path / "inner.dvpkg", [("envelope.json", envelope), ("payload.bin", payload)])
    refused(path, "có dữ liệu thừa sau phần kết thúc", passphrase="pw")
    envelope, payload = encrypt(good.read_bytes(), "pw")
    fine = write_zip(tmp_path / "fine.dvpkg", [("envelope.json", envelope), ("payload.bin", payload)])
    assert open_package(fine, "pw").read_all_records()


def test_file_replaced_by_a_hostile_one_after_opening(tmp_path: Path, good: Path) -> None:
    package = open_package(good)
    good.write_bytes(good.read_bytes() + b"later")
    with pytest.raises(PackageError, match="sau phần kết thúc"):
        package.read_all_records()
