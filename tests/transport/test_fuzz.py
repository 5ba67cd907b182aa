"""Property tests: a damaged package is refused with PackageError or reads back exactly, never worse."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from danvan_desktop.transport import Limits, PackageError, VerifiedPackage, open_package, write_package
from danvan_desktop.transport.crypto import encrypt
from danvan_desktop.transport.package_format import canonical_json
from danvan_desktop.transport.signing import sign_manifest
from tests.transport import manifest_info, read_members, record_lines, sample_record, write_zip

# Hypothesis keeps caches in ./.hypothesis, i.e. in the repository; its pytest plugin fills them
# while collecting, so the folder must be moved when this module is imported.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "danvan-desktop-hypothesis")

PASSPHRASE = "mật khẩu"
# Small limits keep a mutated size field from costing real time; the package fits well inside.
LIMITS = Limits(max_file_size=1 << 20, max_total_uncompressed=1 << 20, max_line_size=64 * 1024)
# No example database: hypothesis would otherwise write .hypothesis/ into the repository.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

_positions = st.integers(min_value=0, max_value=1 << 16)
_mutation = st.one_of(
    st.tuples(st.just("flip"), _positions, st.integers(min_value=1, max_value=255)),
    st.tuples(st.just("truncate"), _positions),
    st.tuples(st.just("insert"), _positions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), _positions, st.integers(min_value=1, max_value=64)),
)


def mutate(data: bytes, mutations: list[tuple[Any, ...]]) -> bytes:
    buffer = bytearray(data)
    for kind, position, *arguments in mutations:
        at = position % (len(buffer) + 1)
        if kind == "flip" and buffer:
            buffer[at % len(buffer)] ^= arguments[0]
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "insert":
            buffer[at:at] = arguments[0]
        elif kind == "delete":
            del buffer[at : at + arguments[0]]
    return bytes(buffer)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def plain(folder: Path, key: Ed25519PrivateKey) -> tuple[bytes, list[bytes]]:
    path = folder / "plain.dvpkg"
    write_package(path, manifest_info(), [sample_record(i) for i in range(4)], key)
    return path.read_bytes(), _content(open_package(path))


@pytest.fixture(scope="module")
def encrypted(folder: Path, key: Ed25519PrivateKey) -> tuple[bytes, list[bytes]]:
    path = folder / "encrypted.dvpkg"
    write_package(path, manifest_info(), [sample_record(i) for i in range(2)], key, passphrase=PASSPHRASE)
    return path.read_bytes(), _content(open_package(path, PASSPHRASE))


def _content(package: VerifiedPackage) -> list[bytes]:
    """The manifest and every record, canonically serialized: what "the same package" means."""
    manifest = package.manifest.model_dump(mode="json")
    return [canonical_json(manifest), *(canonical_json(r.to_json_dict()) for r in package.read_all_records())]


def _open_and_read(
    path: Path, data: bytes, original: list[bytes] | None, passphrase: str | None = None
) -> bool:
    """PackageError (False), or (when `original` is given) exactly the original package (True);
    always quickly. An accepted file reads the same with zipfile and with a streaming reader."""
    path.write_bytes(data)
    started = time.monotonic()
    try:
        content = _content(open_package(path, passphrase, limits=LIMITS))
    except PackageError as error:
        assert error.message.startswith(f"Gói «{path.name}»: ")
        accepted = False
    else:
        if original is not None:  # a harmless change (a timestamp, a version byte, a file comment)
            assert content == original
        assert streamed_members(data) == read_members(path)  # any zip reader reads the same
        accepted = True
    assert time.monotonic() - started < 10
    return accepted


def streamed_members(data: bytes) -> dict[str, bytes]:
    """Members as a streaming reader finds them: local headers one after another from byte 0,
    trusting their sizes and method (the central directory is never looked at)."""
    members: dict[str, bytes] = {}
    at = 0
    while data[at : at + 4] == b"PK\x03\x04":
        method, compressed, name_len, extra_len = (
            struct.unpack_from("<H", data, at + 8)[0],
            *struct.unpack_from("<L", data, at + 18),
            *struct.unpack_from("<HH", data, at + 26),
        )
        name = data[at + 30 : at + 30 + name_len].decode("utf-8", "replace")
        start = at + 30 + name_len + extra_len
        raw = data[start : start + compressed]
        members[name] = zlib.decompressobj(-15).decompress(raw) if method == 8 else raw
        at = start + compressed
    return members


@FUZZ
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_plain_package(
    folder: Path, plain: tuple[bytes, list[bytes]], mutations: list[tuple[Any, ...]]
) -> None:
    data, original = plain
    _open_and_read(folder / "mutated.dvpkg", mutate(data, mutations), original)


@settings(FUZZ, max_examples=60)
@given(mutations=st.lists(_mutation, min_size=1, max_size=3))
def test_mutated_encrypted_package(
    folder: Path, encrypted: tuple[bytes, list[bytes]], mutations: list[tuple[Any, ...]]
) -> None:
    data, original = encrypted
    _open_and_read(folder / "mutated-secret.dvpkg", mutate(data, mutations), original, PASSPHRASE)


def header_regions(data: bytes) -> list[tuple[int, int]]:
    """(start, length) of every header of a comment-less zip: end record, central directory
    entries, local headers (each with its name) — where a hostile layout would be made."""
    end = len(data) - 22
    count, _, at = struct.unpack_from("<HLL", data, end + 10)
    regions = [(end, 22)]
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        (local,) = struct.unpack_from("<L", data, at + 42)
        (local_name_len,) = struct.unpack_from("<H", data, local + 26)
        regions += [(at, 46 + name_len + extra_len + comment_len), (local, 30 + local_name_len)]
        at += 46 + name_len + extra_len + comment_len
    return regions


_BOUNDARY = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF]
_header_mutation = st.one_of(
    st.tuples(st.just("byte"), _positions, _positions, st.integers(min_value=0, max_value=255)),
    st.tuples(st.just("u16"), _positions, _positions, st.sampled_from(_BOUNDARY)),
    st.tuples(st.just("u32"), _positions, _positions, st.sampled_from(_BOUNDARY)),
    st.tuples(st.just("delta"), _positions, _positions, st.integers(min_value=-64, max_value=64)),
    st.tuples(st.just("insert"), _positions, _positions, st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("copy"), _positions, _positions, _positions),  # a header again, elsewhere
    st.tuples(st.just("append"), _positions, _positions, st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("prepend"), _positions, _positions, st.binary(min_size=1, max_size=64)),
)


def mutate_headers(data: bytes, mutations: list[tuple[Any, ...]]) -> bytes:
    """Change the zip's headers where they are (all regions come from the original file)."""
    regions = header_regions(data)
    buffer = bytearray(data)
    for kind, which, offset, argument in mutations:
        start, length = regions[which % len(regions)]
        at = min(start + offset % length, len(buffer))
        if kind == "byte" and at < len(buffer):
            buffer[at] = argument
        elif kind in ("u16", "u32", "delta") and at + 4 <= len(buffer):
            size = 2 if kind == "u16" or at % 2 else 4
            (old,) = struct.unpack_from("<H" if size == 2 else "<L", buffer, at)
            value = (old + argument) % (1 << (8 * size)) if kind == "delta" else argument % (1 << (8 * size))
            struct.pack_into("<H" if size == 2 else "<L", buffer, at, value)
        elif kind == "insert":
            buffer[at:at] = argument
        elif kind == "copy":
            target = argument % (len(buffer) + 1)
            buffer[target:target] = data[start : start + length]
        elif kind == "append":
            buffer += argument
        elif kind == "prepend":
            buffer[0:0] = argument
    return bytes(buffer)


