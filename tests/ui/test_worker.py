"""Background work: a queue of jobs runs one item at a time, stops between items, drops abandoned runs."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from danvan_desktop.ui.worker import JobQueue, QueueProgress


class Log:
    """Records the callbacks of a queue in the order they arrive (always in the UI thread)."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.ends = 0

    def started(self, index: int, item: Any) -> None:
        self.events.append(("started", index, item))

    def got(self, item: Any, result: Any) -> None:
        self.events.append(("got", item, result))

    def ended(self) -> None:
        self.ends += 1


def _square(item: int) -> int:
    if item < 0:
        raise ValueError(f"âm: {item}")
    return item * item


def test_items_run_in_turn_and_failures_are_handed_over(qtbot: QtBot) -> None:
    log = Log()
    jobs: JobQueue[int] = JobQueue(_square, log.got, started=log.started, ended=log.ended)
    jobs.start([2, -1, 3])
    assert jobs.running
    qtbot.waitUntil(lambda: log.ends == 1, timeout=10000)
    assert not jobs.running and jobs.index == 3
    got = [e for e in log.events if e[0] == "got"]
    assert [e[1] for e in got] == [2, -1, 3]
    assert got[0][2] == 4 and got[2][2] == 9
    assert isinstance(got[1][2], ValueError)  # the exception itself, for the caller to report
    assert [e[0] for e in log.events] == ["started", "got"] * 3  # never two items at once


def test_an_empty_queue_ends_at_once() -> None:
    log = Log()
    jobs: JobQueue[int] = JobQueue(_square, log.got, ended=log.ended)
    jobs.start([])
    assert log.ends == 1 and not jobs.running and log.events == []


def test_stop_takes_effect_before_the_next_item(qtbot: QtBot) -> None:
    log = Log()
    jobs: JobQueue[int] = JobQueue(lambda item: item, log.got, started=log.started, ended=log.ended)
    jobs.start([1, 2, 3])
    jobs.stop()  # the first item is under way: it finishes, the others never start
    assert jobs.running
    qtbot.waitUntil(lambda: log.ends == 1, timeout=10000)
    assert log.events == [("started", 0, 1), ("got", 1, 1)] and jobs.index == 1


def test_results_of_an_abandoned_run_are_dropped(qtbot: QtBot) -> None:
    log = Log()
    jobs: JobQueue[str] = JobQueue(str.upper, log.got, ended=log.ended)
    jobs.start(["old"])
    jobs.abandon()  # its result is delivered in the UI thread, later than this: it is dropped
    assert not jobs.running
    jobs.start(["new"])
    qtbot.waitUntil(lambda: log.ends == 1, timeout=10000)
    qtbot.wait(100)
    assert log.events == [("got", "new", "NEW")] and log.ends == 1


def test_progress_row_shows_the_item_and_the_stop(qtbot: QtBot) -> None:
    log = Log()
    row = QueueProgress(
        lambda item: item,
        log.got,
        log.ended,
        describe=lambda index, count, item: f"Đang kiểm tra {index + 1}/{count}: {item}",
        stop_text="&Dừng",
        stopping="Sẽ dừng sau gói đang kiểm tra…",
    )
    qtbot.addWidget(row)
    row.show()
    row.start(["a.danvan", "b.danvan"])
    assert row.running and row.label.text() == "Đang kiểm tra 1/2: a.danvan"
    assert row.progress.maximum() == 2 and row.progress.value() == 0 and row.stop_button.isVisible()
    row.stop_button.click()  # before the first result is back: the second item is not started
    assert row.label.text() == "Sẽ dừng sau gói đang kiểm tra…" and not row.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not row.running, timeout=10000)
    assert log.ends == 1 and row.progress.value() == 1 and not row.stop_button.isVisible()
    row.start(["c.danvan"])  # a new run: the button is back
    assert row.stop_button.isVisible() and row.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not row.running, timeout=10000)
    assert row.progress.value() == 1 and log.ends == 2
