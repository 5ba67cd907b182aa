"""The trust suite: a genuine commune turned hostile signs crafted packages with its real, trusted key.

Every case runs `danvan import` against a district that already trusts the commune and holds
records of two communes, and checks the exit code, a Vietnamese message on stderr, no traceback,
and that the district's database is unchanged byte for byte — except the refused-package ledger,
which keeps forgery signals (foreign units, equivocation) for a person to see.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.exchange.package_import import import_package
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.transport.package_format import FORMAT_VERSION
from tests.cli.conftest import run
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.hostile import Forger, Record, copy_site, unseekable_zip

DIALOGUE = {
    "ngay": "2023-05-12",
    "hinh_thuc": "doi_thoai",
    "chu_tri": "Nguyễn Văn Bình, Bí thư Đảng ủy xã",
    "chu_de": "Hiến đất làm đường liên xóm",
    "so_nguoi_du": 120,
    "so_kien_nghi": 8,
    "so_da_giai_quyet": 6,
    "so_dang_giai_quyet": 2,
}


@dataclass
class Scene:
    district: Path  # database of Ban Dân vận Huyện ủy Định Hóa, trusting both communes
    forger: Forger  # Xã Phúc Chu, whose package number 1 the district has merged
    bao_linh: Record  # Bảo Linh's record as the district holds it
    phuc_chu_sent: Path  # the genuine package number 1 of Phúc Chu


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("hostile")
    sites = {}
    for code in ("DH-PHUCCHU", "DH-BAOLINH", "DH"):
        folder = root / code
        folder.mkdir()
        initialize_database(folder / "site.sqlite3", code, None, catalog_dir=paths.catalog_dir()).close()
        sites[code] = Site(open_database(folder / "site.sqlite3"), folder)
    phuc_chu, bao_linh, district = sites["DH-PHUCCHU"], sites["DH-BAOLINH"], sites["DH"]
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.save("doi_thoai_tiep_dan", "DH-PHUCCHU", "2023", DIALOGUE)
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH | {"ten_chi_hoi": "Chi hội Bảo Linh"})
    first = phuc_chu.export("pc-1.danvan")
    for package in (first, bao_linh.export("bl-1.danvan")):
        report = import_package(
            district.db, package, user="Hoàng Văn Dũng", backup_dir=None, accept_new_site=True
        )
        assert report.status == "applied" and report.counts()["new"] >= 1
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    genuine = root / "pc-2.danvan"
    export_package(phuc_chu.db, genuine, periods=["2022", "2023"])
    key = signing_key(phuc_chu.db.path, phuc_chu.site_id)
    bl_line = json.loads(_only_line(bao_linh.folder))
    for site in sites.values():
        site.db.close()
    forged = root / "forged"
    forged.mkdir()
    return Scene(district.db.path, Forger(genuine, key, forged), bl_line, first)


def _only_line(folder: Path) -> str:
    from tests.transport import read_members

    return read_members(folder / "bl-1.danvan")["records.jsonl"].splitlines()[0].decode("utf-8")


# ---------------------------------------------------------------------------------------------
# What each hostile package is made of


def _branch(forger: Forger) -> Record:
    return next(r for r in forger.records() if r["form_id"] == "to_chuc_doan_the")


def _dialogue(forger: Forger) -> Record:
    return next(r for r in forger.records() if r["form_id"] == "doi_thoai_tiep_dan")


def _newer(record: Record, site: str) -> Record:
    vector = dict(record["version_vector"])
    vector[site] = vector.get(site, 0) + 5
    return record | {"version_vector": vector}


def _site_of(forger: Forger) -> str:
    return str(forger.manifest()["site_id"])


def _with_values(record: Record, **values: Any) -> Record:
    return record | {"values": record["values"] | values}


Builder = Callable[[Scene, str], Path]


def _foreign_new_record(s: Scene, name: str) -> Path:
    fake = _branch(s.forger) | {"id": "6a1f4c52-9d7e-4b8a-8f00-000000000001", "unit_code": "DH-BAOLINH"}
    return s.forger.package(name, [fake])


def _foreign_overwrite(s: Scene, name: str) -> Path:
    changed = _with_values(_newer(s.bao_linh, _site_of(s.forger)), hoi_vien=1)
    return s.forger.package(name, [changed])


def _foreign_tombstone(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_newer(s.bao_linh, _site_of(s.forger)) | {"deleted": True}])


def _foreign_among_own(s: Scene, name: str) -> Path:
    return s.forger.package(name, [*s.forger.records(), _newer(s.bao_linh, _site_of(s.forger))])


def _foreign_successor_unit(s: Scene, name: str) -> Path:
    # Xã Định Hóa of 2025 took in Phúc Chu; it is not under Phúc Chu.
    fake = _branch(s.forger) | {"id": "6a1f4c52-9d7e-4b8a-8f00-000000000002", "unit_code": "TN-DINHHOA"}
    return s.forger.package(name, [fake])


def _foreign_district_record(s: Scene, name: str) -> Path:
    fake = _branch(s.forger) | {"id": "6a1f4c52-9d7e-4b8a-8f00-000000000003", "unit_code": "DH"}
    return s.forger.package(name, [fake])


def _manifest_claims_bao_linh(s: Scene, name: str) -> Path:
    own = [r for r in s.forger.records() if r["unit_code"] == "DH-PHUCCHU"]
    return s.forger.package(name, own, manifest={"office_unit": "DH-BAOLINH"})


def _manifest_claims_district(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"office_unit": "DH"})


def _equivocation_same_number(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"sequence": 1})


def _equivocation_same_id(s: Scene, name: str) -> Path:
    sent = json.loads(_member(s.phuc_chu_sent, "manifest.json"))
    return s.forger.package(name, manifest={"package_id": sent["package_id"], "sequence": 3})


def _member(path: Path, name: str) -> bytes:
    from tests.transport import read_members

    return read_members(path)[name]


# Container tricks: the bytes around and inside the zip.


def _prefix_bytes(s: Scene, name: str) -> Path:
    return s.forger.bytes_of(name, lambda data: b"MZ\x90\x00" + b"\x00" * 60 + data)


def _suffix_bytes(s: Scene, name: str) -> Path:
    return s.forger.bytes_of(name, lambda data: data + b"ghi them sau ban ghi cuoi")


def _zip_comment(s: Scene, name: str) -> Path:
    def comment(data: bytes) -> bytes:
        end = data.rfind(b"PK\x05\x06")
        text = b"binh luan"
        return data[: end + 20] + struct.pack("<H", len(text)) + text

    return s.forger.bytes_of(name, comment)


def _data_descriptors(s: Scene, name: str) -> Path:
    path = s.forger.package(name)
    from tests.transport import read_members

    path.write_bytes(unseekable_zip(read_members(path).items()))
    return path


def _symlink_member(s: Scene, name: str) -> Path:
    def as_symlink(data: bytes) -> bytes:
        central = data.find(b"PK\x01\x02")
        patched = bytearray(data)
        patched[central + 5] = 3  # made on Unix
        struct.pack_into("<I", patched, central + 38, 0o120777 << 16)  # S_IFLNK
        return bytes(patched)

    return s.forger.bytes_of(name, as_symlink)


def _name_case_twin(s: Scene, name: str) -> Path:
    return s.forger.package(
        name, members=lambda content: [*content.items(), ("Manifest.json", content["manifest.json"])]
    )


def _name_nfd_twin(s: Scene, name: str) -> Path:
    return s.forger.package(name, members=lambda content: [*content.items(), ("manife\u0301st.json", b"{}")])


def _local_name_differs(s: Scene, name: str) -> Path:
    def rename_local(data: bytes) -> bytes:
        spot = data.find(b"records.jsonl")  # first occurrence: the local header
        return data[:spot] + b"recordz.jsonl" + data[spot + len(b"records.jsonl") :]

    return s.forger.bytes_of(name, rename_local)


def _local_method_differs(s: Scene, name: str) -> Path:
    def stored_locally(data: bytes) -> bytes:
        patched = bytearray(data)
        struct.pack_into("<H", patched, 8, 0)  # first local header says STORED, the directory DEFLATE
        return bytes(patched)

    return s.forger.bytes_of(name, stored_locally)


def _traversal(s: Scene, name: str) -> Path:
    return s.forger.package(name, members=lambda content: [*content.items(), ("../../evil.txt", b"x")])


# JSON and fields.


def _raw_line(s: Scene, record: Record, replace: tuple[bytes, bytes]) -> bytes:
    from tests.exchange.hostile import canonical_line

    line = canonical_line(record)
    assert replace[0] in line, (replace, line)
    return line.replace(*replace)


def _duplicate_key(s: Scene, name: str) -> Path:
    record = _with_values(_branch(s.forger), ghi_chu="một")
    line = _raw_line(s, record, ('"ghi_chu":"một"'.encode(), '"ghi_chu":"một","ghi_chu":"hai"'.encode()))
    return s.forger.package(name, [record], raw_records=line)


def _nfc_nfd_keys_in_values(s: Scene, name: str) -> Path:
    record = _with_values(_branch(s.forger), **{"tên": "một"})
    nfd_key = "te\u0302n"  # NFD of "tên"
    line = _raw_line(s, record, ('"tên":"một"'.encode(), f'"tên":"một","{nfd_key}":"hai"'.encode()))
    return s.forger.package(name, [record], raw_records=line)


def _nfc_nfd_keys_in_vector(s: Scene, name: str) -> Path:
    record = _branch(s.forger) | {"version_vector": {"trạm": 1, _site_of(s.forger): 1}}
    nfd_key = "tra\u0323m"
    line = _raw_line(s, record, ('"trạm":1'.encode(), f'"trạm":1,"{nfd_key}":9'.encode()))
    return s.forger.package(name, [record], raw_records=line)


def _nan_value(s: Scene, name: str) -> Path:
    record = _branch(s.forger)
    line = _raw_line(s, record, (b'"hoi_vien":450', b'"hoi_vien":NaN'))
    return s.forger.package(name, [record], raw_records=line)


def _lone_surrogate(s: Scene, name: str) -> Path:
    record = _branch(s.forger)
    line = _raw_line(s, record, ('"Chi hội Phụ nữ xã"'.encode(), b'"Chi \\ud800 xa"'))
    return s.forger.package(name, [record], raw_records=line)


def _count_mismatch(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"record_count": 7})


def _undeclared_unit(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"units": ["DH-PHUCCHU-KHAC"]})


def _extra_manifest_field(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"ghi_chu": "thêm"})


def _sequence_zero(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"sequence": 0})


def _newer_format(s: Scene, name: str) -> Path:
    return s.forger.package(name, manifest={"format_version": FORMAT_VERSION + 1})


def _numbers_as_text(s: Scene, name: str) -> Path:
    record = _branch(s.forger) | {"form_version": "1"}
    return s.forger.package(name, [record], manifest={"forms": {"to_chuc_doan_the": 1}})


def _deleted_as_text(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"deleted": "false"}])


def _bad_uuid(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"id": "../../etc/passwd"}])


def _naive_time(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"updated_at": "2023-02-05T08:30:00"}])


def _deep_nesting(s: Scene, name: str) -> Path:
    nested: Any = 1
    for _ in range(40):
        nested = [nested]
    return s.forger.package(name, [_with_values(_branch(s.forger), ghi_chu=nested)])


def _huge_user_name(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"created_by": "A" * 5000}])


def _negative_vector(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"version_vector": {_site_of(s.forger): -1}}])


# Values no rule would bound without a default bound: the record alone is rejected (exit 1).


def _huge_integer(s: Scene, name: str) -> Path:
    record = _newer(_branch(s.forger), _site_of(s.forger))
    line = _raw_line(s, record, (b'"hoi_vien":450', b'"hoi_vien":1' + b"0" * 400))
    return s.forger.package(name, [record], raw_records=line)


def _near_max_float(s: Scene, name: str) -> Path:
    record = _with_values(_newer(_branch(s.forger), _site_of(s.forger)), hoi_vien=-1e308)
    return s.forger.package(name, [record])


def _period_2099(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"id": _new_id(9), "period_code": "2099"}])


def _timestamp_9999(s: Scene, name: str) -> Path:
    record = _newer(_branch(s.forger), _site_of(s.forger)) | {"updated_at": "9999-12-31T00:00:00Z"}
    return s.forger.package(name, [record])


def _timestamp_1970(s: Scene, name: str) -> Path:
    return s.forger.package(
        name, [_branch(s.forger) | {"id": _new_id(10), "created_at": "1970-01-01T00:00:00Z"}]
    )


def _date_2999(s: Scene, name: str) -> Path:
    record = _with_values(_newer(_dialogue(s.forger), _site_of(s.forger)), ngay="2999-01-01")
    return s.forger.package(name, [record])


def _text_as_number(s: Scene, name: str) -> Path:
    record = _with_values(_newer(_branch(s.forger), _site_of(s.forger)), hoi_vien="bốn trăm")
    return s.forger.package(name, [record])


def _boolean_as_number(s: Scene, name: str) -> Path:
    record = _with_values(_newer(_branch(s.forger), _site_of(s.forger)), hoi_vien=True)
    return s.forger.package(name, [record])


def _unknown_form(s: Scene, name: str) -> Path:
    return s.forger.package(name, [_branch(s.forger) | {"id": _new_id(11), "form_id": "bieu_mau_la"}])


def _unknown_unit(s: Scene, name: str) -> Path:
    fake = _branch(s.forger) | {"id": _new_id(12), "unit_code": "DH-PHUCCHU-XOM-MA"}
    return s.forger.package(name, [fake])


def _id_of_another_form(s: Scene, name: str) -> Path:
    dialogue = _dialogue(s.forger)
    return s.forger.package(name, [_newer(_branch(s.forger), _site_of(s.forger)) | {"id": dialogue["id"]}])


def _huge_in_a_new_tombstone(s: Scene, name: str) -> Path:
    record = _branch(s.forger) | {"id": _new_id(13), "deleted": True}
    line = _raw_line(s, record, (b'"hoi_vien":450', b'"hoi_vien":1' + b"0" * 400))
    return s.forger.package(name, [record], raw_records=line)


def _huge_in_an_unknown_field(s: Scene, name: str) -> Path:
    record = _with_values(_branch(s.forger) | {"id": _new_id(14)}, truong_la=1)
    line = _raw_line(s, record, (b'"truong_la":1', b'"truong_la":1' + b"0" * 400))
    return s.forger.package(name, [record], raw_records=line)


def _new_id(n: int) -> str:
    return f"6a1f4c52-9d7e-4b8a-8f00-{n:012d}"


# ---------------------------------------------------------------------------------------------

CASES: list[tuple[Builder, int, str, str | None]] = [
    # origin binding: exit 2, refused whole, the ledger keeps it
    (_foreign_new_record, 2, "xã bảo linh", "origin"),
    (_foreign_overwrite, 2, "xã bảo linh", "origin"),
    (_foreign_tombstone, 2, "xã bảo linh", "origin"),
    (_foreign_among_own, 2, "xã bảo linh", "origin"),
    (_foreign_successor_unit, 2, "xã định hóa", "origin"),
    (_foreign_district_record, 2, "huyện định hóa", "origin"),
    (_manifest_claims_bao_linh, 2, "đã được chấp nhận cho xã phúc chu", "origin"),
    (_manifest_claims_district, 2, "đã được chấp nhận cho xã phúc chu", "origin"),
    # equivocation
    (_equivocation_same_number, 2, "hai gói khác nhau cùng mang số 1 của xã phúc chu", "equivocation"),
    (_equivocation_same_id, 2, "hai gói khác nhau cùng mang mã gói", "equivocation"),
    # container
    (_prefix_bytes, 2, "", None),
    (_suffix_bytes, 2, "", None),
    (_zip_comment, 2, "", None),
    (_data_descriptors, 2, "", None),
    (_symlink_member, 2, "", None),
    (_name_case_twin, 2, "", None),
    (_name_nfd_twin, 2, "", None),
    (_local_name_differs, 2, "", None),
    (_local_method_differs, 2, "", None),
    (_traversal, 2, "tên nguy hiểm", None),
    # JSON and fields
    (_duplicate_key, 2, "json", None),
    (_nfc_nfd_keys_in_values, 2, "", None),
    (_nfc_nfd_keys_in_vector, 2, "", None),
    (_nan_value, 2, "json", None),
    (_lone_surrogate, 2, "json", None),
    (_count_mismatch, 2, "số bản ghi", None),
    (_undeclared_unit, 2, "không có trong danh sách đơn vị", None),
    (_extra_manifest_field, 2, "", None),
    (_sequence_zero, 2, "", None),
    (_newer_format, 2, "mới hơn", None),
    (_numbers_as_text, 2, "", None),
    (_deleted_as_text, 2, "", None),
    (_bad_uuid, 2, "", None),
    (_naive_time, 2, "", None),
    (_deep_nesting, 2, "", None),
    (_huge_user_name, 2, "", None),
    (_negative_vector, 2, "", None),
    # one record rejected with its reason (exit 1), nothing stored
    (_huge_integer, 1, "", None),
    (_near_max_float, 1, "", None),
    (_period_2099, 1, "2099", None),
    (_timestamp_9999, 1, "", None),
    (_timestamp_1970, 1, "", None),
    (_date_2999, 1, "", None),
    (_text_as_number, 1, "", None),
    (_boolean_as_number, 1, "", None),
    (_huge_in_a_new_tombstone, 1, "vượt giới hạn", None),
    (_huge_in_an_unknown_field, 1, "truong_la", None),
    (_unknown_form, 1, "bieu_mau_la", None),
    (_unknown_unit, 1, "không có trong danh mục", None),
    (_id_of_another_form, 1, "trùng", None),
]


def _rows(db: Path, skip: str = "") -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        tables = [
            t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'") if t != skip
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("build", "code", "words", "ledger"), CASES, ids=[c[0].__name__.strip("_") for c in CASES]
)
def test_hostile_package(
    scene: Scene,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    build: Builder,
    code: int,
    words: str,
    ledger: str | None,
) -> None:
    district = copy_site(scene.district, tmp_path / "district")
    package = build(scene, f"{build.__name__.strip('_')}.danvan")
    before, rows_before = _sha(district), _rows(district, skip="refused_package")
    status, out, err = run(capsys, "--db", district, "import", package)
    assert "Traceback" not in out + err and "ngoài dự kiến" not in out + err, out + err
    assert status == code, (status, out, err)
    assert err.strip(), f"no message on stderr; stdout: {out}"
    assert words.lower() in err.lower(), err
    assert any(ch in err for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), err
    if ledger is None:
        assert _sha(district) == before
        return
    assert _rows(district, skip="refused_package") == rows_before
    conn = sqlite3.connect(district)
    try:
        refused = conn.execute(
            "SELECT kind, site_id, office_unit_code, message FROM refused_package"
        ).fetchall()
    finally:
        conn.close()
    assert [row[0] for row in refused] == [ledger]
    assert refused[0][3] in err
    status, out, err = run(capsys, "--db", district, "packages", "--refused")
    assert status == 0 and not err, err
    assert out.startswith("✗ ") and refused[0][3] in out, out
    assert "Xã Phúc Chu, gói số" in out or "Xã Phúc Chu (gói ghi là" in out, out
    status, out, _ = run(capsys, "--db", district, "packages")
    assert status == 0 and "pc-1.danvan): đã nhập" in out and "bị từ chối" in out, out


def test_suite_covers_at_least_forty_kinds() -> None:
    assert len(CASES) >= 40
