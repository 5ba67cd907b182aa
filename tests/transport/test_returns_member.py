"""Package format 3: signed return PDFs in returns.pdfs, described by the signed manifest's `returns`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport import PackageError, open_package, write_package
from danvan_desktop.transport.package_format import ReturnAttachment
from danvan_desktop.transport.signing import sign_manifest
from tests.transport import manifest_info, read_members, sample_record, write_zip

PDF_A = b"%PDF-1.7\n" + b"a" * 300 + b"\n%%EOF\n"
PDF_B = b"%PDF-1.7\n" + b"b" * 500 + b"\n%%EOF\n"


def _attachment(pdf: bytes, number: int) -> ReturnAttachment:
    return ReturnAttachment("return", "DH-PHUCCHU", "2023-Q2", "BC-ĐU:2023", number, pdf)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def with_returns(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    out = tmp_path / "v3.danvan"
    info = replace(manifest_info(), returns=[_attachment(PDF_A, 1), _attachment(PDF_B, 2)])
    write_package(out, info, [sample_record(i) for i in range(3)], key)
    return out


def test_returns_round_trip_in_order_and_only_then_version_3(
    with_returns: Path, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    package = open_package(with_returns)
    assert package.manifest.format_version == 3
    assert [(e.number, e.offset, e.size, pdf) for e, pdf in package.return_pdfs()] == [
        (1, 0, len(PDF_A), PDF_A),
        (2, len(PDF_A), len(PDF_B), PDF_B),
    ]
    assert len(package.read_all_records()) == 3
    plain = tmp_path / "v1.danvan"
    write_package(plain, manifest_info(), [sample_record(0)], key)
    assert open_package(plain).manifest.format_version == 1 and open_package(plain).return_pdfs() == []
    assert set(read_members(plain)) == {"manifest.json", "records.jsonl"}


def test_encrypted_package_carries_its_returns(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    out = tmp_path / "secret.danvan"
    info = replace(manifest_info(), returns=[_attachment(PDF_A, 4)])
    write_package(out, info, [sample_record(1)], key, passphrase="mật khẩu")
    assert [pdf for _e, pdf in open_package(out, "mật khẩu").return_pdfs()] == [PDF_A]


def _resigned(source: Path, out: Path, key: Ed25519PrivateKey, change: Any, members: Any = None) -> Path:
    content = read_members(source)
    manifest = json.loads(content["manifest.json"])
    change(manifest, content)
    content["manifest.json"] = json.dumps(sign_manifest(manifest, key), ensure_ascii=False).encode()
    listed = members(content) if members is not None else list(content.items())
    return write_zip(out, listed)


def _refused(path: Path, fragment: str) -> None:
    with pytest.raises(PackageError) as caught:
        open_package(path).return_pdfs()
    assert fragment in caught.value.message, caught.value.message


def test_a_version_1_manifest_with_a_returns_member_is_refused(
    with_returns: Path, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    def to_v1(manifest: dict[str, Any], _content: dict[str, bytes]) -> None:
        manifest["format_version"] = 1
        del manifest["returns"]

    _refused(
        _resigned(with_returns, tmp_path / "a.danvan", key, to_v1), "manifest.json thiếu hoặc sai trường"
    )


def test_returns_listed_but_member_missing_is_refused(
    with_returns: Path, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    path = _resigned(
        with_returns,
        tmp_path / "b.danvan",
        key,
        lambda _m, _c: None,
        members=lambda c: [(n, d) for n, d in c.items() if n != "returns.pdfs"],
    )
    _refused(path, "không khớp với manifest")


def test_entries_that_overlap_or_leave_gaps_are_refused(
    with_returns: Path, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    def overlap(manifest: dict[str, Any], _content: dict[str, bytes]) -> None:
        manifest["returns"][1]["offset"] -= 1

    _refused(_resigned(with_returns, tmp_path / "c.danvan", key, overlap), "returns")


def test_a_pdf_whose_bytes_differ_from_its_entry_is_refused(
    with_returns: Path, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    def swap(manifest: dict[str, Any], content: dict[str, bytes]) -> None:
        # Both PDFs exchanged in the member; the member's own hash is made right again.
        data = PDF_B + PDF_A
        content["returns.pdfs"] = data
        manifest["members"]["returns.pdfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        manifest["returns"][0]["size"], manifest["returns"][1]["size"] = len(PDF_B), len(PDF_A)
        manifest["returns"][1]["offset"] = len(PDF_B)

    _refused(_resigned(with_returns, tmp_path / "d.danvan", key, swap), "tệp báo cáo số 1")


def test_the_writer_refuses_what_is_not_a_pdf(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    info = replace(manifest_info(), returns=[_attachment(b"not a pdf", 1)])
    with pytest.raises(ValueError, match="not a PDF"):
        write_package(tmp_path / "x.danvan", info, [sample_record(0)], key)
    assert not (tmp_path / "x.danvan").exists()