@settings(FUZZ, max_examples=300)
@given(mutations=st.lists(_header_mutation, min_size=1, max_size=3))
def test_mutated_zip_headers(
    folder: Path, plain: tuple[bytes, list[bytes]], mutations: list[tuple[Any, ...]]
) -> None:
    """Sizes, offsets, flags, counts, names and signatures of the container, changed at random:
    PackageError, or exactly the same package (manifest and records)."""
    data, original = plain
    _open_and_read(folder / "headers.dvpkg", mutate_headers(data, mutations), original)


@settings(FUZZ, max_examples=40)
@given(
    mutations=st.lists(_header_mutation, min_size=1, max_size=3)
    | st.lists(_mutation, min_size=1, max_size=3).map(lambda m: [("raw", m)])
)
def test_mutated_inner_package(
    folder: Path,
    plain: tuple[bytes, list[bytes]],
    mutations: list[tuple[Any, ...]],
) -> None:
    """The plain package inside an encrypted one, damaged before encryption (so the AES-GCM tag
    is valid): the same checks as for a plain file apply to it."""
    data, original = plain
    inner = mutate(data, mutations[0][1]) if mutations[0][0] == "raw" else mutate_headers(data, mutations)
    envelope, payload = encrypt(inner, PASSPHRASE)
    outer = folder / "outer.zip"
    write_zip(outer, [("envelope.json", envelope), ("payload.bin", payload)])
    if _open_and_read(folder / "inner.dvpkg", outer.read_bytes(), original, PASSPHRASE):
        with zipfile.ZipFile(io.BytesIO(inner)) as zf:
            assert streamed_members(inner) == {name: zf.read(name) for name in zf.namelist()}


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


MANIFEST_FIELDS = [
    "format_version", "package_id", "site_id", "office_unit", "sequence", "app_version", "schema_revision",
    "forms", "created_utc", "periods", "units", "record_count", "tombstone_count", "members",
]  # fmt: skip


@settings(FUZZ, max_examples=100)
@given(field=st.sampled_from(MANIFEST_FIELDS), value=_json)
def test_signed_manifest_with_any_field_value(
    folder: Path, plain: tuple[bytes, list[bytes]], key: Ed25519PrivateKey, field: str, value: Any
) -> None:
    """Whatever a (correctly signed) manifest field holds, the answer is PackageError or the records."""
    data, _ = plain
    source = folder / "source.dvpkg"
    source.write_bytes(data)
    members = read_members(source)
    fields = json.loads(members["manifest.json"]) | {field: value}
    members["manifest.json"] = canonical_json(sign_manifest(fields, key))
    path = write_zip(folder / "manifest-fuzz.dvpkg", members.items())
    _open_and_read(path, path.read_bytes(), None)


@settings(FUZZ, max_examples=100)
@given(field=st.sampled_from(sorted(sample_record(0))), value=_json)
def test_signed_record_with_any_field_value(
    folder: Path, plain: tuple[bytes, list[bytes]], key: Ed25519PrivateKey, field: str, value: Any
) -> None:
    """Whatever a (correctly signed) record field holds: PackageError or valid records."""
    data, _ = plain
    source = folder / "source.dvpkg"
    source.write_bytes(data)
    members = read_members(source)
    lines = members["records.jsonl"].splitlines(keepends=True)
    lines[0] = record_lines(json.loads(lines[0]) | {field: value})
    records = b"".join(lines)
    fields = json.loads(members["manifest.json"])
    fields["members"]["records.jsonl"] = {"sha256": hashlib.sha256(records).hexdigest(), "size": len(records)}
    members["records.jsonl"] = records
    members["manifest.json"] = canonical_json(sign_manifest(fields, key))
    path = write_zip(folder / "record-fuzz.dvpkg", members.items())
    _open_and_read(path, path.read_bytes(), None)  # some values are valid: any records will do
