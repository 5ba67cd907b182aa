"""Atomic file writing: a temporary file beside the target, fsynced, then os.replace (stdlib only)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(target: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """Yield a read-write binary file that becomes `target` only if the block succeeds.

    `private` creates it owner-only (0o600) from the first byte, never widened later. On any
    failure (exception, KeyboardInterrupt) the temporary file is removed and `target` is untouched.
    """
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    mode = 0o600 if private else 0o666  # the umask still applies to the public case
    fd = os.open(temp, flags, mode)
    try:
        with os.fdopen(fd, "r+b") as handle:
            if private and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)  # exactly owner read/write whatever the umask
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the stick may be pulled out right after
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_directory(target.parent)


def fsync_directory(folder: Path) -> None:
    """Make a rename durable where the platform allows it (POSIX); a no-op elsewhere."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
