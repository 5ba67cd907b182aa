"""This installation's signing key: made at init, kept owner-only in a keys/ folder by the database."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.db.snapshots import KEYS_FOLDER
from danvan_desktop.transport.keys import KeyFileError, generate_keypair, load_private_key, save_private_key
from danvan_desktop.transport.package_format import encode_base64


def key_file(database_path: Path, site_id: str) -> Path:
    """Where the private key of `site_id` lives: beside the database, so backups carry both."""
    return Path(database_path).parent / KEYS_FOLDER / f"{site_id}.pem"


def new_keypair() -> tuple[bytes, str]:
    """A fresh key pair: the private key as PEM, the public key as base64 for the database."""
    private_pem, public_raw = generate_keypair()
    return private_pem, encode_base64(public_raw)


def store_private_key(database_path: Path, site_id: str, private_pem: bytes) -> Path:
    path = key_file(database_path, site_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"Không tạo được thư mục khóa ký «{path.parent}».", detail=repr(exc)) from exc
    save_private_key(path, private_pem)
    return path


def signing_key(database_path: Path, site_id: str) -> Ed25519PrivateKey:
    """The private key used to sign this site's packages (KeyFileError when it is missing)."""
    return load_private_key(key_file(database_path, site_id))
