"""File helpers of the package format: atomic writing (shared with the rest of the app) and hashing."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from danvan_desktop.atomic_files import atomic_file, fsync_directory

__all__ = ["atomic_file", "fsync_directory", "sha256_of"]

CHUNK = 1 << 16


def sha256_of(handle: BinaryIO) -> tuple[str, int]:
    """Hex SHA-256 and size of a binary file from its current position to the end."""
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
