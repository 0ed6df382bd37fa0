"""An SQS-triggered AWS Lambda function, simulated in process on the virtual clock.

:meth:`SqsMock.lambda_trigger` builds a :class:`LambdaTrigger`: an event source
mapping that polls a queue as Lambda's pollers do, invokes a Python handler with
the exact SQS event, deletes what succeeded and leaves failures in flight until
the visibility timeout, so the queue's RedrivePolicy dead-letters them. See
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html and
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html.

Nothing runs by itself: :meth:`LambdaTrigger.poll` runs one poll cycle and
:meth:`LambdaTrigger.drain` runs cycles, moving virtual time, until the queue is
empty. The trigger's own ReceiveMessage/DeleteMessageBatch calls go straight to
the service (same receive counts, handles and DLQ moves) and are *not* recorded
in ``sqs_mock.calls``, which stays the journal of the code under test; the
trigger keeps its own journal, :attr:`LambdaTrigger.invocations`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.lambda_events import (
    MAX_PAYLOAD_BYTES,
    FunctionTimeoutError,
    LambdaContext,
    record_size,
    reported_failures,
    sqs_record,
    validate_mapping,
)
from pytest_sqsmock.simulation import Simulation
from pytest_sqsmock.views import QueueView

__all__ = [
    "DrainResult",
    "FunctionTimeoutError",
    "Invocation",
    "LambdaContext",
    "LambdaHandler",
    "LambdaTrigger",
    "PollResult",
]

LambdaHandler = Callable[[dict[str, Any], Any], Any]
"""``handler(event, context)``, as the Lambda Python runtime calls it."""

RECEIVE_LIMIT = 10  # messages per ReceiveMessage call
_NEEDS_VIRTUAL_CLOCK = (
    "a batching window and drain() move virtual time: use clock='virtual' (README#controlling-time), "
    "or call poll() of a trigger without a batching window"
)


@dataclass(frozen=True)
class Invocation:
    """One call of the handler and what the trigger did with its batch.

    Attributes:
        event: The event passed (``{"Records": [...]}``), as built; the handler got a copy.
        context: The context passed.
        result: What the handler returned (``None`` if it raised).
        error: The exception that failed the whole batch (handler error, timeout,
            unserialisable result), or ``None``.
        reason: Why records failed, in words, or ``None`` when all succeeded.
        failed_message_ids: Records left in flight to return after the visibility timeout.
        deleted_message_ids: Records deleted from the queue.
        time: When the handler was called (virtual time, aware UTC).
    """

    event: dict[str, Any]
    context: Any
    result: Any
    error: BaseException | None
    reason: str | None
    failed_message_ids: tuple[str, ...]
    deleted_message_ids: tuple[str, ...]
    time: datetime

    @property
    def records(self) -> list[dict[str, Any]]:
        """The event's records."""
        records: list[dict[str, Any]] = self.event["Records"]
        return records

    @property
    def message_ids(self) -> list[str]:
        """The ``messageId`` of every record, in batch order."""
        return [record["messageId"] for record in self.records]

    @property
    def bodies(self) -> list[str]:
        """The ``body`` of every record, in batch order."""
        return [record["body"] for record in self.records]

    @property
    def outcome(self) -> Literal["success", "partial", "failure"]:
        """``"success"`` (all deleted), ``"partial"`` or ``"failure"`` (none deleted)."""
        if not self.failed_message_ids:
            return "success"
        return "failure" if len(self.failed_message_ids) == len(self.records) else "partial"


@dataclass(frozen=True)
class PollResult:
    """What one poll cycle did: the invocations it made (none when the queue had nothing)."""

    time: datetime
    invocations: tuple[Invocation, ...]

    @property
    def deleted(self) -> list[str]:
        """Message ids deleted in this cycle."""
        return [i for invocation in self.invocations for i in invocation.deleted_message_ids]

    @property
    def failed(self) -> list[str]:
        """Message ids left to return after their visibility timeout."""
        return [i for invocation in self.invocations for i in invocation.failed_message_ids]


@dataclass(frozen=True)
class DrainResult:
    """What :meth:`LambdaTrigger.drain` did: the cycles that invoked, and whether the queue emptied."""

    polls: tuple[PollResult, ...]
    drained: bool

    @property
    def invocations(self) -> list[Invocation]:
        """Every invocation, oldest first."""
        return [invocation for poll in self.polls for invocation in poll.invocations]


