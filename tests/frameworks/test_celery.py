"""A real Celery worker on kombu's SQS transport, against the simulation, on the virtual clock.

The worker runs in a thread (``celery.contrib.testing.worker.start_worker``, solo
pool) on the event loop Celery uses in production: kombu long-polls through
pycurl, which only the loopback server can answer, while its blocking calls
(DeleteMessage, GetQueueAttributes) and the test's ``delay()`` go through boto3,
which the mock serves in process. Both reach the same simulation.

The worker keeps one long poll open on its one queue, and none while a task
runs (prefetch 1, acks late), so ``run_until(..., consumers=1)`` moves virtual
time only while that poll waits. Every timeline below is exact, on any machine,
under any load.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from celery import Celery
from celery.contrib.testing.app import setup_default_app
from celery.contrib.testing.worker import start_worker

from pytest_sqsmock import MessageView, SqsMock, SqsServer

pytest.importorskip(
    "pycurl",
    reason="kombu's SQS transport long-polls through pycurl, which has no binary wheel for this Python or platform",
    exc_type=ImportError,
)

# kombu's curl client calls pycurl APIs that recent pycurl deprecates (IOCTLFUNCTION, socket_all).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:kombu.asynchronous.http.curl")

QUEUE = "tasks"
DLQ = "tasks-dlq"
VISIBILITY_TIMEOUT = 30
MAX_RECEIVE_COUNT = 3
CPU_SECONDS = 0.5
# A busy loop per core, for the load tests; it ends by itself should a kill ever be missed.
HOG = "import time\ndeadline = time.monotonic() + 120\nwhile time.monotonic() < deadline:\n    pass\n"


class Worker:
    """The running worker's app, and what its tasks saw, in virtual time."""

    def __init__(self, sqs_mock: SqsMock, app: Celery) -> None:
        self.sqs_mock = sqs_mock
        self.app = app
        self.runs: dict[str, list[datetime]] = {}
        # Per run of "spins": virtual time before and after the spin, the queue's
        # in-flight messages at its end, and the CPU seconds it spent.
        self.spins: list[tuple[datetime, datetime, list[MessageView], float]] = []
        self._register_tasks()

    def send(self, task: str) -> datetime:
        """Queue ``task`` as production code does (``delay()``); returns the virtual time it was sent."""
        sent = self.sqs_mock.now
        self.app.tasks[task].delay()
        return sent

    def run_offsets(self, task: str, since: datetime) -> list[float]:
        """Virtual seconds after ``since`` at which ``task`` ran."""
        return [(at - since).total_seconds() for at in self.runs.get(task, [])]

    def _ran(self, task: str) -> int:
        self.runs.setdefault(task, []).append(self.sqs_mock.now)
        return len(self.runs[task])

    def _register_tasks(self) -> None:
        @self.app.task(name="always_fails", shared=False)
        def always_fails() -> None:
            self._ran("always_fails")
            raise RuntimeError("poison: this task can never succeed")

        @self.app.task(name="fails_twice", shared=False)
        def fails_twice() -> None:
            if self._ran("fails_twice") <= 2:
                raise RuntimeError("downstream hiccup")

        @self.app.task(name="spins", shared=False)
        def spins() -> None:
            before = self.sqs_mock.now
            cpu = spin_cpu(CPU_SECONDS)
            self.spins.append((before, self.sqs_mock.now, self.sqs_mock.queue(QUEUE).in_flight, cpu))


def spin_cpu(seconds: float) -> float:
    """Burn ``seconds`` of this thread's CPU time (real work, not a sleep); returns the CPU time spent."""
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        sum(range(10_000))
    return time.thread_time() - start


def celery_app(sqs_mock: SqsMock, server: SqsServer) -> Celery:
    """A Celery app on kombu's SQS transport, pointed at ``server``, configured as for production."""
    keys = sqs_mock.credentials()
    user = quote(keys["aws_access_key_id"], safe="")
    secret = quote(keys["aws_secret_access_key"], safe="")
    app = Celery("sqsmock-tests", broker=f"sqs://{user}:{secret}@{server.host}:{server.port}", set_as_current=False)
    app.conf.update(
        broker_transport_options={
            "region": sqs_mock.region,
            "is_secure": False,  # http:// to the loopback server
            "predefined_queues": {QUEUE: {"url": f"{server.endpoint_url}/{sqs_mock.account_id}/{QUEUE}"}},
            "wait_time_seconds": 20,  # the longest long poll SQS allows
            "polling_interval": 0,  # after an empty long poll, poll again at once
        },
        task_default_queue=QUEUE,
        task_acks_late=True,  # DeleteMessage after the task has run, not on receipt
        task_acks_on_failure_or_timeout=False,  # a failed task is rejected, and SQS redelivers it
        worker_prefetch_multiplier=1,  # one message at a time: no long poll while a task runs
        worker_enable_remote_control=False,  # no pidbox queue: SQS has no broadcast
        worker_hijack_root_logger=False,  # leave pytest's log capture alone
        task_ignore_result=True,
    )
    return app


def deliveries(sqs_mock: SqsMock, since: datetime) -> list[tuple[float, int]]:
    """(virtual seconds after ``since``, ApproximateReceiveCount) of every message the worker received."""
    delivered = []
    for call in sorted(sqs_mock.calls.filter("ReceiveMessage", queue=QUEUE), key=lambda c: c.sequence):
        for message in (call.result or {}).get("Messages", []):
            assert call.answered_at is not None
            receives = int(message["Attributes"]["ApproximateReceiveCount"])
            delivered.append(((call.answered_at - since).total_seconds(), receives))
    return delivered


