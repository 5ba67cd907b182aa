"""A run of package imports as a pipeline: while one package is written, the next is read and planned.

Reading a package (signature, ledger, hash, parsing) and planning it (classification, validation,
search text) are most of an import's CPU time and write nothing; writing it is mostly the
database's own work. So a run hands the next package's reading and planning to one worker
process (spawned: Windows and the frozen bundle, whose entry point calls freeze_support) while
this process writes the current one, on its own database connection:

    worker:  plan 2      plan 3      plan 4 ...
    here:    plan 1  write 1     write 2     write 3 ...

The worker only reads (package_import.plan_package, concurrent=True: the plan notes what it read,
and write_import plans again inside its transaction if a package written meanwhile touched the
same records or the catalog). Anything the worker cannot settle -- a refusal, a reply package, a
package whose records were all refused (a unit or period may come with the package before it) or
an error -- is done again here with import_package's own code, so its messages, ledger rows and
exceptions are exactly those of a single import. Packages are written one at a time, in order,
each atomic: stopping a run between two packages (the wizard's «Dừng») leaves every package
either written whole or not at all, and the worker is then simply stopped.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.services.exchange.package_import import (
    PackageReport,
    PreparedImport,
    import_package,
    plan_package,
    write_import,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunPackage:
    """One file of a run and whether a person accepted its key if its site is new."""

    path: Path
    accept_new_site: bool = False


class ImportRun:
    """Imports the files of a run in their order (import_next), planning the next one in a worker.

    Use as a context manager, or call close(): the worker process is stopped there. `worker`
    False imports every package in this process (a run of one package gains nothing from it).
    """

    def __init__(
        self,
        db: Database,
        files: Sequence[RunPackage],
        *,
        passphrase: str | None = None,
        worker: bool = True,
    ) -> None:
        self.db = db
        self.files = list(files)
        self.passphrase = passphrase
        self._position = 0
        self._worker = _Worker(db.path) if worker and len(self.files) > 1 else None

    def __enter__(self) -> ImportRun:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def import_next(self, path: Path, *, user: str, backup_dir: Path | None) -> PackageReport:
        """Import `path`, the next file of the run; raises import_package's UserErrors."""
        if self._position >= len(self.files) or self.files[self._position].path != path:
            raise ValueError(f"{path} is not the next file of the run")
        item = self.files[self._position]
        self._position += 1
        prepared = self._worker.take(path) if self._worker is not None else None
        following = self.files[self._position] if self._position < len(self.files) else None
        if self._worker is not None and following is not None and self._worker.ready():
            # Handed over before this package is written: the two run side by side.
            self._worker.submit(following, self.passphrase)
        if isinstance(prepared, PreparedImport):
            return write_import(self.db, prepared, user=user, backup_dir=backup_dir)
        if isinstance(prepared, PackageReport) and prepared.status == "duplicate":
            return prepared  # received before: a package written since cannot change that
        return import_package(
            self.db,
            path,
            user=user,
            backup_dir=backup_dir,
            passphrase=self.passphrase,
            accept_new_site=item.accept_new_site,
        )

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


class _Worker:
    """The worker process and the packages handed to it, answered in the order they were sent."""

    def __init__(self, db_path: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child, str(db_path)), name="danvan-import-worker", daemon=True
        )
        self._process.start()
        child.close()
        self._started = False
        self._broken = False
        self._sent: deque[Path] = deque()

    def ready(self) -> bool:
        """Whether the worker has started (until then this process reads the packages itself)."""
        if not self._started and not self._broken:
            try:
                if self._connection.poll():
                    self._started = self._connection.recv() == "ready"
                    self._broken = not self._started
            except (EOFError, OSError):
                self._broken = True
        return self._started and not self._broken

    def submit(self, item: RunPackage, passphrase: str | None) -> None:
        try:
            self._connection.send((str(item.path), passphrase, item.accept_new_site))
        except OSError:
            self._broken = True
            return
        self._sent.append(item.path)

    def take(self, path: Path) -> Any:
        """The worker's answer for `path`, or None when it was not handed over (or the worker died)."""
        if not self._sent or self._sent[0] != path:
            return None
        self._sent.popleft()
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            log.warning("the import worker stopped; the run goes on without it")
            self._broken = True
            self._sent.clear()
            return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.send(None)
        self._connection.close()
        # A plan still being made (or a worker still starting) is of no use any more: the worker
        # only reads, so it may be stopped anywhere.
        self._process.join(timeout=0.2 if self._started and not self._sent else 0)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


def serve(connection: Connection, db_path: str) -> None:
    """The worker process: plan each package it is sent until told to stop (None) or left alone."""
    try:
        db = open_database(Path(db_path))
    except BaseException:
        log.exception("the import worker could not open the database")
        connection.send("failed")
        return
    connection.send("ready")
    try:
        while True:
            try:
                job = connection.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            path, passphrase, accept_new_site = job
            connection.send(_plan_quietly(db, Path(path), passphrase, accept_new_site))
    finally:
        db.close()


def _plan_quietly(db: Database, path: Path, passphrase: str | None, accept: bool) -> Any:
    """A plan made to be written, a duplicate's report, or None: anything else is redone by the run."""
    try:
        planned = plan_package(
            path, db, passphrase=passphrase, dry_run=False, accept_new_site=accept, concurrent=True
        )
    except Exception:  # refused whole, a reply package, or a bug: the run imports it itself and says why
        return None
    if isinstance(planned, PreparedImport) or (
        isinstance(planned, PackageReport) and planned.status == "duplicate"
    ):
        return planned
    return None
