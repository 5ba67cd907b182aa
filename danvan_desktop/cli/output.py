"""Standard output of the command line when its reader goes away (`danvan units | head -1`)."""

from __future__ import annotations

import errno
import logging
import os
from typing import Any, TextIO

log = logging.getLogger(__name__)

# What a shell reports for a program ended by SIGPIPE (128 + 13): a `danvan ... | head` pipeline
# under `set -o pipefail` reads like the same pipeline with any other Unix tool. Windows has no
# SIGPIPE, so the code is returned explicitly there too.
EXIT_CLOSED_PIPE = 141

# Windows reports a write to a pipe whose reader has gone as EINVAL rather than EPIPE
# (python/cpython#79935): only writes to standard output are read that way, see GuardedStdout.
_CLOSED_PIPE_ERRNOS = (errno.EPIPE, errno.EINVAL)


class GuardedStdout:
    """Standard output whose "reader gone" errors are all BrokenPipeError, on every platform."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise _as_broken_pipe(exc) from exc

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise _as_broken_pipe(exc) from exc

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty... as the real stream has them
        return getattr(self.stream, name)


def _as_broken_pipe(exc: OSError) -> OSError:
    if isinstance(exc, BrokenPipeError) or exc.errno not in _CLOSED_PIPE_ERRNOS:
        return exc
    return BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def output_closed(stream: TextIO) -> int:
    """Stop quietly: what is still buffered goes to the null device, not to the closed pipe.

    The interpreter flushes standard output once more when it exits; pointing the descriptor at
    os.devnull (the recipe of the Python documentation, "Note on SIGPIPE") keeps that last flush
    from failing with a message and exit code 120.
    """
    log.info("standard output closed by its reader; stopping")
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no descriptor (a test's captured stream): nothing to flush later
        pass
    return EXIT_CLOSED_PIPE
