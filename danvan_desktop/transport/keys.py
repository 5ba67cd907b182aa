"""A site's Ed25519 signing key: generation, the owner-only key file, and its fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from danvan_desktop.errors import UserError
from danvan_desktop.transport.files import atomic_file

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
MAX_KEY_FILE_SIZE = 16 * 1024


class KeyFileError(UserError):
    """The signing key file is missing, unreadable or not an Ed25519 private key."""


def generate_keypair() -> tuple[bytes, bytes]:
    """A new key: (PKCS#8 PEM of the private key, unencrypted; raw 32-byte public key)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, public_key_raw(key)


def public_key_raw(key: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the public half, as carried in manifests."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    """Parse a PEM private key; ValueError unless it is an unencrypted Ed25519 key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"not an Ed25519 key: {type(key).__name__}")
    return key


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """ValueError unless `raw` is 32 bytes."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key has {PUBLIC_KEY_SIZE} bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def save_private_key(path: Path, pem: bytes, *, overwrite: bool = False) -> None:
    """Write the key file owner-only (0o600 from creation) and atomically.

    Refuses to replace an existing key unless `overwrite`: a new key is a new identity, which
    every office that trusts this site would have to accept again. On Windows the mode only
    controls the read-only flag; the file lives in the user's own profile folder.
    """
    path = Path(path)
    private_key_from_pem(pem)  # never store something that cannot be loaded back
    if path.exists() and not overwrite:
        raise KeyFileError(
            f"Đã có khóa ký tại «{path}»; không ghi đè vì khóa mới sẽ là một danh tính mới.",
            detail=f"key file exists: {path}",
        )
    try:
        with atomic_file(path, private=True) as handle:
            handle.write(pem)
    except OSError as exc:
        raise KeyFileError(
            f"Không ghi được khóa ký vào «{path}»: {exc.strerror or exc}.", detail=repr(exc)
        ) from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read this site's signing key; KeyFileError with a Vietnamese message when that fails."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            pem = handle.read(MAX_KEY_FILE_SIZE + 1)
    except FileNotFoundError as exc:
        raise KeyFileError(
            f"Không tìm thấy khóa ký «{path}». Máy này chưa có khóa để ký gói dữ liệu.", detail=repr(exc)
        ) from exc
    except OSError as exc:
        raise KeyFileError(
            f"Không đọc được khóa ký «{path}»: {exc.strerror or exc}.", detail=repr(exc)
        ) from exc
    if len(pem) > MAX_KEY_FILE_SIZE:
        raise KeyFileError(f"Tệp «{path}» không phải khóa ký (quá lớn).", detail="key file too large")
    try:
        return private_key_from_pem(pem)
    except ValueError as exc:
        raise KeyFileError(
            f"Tệp «{path}» không phải khóa ký Ed25519 hợp lệ (tệp bị hỏng hoặc nhầm tệp).", detail=str(exc)
        ) from exc


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw public key in hex, grouped by four: `ab12 cd34 …` (16 groups).

    Read aloud over the phone when an office first accepts a site's packages.
    """
    if len(public_raw) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key has {PUBLIC_KEY_SIZE} bytes, not {len(public_raw)}")
    digest = hashlib.sha256(public_raw).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))
