"""A consumer that runs in its own thread, like a worker pool inside a service.

It long-polls a queue, handles each message and deletes it, and retries a
failed message by leaving it alone until its visibility timeout runs out.
Nothing here knows about pytest_sqsmock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class ThreadedWorker:
    """Poll ``queue_url`` in a background thread until ``stop()``."""

    def __init__(self, sqs: Any, queue_url: str, handle: Callable[[str], None]) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._handle = handle
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="threaded-worker", daemon=True)
        self.handled: list[str] = []
        self.failures = 0

    def start(self) -> ThreadedWorker:
        self._thread.start()
        return self

    def stop_soon(self) -> None:
        """Ask the loop to end after its current poll."""
        self._stopping.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end after its current poll and wait for it."""
        self.stop_soon()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            response = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
            for message in response.get("Messages", []):
                try:
                    self._handle(message["Body"])
                except Exception:
                    self.failures += 1
                    continue
                self.handled.append(message["Body"])
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
