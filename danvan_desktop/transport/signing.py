"""Signing a manifest with Ed25519 over its canonical JSON, and checking such a signature."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport.keys import (
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    fingerprint,
    public_key_from_raw,
    public_key_raw,
)
from danvan_desktop.transport.package_format import (
    MANIFEST_NAME,
    PackageError,
    PackageSignatureError,
    canonical_json,
    decode_base64,
    encode_base64,
)

SIGNATURE_KEY = "signature"


def signed_bytes(manifest: Mapping[str, Any]) -> bytes:
    """What the signature covers: canonical JSON of the manifest without its "signature" key.

    Raises UnicodeEncodeError if a string holds a lone surrogate (only a hostile file does).
    """
    return canonical_json({k: v for k, v in manifest.items() if k != SIGNATURE_KEY})


def sign_manifest(fields: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """`fields` plus public_key, key_fingerprint and the signature over all of them."""
    public = public_key_raw(private_key)
    manifest = {k: v for k, v in fields.items() if k != SIGNATURE_KEY}
    manifest["public_key"] = encode_base64(public)
    manifest["key_fingerprint"] = fingerprint(public)
    signature = private_key.sign(signed_bytes(manifest))
    manifest[SIGNATURE_KEY] = encode_base64(signature)
    return manifest


def signature_is_valid(manifest: Mapping[str, Any], public_raw: bytes) -> bool:
    """True when manifest["signature"] is the Ed25519 signature of signed_bytes(manifest)."""
    text = manifest.get(SIGNATURE_KEY)
    signature = decode_base64(text) if isinstance(text, str) else None
    if signature is None or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        public_key_from_raw(public_raw).verify(signature, signed_bytes(manifest))
    except InvalidSignature:
        return False
    return True


def verified_signer(manifest: Mapping[str, Any], public_key_text: str, path: Path) -> bytes:
    """The raw public key of a manifest whose fingerprint and signature check; PackageError if not."""
    public = decode_base64(public_key_text)
    if public is None or len(public) != PUBLIC_KEY_SIZE:
        raise PackageSignatureError(
            path, "khóa ký trong manifest không hợp lệ.", detail="public_key is not 32 bytes of base64"
        )
    if manifest.get("key_fingerprint") != fingerprint(public):
        raise PackageSignatureError(
            path, "dấu vân tay khóa ghi trong manifest không khớp với khóa ký.", detail="fingerprint mismatch"
        )
    try:
        signed_bytes(manifest)
    except UnicodeEncodeError as exc:
        raise PackageError(path, f"{MANIFEST_NAME} chứa ký tự không hợp lệ.", detail=str(exc)) from exc
    if not signature_is_valid(manifest, public):
        raise PackageSignatureError(
            path, "chữ ký không hợp lệ: gói đã bị sửa sau khi ký.", detail="Ed25519 signature does not verify"
        )
    return public
