"""Every kind of bad package is refused before the database is touched: not a byte changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.db.engine import open_database
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange.package_import import KeyChangedError
from danvan_desktop.services.exchange.signing_keys import signing_key
from tests.exchange.conftest import BRANCH, Site
from tests.transport import read_members, repack, write_zip


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _traversal(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    return write_zip(out, [*read_members(good).items(), ("../evil.txt", b"owned")])


def _too_many_members(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    extra = [(f"extra{i}.txt", b"x") for i in range(5)]
    return write_zip(out, [*read_members(good).items(), *extra])


def _missing_manifest(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    return write_zip(out, [("records.jsonl", read_members(good)["records.jsonl"])])


def _manifest_not_json(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    members = read_members(good)
    return write_zip(
        out, [("manifest.json", b"{khong phai json"), ("records.jsonl", members["records.jsonl"])]
    )


def _newer_format(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    return repack(good, out, manifest={"format_version": 9}, key=key)


def _changed_after_signing(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    records = read_members(good)["records.jsonl"].replace(b'"hoi_vien":450', b'"hoi_vien":999')
    return repack(good, out, records=records)


def _bad_signature(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    import base64

    return repack(good, out, manifest={"signature": base64.b64encode(bytes(64)).decode()})


def _invalid_utf8(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    records = read_members(good)["records.jsonl"].replace("Phụ nữ".encode(), b"Ph\xff n\xc3")
    return repack(good, out, records=records, key=key)


def _zip_bomb(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    return repack(good, out, records=b" " * (40 * 1024 * 1024), key=key)


def _unknown_form(good: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    members = read_members(good)
    records = members["records.jsonl"].replace(b'"to_chuc_doan_the"', b'"bieu_mau_la"')
    manifest = json.loads(members["manifest.json"])
    return repack(
        good,
        out,
        records=records,
        manifest={"forms": {"bieu_mau_la": 1}} | {"units": manifest["units"]},
        key=key,
    )


CASES: list[tuple[Callable[[Path, Path, Ed25519PrivateKey], Path], str]] = [
    (_traversal, "tên nguy hiểm"),
    (_too_many_members, "quá nhiều"),
    (_missing_manifest, "manifest"),
    (_manifest_not_json, "JSON"),
    (_newer_format, "mới hơn"),
    (_changed_after_signing, "chữ ký không hợp lệ"),
    (_bad_signature, "chữ ký không hợp lệ"),
    (_invalid_utf8, "UTF-8"),
    (_zip_bomb, "bom zip"),
]


@pytest.mark.parametrize(("make_bad", "words"), CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_bad_package_leaves_the_database_as_it_was(
    phuc_chu: Site,
    district: Site,
    tmp_path: Path,
    make_bad: Callable[[Path, Path, Ed25519PrivateKey], Path],
    words: str,
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    good = phuc_chu.export("pc-1.danvan")
    bad = make_bad(good, tmp_path / "bad.danvan", signing_key(phuc_chu.db.path, phuc_chu.site_id))
    district.db.close()
    before = _sha(district.db.path)
    district.db = open_database(district.db.path)
    with pytest.raises(UserError) as info:
        district.import_(bad, accept_new_site=True)
    assert words.lower() in info.value.message.lower(), info.value.message
    assert info.value.exit_code == 2
    district.db.close()
    assert _sha(district.db.path) == before
    district.db = open_database(district.db.path)


def test_records_of_an_unknown_form_are_rejected_and_nothing_is_written(
    phuc_chu: Site, district: Site, tmp_path: Path
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    good = phuc_chu.export("pc-1.danvan")
    bad = _unknown_form(good, tmp_path / "bad.danvan", signing_key(phuc_chu.db.path, phuc_chu.site_id))
    district.db.close()
    before = _sha(district.db.path)
    district.db = open_database(district.db.path)
    report = district.import_(bad, accept_new_site=True)
    assert report.status == "rejected" and report.counts()["rejected"] == 1
    assert report.plan is not None and "bieu_mau_la" in report.plan.results[0].reason
    district.db.close()
    assert _sha(district.db.path) == before
    district.db = open_database(district.db.path)


def test_a_changed_key_is_refused_until_re_enrolled(phuc_chu: Site, district: Site, tmp_path: Path) -> None:
    from danvan_desktop.services.exchange.package_import import enrol_site

    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    good = phuc_chu.export("pc-1.danvan")
    district.import_(good, accept_new_site=True)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    second = phuc_chu.export("pc-2.danvan")
    impostor = repack(second, tmp_path / "impostor.danvan", key=Ed25519PrivateKey.generate())
    with pytest.raises(KeyChangedError):
        district.import_(impostor)
    enrol_site(district.db, impostor, user="Quản trị viên")
    assert district.import_(impostor).counts()["new"] == 1
