"""Logging to a rotating file in the user's data folder (English is fine in logs)."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_file: Path, *, verbose: bool = False) -> Path | None:
    """Log to `log_file` (1 MB × 5 files); returns the file, or None if it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_danvan", False):
            root.removeHandler(handler)
            handler.close()
    stream = logging.StreamHandler(sys.stderr)
    stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stream.setFormatter(logging.Formatter(_FORMAT))
    stream._danvan = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        root.warning("cannot write log file %s; logging to stderr only", log_file)
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._danvan = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return log_file
