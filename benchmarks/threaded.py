"""Threaded consumers: how fast a waiting long poll wakes, and what a ``run_until`` step costs.

Ours only: moto has no virtual clock to drive (its long polls wait in real
time), so there is nothing to put beside these numbers.

Wake latency. A worker thread long-polls (``WaitTimeSeconds=20``) with its own
boto3 client and parks; the test's thread then makes one change that makes a
message receivable, and the time from just before that call until the
worker's ``receive_message`` returns is one sample (``time.perf_counter_ns``
in both threads; the worker notes when its call returned, the test's thread
waits for that note on a queue, never sleeping). The test's thread waits for
the worker to park again (``wait_until_parked``) before the next change, so
every sample is a hand-off to a poll that was already waiting.

Cost of a ``run_until`` step. A worker thread fails every message (it never
deletes), so each visibility timeout hands it back; ``run_until`` without
``step`` moves virtual time once per redelivery. Wall and process CPU time
per move of time, both threads together, and the driving thread's own CPU time.
"""

from __future__ import annotations

import functools
import gc
import itertools
import queue
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from botocore.endpoint import Endpoint

from benchmarks.canned import BODY
from benchmarks.sides import REGION, plain_session
from benchmarks.timing import Budget, Latency, Timing
from benchmarks.workloads import Skipped
from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports import botocore_hook

WAIT_S: Final = 20
# What a waiting poll's wake should cost at most (a 2-core machine, one worker thread).
GOAL_MEDIAN_US: Final = 1_000.0
GOAL_P99_US: Final = 10_000.0
# Real seconds to wait for the worker before calling the benchmark broken (never reached when it works).
_STUCK_S: Final = 30.0
# Visibility timeout of the run_until workload: each move of time is one redelivery.
STEP_VISIBILITY_S: Final = 1


@dataclass(frozen=True)
class WakeCase:
    """One way to make a message receivable for a waiting poll."""

    name: str
    transport: str  # "in-process" (the botocore hook) or "loopback server"


WAKE_CASES: Final = (
    WakeCase("SendMessage from another thread", "in-process"),
    WakeCase("FIFO DeleteMessage unblocks the group", "in-process"),
    WakeCase("ChangeMessageVisibility to 0", "in-process"),
    WakeCase("advance() past DelaySeconds", "in-process"),
    WakeCase("SendMessage from another thread", "loopback server"),
)


# -- wake latency -------------------------------------------------------------


class _Poller:
    """A worker thread that long-polls in a loop and reports when each poll returned."""

    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self._url = url
        self._stopping = threading.Event()
        self.returned: queue.SimpleQueue[tuple[int, dict[str, Any]] | BaseException] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="wake-latency-poller", daemon=True)

    def start(self) -> _Poller:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                response = self._client.receive_message(
                    QueueUrl=self._url, WaitTimeSeconds=WAIT_S, MaxNumberOfMessages=1
                )
                self.returned.put((time.perf_counter_ns(), response))
        except BaseException as error:  # reported to the measuring thread
            self.returned.put(error)

    def next(self) -> tuple[int, dict[str, Any]]:
        """When the next poll returned, and what it got (exactly one message)."""
        try:
            result = self.returned.get(timeout=_STUCK_S)
        except queue.Empty:
            raise RuntimeError(f"the worker's long poll did not return within {_STUCK_S:g} s") from None
        if isinstance(result, BaseException):
            raise RuntimeError("the worker's long poll failed") from result
        returned, response = result
        if len(response.get("Messages", [])) != 1:
            raise RuntimeError(f"expected the worker to receive one message, got {response!r}")
        return returned, response

    def stop(self, sqs: SqsMock) -> None:
        """End the loop: its waiting poll runs out when virtual time passes its deadline."""
        self._stopping.set()
        if self._thread.ident is None:
            return  # never started
        sqs.wait_until_parked(1, timeout=_STUCK_S)
        sqs.advance(WAIT_S)
        self._thread.join(_STUCK_S)
        if self._thread.is_alive():
            raise RuntimeError("the worker thread did not stop")


def _botocore_send() -> Callable[..., Any]:
    """botocore's own ``Endpoint._send``, whether or not a mock has patched it meanwhile."""
    original: Callable[..., Any] | None = getattr(botocore_hook, "_original_send", None)
    return original if original is not None else Endpoint._send  # type: ignore[attr-defined]


def _through_server(client: Any) -> Any:
    """Make ``client`` really send over HTTP.

    The in-process hook answers every SQS request of this process, also those
    of clients with ``endpoint_url``; this client's endpoint goes around it.
    """
    endpoint = client._endpoint
    endpoint._send = functools.partial(_botocore_send(), endpoint)
    return client


@dataclass
class _Rig:
    """An active mock, the test thread's client, the queue, and the worker that long-polls it."""

    sqs: SqsMock
    client: Any
    url: str
    poller: _Poller
    serial: Iterator[int]


