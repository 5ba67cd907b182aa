"""Signing a manifest with Ed25519 over its canonical JSON, and checking such a signature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop.transport.keys import SIGNATURE_SIZE, fingerprint, public_key_from_raw, public_key_raw
from danvan_desktop.transport.package_format import canonical_json, decode_base64, encode_base64

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
