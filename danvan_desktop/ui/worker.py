"""Running work off the UI thread and getting the result back on it: one job, or a queue of them.

`run_in_background` is the one way a dialog runs something slow. `JobQueue` works through a list of
items with it, one at a time, so that a stop takes effect between two items; `QueueProgress` is the
row that shows such a queue going (label, progress bar, stop button).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

T = TypeVar("T")


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class BackgroundTask(QRunnable):
    """Runs `fn` in the thread pool; `done`/`failed` are delivered in the UI thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # we keep a reference until a signal has been delivered
        self._fn = fn
        self.signals = _TaskSignals()

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the UI thread, which decides how to report it
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_running: set[BackgroundTask] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
) -> BackgroundTask:
    """Start `fn` in the background; exactly one of the callbacks runs later in the UI thread."""
    task = BackgroundTask(fn)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _running.discard(task)
        callback(value)

    task.signals.done.connect(lambda result: finish(on_done, result))
    task.signals.failed.connect(lambda exc: finish(on_failed, exc))
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


class JobQueue(Generic[T]):
    """Runs `work(item)` in the background for each item in turn; every callback runs in the UI thread.

    `started(index, item)` comes before each item, `got(item, result)` after it with what `work`
    returned or the exception it raised, and `ended()` once all are done or `stop()` took effect
    (never in the middle of an item). `abandon()` drops the results of a run still on its way.
    """

    def __init__(
        self,
        work: Callable[[T], Any],
        got: Callable[[T, Any], None],
        *,
        started: Callable[[int, T], None] | None = None,
        ended: Callable[[], None] | None = None,
    ) -> None:
        self._work, self._got, self._started, self._ended = work, got, started, ended
        self.items: list[T] = []
        self.index = 0  # how many items of this run are done
        self.running = self.stop_requested = False
        self._generation = 0  # results carrying an older generation belong to an abandoned run

    def start(self, items: Sequence[T]) -> None:
        self.items, self.index, self._generation = list(items), 0, self._generation + 1
        self.running, self.stop_requested = True, False
        self._next()

    def stop(self) -> None:
        self.stop_requested = True

    def abandon(self) -> None:
        self._generation += 1
        self.running = False

    def _next(self) -> None:
        if self.stop_requested or self.index >= len(self.items):
            self.running = False
            if self._ended is not None:
                self._ended()
            return
        item, generation = self.items[self.index], self._generation
        if self._started is not None:
            self._started(self.index, item)

        def finish(result: Any) -> None:
            if generation == self._generation:
                self._got(item, result)
                self.index += 1
                self._next()

        run_in_background(lambda: self._work(item), finish, finish)


class QueueProgress(QWidget):
    """A `JobQueue` with its row: what is being done, how far along, and a button to stop it.

    `describe(index, count, item)` says what is going on while an item runs; `stopping` replaces it
    once the stop button is pressed, until the item in hand is finished.
    """

    def __init__(
        self,
        work: Callable[[Any], Any],
        got: Callable[[Any, Any], None],
        ended: Callable[[], None],
        *,
        describe: Callable[[int, int, Any], str],
        stop_text: str,
        stopping: str,
    ) -> None:
        super().__init__()
        self.jobs: JobQueue[Any] = JobQueue(work, got, started=self._started, ended=self._finished)
        self._ended, self._describe, self._stopping = ended, describe, stopping
        self.label, self.progress, self.stop_button = QLabel(), QProgressBar(), QPushButton(stop_text)
        self.stop_button.clicked.connect(self.stop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.stop_button)

    @property
    def running(self) -> bool:
        return self.jobs.running

    def start(self, items: Sequence[Any]) -> None:
        self.progress.setRange(0, len(items))
        self.stop_button.setVisible(True)
        self.stop_button.setEnabled(True)
        self.jobs.start(items)

    def stop(self) -> None:
        self.jobs.stop()
        self.stop_button.setEnabled(False)
        self.label.setText(self._stopping)

    def _started(self, index: int, item: Any) -> None:
        self.progress.setValue(index)
        self.label.setText(self._describe(index, len(self.jobs.items), item))

    def _finished(self) -> None:
        self.progress.setValue(self.jobs.index)
        self.stop_button.setVisible(False)
        self._ended()
