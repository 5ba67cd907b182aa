"""Every way a package can be broken or hostile, each refused with a clear Vietnamese message."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.errors import UserError
from danvan_desktop.transport import (
    Limits,
    PackageError,
    PackagePassphraseError,
    PackageSignatureError,
    PackageVersionError,
    open_package,
    write_package,
)
from danvan_desktop.transport.package_format import FORMAT_VERSION, canonical_json
from danvan_desktop.transport.signing import sign_manifest
from tests.transport import manifest_info, read_members, record_lines, repack, sample_record, write_zip


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def good(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    out = tmp_path / "good.dvpkg"
    write_package(out, manifest_info(), [sample_record(i) for i in range(20)], key)
    return out


@pytest.fixture
def secret(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    out = tmp_path / "secret.dvpkg"
    write_package(out, manifest_info(), [sample_record(i) for i in range(5)], key, passphrase="đúng rồi")
    return out


def refused(path: Path, fragment: str, **kwargs: Any) -> PackageError:
    """open_package + read_all_records must fail with `fragment` in a message naming the file."""
    with pytest.raises(PackageError) as caught:
        open_package(path, **kwargs).read_all_records()
    error = caught.value
    assert fragment in error.message
    assert error.message.startswith(f"Gói «{path.name}»: ")
    assert isinstance(error, UserError) and error.exit_code == 2
    assert error.detail  # English, for the log
    return error


def _good_members(good: Path) -> dict[str, bytes]:
    return read_members(good)


# -- the file itself -----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "absent.dvpkg", "không tìm thấy tệp")


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "folder.dvpkg"
    folder.mkdir()
    refused(folder, "không phải một tệp gói")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.dvpkg"
    empty.write_bytes(b"")
    refused(empty, "tệp rỗng")


def test_not_a_zip(tmp_path: Path) -> None:
    text = tmp_path / "report.dvpkg"
    text.write_text("Báo cáo quý II — not a package", encoding="utf-8")
    refused(text, "không phải gói dữ liệu Dân Vận")


def test_truncated_file(tmp_path: Path, good: Path) -> None:
    data = good.read_bytes()
    for keep in (len(data) // 2, len(data) - 10):
        cut = tmp_path / f"cut-{keep}.dvpkg"
        cut.write_bytes(data[:keep])
        refused(cut, "bị cắt cụt")


def test_file_over_the_size_limit(good: Path) -> None:
    refused(good, "tệp quá lớn", limits=Limits(max_file_size=1000))


# -- zip structure -------------------------------------------------------------------------------


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes start: after its 30-byte local header, name and extra."""
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len


def _flip_in_member(path: Path, target: Path, member: str) -> Path:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data[_data_offset(bytes(data), info) + info.compress_size // 2] ^= 0x55
    target.write_bytes(bytes(data))
    return target


def test_bad_crc_in_stored_data(tmp_path: Path, good: Path) -> None:
    stored = repack(good, tmp_path / "stored.dvpkg", compression=zipfile.ZIP_STORED)
    assert open_package(stored).read_all_records()  # stored members are fine as such
    refused(_flip_in_member(stored, tmp_path / "crc.dvpkg", "records.jsonl"), "sai mã kiểm tra CRC")


def test_flipped_byte_in_compressed_data(tmp_path: Path, good: Path) -> None:
    error = refused(_flip_in_member(good, tmp_path / "flipped.dvpkg", "records.jsonl"), "bị hỏng")
    assert "chép lại gói" in error.message


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "..\\evil.txt", "a/../../evil.txt", "C:/x"])
def test_member_path_outside_the_folder(tmp_path: Path, good: Path, name: str) -> None:
    members = [*_good_members(good).items(), (name, b"owned")]
    refused(write_zip(tmp_path / "traversal.dvpkg", members), "tên nguy hiểm")


def test_member_named_like_ours_but_in_a_folder(tmp_path: Path, good: Path) -> None:
    members = _good_members(good)
    renamed = [("sub/manifest.json", members["manifest.json"]), ("records.jsonl", members["records.jsonl"])]
    refused(write_zip(tmp_path / "nested.dvpkg", renamed), "thành phần lạ «sub/manifest.json»")


def test_too_many_members(tmp_path: Path, good: Path) -> None:
    members = [*_good_members(good).items(), *((f"extra{i}.txt", b"x") for i in range(3))]
    refused(write_zip(tmp_path / "many.dvpkg", members), "quá nhiều thành phần (5")


