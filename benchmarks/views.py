"""What looking at a queue costs, by queue size: ``python -m benchmarks.views [--sizes 1000,100000,1000000]``.

For each size, in one process, CPU time (median of several rounds):

- ``queue()``: taking a view (it pins the queue under the simulation's lock);
- ``.url`` and ``len()`` of a fresh view (identity and counters);
- ``.messages``: the first read of the message list (read in chunks under the lock, sorted
  and built outside it);
- ``describe()``: the failure report's summary of every queue;
- a SendMessage straight into the service: a normal call, for scale.

Then how long the simulation's lock is held at a time, in the holding thread's CPU time
(µs): the median, 99th percentile and longest of every hold while taking views, while
reading their messages (a view is read a few dozen messages per hold), and during
SendMessage calls, the normal call the others are measured against (as many calls as
the reads take holds). The longest wall-time hold is shown too; it also counts the thread
being preempted while holding the lock, so it is noisy on a busy machine. The lock is
wrapped in a timer for those rows only.

A third of the messages are delayed, a third (at most 100,000) in flight and the rest
visible, so that every state is shown.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from benchmarks.canned import BODY
from pytest_sqsmock import SqsMock, mock_sqs

ROUNDS = 5
_BATCH = 10
_MAX_IN_FLIGHT = 100_000  # SQS refuses receives past 120,000 in flight


def cpu_us(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    """The median CPU time of ``action`` over ``rounds`` runs, in µs."""
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        action()
        samples.append((time.process_time_ns() - start) / 1000)
    return statistics.median(samples)


class HoldTimer:
    """Stands in for the simulation's lock and times each hold, from outermost acquire to its release."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._depth = 0
        self._since = (0, 0)
        self.cpu_ns: list[int] = []  # every hold, in thread CPU time
        self.wall_ns: list[int] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        acquired = bool(self._lock.acquire(blocking, timeout))
        if acquired:
            self._depth += 1
            if self._depth == 1:
                self._since = (time.thread_time_ns(), time.perf_counter_ns())
        return acquired

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.cpu_ns.append(time.thread_time_ns() - self._since[0])
            self.wall_ns.append(time.perf_counter_ns() - self._since[1])
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    def clear(self) -> None:
        self.cpu_ns.clear()
        self.wall_ns.clear()


@contextmanager
def timed_lock(mock: SqsMock) -> Iterator[HoldTimer]:
    """The simulation's lock wrapped in a :class:`HoldTimer` (one thread only: the depth is not per thread)."""
    service = mock.simulation.service
    original = service.lock
    timer = HoldTimer(original)
    service.lock = timer  # type: ignore[assignment]
    try:
        yield timer
    finally:
        service.lock = original


def hold_figures(timer: HoldTimer) -> dict[str, float]:
    """Median, 99th percentile and longest CPU hold, and longest wall hold, in µs."""
    cpu = sorted(timer.cpu_ns)
    if not cpu:  # reading took no lock (before views were pinned)
        return dict.fromkeys(("median", "p99", "longest", "longest wall"), 0.0)
    return {
        "median": cpu[len(cpu) // 2] / 1000,
        "p99": cpu[min(len(cpu) - 1, len(cpu) * 99 // 100)] / 1000,
        "longest": cpu[-1] / 1000,
        "longest wall": max(timer.wall_ns) / 1000,
    }


def lock_holds(mock: SqsMock, url: str) -> dict[str, dict[str, float]]:
    """Every lock hold while taking views, while reading them, and during as many SendMessage calls."""
    with timed_lock(mock) as timer:
        views = [mock.queue("bench") for _ in range(ROUNDS)]
        taking = hold_figures(timer)
        timer.clear()
        for view in views:
            assert len(view.messages) == len(view)
        reading = hold_figures(timer)
        holds = len(timer.cpu_ns)
        timer.clear()
        for _ in range(max(holds, 1000)):
            mock.simulation.call("SendMessage", {"QueueUrl": url, "MessageBody": BODY})
        sending = hold_figures(timer)
    return {"queue()": taking, "reading .messages": reading, "SendMessage": sending}


def fill(mock: SqsMock, url: str, count: int) -> None:
    """Queue ``count`` messages: a third delayed, a third (at most 100,000) received, the rest visible."""
    call = mock.simulation.call
    for start in range(0, count, _BATCH):
        size = min(_BATCH, count - start)
        delay = 900 if start < count // 3 else 0
        entries = [{"Id": str(i), "MessageBody": BODY, "DelaySeconds": delay} for i in range(size)]
        call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    for _ in range(min(count // 3, _MAX_IN_FLIGHT) // _BATCH):
        call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": _BATCH, "VisibilityTimeout": 3600})


def measure(count: int) -> dict[str, float]:
    """Every figure for one queue of ``count`` messages."""
    with mock_sqs() as mock:
        url = mock.create_queue("bench").url
        fill(mock, url, count)
        figures: dict[str, Any] = {
            "queue()": cpu_us(lambda: mock.queue("bench")),
            ".url": cpu_us(lambda: mock.queue("bench").url),
            "len()": cpu_us(lambda: len(mock.queue("bench"))),
            "first .messages": cpu_us(lambda: mock.queue("bench").messages) - cpu_us(lambda: mock.queue("bench")),
            "describe()": cpu_us(mock.describe),
            "SendMessage (service)": cpu_us(
                lambda: mock.simulation.call("SendMessage", {"QueueUrl": url, "MessageBody": BODY}), rounds=50
            ),
        }

        for name, figures_of in lock_holds(mock, url).items():
            for kind, value in figures_of.items():
                figures[f"lock hold {kind}: {name}"] = value
        return figures


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,100000,1000000", help="comma-separated queue sizes")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    rows = {size: measure(size) for size in sizes}
    names = list(next(iter(rows.values())))
    print("CPU µs, median of rounds | " + " | ".join(f"{size:,} messages" for size in sizes))
    print("---|" + "|".join("---:" for _ in sizes))
    for name in names:
        print(f"{name} | " + " | ".join(f"{rows[size][name]:,.0f}" for size in sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
