"""A run of package imports as a pipeline: while one package is written, the next is read and planned.

Reading a package (signature, ledger, hash, parsing) and planning it (classification, validation,
search text, the new records' rows) are most of an import's CPU time and write nothing; writing
it is mostly the database's own work. So a run hands packages to one worker process (spawned:
Windows and the frozen bundle, whose entry point calls freeze_support) to read and plan, while
this process writes them in order on its own connection, and plans a later one itself whenever it
would otherwise wait for the worker:

    worker:  (starting)  plan 2          plan 4          plan 5 ...
    here:    plan 1 + write 1, write 2, plan 3, write 3, write 4 ...

The worker only reads (package_import.plan_package, concurrent=True: the plan notes what it read,
and write_import plans again inside its transaction if a package written meanwhile touched the
same records or the catalog). Anything a plan made ahead cannot settle -- a refusal, a reply
package, a package whose records were all refused (a unit or period may come with a package
before it) or an error -- is imported again here with import_package's own code, so its messages,
ledger rows and exceptions are exactly those of a single import. Packages are written one at a
time, in order, each atomic: stopping a run between two packages (the wizard's «Dừng») leaves
every package written whole or not at all, and the worker is then simply stopped.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
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
    """Imports the files of a run in their order (import_next), planning the next ones in a worker.

    Both processes stay busy: while the worker plans one package, this process writes the one
    before it, and when it would only wait for the worker it plans a later package itself (at most
    AHEAD of them kept). The worker is started by the first package written (a run of packages
    received before needs none). Use as a context manager, or call close(): it is stopped there.
    `worker` False imports every package in this process (a run of one package gains nothing).
    """

    AHEAD = 1

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
        self._next = 0  # the file import_next expects
        self._handed = 0  # files before this one are planned, being planned, or imported
        self._ahead: dict[int, Any] = {}  # plans made here before their file's turn
        self._in_worker: int | None = None  # the file the worker is planning
        self._use_worker = worker and len(self.files) > 1
        self._worker: _Worker | None = None  # started by the first package written (see import_next)
        self.worker_plans = 0  # packages written with the worker's plan (the rest were planned here)

    def __enter__(self) -> ImportRun:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def import_next(self, path: Path, *, user: str, backup_dir: Path | None) -> PackageReport:
        """Import `path`, the next file of the run; raises import_package's UserErrors."""
        index = self._next
        if index >= len(self.files) or self.files[index].path != path:
            raise ValueError(f"{path} is not the next file of the run")
        self._next += 1
        prepared = self._plan_of(index)
        self._feed_worker()  # before this package is written: the two run side by side
        if isinstance(prepared, PreparedImport):
            return write_import(self.db, prepared, user=user, backup_dir=backup_dir)
        if isinstance(prepared, PackageReport) and prepared.status == "duplicate":
            return prepared  # received before: a package written since cannot change that
        report = import_package(
            self.db,
            path,
            user=user,
            backup_dir=backup_dir,
            passphrase=self.passphrase,
            accept_new_site=self.files[index].accept_new_site,
        )
        if report.status != "duplicate" and self._use_worker and self._next < len(self.files):
            # Started only now: a run of packages received before (2-3 ms each) would wait for a
            # worker that takes a second to start, and would not need it.
            self._use_worker = False
            self._worker = _Worker(self.db.path)
        return report

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def worker_started(self) -> bool:
        """Whether the worker process is up (False before it has started, or without one)."""
        return self._worker is not None and self._worker.ready()

    def _plan_of(self, index: int) -> Any:
        """What _plan_quietly gave for file `index` (None: to be imported whole here)."""
        self._feed_worker()
        while True:
            if index in self._ahead:
                return self._ahead.pop(index)
            if self._in_worker != index or self._worker is None:
                # Not handed out yet (the worker is starting, or gone): imported whole here.
                self._handed = max(self._handed, index + 1)
                self._feed_worker()
                return None
            if self._worker.answered() or self._handed >= len(self.files) or len(self._ahead) >= self.AHEAD:
                self._in_worker = None
                answer = self._worker.take()
                self.worker_plans += answer is not None
                return answer
            # The worker is still at it: plan a later package here rather than wait.
            later = self._handed
            self._handed += 1
            item = self.files[later]
            self._ahead[later] = _plan_quietly(self.db, item.path, self.passphrase, item.accept_new_site)

    def _feed_worker(self) -> None:
        """Hand the next unplanned file to the worker if it is started and idle."""
        worker = self._worker
        if worker is None or self._in_worker is not None or self._handed >= len(self.files):
            return
        if worker.ready() and worker.submit(self.files[self._handed], self.passphrase):
            self._in_worker = self._handed
            self._handed += 1


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
        self._busy = False  # a package handed over, its answer not taken

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

    def submit(self, item: RunPackage, passphrase: str | None) -> bool:
        try:
            self._connection.send((str(item.path), passphrase, item.accept_new_site))
        except OSError:
            self._broken = True
            return False
        self._busy = True
        return True

    def answered(self) -> bool:
        """Whether the answer to the package handed over is there (take() would not wait)."""
        try:
            return self._connection.poll()
        except OSError:
            return True  # take() finds out

    def take(self) -> Any:
        """The worker's answer for the package handed over (None if the worker died meanwhile)."""
        self._busy = False
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            log.warning("the import worker stopped; the run goes on without it")
            self._broken = True
            return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.send(None)
        self._connection.close()
        # A plan still being made (or a worker still starting) is of no use any more: the worker
        # only reads, so it may be stopped anywhere.
        self._process.join(timeout=0.2 if self._started and not self._busy else 0)
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