def test_unexpected_member(tmp_path: Path, good: Path) -> None:
    members = [*_good_members(good).items(), ("readme.txt", b"hello")]
    refused(write_zip(tmp_path / "extra.dvpkg", members), "thành phần lạ «readme.txt»")


def test_duplicate_member(tmp_path: Path, good: Path) -> None:
    members = [*_good_members(good).items(), ("records.jsonl", b"")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name"
        path = write_zip(tmp_path / "dup.dvpkg", members)
    refused(path, "trùng tên")


def test_missing_manifest(tmp_path: Path, good: Path) -> None:
    members = [("records.jsonl", _good_members(good)["records.jsonl"])]
    refused(write_zip(tmp_path / "nomanifest.dvpkg", members), "thiếu thành phần «manifest.json»")


def test_zip_bomb_by_ratio(tmp_path: Path, good: Path) -> None:
    members = _good_members(good)
    members["records.jsonl"] = b" " * 300_000  # deflates about 1000:1
    bomb = write_zip(tmp_path / "bomb.dvpkg", members.items())
    refused(bomb, "bom zip", limits=Limits(ratio_exempt_below=64 * 1024))


def test_zip_bomb_by_total_size(good: Path) -> None:
    refused(good, "quá lớn khi giải nén", limits=Limits(max_total_uncompressed=10_000))


def test_member_larger_than_declared(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    """A central directory that under-states a size (manifest signed to match): reading stops at
    the declared size, and the CRC of what was read does not match."""
    records = read_members(good)["records.jsonl"]
    signed = repack(good, tmp_path / "signed.dvpkg", key=key)
    fields = json.loads(read_members(signed)["manifest.json"])
    fields["members"]["records.jsonl"] = {"sha256": hashlib.sha256(records[:100]).hexdigest(), "size": 100}
    manifest = canonical_json(sign_manifest(fields, key))
    data = bytearray(
        write_zip(
            tmp_path / "tmp.zip", [("manifest.json", manifest), ("records.jsonl", records)]
        ).read_bytes()
    )
    entry = data.find(b"PK\x01\x02")  # central directory entries: signature, then fixed fields
    while data[entry + 46 : entry + 46 + 13] != b"records.jsonl":
        entry = data.find(b"PK\x01\x02", entry + 4)
    assert struct.unpack_from("<I", data, entry + 24)[0] == len(records)
    struct.pack_into("<I", data, entry + 24, 100)  # the uncompressed size field
    liar = tmp_path / "liar.dvpkg"
    liar.write_bytes(bytes(data))
    refused(liar, "không khớp với mục lục của tệp zip")  # the local header still says the real size
    local = struct.unpack_from("<I", data, entry + 42)[0]  # that member's local header offset
    assert struct.unpack_from("<I", data, local + 22)[0] == len(records)
    struct.pack_into("<I", data, local + 22, 100)  # both headers now agree on the lie
    liar.write_bytes(bytes(data))
    refused(liar, "sai mã kiểm tra CRC")


def test_manifest_over_its_limit(good: Path) -> None:
    refused(good, "«manifest.json» quá lớn", limits=Limits(max_manifest_size=100))


def test_record_line_over_its_limit(good: Path) -> None:
    refused(good, "dài quá", limits=Limits(max_line_size=200))


# -- manifest ------------------------------------------------------------------------------------


def _with_manifest(tmp_path: Path, good: Path, manifest: bytes) -> Path:
    members = _good_members(good)
    members["manifest.json"] = manifest
    return write_zip(tmp_path / "manifest.dvpkg", members.items())


def test_manifest_not_json(tmp_path: Path, good: Path) -> None:
    refused(_with_manifest(tmp_path, good, b"{not json"), "manifest.json không phải JSON hợp lệ")


def test_manifest_not_utf8(tmp_path: Path, good: Path) -> None:
    refused(_with_manifest(tmp_path, good, b'{"format": "\xff"}'), "không phải văn bản UTF-8")


def test_manifest_not_an_object(tmp_path: Path, good: Path) -> None:
    refused(_with_manifest(tmp_path, good, b"[1, 2]"), "không phải một đối tượng JSON")


def test_manifest_with_duplicate_keys(tmp_path: Path, good: Path) -> None:
    text = good_manifest_text(good).replace('"sequence":1', '"sequence":1,"sequence":2')
    refused(_with_manifest(tmp_path, good, text.encode()), "không phải JSON hợp lệ")


def good_manifest_text(good: Path) -> str:
    return _good_members(good)["manifest.json"].decode("utf-8")


def test_unknown_format(tmp_path: Path, good: Path) -> None:
    other = json.dumps({"format": "kobo-submission", "format_version": 1}).encode()
    refused(_with_manifest(tmp_path, good, other), "không phải gói dữ liệu Dân Vận")


def test_newer_format_version(tmp_path: Path, good: Path) -> None:
    fields = json.loads(good_manifest_text(good)) | {"format_version": FORMAT_VERSION + 1, "new_field": "x"}
    error = refused(
        _with_manifest(tmp_path, good, json.dumps(fields).encode()), "phiên bản mới hơn, hãy cập nhật"
    )
    assert isinstance(error, PackageVersionError)


@pytest.mark.parametrize("version", [0, "1", True, None, 1.5])
def test_nonsense_format_version(tmp_path: Path, good: Path, version: Any) -> None:
    fields = json.loads(good_manifest_text(good)) | {"format_version": version}
    refused(_with_manifest(tmp_path, good, json.dumps(fields).encode()), "số phiên bản định dạng")


def test_manifest_missing_fields_even_if_signed(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    fields = json.loads(good_manifest_text(good))
    del fields["record_count"]
    fields["sequence"] = "7"  # a string is not a number, even when it looks like one
    signed = canonical_json(sign_manifest(fields, key))
    refused(_with_manifest(tmp_path, good, signed), "thiếu hoặc sai trường: sequence, record_count")


def test_hash_mismatch(tmp_path: Path, good: Path) -> None:
    other = record_lines(json.loads(read_members(good)["records.jsonl"].splitlines()[0]))
    bad = repack(good, tmp_path / "swapped.dvpkg", records=other, update_digest=False)
    refused(bad, "không khớp với manifest")


def test_record_changed_after_signing(tmp_path: Path, good: Path) -> None:
    lines = read_members(good)["records.jsonl"].replace(b'"tien_dong":1950000000', b'"tien_dong":9950000000')
    tampered = repack(good, tmp_path / "tampered.dvpkg", records=lines)  # digest updated, old signature
    error = refused(tampered, "chữ ký không hợp lệ: gói đã bị sửa sau khi ký")
    assert isinstance(error, PackageSignatureError)


def test_bad_signature(tmp_path: Path, good: Path) -> None:
    forged = base64.b64encode(bytes(range(64))).decode()
    bad = repack(good, tmp_path / "forged.dvpkg", manifest={"signature": forged})
    assert isinstance(refused(bad, "chữ ký không hợp lệ"), PackageSignatureError)


def test_signature_that_is_not_base64(tmp_path: Path, good: Path) -> None:
    bad = repack(good, tmp_path / "forged.dvpkg", manifest={"signature": "@@@@"})
    refused(bad, "sai trường: signature")


def test_fingerprint_that_does_not_match_the_key(tmp_path: Path, good: Path) -> None:
    bad = repack(good, tmp_path / "fp.dvpkg", manifest={"key_fingerprint": "0000 " * 15 + "0000"})
    assert isinstance(refused(bad, "dấu vân tay"), PackageSignatureError)


# -- encryption ----------------------------------------------------------------------------------


def test_wrong_passphrase(secret: Path) -> None:
    error = refused(secret, "sai mật khẩu hoặc gói đã bị sửa", passphrase="dung roi")
    assert isinstance(error, PackagePassphraseError)


def test_encrypted_without_passphrase(secret: Path) -> None:
    error = refused(secret, "gói được mã hóa, cần mật khẩu")
    assert isinstance(error, PackagePassphraseError)


def test_envelope_cannot_be_altered(tmp_path: Path, secret: Path) -> None:
    """The envelope is GCM's associated data: even a harmless-looking change fails the tag."""
    members = read_members(secret)
    envelope = json.loads(members["envelope.json"])
    members["envelope.json"] = json.dumps(envelope, indent=2).encode()  # same content, other bytes
    path = write_zip(tmp_path / "envelope.dvpkg", members.items())
    refused(path, "sai mật khẩu hoặc gói đã bị sửa", passphrase="đúng rồi")


def test_payload_flipped_byte(tmp_path: Path, secret: Path) -> None:
    members = read_members(secret)
    payload = bytearray(members["payload.bin"])
    payload[len(payload) // 2] ^= 1
    members["payload.bin"] = bytes(payload)
    path = write_zip(tmp_path / "payload.dvpkg", members.items(), zipfile.ZIP_STORED)
    refused(path, "sai mật khẩu hoặc gói đã bị sửa", passphrase="đúng rồi")


@pytest.mark.parametrize(
    ("kdf", "cipher"),
    [
        ({"n": 2**30}, {}),  # would need 128 GiB: refused before trying
        ({"n": 1000}, {}),
        ({"r": 1024, "p": 1024}, {}),
        ({"salt": "AAAA"}, {}),
        ({}, {"nonce": "AAAA"}),
        ({"name": "pbkdf2"}, {}),
        ({}, {"name": "AES-128-CBC"}),
    ],
)
def test_hostile_envelope_parameters(
    tmp_path: Path, secret: Path, kdf: dict[str, Any], cipher: dict[str, Any]
) -> None:
    members = read_members(secret)
    envelope = json.loads(members["envelope.json"])
    envelope["kdf"].update(kdf)
    envelope["cipher"].update(cipher)
    members["envelope.json"] = json.dumps(envelope).encode()
    path = write_zip(tmp_path / "hostile.dvpkg", members.items())
    error = refused(path, "envelope.json", passphrase="đúng rồi")
    assert not isinstance(error, PackagePassphraseError)


def test_newer_envelope_version(tmp_path: Path, secret: Path) -> None:
    members = read_members(secret)
    envelope = json.loads(members["envelope.json"]) | {"format_version": 3}
    members["envelope.json"] = json.dumps(envelope).encode()
    path = write_zip(tmp_path / "future.dvpkg", members.items())
    assert isinstance(refused(path, "phiên bản mới hơn"), PackageVersionError)


def test_encrypted_payload_that_is_not_a_package(tmp_path: Path) -> None:
    from danvan_desktop.transport.crypto import encrypt

    envelope, payload = encrypt(b"just some text", "pw")
    path = write_zip(tmp_path / "inner.dvpkg", [("envelope.json", envelope), ("payload.bin", payload)])
    refused(path, "sau khi giải mã không phải gói", passphrase="pw")


# -- records (correctly signed, so the problem is found while parsing) ---------------------------


def _signed_with_lines(tmp_path: Path, good: Path, key: Ed25519PrivateKey, lines: bytes) -> Path:
    return repack(good, tmp_path / "lines.dvpkg", records=lines, key=key)


def _lines(good: Path) -> list[bytes]:
    return read_members(good)["records.jsonl"].splitlines(keepends=True)


def test_invalid_utf8_in_records(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    lines = _lines(good)
    lines[1] = lines[1].replace("Định".encode(), b"\xc4\x90\xff")
    path = _signed_with_lines(tmp_path, good, key, b"".join(lines))
    package = open_package(path)  # every check before parsing passes...
    error = refused(path, "dòng 2 của records.jsonl không phải văn bản UTF-8")
    assert error.line == 2
    with pytest.raises(PackageError):
        package.read_all_records()


def test_invalid_json_line(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    lines = _lines(good)
    lines[4] = b'{"id": \n'
    refused(
        _signed_with_lines(tmp_path, good, key, b"".join(lines)), "dòng 5 của records.jsonl không phải JSON"
    )


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"id": "not-a-uuid"}, "sai trường id"),
        ({"deleted": "false"}, "sai trường deleted"),
        ({"created_at": "2023-02-05T08:30:00"}, "sai trường created_at"),  # no offset
        ({"values": [1, 2]}, "sai trường values"),
        ({"version_vector": {"a": -1}}, "sai trường version_vector"),
        ({"extra": 1}, "sai trường extra"),
    ],
)
def test_record_with_wrong_fields(
    tmp_path: Path, good: Path, key: Ed25519PrivateKey, change: dict[str, Any], fragment: str
) -> None:
    lines = _lines(good)
    lines[0] = record_lines(json.loads(lines[0]) | change)
    refused(_signed_with_lines(tmp_path, good, key, b"".join(lines)), fragment)


def test_record_missing_a_field(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    lines = _lines(good)
    record = json.loads(lines[2])
    del record["unit_code"]
    lines[2] = record_lines(record)
    refused(
        _signed_with_lines(tmp_path, good, key, b"".join(lines)), "dòng 3 của records.jsonl: bản ghi thiếu"
    )


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": NaN}\n',
        b'{"a": 1e999}\n',
        b'{"a": 1, "a": 2}\n',
        b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b'{"a": "\\ud800"}\n',
        b"\n",
        b"42\n",
    ],
)
def test_hostile_json_lines(tmp_path: Path, good: Path, key: Ed25519PrivateKey, line: bytes) -> None:
    refused(_signed_with_lines(tmp_path, good, key, line), "dòng 1 của records.jsonl")


def test_deeply_nested_values(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    record = json.loads(_lines(good)[0])
    nested: Any = 1
    for _ in range(200):
        nested = {"x": [nested]}
    record["values"] = {"sau": nested}
    refused(_signed_with_lines(tmp_path, good, key, record_lines(record)), "sai trường")


def test_duplicate_record_ids(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    lines = _lines(good)
    refused(_signed_with_lines(tmp_path, good, key, lines[0] + lines[0]), "xuất hiện hai lần")


def test_record_for_an_undeclared_unit(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    record = json.loads(_lines(good)[0]) | {"unit_code": "DH-KIMPHUONG"}
    refused(_signed_with_lines(tmp_path, good, key, record_lines(record)), "không có trong danh sách đơn vị")


def test_record_count_differs_from_manifest(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    refused(_signed_with_lines(tmp_path, good, key, b"".join(_lines(good)[:3])), "số bản ghi (3")


# -- keys that are one key once normalized to NFC ------------------------------------------------

_XOM_NFC = "xóm_bản"
_XOM_NFD = "xo\u0301m_ba\u0309n"


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["escaped", "utf-8"])
@pytest.mark.parametrize("field", ["values", "version_vector"])
def test_record_keys_equal_after_nfc(
    tmp_path: Path, good: Path, key: Ed25519PrivateKey, field: str, ensure_ascii: bool
) -> None:
    """{"xóm": 1, "xóm" typed decomposed: 2} would otherwise become {"xóm": 2}, a value silently lost."""
    assert _XOM_NFC != _XOM_NFD
    lines = _lines(good)
    record = json.loads(lines[0])
    record[field] = record[field] | {_XOM_NFC: 1, _XOM_NFD: 2}
    lines[0] = json.dumps(record, ensure_ascii=ensure_ascii, sort_keys=True).encode() + b"\n"
    path = _signed_with_lines(tmp_path, good, key, b"".join(lines))
    refused(path, "dòng 1 của records.jsonl không phải JSON hợp lệ")


def test_record_keys_equal_after_nfc_without_any_escape(
    tmp_path: Path, good: Path, key: Ed25519PrivateKey
) -> None:
    """The reader's fast path (no backslash in the line: NFC of the whole line) sees them too."""
    lines = _lines(good)
    record = json.loads(lines[0])
    del record["values"]["ghi_chu"]  # its newline is the line's only escape
    record["values"] |= {_XOM_NFC: 1, _XOM_NFD: 2}
    lines[0] = record_lines(record)
    assert b"\\" not in lines[0]
    path = _signed_with_lines(tmp_path, good, key, b"".join(lines))
    refused(path, "dòng 1 của records.jsonl không phải JSON hợp lệ")


def test_nested_value_keys_equal_after_nfc(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    lines = _lines(good)
    record = json.loads(lines[1])
    record["values"]["bang"] = [{"ten": "a", _XOM_NFC: 1, _XOM_NFD: 2}]
    lines[1] = json.dumps(record, sort_keys=True).encode() + b"\n"
    path = _signed_with_lines(tmp_path, good, key, b"".join(lines))
    refused(path, "dòng 2 của records.jsonl không phải JSON hợp lệ")


def test_manifest_keys_equal_after_nfc(tmp_path: Path, good: Path, key: Ed25519PrivateKey) -> None:
    fields = json.loads(good_manifest_text(good))
    fields["forms"] = fields["forms"] | {_XOM_NFC: 1, _XOM_NFD: 2}
    signed = json.dumps(sign_manifest(fields, key)).encode()  # escaped: both spellings survive
    refused(_with_manifest(tmp_path, good, signed), "manifest.json không phải JSON hợp lệ")


def test_writer_refuses_keys_equal_after_nfc(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    record = sample_record(0)
    record["values"] = {_XOM_NFC: 1, _XOM_NFD: 2}
    with pytest.raises(ValueError, match="does not fit"):
        write_package(tmp_path / "out.dvpkg", manifest_info(), [record], key)
    forms = {_XOM_NFC: 1, _XOM_NFD: 2, "mo_hinh_dan_van_kheo": 2}
    with pytest.raises(ValueError, match="NFC"):
        write_package(tmp_path / "out.dvpkg", manifest_info(forms=forms), [sample_record(0)], key)
    assert not (tmp_path / "out.dvpkg").exists()
