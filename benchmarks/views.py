"""What looking at a queue costs, by queue size: ``python -m benchmarks.views [--sizes 1000,100000]``.

For each size, in one process, CPU time (median of several rounds):

- ``queue()``: taking a view (what holds the simulation's lock);
- ``.url`` and ``len()`` of a fresh view (identity and counters);
- ``.messages``: the first read of the message list (sorted and built then, outside the lock);
- ``describe()``: the failure report's summary of every queue;
- a SendMessage straight into the service: a normal call, for scale.

A third of the messages are in flight and a third delayed, so that every state is shown.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.canned import BODY
from pytest_sqsmock import SqsMock, mock_sqs

ROUNDS = 5
_BATCH = 10


def cpu_us(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    """The median CPU time of ``action`` over ``rounds`` runs, in µs."""
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        action()
        samples.append((time.process_time_ns() - start) / 1000)
    return statistics.median(samples)


def fill(mock: SqsMock, url: str, count: int) -> None:
    """Queue ``count`` messages: a third delayed, a third received (in flight), a third visible."""
    call = mock.simulation.call
    for start in range(0, count, _BATCH):
        size = min(_BATCH, count - start)
        delay = 900 if start < count // 3 else 0
        entries = [{"Id": str(i), "MessageBody": BODY, "DelaySeconds": delay} for i in range(size)]
        call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    for _ in range(count // 3 // _BATCH):
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
        return figures


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated queue sizes")
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
