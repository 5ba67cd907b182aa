"""A hostile but genuine site: crafts packages and signs them with its own, trusted, real key."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport.signing import sign_manifest
from tests.transport import read_members, write_zip

Record = dict[str, Any]


def canonical_line(record: Mapping[str, Any]) -> bytes:
    """A record line exactly as the reference writer writes it."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


@dataclass
class Forger:
    """Everything a malicious commune has: a genuine package of its own and its signing key."""

    genuine: Path  # a real package written by the site's own installation
    key: Ed25519PrivateKey
    folder: Path

    def records(self) -> list[Record]:
        """The genuine package's records, as dictionaries to change at will."""
        lines = read_members(self.genuine)["records.jsonl"].splitlines()
        return [json.loads(line) for line in lines if line]

    def manifest(self) -> dict[str, Any]:
        return dict(json.loads(read_members(self.genuine)["manifest.json"]))

    def package(
        self,
        name: str,
        records: Iterable[Record] | None = None,
        *,
        manifest: Mapping[str, Any] | None = None,
        raw_records: bytes | None = None,
        members: Callable[[dict[str, bytes]], list[tuple[str, bytes]]] | None = None,
    ) -> Path:
        """A self-consistent package (counts, lists, hash) with these records, signed with the real key.

        Only what the caller breaks on purpose is wrong: the rest is what an honest writer would
        have put beside those records, so the test reaches the rule it aims at.
        """
        chosen = self.records() if records is None else [copy.deepcopy(r) for r in records]
        data = raw_records if raw_records is not None else b"".join(canonical_line(r) for r in chosen)
        fields = self.manifest()
        fields.update(
            {
                "package_id": str(uuid.uuid4()),
                "record_count": len(chosen),
                "tombstone_count": sum(1 for r in chosen if r.get("deleted") is True),
                "units": sorted({r["unit_code"] for r in chosen} | {fields["office_unit"]}),
                "periods": sorted({r["period_code"] for r in chosen} or set(fields["periods"])),
                "forms": {r["form_id"]: r["form_version"] for r in chosen} or fields["forms"],
                "members": {"records.jsonl": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}},
            }
        )
        fields.update(manifest or {})
        signed = sign_manifest(fields, self.key)
        content = {
            "records.jsonl": data,
            "manifest.json": json.dumps(signed, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        }
        listed = members(content) if members is not None else list(content.items())
        return write_zip(self.folder / name, listed)

    def bytes_of(self, name: str, change: Callable[[bytes], bytes], **options: Any) -> Path:
        """A signed package whose container bytes are then changed by `change`."""
        path = self.package(name, **options)
        path.write_bytes(change(path.read_bytes()))
        return path


def unseekable_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip written to a stream that cannot seek: zipfile then uses data descriptors (flag bit 3)."""

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            self.buffer += bytes(data)
            return len(data)

    stream = Stream()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), data)
    return bytes(stream.buffer)


def copy_site(template: Path, target: Path) -> Path:
    """A fresh copy of a site's folder (database, keys); returns the database path."""
    shutil.copytree(template.parent, target)
    return target / template.name
