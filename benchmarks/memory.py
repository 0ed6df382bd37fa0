"""Memory per queued 100-byte message, measured with tracemalloc."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Literal

from benchmarks.canned import BODY
from benchmarks.sides import Side, open_side

Path = Literal["model", "api"]


def bytes_per_message(side_name: str, count: int, path: Path) -> float:
    """Bytes allocated and still held per message after queueing ``count`` of them.

    Args:
        side_name: ``ours`` or ``moto``.
        count: How many messages to queue.
        path: ``model``: the prefill fast path (just the stored message);
            ``api``: boto3 SendMessage, so whatever each call leaves behind
            (our call journal, for one) counts too.
    """
    with open_side(side_name) as side:
        url = side.create_queue("bench")
        fill = _filler(side, url, path)
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


def _filler(side: Side, url: str, path: Path) -> Callable[[int], None]:
    if path == "model":
        return lambda count: side.prefill(url, count)

    def send(count: int) -> None:
        for _ in range(count):
            side.client.send_message(QueueUrl=url, MessageBody=BODY)

    return send
