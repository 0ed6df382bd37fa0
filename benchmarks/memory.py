"""Memory per queued 100-byte message, measured with tracemalloc.

``python -m benchmarks.memory`` prints the whole table: standard and FIFO queues,
the model and the API path, at 1k, 10k and 100k messages (``--sizes``, ``--sides``,
``--paths`` and ``--queues`` narrow it). The goal (issue 17): at most 1 KiB per
message sent through boto3 with the call journal on, standard and FIFO.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Final, Literal, cast

from benchmarks.sides import Side, body_for, open_side

Path = Literal["model", "api"]
QueueKind = Literal["standard", "fifo"]
PATHS: Final[tuple[Path, ...]] = ("model", "api")
QUEUE_KINDS: Final[tuple[QueueKind, ...]] = ("standard", "fifo")
# FIFO messages are spread over this many message groups (each group costs its own bookkeeping).
FIFO_GROUPS: Final = 100
GOAL_BYTES: Final = 1024
_SERIAL: Final = itertools.count()


def bytes_per_message(side_name: str, count: int, path: Path, queue: QueueKind = "standard") -> float:
    """Bytes allocated and still held per message after queueing ``count`` of them.

    Args:
        side_name: ``ours`` or ``moto``.
        count: How many messages to queue.
        path: ``model``: the prefill fast path (just the stored message);
            ``api``: boto3 SendMessage, so whatever each call leaves behind
            (our call journal, for one) counts too.
        queue: ``standard``, or ``fifo`` (messages over ``FIFO_GROUPS`` groups, each
            with its own deduplication id).
    """
    with open_side(side_name) as side:
        fifo = queue == "fifo"
        url = side.create_queue("bench.fifo" if fifo else "bench", {"FifoQueue": "true"} if fifo else None)
        fill = _filler(side, url, path, fifo)
        fill(10)  # warm caches and botocore's lazy loading outside the measurement
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            fill(count)
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        return (after - before) / count


def _filler(side: Side, url: str, path: Path, fifo: bool) -> Callable[[int], None]:
    groups = FIFO_GROUPS if fifo else 0
    if path == "model":
        return lambda count: side.prefill(url, count, groups=groups)

    def send(count: int) -> None:
        for _ in range(count):
            serial = next(_SERIAL)
            if fifo:
                side.client.send_message(
                    QueueUrl=url,
                    MessageBody=body_for(serial),
                    MessageGroupId=f"group-{serial % groups}",
                    MessageDeduplicationId=f"dedup-{serial}",
                )
            else:
                side.client.send_message(QueueUrl=url, MessageBody=body_for(serial))

    return send


def main(argv: Sequence[str] | None = None) -> int:
    """Print bytes per queued message for every combination asked for."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated message counts")
    parser.add_argument("--sides", default="ours", help="comma-separated subset of ours,moto")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated subset of model,api")
    parser.add_argument("--queues", default=",".join(QUEUE_KINDS), help="comma-separated subset of standard,fifo")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"memory per queued 100-byte message (tracemalloc); FIFO: {FIFO_GROUPS} groups; goal <= {GOAL_BYTES} B")
    print(f"{'side':<5} {'queue':<8} {'path':<6} {'messages':>9} {'B/msg':>8} {'seconds':>8}")
    for side, queue, path, size in itertools.product(
        args.sides.split(","), args.queues.split(","), args.paths.split(","), sizes
    ):
        started = time.perf_counter()
        value = bytes_per_message(side, size, cast(Path, path), cast(QueueKind, queue))
        print(f"{side:<5} {queue:<8} {path:<6} {size:>9,} {value:>8,.0f} {time.perf_counter() - started:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
