"""What a jump of virtual time costs, and who pays: ``python -m benchmarks.jumps [--sizes 1000,100000]``.

For each size and each kind of jump, in one process, CPU time, median of several rounds
(each round sets the queue up afresh, untimed):

- ``visibility``: that many messages in flight, then ``advance()`` past their visibility timeout;
- ``retention``: that many messages queued, then ``advance()`` past their retention period.

Columns: the jump itself (``advance()``); the 99th percentile and the longest hold of
the simulation's lock during it, chunk by chunk (how long a consumer's call can wait for
the jump; a garbage collection that falls in a chunk counts too); and, straight into
the service and through a boto3 client, a SendMessage to the queue just after the jump
(first call after) against the same call just after a jump that changed nothing (normal
call). Each is the first call on the queue since its jump, after one on another
queue (the same operation): a call after any jump costs more than the same call repeated in a loop, and that
is not what the jump's changes cost. The goal (issue "Speed at scale"): first call after
<= 2x a normal call, and the longest hold about a normal call.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from benchmarks.canned import BODY
from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.service.core import Service

ROUNDS = 5
_BATCH = 10
Kind = Literal["visibility", "retention"]
KINDS: tuple[Kind, ...] = ("visibility", "retention")
COLUMNS = (
    "advance()",
    "p99 lock hold",
    "longest lock hold",
    "service: normal call",
    "service: first call after",
    "boto3: normal call",
    "boto3: first call after",
)


def _set_up(mock: SqsMock, kind: Kind, count: int) -> str:
    """A queue of ``count`` messages that all change state 60 s from now (in flight, or at the end of retention)."""
    call = mock.simulation.call
    attributes = {"MessageRetentionPeriod": "60"} if kind == "retention" else {"VisibilityTimeout": "60"}
    url = str(call("CreateQueue", {"QueueName": f"jump-{kind}", "Attributes": attributes})["QueueUrl"])
    for start in range(0, count, _BATCH):
        entries = [{"Id": str(i), "MessageBody": BODY} for i in range(min(_BATCH, count - start))]
        call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    if kind == "visibility":
        for _ in range(-(-count // _BATCH)):
            call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": _BATCH})
    # A second queue keeps the normal call's queue separate from the one the jump changes.
    call("CreateQueue", {"QueueName": "calm"})
    return url


@contextmanager
def _lock_holds() -> Iterator[list[int]]:
    """Record the CPU time of every chunk a jump runs with the lock held."""
    holds: list[int] = []
    original = Service._jump_chunk

    def timed(self: Service, target_ms: int) -> bool:
        start = time.process_time_ns()
        try:
            return original(self, target_ms)
        finally:
            holds.append(time.process_time_ns() - start)

    Service._jump_chunk = timed  # type: ignore[method-assign]
    try:
        yield holds
    finally:
        Service._jump_chunk = original  # type: ignore[method-assign]


def _cpu_us(action: Callable[[], object]) -> float:
    start = time.process_time_ns()
    action()
    return (time.process_time_ns() - start) / 1000


def measure(kind: Kind, count: int, rounds: int = ROUNDS) -> dict[str, float]:
    """The medians for one kind of jump over a queue of ``count`` messages."""
    samples: dict[str, list[float]] = {name: [] for name in COLUMNS}
    for round_ in range(rounds):
        for via in ("service", "boto3"):
            with mock_sqs() as mock:
                url = _set_up(mock, kind, count)
                calm = str(mock.simulation.call("GetQueueUrl", {"QueueName": "calm"})["QueueUrl"])
                probe = _probe(mock, via, url, calm)
                # A jump that changes nothing, then the probe: a normal call, as cold as the one after a real jump.
                mock.advance(1)
                normal = probe()
                # The set-up's garbage is collected first, as before every timed repeat of the suite:
                # a collection it left due would otherwise land in one of the jump's chunks.
                gc.collect()
                with _lock_holds() as holds:
                    jump = _cpu_us(lambda: mock.advance(60))
                first = probe()
            samples[f"{via}: normal call"].append(normal)
            samples[f"{via}: first call after"].append(first)
            if via == "service":
                samples["advance()"].append(jump)
                ordered = sorted(holds)
                samples["p99 lock hold"].append(ordered[int(len(ordered) * 0.99)] / 1000)
                samples["longest lock hold"].append(ordered[-1] / 1000)
        del round_
    return {name: statistics.median(values) for name, values in samples.items()}


def _probe(mock: SqsMock, via: str, url: str, calm: str) -> Callable[[], float]:
    """A SendMessage to the queue, timed, after an untimed one to another queue warmed the path."""
    if via == "boto3":
        client = mock.client()

        def through_boto3() -> float:
            client.send_message(QueueUrl=calm, MessageBody=BODY)
            return _cpu_us(lambda: client.send_message(QueueUrl=url, MessageBody=BODY))

        return through_boto3
    call = mock.simulation.call

    def into_service() -> float:
        call("SendMessage", {"QueueUrl": calm, "MessageBody": BODY})
        return _cpu_us(lambda: call("SendMessage", {"QueueUrl": url, "MessageBody": BODY}))

    return into_service


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated message counts")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    print("CPU µs, median of rounds | " + " | ".join(COLUMNS) + " | service: after/normal | boto3: after/normal")
    print("---|" + "|".join("---:" for _ in range(len(COLUMNS) + 2)))
    for kind in KINDS:
        for size in sizes:
            row = measure(kind, size, args.rounds)
            figures = " | ".join(f"{row[name]:,.0f}" for name in COLUMNS)
            ratios = " | ".join(
                f"{row[f'{via}: first call after'] / row[f'{via}: normal call']:.2f}x" for via in ("service", "boto3")
            )
            print(f"{kind}, {size:,} messages | {figures} | {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
