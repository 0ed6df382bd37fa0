from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import boto3
import pytest
from threaded_worker import ThreadedWorker

from pytest_sqsmock import SqsMock


def flaky(attempts: dict[str, int]) -> Callable[[str], None]:
    """A handler that fails the first two times it sees a "flaky" message."""

    def handle(body: str) -> None:
        attempts[body] = attempts.get(body, 0) + 1
        if body == "flaky" and attempts[body] <= 2:
            raise RuntimeError("downstream hiccup")
        if body == "poison":
            raise ValueError("cannot ever handle this")

    return handle


@pytest.fixture
def worker(sqs_mock: SqsMock) -> Iterator[ThreadedWorker]:
    sqs_mock.create_queue("tasks-dlq")
    sqs_mock.create_queue("tasks", dead_letter_queue="tasks-dlq", max_receive_count=3)
    sqs = boto3.client("sqs", region_name="us-east-1")
    attempts: dict[str, int] = {}
    running = ThreadedWorker(sqs, sqs_mock.queue("tasks").url, flaky(attempts)).start()
    yield running
    running.stop_soon()  # the loop ends after its current poll...
    sqs_mock.wait_until_parked()  # ...once the worker waits in it...
    sqs_mock.advance(20)  # ...and virtual time passes its 20-second wait
    running.stop()
    assert not running.running


def test_the_worker_handles_what_arrives_while_it_waits(sqs_mock: SqsMock, worker: ThreadedWorker) -> None:
    sqs_mock.send("tasks", "hello")  # wakes the worker's long poll at once
    sqs_mock.run_until(lambda: worker.handled == ["hello"])
    sqs_mock.assert_empty("tasks")


def test_a_flaky_message_is_retried_after_each_visibility_timeout(sqs_mock: SqsMock, worker: ThreadedWorker) -> None:
    started = sqs_mock.now
    sqs_mock.send("tasks", "flaky")
    sqs_mock.run_until(lambda: "flaky" in worker.handled)
    assert worker.failures == 2
    # Two failed attempts, each followed by the 30-second visibility timeout.
    assert sqs_mock.now - started >= timedelta(seconds=60)
    sqs_mock.assert_empty("tasks")


def test_a_poison_message_ends_in_the_dead_letter_queue(sqs_mock: SqsMock, worker: ThreadedWorker) -> None:
    sqs_mock.send("tasks", "poison")
    sqs_mock.send("tasks", "fine")
    sqs_mock.run_until(lambda: len(sqs_mock.queue("tasks-dlq")) == 1)
    sqs_mock.assert_dead_lettered("tasks", body="poison", receives=3)
    assert worker.handled == ["fine"]
