"""One writer per database: an OS lock on `<database>.lock`, released by the OS even after a crash.

A shared server needs none: its transactions and advisory locks keep several PCs' writes apart.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from danvan_desktop.errors import DatabaseLockedError, DatabaseNotWritableError

LOCK_SUFFIX = ".lock"


def lock_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + LOCK_SUFFIX)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class InstanceLock:
    """Held while a process may write `db_path`; a second holder gets DatabaseLockedError."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(self.db_path)
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        from danvan_desktop.db.location import is_server_file

        if is_server_file(self.db_path):
            return self  # several windows on several PCs at once: the server orders their writes
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            # Imported here: the window takes this lock before it shows, and engine brings SQLAlchemy.
            from danvan_desktop.db.engine import translate_error

            raise translate_error(exc, self.db_path) or DatabaseNotWritableError(
                f"Không ghi được vào thư mục {self.db_path.parent}.", detail=str(exc)
            ) from exc
        if not _try_lock(fd):
            os.close(fd)
            raise DatabaseLockedError(
                f"Cơ sở dữ liệu {self.db_path} đang được mở trong một cửa sổ Dân Vận Desktop khác "
                "(hoặc một lệnh khác đang ghi vào). Hãy dùng cửa sổ đang mở, hoặc đóng nó rồi thử lại.",
                detail=f"lock held on {self.path}",
            )
        with contextlib.suppress(OSError):  # who holds it, for a person looking at the folder
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock; the file itself stays
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


@contextlib.contextmanager
def writer_lock(db_path: Path) -> Iterator[InstanceLock]:
    """Hold the single-writer lock for the duration of a command."""
    with InstanceLock(db_path) as lock:
        yield lock
