"""The service: one entry point, ``Service.handle(operation, params, context)``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from pytest_sqsmock.clock import Clock
from pytest_sqsmock.model.move_task import MoveTaskBook
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service import access
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.errors import (
    SqsError,
    invalid_action,
    invalid_value,
    missing_parameter,
    queue_does_not_exist,
)
from pytest_sqsmock.service.fault_hooks import FaultHooks
from pytest_sqsmock.service.names import split_queue_url
from pytest_sqsmock.service.registry import Registry

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[["Service", Params, RequestContext], Result]


class Service:
    """A simulated SQS: every account and region, one lock, one clock.

    Every call runs under ``lock``; ``changed`` (on the same lock) is notified
    whenever a message may have become receivable, for waiting long polls.
    """

    def __init__(self, clock: Clock, operations: Mapping[str, Handler]) -> None:
        self.clock = clock
        self.registry = Registry()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.move_tasks = MoveTaskBook()
        # Set when the mock stops: long polls still waiting return at once.
        self.closed = False
        self._operations = operations
        # Injected faults (pytest_sqsmock.faults); None, the usual case, costs one check per hook.
        self.faults: FaultHooks | None = None
        # Grows with every call: lets a driver tell when consumer threads went quiet.
        self.activity = 0

    def handle(self, operation: str, params: Params, context: RequestContext) -> Result:
        """Run one SQS operation and return its result in AWS member names.

        Raises:
            SqsError: exactly the error SQS answers with.
        """
        handler = self._operations.get(operation)
        if handler is None:
            raise invalid_action(operation)
        with self.lock:
            self.activity += 1
            return handler(self, params, context)

    def next_event_ms(self) -> int | None:
        """The earliest moment a delayed or in-flight message of any queue turns visible, or a move task acts."""
        with self.lock:
            times = [t for queue in self.registry.all_queues() if (t := queue.next_change_ms()) is not None]
            task_event = self.move_tasks.next_event_ms()
        if task_event is not None:
            times.append(task_event)
        return min(times, default=None)

    def now_ms(self) -> int:
        """The simulation's current time."""
        return self.clock.now_ms()

    def notify(self) -> None:
        """Wake long polls: something may have become receivable (lock held)."""
        self.changed.notify_all()

    def next_task_event_ms(self) -> int | None:
        """When the next move-task move falls due, if any task runs."""
        return None if self.move_tasks.idle else self.move_tasks.next_event_ms()

    def close(self) -> None:
        """Release every waiting long poll; the simulation stays readable."""
        with self.lock:
            self.closed = True
            self.notify()

    def catch_up_tasks(self, now_ms: int | None = None) -> None:
        """Replay the message moves that fell due (lock held); free when no task runs.

        Move tasks (service/move_tasks.py) progress lazily: call this before
        reading any queue a task may touch. `resolve_queue` does.
        """
        if self.move_tasks.idle:
            return
        when = self.now_ms() if now_ms is None else now_ms
        if self.move_tasks.catch_up(when, self.registry.find_by_arn):
            self.notify()

    def resolve_queue(self, params: Params, context: RequestContext) -> Queue:
        """The queue a request's ``QueueUrl`` names, caught up to now."""
        url = params.get("QueueUrl")
        if url is None:
            url = context.path_queue_url
        if url is None:
            raise missing_parameter("QueueUrl")
        self.catch_up_tasks()
        queue = self.find_queue(str(url), context)
        if queue is None:
            raise queue_does_not_exist(query=context.protocol == "query")
        access.check(queue, context.operation, caller_of(context))
        queue.catch_up(self.now_ms())
        return queue

    def find_queue(self, url: str, context: RequestContext) -> Queue | None:
        """A queue by URL or bare name, in the request's region (SQS ignores the URL's host)."""
        parts = split_queue_url(url)
        if parts is None:
            return None
        account_id, name = parts
        return self.registry.find(account_id or context.account_id, context.region, name)


def caller_of(context: RequestContext) -> access.Caller:
    """The principal behind a request, for the queue policy."""
    return access.Caller(context.account_id, secure_transport=not context.endpoint.startswith("http:"))


def require(params: Params, name: str, *, reported_as: str | None = None) -> Any:
    """A required parameter, or SQS's MissingParameter error."""
    value = params.get(name)
    if value is None:
        raise missing_parameter(reported_as or name)
    return value


def optional_in_range(params: Params, name: str, low: int, high: int, reason: str, *, default: Any) -> Any:
    """An optional integer parameter, ``default`` when absent; out of ``low..high`` is InvalidParameterValue."""
    value = params.get(name)
    if value is None:
        return default
    if not low <= value <= high:
        raise invalid_value(value, name, reason)
    return value


def batch_failure(entry_id: str, error: SqsError) -> Result:
    """One ``Failed`` entry of a batch result."""
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }
