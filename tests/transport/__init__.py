"""Package format tests, and helpers that build good packages and deliberately broken ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport import ManifestInfo
from danvan_desktop.transport.signing import sign_manifest

SITE = "3f2b8c1e-8a47-4c1d-9a55-0d6c1f3e7b21"
FORM = "mo_hinh_dan_van_kheo"
UNITS = ["DH-PHUCCHU", "DH-PHUCCHU-XOM-BAN"]
PERIODS = ["2023-Q2", "2023-Y"]

# Numbers a locale setting or a float round trip would damage.
NUMBERS: dict[str, Any] = {
    "tien_dong": 1_950_000_000,
    "dien_tich_ha": 2941.86,
    "ty_le": 72.7,
    "mot_phan_muoi": 0.1,
    "rat_nho": 1e-7,
    "so_lon": 12345678901234567890,
    "am": -0.5,
    "nguyen_dang_thuc": 3.0,
    "so_nguyen": 3,
}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def sample_record(i: int, *, decomposed: bool = False) -> dict[str, Any]:
    """A record with Vietnamese text (optionally typed in NFD), numbers, a list and a tombstone."""
    text = nfd if decomposed else (lambda s: s)
    return {
        "id": str(uuid.UUID(int=i + 1)),
        "form_id": FORM,
        "form_version": 1 + i % 2,
        "unit_code": UNITS[i % 2],
        "period_code": PERIODS[i % 2],
        "values": {
            "ten_mo_hinh": text(f"Dân vận khéo số {i} — xóm Bản, Định Hóa"),
            text("lĩnh_vực"): text("Kinh tế"),
            "ghi_chu": text("Dòng một\nDòng hai: «Hiến đất» 169/228 nhà văn hóa"),
            "danh_sach": [1, 2.5, None, True, text("Hội Phụ nữ")],
            **NUMBERS,
        },
        "version_vector": {SITE: 1 + i % 3},
        "deleted": i % 7 == 3,
        "created_by": text("Nguyễn Thị Hương"),
        "created_at": dt.datetime(2023, 2, 5, 8, 30, i % 60),  # naive: UTC, as in the database
        "updated_by": "admin",
        "updated_at": "2023-02-05T15:30:00.250000+07:00",
        "origin_site": SITE,
    }


def expected_json(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a sample record must read back as: NFC everywhere, times as UTC text."""
    out = json.loads(json.dumps(dict(record), default=str, ensure_ascii=False))

    def fold(value: Any) -> Any:
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, dict):
            return {fold(k): fold(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fold(v) for v in value]
        return value

    out = fold(out)
    out["created_at"] = record["created_at"].isoformat() + "Z"
    out["updated_at"] = "2023-02-05T08:30:00.250000Z"
    return out


def manifest_info(**changes: Any) -> ManifestInfo:
    fields: dict[str, Any] = {
        "site_id": SITE,
        "office_unit": "DH-PHUCCHU",
        "sequence": 1,
        "app_version": "0.1.0",
        "schema_revision": "0003_transport",
        "forms": {FORM: 2},
        "periods": PERIODS,
        "units": UNITS,
    }
    fields.update(changes)
    return ManifestInfo(**fields)


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(
    path: Path, members: Iterable[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), data, compress_type=compression)
    path.write_bytes(buffer.getvalue())
    return path


def repack(
    source: Path,
    target: Path,
    *,
    records: bytes | None = None,
    manifest: Mapping[str, Any] | None = None,
    update_digest: bool = True,
    key: Ed25519PrivateKey | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Copy a plain package with other records and/or manifest fields.

    With `update_digest` the manifest's members entry follows the new records; with `key` the
    manifest is signed again (a correctly signed package with bad content), otherwise the old
    signature stays (tampering after signing).
    """
    members = read_members(source)
    fields = json.loads(members["manifest.json"])
    if records is not None:
        members["records.jsonl"] = records
        if update_digest:
            fields["members"]["records.jsonl"] = {
                "sha256": hashlib.sha256(records).hexdigest(),
                "size": len(records),
            }
    fields.update(manifest or {})
    if key is not None:
        fields = sign_manifest(fields, key)
    members["manifest.json"] = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    return write_zip(target, members.items(), compression)


def record_lines(*objects: Mapping[str, Any]) -> bytes:
    return b"".join(
        json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
        for o in objects
    )