@pytest.fixture(params=["idle", "cpu-hog"])
def load(request: pytest.FixtureRequest) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Nothing, or a process spinning a busy loop on every core for the length of the test."""
    hogs: list[subprocess.Popen[bytes]] = []
    try:
        if request.param == "cpu-hog":
            for _ in range(os.cpu_count() or 1):
                hogs.append(subprocess.Popen([sys.executable, "-c", HOG]))
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(timeout=30)


@pytest.fixture
def worker(sqs_mock: SqsMock) -> Iterator[Worker]:
    sqs_mock.create_queue(DLQ)
    sqs_mock.create_queue(
        QUEUE,
        attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT)},
        dead_letter_queue=DLQ,
        max_receive_count=MAX_RECEIVE_COUNT,
    )
    app = celery_app(sqs_mock, sqs_mock.server())
    running = Worker(sqs_mock, app)
    with (
        setup_default_app(app),  # puts Celery's current and default app back afterwards
        start_worker(app, perform_ping_check=False, shutdown_timeout=30),
    ):
        sqs_mock.wait_until_parked(consumers=1)  # a known start: its first long poll waits
        yield running


def run_until(sqs_mock: SqsMock, condition: Callable[[], bool]) -> None:
    """Move virtual time whenever the worker's one long poll waits, until ``condition()``."""
    sqs_mock.run_until(condition, consumers=1)


def assert_ran_beside(hogs: list[subprocess.Popen[bytes]]) -> None:
    """The CPU hogs (if any) were still spinning when the scenario ended."""
    assert [hog.poll() for hog in hogs] == [None] * len(hogs)


def test_a_failing_task_is_redelivered_after_each_visibility_timeout_then_dead_lettered(
    sqs_mock: SqsMock, load: list[subprocess.Popen[bytes]], worker: Worker
) -> None:
    sent = worker.send("always_fails")
    run_until(sqs_mock, lambda: len(sqs_mock.queue(DLQ)) == 1)

    # Rejected, not deleted: each failure leaves the message in flight until its visibility timeout ends.
    assert deliveries(sqs_mock, sent) == [(0.0, 1), (30.0, 2), (60.0, 3)]
    assert worker.run_offsets("always_fails", sent) == [0.0, 30.0, 60.0]
    # When the third visibility timeout ran out, the next receive moved it to the dead-letter queue instead.
    assert sqs_mock.now - sent == timedelta(seconds=MAX_RECEIVE_COUNT * VISIBILITY_TIMEOUT)
    dead = sqs_mock.assert_dead_lettered(QUEUE, receives=MAX_RECEIVE_COUNT)
    assert dead.system_attributes["DeadLetterQueueSourceArn"] == sqs_mock.queue(QUEUE).arn
    sqs_mock.assert_empty(QUEUE)
    # kombu leaves a rejected message to the queue's redrive policy: it never deleted it.
    assert sqs_mock.calls.filter("DeleteMessage") == []
    assert_ran_beside(load)


def test_a_task_that_fails_twice_is_retried_after_each_visibility_timeout_then_deleted(
    sqs_mock: SqsMock, load: list[subprocess.Popen[bytes]], worker: Worker
) -> None:
    sent = worker.send("fails_twice")
    run_until(sqs_mock, lambda: len(sqs_mock.queue(QUEUE)) == 0)

    assert deliveries(sqs_mock, sent) == [(0.0, 1), (30.0, 2), (60.0, 3)]
    assert worker.run_offsets("fails_twice", sent) == [0.0, 30.0, 60.0]
    assert sqs_mock.now - sent == timedelta(seconds=2 * VISIBILITY_TIMEOUT)
    # The third run succeeded: acked, so deleted at once, and never dead-lettered.
    [delete] = sqs_mock.calls.filter("DeleteMessage", queue=QUEUE)
    assert (delete.error, delete.time - sent) == (None, timedelta(seconds=60))
    sqs_mock.assert_empty(DLQ)
    assert_ran_beside(load)


def test_a_task_busy_on_the_cpu_never_sees_its_visibility_timeout_expire(
    sqs_mock: SqsMock, load: list[subprocess.Popen[bytes]], worker: Worker
) -> None:
    # A 1-second visibility timeout, and a task that needs half a second of CPU (longer, in wall
    # time, on a loaded machine): virtual time stands still while the worker is busy.
    sqs = sqs_mock.client()
    sqs.set_queue_attributes(QueueUrl=sqs_mock.queue(QUEUE).url, Attributes={"VisibilityTimeout": "1"})
    sent = worker.send("spins")
    run_until(sqs_mock, lambda: len(sqs_mock.queue(QUEUE)) == 0)

    [(before, after, in_flight, cpu)] = worker.spins
    assert cpu >= CPU_SECONDS
    assert before == after == sent
    # When the task ended, its message was still in flight, received once: the ack deleted it.
    assert [m.receive_count for m in in_flight] == [1]
    assert deliveries(sqs_mock, sent) == [(0.0, 1)]
    [delete] = sqs_mock.calls.filter("DeleteMessage", queue=QUEUE)
    assert delete.error is None
    assert sqs_mock.now == sent
    assert_ran_beside(load)
