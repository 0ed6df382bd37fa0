"""Injected faults: make the simulated SQS misbehave the way the real one can, deterministically.

``sqs_mock.faults`` is a :class:`Faults`. Each method adds one fault and
returns its :class:`Fault` handle, whose ``fired`` counts what it did::

    sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=2)
    sqs_mock.faults.duplicate_deliveries("orders", probability=0.2, seed=7)
    sqs_mock.faults.lose_deletes("orders")

Errors are real SQS error responses through the wire codec, so botocore
retries throttles and 5xx as it would against AWS; under ``clock="virtual"``
its back-off costs no wall time (transports/retry_backoff.py). Probabilities
draw from one ``random.Random(seed)`` per fault: the same calls meet the same
faults in every run. A fault lasts until it has acted ``times`` times, until
:meth:`Fault.cancel` or :meth:`Faults.clear`, or until the mock stops.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

from pytest_sqsmock.faults.plan import ErrorFault, Fault, FaultKind, FaultPlan, ReorderFault
from pytest_sqsmock.model.addresses import QueueAddress
from pytest_sqsmock.references import QueueRef, address_of, label_of
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.operations import OPERATIONS
from pytest_sqsmock.sqs_errors import error_for_code

__all__ = ["Fault", "Faults", "QueueRef"]

ANY_OPERATION = "*"


class Faults:
    """Make the simulated SQS misbehave; reach it as ``sqs_mock.faults``.

    Each method names its subject, takes keyword-only options, returns a
    :class:`Fault` and applies from the next call on. ``times`` caps how
    often a fault acts; ``probability`` (with ``seed``) makes it act on a
    seeded share of occasions; with neither, a delivery fault acts once.
    Duplicates, reordering and lost deletes apply to standard queues only
    (FIFO queues deliver exactly once, in order). Set-up helpers
    (``sqs_mock.create_queue``, ``sqs_mock.send``) never fail, and
    ``sqs_mock.lambda_trigger`` meets delivery faults but not errors
    (Lambda's poller retries those itself).
    """

    def __init__(self, service: Service) -> None:
        self._plan = FaultPlan(service)

    # -- errors ---------------------------------------------------------------

    def fail_next(
        self,
        operation: str | Collection[str],
        *,
        code: str = "InternalFailure",
        times: int = 1,
        queue: QueueRef | None = None,
        message: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching calls with an SQS error instead of running them.

        Each HTTP request counts, retries included: ``times=2`` against a client
        that retries lets its third attempt succeed (``RetryAttempts`` 2). The
        failed calls appear in ``sqs_mock.calls`` with ``error.injected``.

        Args:
            operation: An operation name (``"SendMessage"``), several, or ``"*"`` for any.
            code: A code of the SQS error catalogue as botocore's ``Error.Code``
                shows it, or its shape name: ``"RequestThrottled"`` (403),
                ``"ThrottlingException"`` (400), ``"InternalFailure"`` (500),
                ``"ServiceUnavailable"`` (503), ``"KMS.ThrottlingException"``,
                ``"OverLimit"``, ``"AWS.SimpleQueueService.NonExistentQueue"``, ...
            times: How many calls fail.
            queue: Only calls that name this queue (``QueueUrl``, or ``QueueName``).
            message: The error message (default: AWS's text for the code).

        Raises:
            ValueError: an unknown operation or code, or ``times`` < 1.
        """
        return self._add_error(operation, code, times, None, 0, queue, message)

    def fail_randomly(
        self,
        operation: str | Collection[str],
        *,
        code: str,
        probability: float,
        seed: int = 0,
        times: int | None = None,
        queue: QueueRef | None = None,
        message: str | None = None,
    ) -> Fault:
        """Answer a seeded random share of matching calls with an SQS error.

        Args:
            operation: An operation name, several, or ``"*"`` for any.
            code: An SQS error code (see :meth:`fail_next`).
            probability: The chance that each matching call fails, in (0, 1].
            seed: Seeds this fault's own random generator.
            times: At most this many failures (default: no limit).
            queue: Only calls that name this queue.
            message: The error message (default: AWS's text for the code).

        Raises:
            ValueError: an unknown operation or code, or a probability outside (0, 1].
        """
        return self._add_error(operation, code, times, probability, seed, queue, message)

    # -- deliveries -----------------------------------------------------------

    def duplicate_deliveries(
        self, queue: QueueRef, *, times: int | None = None, probability: float | None = None, seed: int = 0
    ) -> Fault:
        """Deliver received messages a second time, as SQS's at-least-once delivery may.

        A chosen message comes again in the next receive from the queue, with
        a new receipt handle and ApproximateReceiveCount + 1, even while its
        first copy is in flight, and even if it was deleted meanwhile (its
        handle then acts on nothing, like a stray copy's). ``fired`` counts
        the messages chosen.

        Args:
            queue: The standard queue.
            times: How many received messages come twice.
            probability: The chance for each received message, instead.
            seed: Seeds the draws.

        Raises:
            ValueError: a FIFO queue, or a bad ``times``/``probability``.
        """
        return self._add_delivery("duplicate_delivery", queue, times, probability, seed)

    def reorder(self, queue: QueueRef, *, seed: int = 0) -> Fault:
        """Receive the queue's visible messages in a seeded shuffle instead of send order.

        SQS orders standard queues on a best-effort basis only. ``fired``
        counts the receives that returned messages meanwhile.

        Raises:
            ValueError: a FIFO queue.
        """
        match = _match(queue, standard_only=True)
        fault = ReorderFault(self._plan, seed, description=f"reorder({label_of(queue)!r}, seed={seed})", queue=match)
        self._plan.add(fault, resync_order=True)
        return fault

    def empty_receives(
        self, queue: QueueRef, *, times: int | None = None, probability: float | None = None, seed: int = 0
    ) -> Fault:
        """Answer short polls (``WaitTimeSeconds=0``) with no messages although some are visible.

        A short poll samples a subset of SQS's servers and may miss every
        message. Long polls, and short polls of a queue with nothing visible,
        are left alone (and not counted).

        Args:
            queue: The queue (standard or FIFO).
            times: How many short polls come back empty.
            probability: The chance for each short poll, instead.
            seed: Seeds the draws.
        """
        return self._add_delivery("empty_receive", queue, times, probability, seed)

    def lose_deletes(
        self, queue: QueueRef, *, times: int | None = None, probability: float | None = None, seed: int = 0
    ) -> Fault:
        """Answer DeleteMessage (and batch entries) with success, but keep the message.

        The message stays in flight and is delivered again when its visibility
        timeout passes, as if the delete had missed one of SQS's copies.

        Args:
            queue: The standard queue.
            times: How many deletes are lost.
            probability: The chance for each delete, instead.
            seed: Seeds the draws.

        Raises:
            ValueError: a FIFO queue, or a bad ``times``/``probability``.
        """
        return self._add_delivery("lost_delete", queue, times, probability, seed)

    # -- all of them ----------------------------------------------------------

    @property
    def active(self) -> list[Fault]:
        """The faults that may still act, oldest first."""
        with self._plan.lock:
            return [fault for fault in self._plan.faults if fault.active]

    def clear(self) -> None:
        """Remove every fault: pending duplicates are dropped, queues deliver in send order again."""
        self._plan.clear()

    def __repr__(self) -> str:
        return f"<Faults active={self.active!r}>"

    # -- internals ------------------------------------------------------------

    def _add_error(
        self,
        operation: str | Collection[str],
        code: str,
        times: int | None,
        probability: float | None,
        seed: int,
        queue: QueueRef | None,
        message: str | None,
    ) -> Fault:
        names = [operation] if isinstance(operation, str) else list(operation)
        if not names:
            raise ValueError(f"name at least one operation, or {ANY_OPERATION!r} for any")
        for name in names:
            if name != ANY_OPERATION and name not in OPERATIONS:
                close = difflib.get_close_matches(name, list(OPERATIONS), n=3)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                raise ValueError(f"{name!r} is not an SQS operation.{hint} Use {ANY_OPERATION!r} for any.")
        error = error_for_code(code, message)
        _check_trigger(times, probability)
        where = "" if queue is None else f" on {label_of(queue)!r}"
        fault = ErrorFault(
            self._plan,
            None if ANY_OPERATION in names else frozenset(names),
            error,
            description=f"{'/'.join(names)} -> {error.code}{where}",
            times=times,
            probability=probability,
            seed=seed,
            queue=None if queue is None else _match(queue, standard_only=False),
        )
        self._plan.add(fault)
        return fault

    def _add_delivery(
        self, kind: FaultKind, queue: QueueRef, times: int | None, probability: float | None, seed: int
    ) -> Fault:
        _check_trigger(times, probability)
        if times is None and probability is None:
            times = 1
        match = _match(queue, standard_only=kind != "empty_receive")
        trigger = f"times={times}" if probability is None else f"probability={probability}, seed={seed}"
        description = f"{kind}({label_of(queue)!r}, {trigger})"
        fault = Fault(self._plan, kind, description, times=times, probability=probability, seed=seed, queue=match)
        self._plan.add(fault)
        return fault


def _match(queue: QueueRef, *, standard_only: bool) -> QueueAddress:
    match = address_of(queue)
    if match is None:
        raise ValueError(f"{queue!r} is neither a queue name, URL nor ARN")
    if standard_only and match.name.endswith(".fifo"):
        raise ValueError(
            f"{match.name!r} is a FIFO queue, which delivers exactly once and in order; "
            "this fault applies to standard queues"
        )
    return match


def _check_trigger(times: int | None, probability: float | None) -> None:
    if times is not None and (type(times) is not int or times < 1):
        raise ValueError(f"times must be a positive int, got {times!r}")
    if probability is not None and not 0 < probability <= 1:
        raise ValueError(f"probability must be in (0, 1], got {probability!r}")
