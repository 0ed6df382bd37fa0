"""run_until / run_until_async at their edges: step limits, awaiting worker threads, consumers that never park.

Consumers are what users write: a boto3 worker thread that long-polls; the test awaits or
calls ``run_until`` on the ``sqs_mock`` fixture. Virtual time only; the one real-time wait
is ``timeout=``, the budget a consumer has to park, kept to a few hundredths of a second.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockAssertionError
from pytest_sqsmock.service.polling.consumers import ConsumersBusy

JOIN_S = 30


class Worker:
    """A consumer thread: long polls of 20 s, records and deletes every message (each once ``gate`` is open)."""

    def __init__(self, mock: SqsMock, queue: str) -> None:
        self.handled: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self._mock = mock
        self._sqs = boto3.client("sqs", region_name=mock.region, **mock.credentials())
        self._url = mock.queue(queue).url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            reply = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
            for message in reply.get("Messages", []):
                self.gate.wait(JOIN_S)
                self.handled.append(message["Body"])
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def stop(self) -> None:
        self._stop.set()
        self._mock.wait_until_parked(0)
        self._mock.advance(20)  # the last poll ends at its deadline
        self._thread.join(JOIN_S)
        assert not self._thread.is_alive()


@pytest.fixture
def worker(sqs_mock: SqsMock) -> Iterator[Worker]:
    sqs_mock.create_queue("jobs")
    made = Worker(sqs_mock, "jobs")
    yield made
    made.stop()


# -- run_until ---------------------------------------------------------------


def test_run_until_with_a_step_gives_up_after_max_steps(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs_mock.queue("jobs").url
    polls: list[int] = []

    def step() -> None:  # a consumer that finds nothing: each idle round moves one virtual second
        polls.append(len(sqs.receive_message(QueueUrl=url).get("Messages", [])))

    started = sqs_mock.now
    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.run_until(lambda: False, step=step, max_steps=3)

    assert polls == [0, 0, 0]
    assert sqs_mock.now - started == timedelta(seconds=3)
    assert str(info.value).startswith("condition still false after 3 s of virtual time (limit 3600 s).\n")
    assert "'jobs'" in str(info.value)  # the queues are shown


def test_run_until_does_not_move_time_while_a_consumer_is_handed_a_message(sqs_mock: SqsMock, worker: Worker) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs_mock.queue("jobs").url
    worker.gate.clear()  # the worker holds what it is handed until the gate opens
    checks: list[str] = []

    def handled() -> bool:
        # Checked once the worker is parked; this check sends, which hands the worker a message.
        checks.append("check")
        if len(checks) == 2:
            sqs.send_message(QueueUrl=url, MessageBody="now")
            return False
        if len(checks) == 3:
            worker.gate.set()
        return worker.handled == ["now"]

    started = sqs_mock.now
    sqs_mock.run_until(handled)

    assert worker.handled == ["now"]
    assert len(checks) >= 4  # the round after the send looked again instead of moving time
    assert sqs_mock.now == started  # handled when sent: no virtual time passed


# -- run_until_async ---------------------------------------------------------


@pytest.mark.asyncio
async def test_run_until_async_moves_time_once_a_worker_thread_is_parked(sqs_mock: SqsMock, worker: Worker) -> None:
    sqs_mock.send("jobs", "later", delay_seconds=50)
    started = sqs_mock.now

    await sqs_mock.run_until_async(lambda: worker.handled == ["later"])

    assert sqs_mock.now - started == timedelta(seconds=50)  # the delay, and no more


@pytest.mark.asyncio
async def test_run_until_async_returns_when_a_task_on_the_loop_makes_the_condition_true(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs")
    done: list[str] = []

    async def producer() -> None:
        sqs_mock.send("jobs", "from a task")
        done.append("sent")

    task = asyncio.create_task(producer())  # runs once run_until_async lets the loop idle
    started = sqs_mock.now

    await sqs_mock.run_until_async(lambda: done == ["sent"], consumers=0)

    await task
    assert [m.body for m in sqs_mock.queue("jobs").visible] == ["from a task"]
    assert sqs_mock.now == started


@pytest.mark.asyncio
async def test_run_until_async_fails_with_the_queues_when_the_condition_never_holds(
    sqs_mock: SqsMock, worker: Worker
) -> None:
    started = sqs_mock.now

    with pytest.raises(SqsMockAssertionError) as info:
        await sqs_mock.run_until_async(lambda: worker.handled == ["never sent"], within=timedelta(seconds=45))

    assert not isinstance(info.value, ConsumersBusy)
    assert sqs_mock.now - started == timedelta(seconds=45)
    assert str(info.value).startswith("condition still false after 45 s of virtual time (limit 45 s).\n")
    assert "'jobs'" in str(info.value)


@pytest.mark.asyncio
async def test_run_until_async_gives_up_after_max_steps(sqs_mock: SqsMock, worker: Worker) -> None:
    sqs_mock.wait_until_parked()
    started = sqs_mock.now

    with pytest.raises(SqsMockAssertionError, match=r"^condition still false after 20 s of virtual time"):
        await sqs_mock.run_until_async(lambda: False, max_steps=1)

    assert sqs_mock.now - started == timedelta(seconds=20)  # one move: to the parked poll's deadline


@pytest.mark.asyncio
async def test_run_until_async_fails_when_no_long_poll_parks_within_the_timeout(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs")
    started = sqs_mock.now

    with pytest.raises(ConsumersBusy) as info:
        await sqs_mock.run_until_async(lambda: False, timeout=0.05)

    assert sqs_mock.now == started
    message = str(info.value)
    assert message.startswith(
        "virtual time cannot move: consumers were not all parked in a long poll with at least 1 long poll(s) "
        "parked after 0.05 s of real time.\n"
    )
    assert "pass consumers=" in message
