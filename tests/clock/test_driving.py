"""run_until moves virtual time only when every consumer is parked: same result idle or loaded.

Consumers here run as users run them: worker threads and a worker process
behind the loopback server. A CPU hog beside them must not change what
happens in virtual time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockAssertionError, mock_sqs

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
JOIN_S = 30


def spin(seconds: float) -> None:
    """Real CPU work, as a consumer does between a receive and its delete."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@contextmanager
def cpu_hog() -> Iterator[None]:
    """Every core busy with another process's loop while the block runs (bounded to two minutes)."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 120\nwhile time.time() < end: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


class Worker:
    """A consumer thread: long polls, handles, deletes; a handler that raises leaves the message in flight."""

    def __init__(self, sqs: Any, url: str, handle: Callable[[str], None], name: str = "worker") -> None:
        self.handled: list[str] = []
        self._sqs, self._url, self._handle = sqs, url, handle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            response = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
            for message in response.get("Messages", []):
                try:
                    self._handle(message["Body"])
                except RuntimeError:
                    continue
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
                self.handled.append(message["Body"])

    def stop(self, mock: SqsMock) -> None:
        self._stop.set()
        mock.wait_until_parked(0)
        mock.advance(20)  # the last poll ends at its deadline
        self._thread.join(JOIN_S)
        assert not self._thread.is_alive()


def _scenario(mock: SqsMock) -> list[tuple[str, float, int]]:
    """Slow, flaky and poison messages through one worker thread; the virtual timeline it produced."""
    sqs = boto3.client("sqs", region_name="us-east-1", **mock.credentials())
    mock.create_queue("jobs-dlq")
    mock.create_queue("jobs", dead_letter_queue="jobs-dlq", max_receive_count=3, attributes={"VisibilityTimeout": "2"})
    attempts: dict[str, int] = {}

    def handle(body: str) -> None:
        attempts[body] = attempts.get(body, 0) + 1
        if body.startswith("slow"):
            spin(0.4)  # 0.4 s of real CPU with a 2 s visibility timeout: time must not move meanwhile
        if (body == "flaky" and attempts[body] <= 2) or body == "poison":
            raise RuntimeError(body)

    for body in ("slow-1", "flaky", "slow-2", "poison"):
        mock.send("jobs", body)
    worker = Worker(sqs, mock.queue("jobs").url, handle)
    mock.run_until(lambda: len(worker.handled) == 3 and len(mock.queue("jobs-dlq")) == 1, within=600)
    worker.stop(mock)
    assert sorted(worker.handled) == ["flaky", "slow-1", "slow-2"]
    assert mock.calls.filter("DeleteMessage", failed=True) == []
    assert attempts == {"slow-1": 1, "slow-2": 1, "flaky": 3, "poison": 3}
    return [
        (
            call.operation,
            ((call.answered_at or call.time) - START).total_seconds(),
            len((call.result or {}).get("Messages", [])),
        )
        for call in sorted(mock.calls, key=lambda c: c.sequence)
        if call.operation == "ReceiveMessage"
    ]


def test_a_slow_consumer_never_sees_its_visibility_timeout_expire_under_it() -> None:
    with mock_sqs(start=START) as mock:
        timeline = _scenario(mock)
    # flaky and poison come back after each 2-second visibility timeout; poison moves on its 4th receive.
    assert [(seconds, count) for _, seconds, count in timeline if count] == [(0.0, 4), (2.0, 2), (4.0, 2)]


def test_the_timeline_is_the_same_beside_a_cpu_hog() -> None:
    with mock_sqs(start=START) as mock:
        idle = _scenario(mock)
    with cpu_hog(), mock_sqs(start=START) as mock:
        loaded = _scenario(mock)
    assert loaded == idle


def test_run_until_waits_for_consumers_that_start_late() -> None:
    with mock_sqs(start=START) as mock:
        sqs = boto3.client("sqs", region_name="us-east-1", **mock.credentials())
        mock.create_queue("jobs", attributes={"DelaySeconds": "30"})
        url = mock.queue("jobs").url
        mock.send("jobs", "one")
        mock.send("jobs", "two")
        workers: list[Worker] = []

        def start_workers() -> None:
            spin(0.2)  # the consumers come up while run_until already waits
            workers.extend(Worker(sqs, url, lambda body: None, name=f"worker-{i}") for i in range(2))

        starter = threading.Thread(target=start_workers)
        starter.start()
        mock.run_until(lambda: len(mock.queue("jobs")) == 0, consumers=2)
        starter.join(JOIN_S)
        assert mock.now == START + timedelta(seconds=30)  # one jump: to the end of the delay
        assert sorted(body for worker in workers for body in worker.handled) == ["one", "two"]
        for worker in workers:
            worker.stop(mock)


def test_run_until_fails_listing_each_consumer_when_one_never_parks() -> None:
    with mock_sqs(start=START) as mock:
        sqs = boto3.client("sqs", region_name="us-east-1", **mock.credentials())
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        release = threading.Event()

        def stuck() -> None:
            sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
            sqs.list_queues()
            release.wait(JOIN_S)

        thread = threading.Thread(target=stuck, name="stuck", daemon=True)
        thread.start()
        mock.wait_until_parked()
        sqs.send_message(QueueUrl=url, MessageBody="wake")
        with pytest.raises(SqsMockAssertionError) as failure:
            mock.run_until(lambda: False, timeout=0.2)
        assert "thread 'stuck': busy since ListQueues" in str(failure.value)
        assert mock.now == START
        release.set()
        thread.join(JOIN_S)


def test_run_until_without_consumers_needs_consumers_zero() -> None:
    with mock_sqs(start=START) as mock:
        mock.create_queue("jobs", attributes={"DelaySeconds": "9"})
        mock.send("jobs", "later")
        with pytest.raises(SqsMockAssertionError, match="no consumer has long-polled yet"):
            mock.run_until(lambda: bool(mock.queue("jobs").visible), timeout=0.05)
        mock.run_until(lambda: bool(mock.queue("jobs").visible), consumers=0)
        assert mock.now == START + timedelta(seconds=9)


WORKER = """
import sys, time
import boto3
sqs = boto3.client("sqs", region_name="us-east-1")
jobs = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
attempts = {}
while True:
    for m in sqs.receive_message(QueueUrl=jobs, WaitTimeSeconds=20, AttributeNames=["All"]).get("Messages", []):
        if m["Body"] == "stop":
            sqs.delete_message(QueueUrl=jobs, ReceiptHandle=m["ReceiptHandle"])
            sys.exit(0)
        end = time.perf_counter() + 0.3
        while time.perf_counter() < end:
            pass
        if m["Body"] == "flaky" and m["Attributes"]["ApproximateReceiveCount"] == "1":
            continue
        sqs.delete_message(QueueUrl=jobs, ReceiptHandle=m["ReceiptHandle"])
"""


def test_a_worker_process_behind_the_server_is_driven_the_same_way() -> None:
    with mock_sqs(start=START) as mock:
        server = mock.server()
        mock.create_queue("jobs", attributes={"VisibilityTimeout": "1"})
        env: dict[str, str] = {
            **os.environ,
            "AWS_ENDPOINT_URL_SQS": server.endpoint_url,
            "AWS_DEFAULT_REGION": "us-east-1",
            **{key.upper(): str(value) for key, value in mock.credentials().items()},
        }
        worker = subprocess.Popen([sys.executable, "-c", WORKER], env=env)
        try:
            mock.send("jobs", "slow")
            mock.send("jobs", "flaky")
            mock.run_until(lambda: len(mock.queue("jobs")) == 0, consumers=1, within=60)
            # slow: 0.3 s of real CPU with a 1 s visibility timeout, deleted on its first receive.
            # flaky: left in flight once, received again when its timeout ran out.
            assert mock.now == START + timedelta(seconds=1)
            deletes = mock.calls.filter("DeleteMessage")
            assert [c.error for c in deletes] == [None, None]
            mock.send("jobs", "stop")
            assert worker.wait(JOIN_S) == 0
        finally:
            worker.kill()
            worker.wait()
