"""Property tests: a damaged package is refused with PackageError or reads back exactly, never worse."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from danvan_desktop.transport import Limits, PackageError, open_package, write_package
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
    return path.read_bytes(), _canonical(open_package(path).read_all_records())


@pytest.fixture(scope="module")
def encrypted(folder: Path, key: Ed25519PrivateKey) -> tuple[bytes, list[bytes]]:
    path = folder / "encrypted.dvpkg"
    write_package(path, manifest_info(), [sample_record(i) for i in range(2)], key, passphrase=PASSPHRASE)
    return path.read_bytes(), _canonical(open_package(path, PASSPHRASE).read_all_records())


def _canonical(records: list[Any]) -> list[bytes]:
    return [canonical_json(r.to_json_dict()) for r in records]


def _open_and_read(
    path: Path, data: bytes, original: list[bytes] | None, passphrase: str | None = None
) -> None:
    """PackageError, or (when `original` is given) exactly the original records; always quickly."""
    path.write_bytes(data)
    started = time.monotonic()
    try:
        records = open_package(path, passphrase, limits=LIMITS).read_all_records()
    except PackageError as error:
        assert error.message.startswith(f"Gói «{path.name}»: ")
    else:
        if original is not None:  # a harmless change (e.g. in the zip comment)
            assert _canonical(records) == original
    assert time.monotonic() - started < 10


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
