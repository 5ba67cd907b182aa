"""The one helper for running work off the UI thread and getting the result back on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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