@contextmanager
def _rig(transport: str, queue_name: str, attributes: dict[str, str]) -> Iterator[_Rig]:
    """The worker long-polls through ``transport``; the test thread's client is always in-process."""
    with mock_sqs() as sqs:
        session = plain_session()
        keys = sqs.credentials()
        client: Any = session.client("sqs", region_name=REGION, **keys)
        poller_client: Any
        if transport == "loopback server":
            server = sqs.server()
            poller_client = _through_server(
                session.client("sqs", region_name=REGION, endpoint_url=server.endpoint_url, **keys)
            )
        else:
            poller_client = session.client("sqs", region_name=REGION, **keys)
        url = str(poller_client.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"])
        poller = _Poller(poller_client, url)  # started once the case has set the queue up
        try:
            yield _Rig(sqs, client, url, poller, itertools.count())
        finally:
            poller.stop(sqs)


@dataclass(frozen=True)
class _Steps:
    """One repetition: ``prepare`` (untimed), ``change`` (timed), ``after`` (untimed, given the worker's response)."""

    change: Callable[[], object]
    after: Callable[[dict[str, Any]], None]
    prepare: Callable[[], None] | None = None


def _handle(response: dict[str, Any]) -> str:
    return str(response["Messages"][0]["ReceiptHandle"])


def _send(rig: _Rig) -> _Steps:
    """(a) SendMessage from the test thread; the received message is deleted afterwards."""
    return _Steps(
        change=lambda: rig.client.send_message(QueueUrl=rig.url, MessageBody=BODY),
        after=lambda response: rig.client.delete_message(QueueUrl=rig.url, ReceiptHandle=_handle(response)),
    )


def _fifo_delete(rig: _Rig) -> _Steps:
    """(b) One group: the test thread deletes the message in flight; the worker gets the next one.

    The worker's message then blocks the group in turn, and the next message is
    sent (untimed) behind it before the worker parks again.
    """

    def send_next() -> None:
        serial = next(rig.serial)
        rig.client.send_message(
            QueueUrl=rig.url, MessageBody=BODY, MessageGroupId="g", MessageDeduplicationId=f"m{serial}"
        )

    send_next()
    send_next()
    held = [_handle(rig.client.receive_message(QueueUrl=rig.url))]

    def after(response: dict[str, Any]) -> None:
        held[0] = _handle(response)
        send_next()

    return _Steps(change=lambda: rig.client.delete_message(QueueUrl=rig.url, ReceiptHandle=held[0]), after=after)


def _visibility_zero(rig: _Rig) -> _Steps:
    """(c) ChangeMessageVisibility 0 on the one message in flight; the worker receives it again."""
    rig.client.send_message(QueueUrl=rig.url, MessageBody=BODY)
    held = [_handle(rig.client.receive_message(QueueUrl=rig.url))]

    def after(response: dict[str, Any]) -> None:
        held[0] = _handle(response)

    return _Steps(
        change=lambda: rig.client.change_message_visibility(
            QueueUrl=rig.url, ReceiptHandle=held[0], VisibilityTimeout=0
        ),
        after=after,
    )


def _advance_past_delay(rig: _Rig) -> _Steps:
    """(d) A message sent with DelaySeconds=1 (untimed), then ``advance(1)``; deleted afterwards."""

    def send_delayed() -> None:
        rig.client.send_message(QueueUrl=rig.url, MessageBody=BODY, DelaySeconds=1)

    return _Steps(
        prepare=send_delayed,
        change=lambda: rig.sqs.advance(1),
        after=lambda response: rig.client.delete_message(QueueUrl=rig.url, ReceiptHandle=_handle(response)),
    )


_FIFO: Final = {"FifoQueue": "true"}
# Case name -> how to run it, the queue's name and attributes.
_BUILDERS: Final[dict[str, tuple[Callable[[_Rig], _Steps], str, dict[str, str]]]] = {
    "SendMessage from another thread": (_send, "wake", {}),
    "FIFO DeleteMessage unblocks the group": (_fifo_delete, "wake.fifo", _FIFO),
    "ChangeMessageVisibility to 0": (_visibility_zero, "wake", {}),
    "advance() past DelaySeconds": (_advance_past_delay, "wake", {}),
}


def wake_latency(case: WakeCase, repetitions: int) -> Latency:
    """Measure one case ``repetitions`` times, after a tenth as many untimed warm-up rounds.

    Raises:
        RuntimeError: the worker did not get exactly the one message the change made receivable.
    """
    build, queue_name, attributes = _BUILDERS[case.name]
    warmup = max(1, repetitions // 10)
    samples: list[float] = []
    calls: list[float] = []
    with _rig(case.transport, queue_name, attributes) as rig:
        steps = build(rig)
        rig.poller.start()
        gc.collect()
        for round_ in range(warmup + repetitions):
            if steps.prepare is not None:
                steps.prepare()
            rig.sqs.wait_until_parked(1, timeout=_STUCK_S)
            if not rig.poller.returned.empty():
                raise RuntimeError(f"{case.name}: the worker received a message before the change")
            started = time.perf_counter_ns()
            steps.change()
            called = time.perf_counter_ns()
            returned, response = rig.poller.next()
            if round_ >= warmup:
                samples.append((returned - started) / 1000)
                calls.append((called - started) / 1000)
            steps.after(response)
    return Latency(tuple(samples), tuple(calls))


# -- run_until ------------------------------------------------------------------


class _FailingConsumer:
    """A worker thread that receives and never deletes: every message comes back after its visibility timeout."""

    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self._url = url
        self._stopping = threading.Event()
        self.received = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="run-until-consumer", daemon=True)

    def start(self) -> _FailingConsumer:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                response = self._client.receive_message(
                    QueueUrl=self._url, WaitTimeSeconds=WAIT_S, MaxNumberOfMessages=1
                )
                self.received += len(response.get("Messages", []))  # and fail it: no delete
        except BaseException as error:  # reported by stop()
            self.error = error

    def stop(self, sqs: SqsMock) -> None:
        """End the loop: the next redelivery wakes its last poll."""
        self._stopping.set()
        if self._thread.is_alive() and self.error is None:
            sqs.wait_until_parked(1, timeout=_STUCK_S)
            sqs.advance(WAIT_S)
        self._thread.join(_STUCK_S)
        if self.error is not None:
            raise RuntimeError("the consumer's long poll failed") from self.error
        if self._thread.is_alive():
            raise RuntimeError("the consumer thread did not stop")


def run_until_step(side_name: str, budget: Budget, size: int) -> Timing:
    """Wall and process CPU time per move of virtual time by ``run_until`` (a Runner; ``size`` unused).

    One message, a 1-second visibility timeout, a worker thread that fails it
    every time: each step is one jump of virtual time past the visibility
    timeout, one hand-off, and the worker's next long poll parking. Steps are
    counted from the virtual time elapsed, and checked against the redeliveries.

    Raises:
        Skipped: on any side but ours (no virtual clock to drive).
        RuntimeError: the steps did not match the redeliveries.
    """
    if side_name != "ours":
        raise Skipped("no virtual clock to drive")
    attributes = {"VisibilityTimeout": str(STEP_VISIBILITY_S), "MessageRetentionPeriod": "1209600"}
    with mock_sqs() as sqs:
        keys = sqs.credentials()
        session = plain_session()
        client: Any = session.client("sqs", region_name=REGION, **keys)
        url = str(client.create_queue(QueueName="run-until", Attributes=attributes)["QueueUrl"])
        consumer = _FailingConsumer(session.client("sqs", region_name=REGION, **keys), url).start()
        try:
            sqs.wait_until_parked(1, timeout=_STUCK_S)
            client.send_message(QueueUrl=url, MessageBody=BODY)  # handed to the worker at once...
            sqs.wait_until_parked(1, timeout=_STUCK_S)  # ...which counts it before it polls again
            if consumer.received != 1:
                raise RuntimeError(f"the worker received {consumer.received} messages, expected 1")

            def run(steps: int) -> tuple[int, int, int, int]:
                """Run ``steps`` redeliveries: (wall ns, CPU ns, this thread's CPU ns, steps taken)."""
                target = consumer.received + steps
                before_ms = sqs.simulation.now_ms
                thread_start = time.thread_time_ns()
                cpu_start = time.process_time_ns()
                start = time.perf_counter_ns()
                sqs.run_until(
                    lambda: consumer.received >= target,
                    within=steps * STEP_VISIBILITY_S + WAIT_S,
                    max_steps=2 * steps + 10,
                )
                wall, cpu = time.perf_counter_ns() - start, time.process_time_ns() - cpu_start
                driving = time.thread_time_ns() - thread_start
                taken = (sqs.simulation.now_ms - before_ms) // (STEP_VISIBILITY_S * 1000)
                if taken != steps or consumer.received != target:
                    raise RuntimeError(
                        f"{taken} steps of virtual time for {consumer.received - target + steps} redeliveries"
                        f" (expected {steps} of each)"
                    )
                return wall, cpu, driving, taken

            warmup = max(1, budget.warmup)
            wall, _cpu, _driving, taken = run(warmup)
            per_step_ns = max(1, wall // taken)
            steps = int(max(1, budget.target_s * 1e9 // per_step_ns))
            samples: list[float] = []
            cpu_samples: list[float] = []
            driving_samples: list[float] = []
            for _ in range(budget.repeats):
                gc.collect()
                wall, cpu, driving, taken = run(steps)
                samples.append(wall / taken / 1000)
                cpu_samples.append(cpu / taken / 1000)
                driving_samples.append(driving / taken / 1000)
        finally:
            consumer.stop(sqs)
    return Timing(
        statistics.median(samples),
        tuple(samples),
        steps,
        statistics.median(cpu_samples),
        statistics.median(driving_samples),
    )