class LambdaTrigger:
    """An SQS event source mapping with its function; build it with :meth:`SqsMock.lambda_trigger`.

    Each poll cycle receives (queue visibility timeout, every attribute) up to
    ``batch_size`` records per batch and up to ``maximum_concurrency`` batches
    (1 when not set), then calls ``handler(event, context)`` for each batch in
    turn, all at the same virtual time. A batch succeeds unless the handler
    raises, runs past ``timeout`` seconds of virtual time, returns something that
    is not JSON, or (with ``report_batch_item_failures``) returns failures;
    successes are deleted, failures stay in flight until the visibility timeout.
    On FIFO queues every record after the first failed one returns too, so
    group order holds (Lambda asks FIFO handlers to stop at the first failure).
    """

    def __init__(
        self,
        simulation: Simulation,
        queue: str | QueueView,
        handler: LambdaHandler,
        *,
        batch_size: int = 10,
        maximum_batching_window: int = 0,
        report_batch_item_failures: bool = False,
        maximum_concurrency: int | None = None,
        function_name: str = "function",
        timeout: float = 3.0,
        context: Any = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> None:
        if isinstance(queue, QueueView):
            view = simulation.view(queue)
        else:
            view = simulation.view(queue, region=region, account_id=account_id)
        validate_mapping(view, batch_size, maximum_batching_window, maximum_concurrency, timeout)
        if maximum_batching_window and not simulation.virtual:
            raise SqsMockError(_NEEDS_VIRTUAL_CLOCK)
        self._simulation = simulation
        self._queue = view
        self.handler = handler
        self.batch_size = batch_size
        self.maximum_batching_window = maximum_batching_window
        self.report_batch_item_failures = report_batch_item_failures
        self.maximum_concurrency = maximum_concurrency
        self.function_name = function_name
        self.function_arn = f"arn:aws:lambda:{view.region}:{view.account_id}:function:{function_name}"
        self.timeout = timeout
        self._context = context
        self._invocations: list[Invocation] = []

    @property
    def queue(self) -> QueueView:
        """A fresh snapshot of the source queue."""
        return self._simulation.view(self._queue)

    @property
    def invocations(self) -> list[Invocation]:
        """Every invocation so far, oldest first."""
        return list(self._invocations)

    def poll(self) -> PollResult:
        """Run one poll cycle: receive, invoke, delete what succeeded.

        Without a batching window the cycle takes no virtual time; with one, it
        gathers records until the batch is full, 6 MB are gathered or the window
        (opened by the first record found) ends, moving virtual time as needed.
        An empty queue costs no time and invokes nothing. Pass it as ``step=``
        to :meth:`SqsMock.run_until` to run the function until a condition holds.
        """
        started = self._simulation.now_ms
        batches = self._split(self._gather() if self.maximum_batching_window else self._receive_batches())
        invocations = tuple(self._invoke(batch) for batch in batches)
        self._invocations.extend(invocations)
        return PollResult(time=to_datetime(started), invocations=invocations)

    def drain(self, *, within: float = 3600.0, max_invocations: int = 10_000) -> DrainResult:
        """Run poll cycles until the queue holds no message, jumping to each visibility expiry.

        Args:
            within: Virtual seconds to spend at most.
            max_invocations: Stop after this many invocations.

        Returns:
            The cycles that invoked the handler, and ``drained``: whether the queue emptied.
        """
        deadline = self._simulation.now_ms + round(within * 1000)
        polls: list[PollResult] = []
        invoked = 0
        while invoked < max_invocations and self._simulation.now_ms <= deadline:
            result = self.poll()
            if result.invocations:
                polls.append(result)
                invoked += len(result.invocations)
                continue
            held, next_change = self._queue_state()
            if not held:
                return DrainResult(tuple(polls), drained=True)
            if next_change is None or next_change > deadline or next_change <= self._simulation.now_ms:
                break
            self._advance_to(next_change)
        return DrainResult(tuple(polls), drained=not self._queue_state()[0])

    # -- receiving ------------------------------------------------------------

    def _receive(self, limit: int) -> list[dict[str, Any]]:
        params = {
            "QueueUrl": self._queue.url,
            "MaxNumberOfMessages": limit,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        result = self._simulation.call("ReceiveMessage", params, self._queue.region, self._queue.account_id)
        return [sqs_record(message, self._queue.arn, self._queue.region) for message in result.get("Messages", [])]

    def _receive_batches(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for _ in range(self.maximum_concurrency or 1):
            batch = self._receive(self.batch_size)
            if not batch:
                break
            records.extend(batch)
        return records

    def _gather(self) -> list[dict[str, Any]]:
        capacity = (self.maximum_concurrency or 1) * self.batch_size
        payload_cap = (self.maximum_concurrency or 1) * MAX_PAYLOAD_BYTES
        deadline = self._simulation.now_ms + self.maximum_batching_window * 1000
        gathered: dict[str, dict[str, Any]] = {}
        payload = 0
        while len(gathered) < capacity and payload < payload_cap:
            got = self._receive(min(RECEIVE_LIMIT, capacity - len(gathered)))
            for record in got:
                # A record whose visibility ran out during the window comes back with a new handle.
                previous = gathered.get(record["messageId"])
                payload += record_size(record) - (0 if previous is None else record_size(previous))
                gathered[record["messageId"]] = record
            if got:
                continue
            if not gathered or self._simulation.now_ms >= deadline:
                break
            next_change = self._queue_state()[1]
            self._advance_to(deadline if next_change is None else min(next_change, deadline))
        return list(gathered.values())

    def _split(self, records: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        batches: list[list[dict[str, Any]]] = []
        payload = 0
        for record in records:
            size = record_size(record)
            if not batches or len(batches[-1]) >= self.batch_size or payload + size > MAX_PAYLOAD_BYTES:
                batches.append([])
                payload = 0
            batches[-1].append(record)
            payload += size
        return batches

    # -- invoking -------------------------------------------------------------

    def _invoke(self, records: list[dict[str, Any]]) -> Invocation:
        event = {"Records": records}
        started = self._simulation.now_ms
        context = self._context if self._context is not None else self._new_context(started)
        result: Any = None
        error: BaseException | None = None
        try:
            # Lambda hands over freshly decoded JSON: the handler may mutate it freely.
            result = self.handler(json.loads(json.dumps(event)), context)
            json.dumps(result)  # the runtime serialises the response (Runtime.MarshalError)
        except Exception as exc:
            error = exc
        if error is None and self._simulation.now_ms - started > round(self.timeout * 1000):
            error = FunctionTimeoutError(f"Task timed out after {self.timeout:.2f} seconds")
        ids = [record["messageId"] for record in records]
        failed: set[str]
        reason: str | None
        if error is not None:
            failed, reason = set(ids), f"the invocation failed: {error!r}"
        elif self.report_batch_item_failures:
            failed, reason = reported_failures(result, ids)
        else:
            failed, reason = set(), None
        if failed and self._queue.fifo:
            first = min(ids.index(message_id) for message_id in failed)
            failed.update(ids[first:])
        deleted = self._delete([record for record in records if record["messageId"] not in failed])
        return Invocation(
            event=event,
            context=context,
            result=result,
            error=error,
            reason=reason,
            failed_message_ids=tuple(i for i in ids if i in failed),
            deleted_message_ids=tuple(deleted),
            time=to_datetime(started),
        )

    def _new_context(self, started_ms: int) -> LambdaContext:
        return LambdaContext(
            function_name=self.function_name,
            invoked_function_arn=self.function_arn,
            aws_request_id=str(uuid.uuid4()),
            deadline_ms=started_ms + round(self.timeout * 1000),
            clock=lambda: self._simulation.now_ms,
        )

    def _delete(self, records: list[dict[str, Any]]) -> list[str]:
        deleted: list[str] = []
        for start in range(0, len(records), RECEIVE_LIMIT):
            chunk = records[start : start + RECEIVE_LIMIT]
            entries = [{"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(chunk)]
            params = {"QueueUrl": self._queue.url, "Entries": entries}
            result = self._simulation.call("DeleteMessageBatch", params, self._queue.region, self._queue.account_id)
            deleted.extend(chunk[int(entry["Id"])]["messageId"] for entry in result.get("Successful", []))
        return deleted

    # -- time and state -------------------------------------------------------

    def _queue_state(self) -> tuple[int, int | None]:
        """How many messages the queue holds, and when the next one turns visible."""
        return self._simulation.queue_state(self._queue)

    def _advance_to(self, target_ms: int) -> None:
        if not self._simulation.virtual:
            raise SqsMockError(_NEEDS_VIRTUAL_CLOCK)
        self._simulation.advance_to(max(target_ms, self._simulation.now_ms))

    def __repr__(self) -> str:
        return (
            f"LambdaTrigger({self.function_name!r} <- {self._queue.name!r}, batch_size={self.batch_size}, "
            f"invocations={len(self._invocations)})"
        )
