"""Writing and reading packages back: plain and encrypted, NFC text, exact numbers, keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.errors import UserError
from danvan_desktop.transport import (
    KeyFileError,
    PackageError,
    PackagePassphraseError,
    fingerprint,
    generate_keypair,
    load_private_key,
    open_package,
    public_key_raw,
    save_private_key,
    write_package,
)
from danvan_desktop.transport.crypto import SCRYPT_N, SCRYPT_P, SCRYPT_R, encrypt
from danvan_desktop.transport.keys import private_key_from_pem
from danvan_desktop.transport.package_format import canonical_json
from tests.transport import (
    FORM,
    NUMBERS,
    PERIODS,
    SITE,
    UNITS,
    expected_json,
    manifest_info,
    nfd,
    read_members,
    repack,
    sample_record,
)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _same_json(records: list[Any], expected: list[dict[str, Any]]) -> None:
    # Canonical bytes tell 3 from 3.0 and -0.5 from "-0,5", which == would not.
    assert [canonical_json(r.to_json_dict()) for r in records] == [canonical_json(e) for e in expected]


def test_plain_round_trip_of_1000_records(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    inputs = [sample_record(i, decomposed=True) for i in range(1000)]
    out = tmp_path / "phucchu-2023.dvpkg"

    summary = write_package(out, manifest_info(), iter(inputs), key)

    package = open_package(out)
    records = package.read_all_records()
    _same_json(records, [expected_json(r) for r in inputs])
    first = records[0]
    assert first.values["ten_mo_hinh"] == "Dân vận khéo số 0 — xóm Bản, Định Hóa"  # NFD in, NFC out
    assert "lĩnh_vực" in first.values  # keys too
    assert first.created_by == "Nguyễn Thị Hương"
    assert {k: first.values[k] for k in NUMBERS} == NUMBERS
    assert type(first.values["nguyen_dang_thuc"]) is float and type(first.values["so_nguyen"]) is int
    assert first.updated_at == dt.datetime(2023, 2, 5, 8, 30, 0, 250000, tzinfo=dt.UTC)
    assert first.created_at.tzinfo is dt.UTC

    tombstones = sum(r["deleted"] for r in inputs)
    assert (summary.record_count, summary.tombstone_count) == (1000, tombstones)
    assert summary.size == out.stat().st_size
    assert summary.sha256 == hashlib.sha256(out.read_bytes()).hexdigest() == package.file_sha256
    assert not summary.encrypted and not package.encrypted
    manifest = package.manifest
    assert (manifest.record_count, manifest.tombstone_count) == (1000, tombstones)
    assert manifest.package_id == summary.package_id
    assert (manifest.site_id, manifest.office_unit, manifest.sequence) == (SITE, "DH-PHUCCHU", 1)
    assert manifest.forms == {FORM: 2}
    assert (manifest.units, manifest.periods) == (sorted(UNITS), sorted(PERIODS))
    assert manifest.created_utc.tzinfo is dt.UTC
    assert package.public_key == public_key_raw(key)
    assert package.fingerprint == fingerprint(public_key_raw(key)) == summary.fingerprint


def test_records_file_is_canonical_json_lines(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "p.dvpkg"
    write_package(out, manifest_info(), [sample_record(3, decomposed=True)], key)
    members = read_members(out)
    assert sorted(members) == ["manifest.json", "records.jsonl"]
    line = members["records.jsonl"]
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    obj = json.loads(line)
    assert line[:-1] == json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert "Định Hóa".encode() in line  # NFC, not \u escapes
    assert b'"dien_tich_ha":2941.86' in line and b'"tien_dong":1950000000' in line
    assert obj["created_at"] == "2023-02-05T08:30:03Z"
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "danvan-package" and manifest["format_version"] == 1
    assert manifest["members"]["records.jsonl"] == {
        "sha256": hashlib.sha256(line).hexdigest(),
        "size": len(line),
    }


def test_encrypted_round_trip(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    inputs = [sample_record(i, decomposed=True) for i in range(50)]
    out = tmp_path / "secret.dvpkg"
    summary = write_package(out, manifest_info(), inputs, key, passphrase="Mật khẩu Định Hóa 2023")

    assert summary.encrypted
    members = read_members(out)
    assert sorted(members) == ["envelope.json", "payload.bin"]
    assert "Định Hóa".encode() not in members["payload.bin"]
    envelope = json.loads(members["envelope.json"])
    assert envelope["format"] == "danvan-package-encrypted"
    assert envelope["kdf"]["name"] == "scrypt"
    assert (envelope["kdf"]["n"], envelope["kdf"]["r"], envelope["kdf"]["p"]) == (
        SCRYPT_N,
        SCRYPT_R,
        SCRYPT_P,
    )
    assert envelope["cipher"]["name"] == "AES-256-GCM"

    # The passphrase typed with another keyboard (NFD) opens it too.
    package = open_package(out, passphrase=nfd("Mật khẩu Định Hóa 2023"))
    assert package.encrypted
    _same_json(package.read_all_records(), [expected_json(r) for r in inputs])
    assert package.fingerprint == summary.fingerprint


def test_two_encryptions_of_the_same_package_differ(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    plain = b"the same plain package bytes"
    (env1, pay1), (env2, pay2) = encrypt(plain, "pass"), encrypt(plain, "pass")
    e1, e2 = json.loads(env1), json.loads(env2)
    assert e1["kdf"]["salt"] != e2["kdf"]["salt"]
    assert e1["cipher"]["nonce"] != e2["cipher"]["nonce"]
    assert pay1 != pay2

    a, b = tmp_path / "a.dvpkg", tmp_path / "b.dvpkg"
    for out in (a, b):
        write_package(out, manifest_info(), [sample_record(1)], key, passphrase="pass")
    assert read_members(a)["envelope.json"] != read_members(b)["envelope.json"]
    assert read_members(a)["payload.bin"] != read_members(b)["payload.bin"]


def test_empty_package_round_trips(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "empty.dvpkg"
    summary = write_package(out, manifest_info(), [], key)
    package = open_package(out)
    assert package.read_all_records() == []
    assert summary.record_count == package.manifest.record_count == 0


def test_records_are_parsed_lazily(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "p.dvpkg"
    write_package(out, manifest_info(), [sample_record(i) for i in range(5)], key)
    records = open_package(out).records()
    assert next(records).id == sample_record(0)["id"]
    assert len(list(records)) == 4


def test_a_package_replaced_while_reading_is_refused(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out, other = tmp_path / "p.dvpkg", tmp_path / "other.dvpkg"
    write_package(out, manifest_info(), [sample_record(i) for i in range(3)], key)
    write_package(other, manifest_info(), [sample_record(i) for i in range(4, 7)], key)
    package = open_package(out)
    os.replace(other, out)
    with pytest.raises(PackageError, match="thay đổi trong lúc đang đọc"):
        package.read_all_records()


def test_resigned_with_another_key_opens_with_another_fingerprint(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    """The signature proves integrity; who signed is decided by comparing fingerprints."""
    out = tmp_path / "p.dvpkg"
    write_package(out, manifest_info(), [sample_record(1)], key)
    stranger = Ed25519PrivateKey.generate()
    forged = repack(out, tmp_path / "forged.dvpkg", key=stranger)
    package = open_package(forged)
    assert package.fingerprint == fingerprint(public_key_raw(stranger)) != fingerprint(public_key_raw(key))


def test_write_is_atomic_and_leaves_nothing_behind(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "p.dvpkg"
    out.write_bytes(b"previous export")

    def failing() -> Iterator[dict[str, Any]]:
        yield sample_record(1)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_package(out, manifest_info(), failing(), key)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.dvpkg"]


def test_writer_refuses_records_outside_the_manifest(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "p.dvpkg"
    stray = {**sample_record(1), "unit_code": "DH-KIMPHUONG"}
    with pytest.raises(ValueError, match="not declared"):
        write_package(out, manifest_info(), [stray], key)
    with pytest.raises(ValueError, match="appears twice"):
        write_package(out, manifest_info(), [sample_record(1), sample_record(1)], key)
    with pytest.raises(ValueError, match="does not fit"):
        write_package(out, manifest_info(), [{**sample_record(1), "form_version": "1"}], key)
    assert list(tmp_path.iterdir()) == []


def test_empty_passphrase_is_refused(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    with pytest.raises(PackagePassphraseError, match="không được để trống"):
        write_package(tmp_path / "p.dvpkg", manifest_info(), [], key, passphrase="")


def test_write_into_a_missing_folder_is_a_user_error(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    with pytest.raises(PackageError, match="không tồn tại") as caught:
        write_package(tmp_path / "no" / "p.dvpkg", manifest_info(), [], key)
    assert isinstance(caught.value, UserError) and caught.value.exit_code == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_private_key_file_is_owner_only(tmp_path: Path) -> None:
    pem, public = generate_keypair()
    path = tmp_path / "signing-key.pem"
    old_umask = os.umask(0)  # even a careless umask must not widen the key file
    try:
        save_private_key(path, pem)
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["signing-key.pem"]
    loaded = load_private_key(path)
    assert public_key_raw(loaded) == public
    assert len(public) == 32


def test_key_file_is_not_overwritten_by_accident(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    first, _ = generate_keypair()
    second, second_public = generate_keypair()
    save_private_key(path, first)
    with pytest.raises(KeyFileError, match="không ghi đè"):
        save_private_key(path, second)
    save_private_key(path, second, overwrite=True)
    assert public_key_raw(load_private_key(path)) == second_public
    with pytest.raises(ValueError):
        save_private_key(tmp_path / "junk.pem", b"not a key")


def test_loading_a_missing_or_broken_key_says_so(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="Không tìm thấy khóa ký"):
        load_private_key(tmp_path / "missing.pem")
    broken = tmp_path / "broken.pem"
    broken.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFileError, match="không phải khóa ký Ed25519"):
        load_private_key(broken)


def test_fingerprint_is_grouped_sha256_of_the_raw_key() -> None:
    pem, public = generate_keypair()
    text = fingerprint(public)
    groups = text.split(" ")
    assert len(groups) == 16 and all(len(g) == 4 for g in groups)
    assert text.replace(" ", "") == hashlib.sha256(public).hexdigest()
    assert public_key_raw(private_key_from_pem(pem)) == public
    with pytest.raises(ValueError):
        fingerprint(public[:31])


DEFINITIONS = {
    "units": [
        {
            "code": "DH-PHUCCHU-X1",
            "name": "Na\u0300 Mo\u0300n",  # decomposed: written NFC
            "kind": "xom",
            "parent": "DH-PHUCCHU",
            "valid_from": dt.date(2020, 1, 1),
            "valid_to": None,
        }
    ],
    "lineage": [],
}


def test_unit_definitions_travel_signed_in_a_version_2_manifest(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    out = tmp_path / "with-units.dvpkg"
    write_package(out, manifest_info(unit_definitions=DEFINITIONS), [sample_record(0)], key)
    manifest = json.loads(read_members(out)["manifest.json"])
    assert manifest["format_version"] == 2
    assert manifest["unit_definitions"]["units"][0] == {
        "code": "DH-PHUCCHU-X1",
        "name": "Nà Mòn",
        "kind": "xom",
        "parent": "DH-PHUCCHU",
        "valid_from": "2020-01-01",
        "valid_to": None,
    }
    package = open_package(out)
    assert package.manifest.unit_definitions is not None
    unit = package.manifest.unit_definitions.units[0]
    assert (unit.name, unit.valid_from) == ("Nà Mòn", dt.date(2020, 1, 1))
    # Without definitions a package stays version 1, which installations not yet updated read.
    plain = tmp_path / "plain.dvpkg"
    write_package(
        plain, manifest_info(unit_definitions={"units": [], "lineage": []}), [sample_record(0)], key
    )
    assert json.loads(read_members(plain)["manifest.json"])["format_version"] == 1
    assert "unit_definitions" not in json.loads(read_members(plain)["manifest.json"])


@pytest.mark.parametrize(
    "change",
    [
        {"format_version": 2},  # version 2 without definitions
        {"unit_definitions": {"units": [], "lineage": []}},  # definitions in a version 1 manifest
        {"unit_definitions": {"units": [{"code": "A"}], "lineage": []}, "format_version": 2},
    ],
)
def test_unit_definitions_only_and_always_in_version_2(
    tmp_path: Path, key: Ed25519PrivateKey, change: dict[str, Any]
) -> None:
    good = tmp_path / "good.dvpkg"
    write_package(good, manifest_info(), [sample_record(0)], key)
    bad = repack(good, tmp_path / "bad.dvpkg", manifest=change, key=key)
    with pytest.raises(PackageError, match=r"manifest\.json thiếu hoặc sai trường"):
        open_package(bad)
