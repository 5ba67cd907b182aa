"""CLI tests run main() many times in one process: close its log file after each test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main


def close_log_handlers() -> None:
    """The handlers configure_logging() added; each run replaces them, the last one stays open."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_danvan", False):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(autouse=True)
def _log_handlers_closed() -> Iterator[None]:
    yield
    close_log_handlers()


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """main() with these arguments: exit code, stdout, stderr."""
    try:
        code = main([str(a) for a in argv])
    finally:
        close_log_handlers()
    out, err = capsys.readouterr()
    return code, out, err
