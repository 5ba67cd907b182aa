"""Passphrase encryption of a whole package: scrypt key, AES-256-GCM, the envelope as associated data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from danvan_desktop.text import nfc
from danvan_desktop.transport.package_format import (
    ENCRYPTED_FORMAT_NAME,
    ENVELOPE_FORMAT_VERSION,
    ENVELOPE_NAME,
    Limits,
    PackageError,
    PackagePassphraseError,
    canonical_json,
    check_format_header,
    decode_base64,
    encode_base64,
    load_json_object,
)
from danvan_desktop.transport.schema import validated_member

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_SCRYPT_N = 2**14  # envelopes asking for less are refused: nobody we know writes them
KEY_SIZE = 32  # AES-256
SALT_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16

_B64 = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9+/]+={0,2}$")]
_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


class KdfParams(BaseModel):
    model_config = _STRICT

    name: Literal["scrypt"]
    n: Annotated[int, Field(ge=2, le=1 << 30)]
    r: Annotated[int, Field(ge=1, le=1024)]
    p: Annotated[int, Field(ge=1, le=1024)]
    salt: _B64


class CipherParams(BaseModel):
    model_config = _STRICT

    name: Literal["AES-256-GCM"]
    nonce: _B64


class Envelope(BaseModel):
    """envelope.json: how to turn the passphrase into the key, and the nonce."""

    model_config = _STRICT

    format: Literal["danvan-package-encrypted"]
    format_version: Literal[1]
    kdf: KdfParams
    cipher: CipherParams


def derive_key(
    passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """scrypt over the NFC UTF-8 passphrase: "Hà Nội" typed as NFD or NFC opens the same package."""
    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(nfc(passphrase).encode("utf-8"))


def encrypt(plain: bytes, passphrase: str) -> tuple[bytes, bytes]:
    """(envelope.json bytes, payload.bin bytes) for `plain`; fresh random salt and nonce every time."""
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    salt = os.urandom(SALT_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    envelope = {
        "format": ENCRYPTED_FORMAT_NAME,
        "format_version": ENVELOPE_FORMAT_VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": encode_base64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": encode_base64(nonce)},
    }
    envelope_bytes = canonical_json(envelope)
    key = derive_key(passphrase, salt)
    # The envelope is the associated data: changing n, the salt or the nonce fails the tag check.
    return envelope_bytes, AESGCM(key).encrypt(nonce, plain, envelope_bytes)


def parse_envelope(raw: bytes, path: Path, limits: Limits) -> Envelope:
    """Validate envelope.json, including scrypt costs a hostile file could inflate."""
    obj = load_json_object(raw, path, ENVELOPE_NAME)
    check_format_header(obj, ENCRYPTED_FORMAT_NAME, path, ENVELOPE_NAME, ENVELOPE_FORMAT_VERSION)
    envelope = validated_member(Envelope, obj, path, ENVELOPE_NAME)
    kdf = envelope.kdf
    problems = []
    if kdf.n & (kdf.n - 1) or kdf.n < MIN_SCRYPT_N:
        problems.append(f"scrypt n={kdf.n} is not a power of two >= {MIN_SCRYPT_N}")
    if 128 * kdf.n * kdf.r > limits.max_scrypt_memory or kdf.n * kdf.r * kdf.p > limits.max_scrypt_work:
        problems.append(f"scrypt n={kdf.n} r={kdf.r} p={kdf.p} exceeds the cost limits")
    salt = decode_base64(kdf.salt)
    if salt is None or not SALT_SIZE <= len(salt) <= 64:
        problems.append("salt is not 16 to 64 bytes of base64")
    nonce = decode_base64(envelope.cipher.nonce)
    if nonce is None or len(nonce) != NONCE_SIZE:
        problems.append(f"nonce is not {NONCE_SIZE} bytes of base64")
    if problems:
        raise PackageError(
            path, f"tham số mã hóa trong {ENVELOPE_NAME} không hợp lệ.", detail="; ".join(problems)
        )
    return envelope


def require_passphrase(passphrase: str | None, path: Path) -> str:
    """The passphrase, or PackagePassphraseError saying that this package needs one."""
    if passphrase is None:
        raise PackagePassphraseError(
            path, "gói được mã hóa, cần mật khẩu để mở.", detail="encrypted package, no passphrase given"
        )
    return passphrase


def decrypt(
    envelope: Envelope, envelope_bytes: bytes, payload: bytes, passphrase: str | None, path: Path
) -> bytes:
    """The plain package bytes; PackagePassphraseError when missing, wrong, or anything was altered."""
    passphrase = require_passphrase(passphrase, path)
    salt = decode_base64(envelope.kdf.salt)
    nonce = decode_base64(envelope.cipher.nonce)
    if salt is None or nonce is None:  # parse_envelope has already refused these
        raise PackageError(path, f"{ENVELOPE_NAME} không hợp lệ.", detail="salt or nonce not base64")
    if len(payload) < TAG_SIZE:
        raise PackageError(path, "dữ liệu mã hóa bị cắt cụt.", detail=f"payload of {len(payload)} bytes")
    key = derive_key(passphrase, salt, envelope.kdf.n, envelope.kdf.r, envelope.kdf.p)
    try:
        return AESGCM(key).decrypt(nonce, payload, envelope_bytes)
    except InvalidTag as exc:
        raise PackagePassphraseError(
            path,
            "sai mật khẩu hoặc gói đã bị sửa. Hãy kiểm tra lại mật khẩu (chữ hoa, chữ thường, dấu).",
            detail="AES-GCM authentication failed",
        ) from exc
