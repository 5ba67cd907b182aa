"""The trust suite for replies: crafted reply packages refused whole at the commune, its file unchanged.

The commune has imported one genuine reply of its district (so it trusts the district's key);
each case runs `danvan import` on a copy of it and checks exit 2, a Vietnamese message naming the
reason, no traceback, and the database byte for byte as it was (except the ledger's refusals,
kept for a person to see, for a second reply under a number already received).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.services.exchange.package_import import import_package
from danvan_desktop.services.exchange.reply_export import write_replies
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.review.returns import add_comment, decide_return, submit_return
from danvan_desktop.transport.reply import ReplyInfo, write_reply
from danvan_desktop.transport.signing import sign_manifest
from tests.cli.conftest import run
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.hostile import copy_site
from tests.exchange.review_helpers import FORM, PERIOD
from tests.transport import read_members, write_zip


@dataclass
class Scene:
    commune: Path  # Xã Phúc Chu, trusting the district after its first reply
    district: Path  # the district's database (its key signs the genuine replies)
    bao_linh: Path  # another commune, whose key the district trusts
    genuine: Path  # a genuine second reply of the district to Phúc Chu
    for_bao_linh: Path  # a genuine reply of the district to Bảo Linh
    district_site: str
    folder: Path

    def district_key(self) -> Ed25519PrivateKey:
        return signing_key(self.district, self.district_site)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("hostile-replies")
    sites = {}
    for code in ("DH-PHUCCHU", "DH-BAOLINH", "DH"):
        folder = root / code
        folder.mkdir()
        initialize_database(folder / "site.sqlite3", code, None, catalog_dir=paths.catalog_dir()).close()
        sites[code] = Site(open_database(folder / "site.sqlite3"), folder)
    phuc_chu, bao_linh, district = sites["DH-PHUCCHU"], sites["DH-BAOLINH"], sites["DH"]
    for commune, code in ((phuc_chu, "DH-PHUCCHU"), (bao_linh, "DH-BAOLINH")):
        commune.save(FORM, code, PERIOD, BRANCH)
        with commune.db.transaction() as session:
            submit_return(session, FORM, PERIOD)
        district.import_(commune.export(f"{code}-1.danvan"), accept_new_site=True)
    with district.db.transaction() as session:
        add_comment(session, "DH-PHUCCHU", FORM, PERIOD, "Xem lại số hội viên")
    first = write_replies(district.db, root / "r1", units=["DH-PHUCCHU"])[0].summary.path
    assert phuc_chu.import_(first, accept_new_site=True).status == "applied"
    with district.db.transaction() as session:
        decide_return(session, "DH-PHUCCHU", FORM, PERIOD, approve=False, comment="Sửa lại")
    replies = write_replies(district.db, root / "r2")
    by_unit = {r.unit_code: r.summary.path for r in replies}
    district_site = district.site_id
    for site in sites.values():
        site.db.close()
    forged = root / "forged"
    forged.mkdir()
    return Scene(
        phuc_chu.db.path,
        district.db.path,
        bao_linh.db.path,
        by_unit["DH-PHUCCHU"],
        by_unit["DH-BAOLINH"],
        district_site,
        forged,
    )


# ---------------------------------------------------------------------------------------------
# Crafted replies


def _manifest(s: Scene) -> dict[str, Any]:
    return dict(json.loads(read_members(s.genuine)["manifest.json"]))


def _items(s: Scene) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_members(s.genuine)["reply.jsonl"].splitlines() if line]


def _signed(
    s: Scene,
    name: str,
    *,
    manifest: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    payloads: bytes | None = None,
    key: Ed25519PrivateKey | None = None,
    extra: list[tuple[str, bytes]] | None = None,
) -> Path:
    """A self-consistent reply (hashes, counts) with these parts, signed with `key` (the district's)."""
    members = read_members(s.genuine)
    reply = (
        members["reply.jsonl"]
        if items is None
        else b"".join(
            json.dumps(i, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
            for i in items
        )
    )
    payload_bytes = members["payloads.jsonl"] if payloads is None else payloads
    fields = _manifest(s) | {
        "item_count": reply.count(b"\n"),
        "payload_count": payload_bytes.count(b"\n"),
        "members": {
            "reply.jsonl": {"sha256": hashlib.sha256(reply).hexdigest(), "size": len(reply)},
            "payloads.jsonl": {
                "sha256": hashlib.sha256(payload_bytes).hexdigest(),
                "size": len(payload_bytes),
            },
        },
    }
    fields |= manifest or {}
    signed = sign_manifest(fields, key or s.district_key())
    body = json.dumps(signed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    parts = [("reply.jsonl", reply), ("payloads.jsonl", payload_bytes), ("manifest.json", body)]
    return write_zip(s.folder / name, parts + (extra or []))


Builder = Callable[[Scene, str], Path]


def _for_another_unit(s: Scene, name: str) -> Path:
    return s.for_bao_linh  # genuine, signed by the district: meant for Bảo Linh


def _recipient_rewritten(s: Scene, name: str) -> Path:
    members = read_members(s.for_bao_linh)
    manifest = json.loads(members["manifest.json"]) | {"recipient_unit": "DH-PHUCCHU"}
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return write_zip(
        s.folder / name,
        [("reply.jsonl", members["reply.jsonl"]), ("payloads.jsonl", b""), ("manifest.json", body)],
    )


def _new_key_same_site(s: Scene, name: str) -> Path:
    return _signed(s, name, key=Ed25519PrivateKey.generate())


def _new_key_new_site(s: Scene, name: str) -> Path:
    info = ReplyInfo("f0e1d2c3-0000-4000-8000-000000000001", "DH", "DH-PHUCCHU", 1, "0.1.0", "0007_review")
    return write_reply(s.folder / name, info, _items(s), [], Ed25519PrivateKey.generate()).path


def _province_new_key(s: Scene, name: str) -> Path:
    info = ReplyInfo("f0e1d2c3-0000-4000-8000-000000000002", "TN", "DH-PHUCCHU", 1, "0.1.0", "0007_review")
    return write_reply(s.folder / name, info, _items(s), [], Ed25519PrivateKey.generate()).path


def _sibling_commune(s: Scene, name: str) -> Path:
    site = _site_id(s.bao_linh)
    info = ReplyInfo(site, "DH-BAOLINH", "DH-PHUCCHU", 1, "0.1.0", "0007_review")
    return write_reply(s.folder / name, info, _items(s), [], signing_key(s.bao_linh, site)).path


def _site_id(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT site_id FROM installation").fetchone()[0])
    finally:
        conn.close()


def _item_of_another_unit(s: Scene, name: str) -> Path:
    items = _items(s)
    items[0] = items[0] | {"unit": "DH-BAOLINH"}
    return _signed(s, name, items=items)


def _comment_twice(s: Scene, name: str) -> Path:
    items = _items(s)
    comment = next(i for i in items if i["type"] == "comment")
    return _signed(s, name, items=[*items, comment])


def _unknown_payload(s: Scene, name: str) -> Path:
    line = b'{"data":"e30=","kind":"bieu_mau_tuong_lai"}\n'
    return _signed(s, name, payloads=line, manifest={"payload_kinds": ["bieu_mau_tuong_lai"]})


def _payload_kinds_lie(s: Scene, name: str) -> Path:
    return _signed(s, name, manifest={"payload_kinds": ["forms"]})


def _tampered_items(s: Scene, name: str) -> Path:
    members = read_members(s.genuine)
    changed = members["reply.jsonl"].replace(b"tra_lai", b"da_duyet")
    return write_zip(
        s.folder / name,
        [
            ("reply.jsonl", changed),
            ("payloads.jsonl", members["payloads.jsonl"]),
            ("manifest.json", members["manifest.json"]),
        ],
    )


def _state_forged_in_manifest(s: Scene, name: str) -> Path:
    members = read_members(s.genuine)
    manifest = json.loads(members["manifest.json"]) | {"sequence": 9}
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return write_zip(
        s.folder / name,
        [("reply.jsonl", members["reply.jsonl"]), ("payloads.jsonl", b""), ("manifest.json", body)],
    )


def _extra_member(s: Scene, name: str) -> Path:
    return _signed(s, name, extra=[("records.jsonl", b"")])


def _newer_format(s: Scene, name: str) -> Path:
    return _signed(s, name, manifest={"format_version": 5})


def _unknown_state(s: Scene, name: str) -> Path:
    items = [i | {"state": "da_xoa"} if i["type"] == "return" else i for i in _items(s)]
    return _signed(s, name, items=items)


def _field_without_record(s: Scene, name: str) -> Path:
    items = [
        i | {"field_id": "hoi_vien", "record_id": None} if i["type"] == "comment" else i for i in _items(s)
    ]
    return _signed(s, name, items=items)


def _sender_is_recipient(s: Scene, name: str) -> Path:
    return _signed(s, name, manifest={"office_unit": "DH-PHUCCHU"})


def _equivocation(s: Scene, name: str) -> Path:
    # Number 1 was received already, with other content: same site, same number, new package id.
    return _signed(s, name, manifest={"sequence": 1, "package_id": "6a1f4c52-9d7e-4b8a-8f00-000000000099"})


CASES: list[tuple[Builder, str, bool]] = [
    (_for_another_unit, "không phải cho", False),
    (_recipient_rewritten, "chữ ký", False),
    (_new_key_same_site, "khóa khác", False),
    (_new_key_new_site, "khóa lạ", False),
    (_province_new_key, "khóa lạ", False),
    (_sibling_commune, "không phải đơn vị cấp trên", False),
    (_item_of_another_unit, "đơn vị khác", False),
    (_comment_twice, "lặp lại", False),
    (_unknown_payload, "cập nhật", False),
    (_payload_kinds_lie, "loại nội dung", False),
    (_tampered_items, "không khớp", False),
    (_state_forged_in_manifest, "chữ ký", False),
    (_extra_member, "thành phần lạ", False),
    (_newer_format, "cập nhật", False),
    (_unknown_state, "sai trường", False),
    (_field_without_record, "sai trường", False),
    (_sender_is_recipient, "sai trường", False),
    (_equivocation, "cùng mang số 1", True),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refusals(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [kind for (kind,) in conn.execute("SELECT kind FROM refused_package")]
    finally:
        conn.close()


@pytest.mark.sqlite_only(reason="the refused reply must leave the commune's file unchanged byte for byte")
@pytest.mark.parametrize(("build", "words", "ledger"), CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_hostile_reply(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str], build: Builder, words: str, ledger: bool
) -> None:
    commune = copy_site(scene.commune, tmp_path / "commune")
    reply = build(scene, f"{build.__name__.strip('_')}.danvan")
    before = _sha(commune)
    status, out, err = run(capsys, "--db", commune, "import", reply)
    assert "Traceback" not in out + err and "ngoài dự kiến" not in out + err, out + err
    assert status == 2, (status, out, err)
    assert words.lower() in err.lower(), err
    if ledger:
        assert _refusals(commune) == ["equivocation"]
    else:
        assert _sha(commune) == before


@pytest.mark.sqlite_only(reason="compares the file before and after")
def test_the_genuine_reply_is_taken(scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control case: the same commune takes the district's genuine reply (so the cases above test
    what they break, not a broken scene)."""
    commune = copy_site(scene.commune, tmp_path / "commune")
    status, out, err = run(capsys, "--db", commune, "import", scene.genuine)
    assert status == 0, err
    assert "trả lại" in out.lower()
    db = open_database(commune)
    try:
        report = import_package(db, scene.genuine, user="lan", backup_dir=None)
        assert report.status == "duplicate"
    finally:
        db.close()
