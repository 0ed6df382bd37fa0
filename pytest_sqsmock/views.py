"""Read-only snapshots of the simulation for assertions.

Views keep what they show as it was when taken: they never change under the test and
never expose the model's mutable objects. Taking one pins the queue (O(1) under the
simulation's lock; model/pins.py) and copies its identity and counters; the message
list is read only when first asked for, taking the lock for a few dozen messages at a
time, then sorted and built outside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.pins import MessageStates, PinnedMessages

MessageStateName = Literal["delayed", "visible", "in_flight"]


@dataclass(frozen=True)
class MessageView:
    """One message as the queue holds it now.

    Attributes:
        message_id: The MessageId SendMessage returned.
        body: The body, byte-exact.
        message_attributes: User attributes in the shape boto3 returns
            (``{"name": {"DataType": "String", "StringValue": "..."}}``).
        system_attributes: What ReceiveMessage returns with
            ``MessageSystemAttributeNames=["All"]`` (SentTimestamp, SenderId, ...).
        receive_count: How many times the message was received.
        group_id: ``MessageGroupId``, if sent with one.
        deduplication_id: ``MessageDeduplicationId`` (FIFO), if any.
        sequence_number: ``SequenceNumber`` (FIFO), if any.
        sent_at: When it was sent (aware UTC).
        visible_at: When it becomes (or became) receivable (aware UTC).
        state: ``"delayed"``, ``"visible"`` or ``"in_flight"``.
    """

    message_id: str
    body: str
    message_attributes: dict[str, dict[str, Any]]
    system_attributes: dict[str, str]
    receive_count: int
    group_id: str | None
    deduplication_id: str | None
    sequence_number: str | None
    sent_at: datetime
    visible_at: datetime
    state: MessageStateName

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def __repr__(self) -> str:
        excerpt = self.body if len(self.body) <= 40 else self.body[:37] + "..."
        group = f" group={self.group_id!r}" if self.group_id is not None else ""
        return (
            f"<MessageView {self.state} {excerpt!r} receives={self.receive_count}{group}"
            f" visible_at={self.visible_at.isoformat()} id={self.message_id}>"
        )

    @classmethod
    def of(cls, message: Message) -> MessageView:
        """A snapshot of a model message as it is now."""
        return cls._build(
            message, message.state, message.visible_at_ms, message.receive_count, message.first_receive_at_ms
        )

    @classmethod
    def of_index(cls, taken: MessageStates, index: int) -> MessageView:
        """Message ``index`` of ``taken``, as it was when that was taken."""
        return cls._build(
            taken.messages[index],
            taken.states[index],
            taken.visible_at_ms[index],
            taken.receive_counts[index],
            taken.first_receive_at_ms[index],
        )

    @classmethod
    def _build(
        cls,
        message: Message,
        state: MessageStateName,
        visible_at_ms: int,
        receive_count: int,
        first_receive_at_ms: int | None,
    ) -> MessageView:
        return cls(
            message_id=message.message_id,
            body=message.body,
            message_attributes={name: value.to_aws() for name, value in message.attributes.items()},
            system_attributes=message.system_attributes_as_of(receive_count, first_receive_at_ms),
            receive_count=receive_count,
            group_id=message.group_id,
            deduplication_id=message.deduplication_id,
            sequence_number=message.sequence_number,
            sent_at=to_datetime(message.sent_at_ms),
            visible_at=to_datetime(visible_at_ms),
            state=state,
        )


@dataclass(frozen=True)
class TenantView:
    """One tenant (message group) of a standard queue, as fair queues see it.

    SQS Developer Guide, "How Amazon SQS fair queues work": a tenant is noisy when it
    holds more than 10 % of the queue's in-flight messages and at least 30 of its own,
    or more than 10 % of recent consumer processing time; receives then prefer quiet
    tenants' messages. Messages without a group are tenants of one and are not listed.

    Attributes:
        group_id: The ``MessageGroupId``.
        visible: Its messages a receive could return now (its backlog).
        delayed: Its messages still inside their delay.
        in_flight: Its received messages not yet deleted or visible again.
        processing_ms: Virtual time consumers held its messages (receive to delete,
            to ChangeMessageVisibility 0 or to the timeout's end), counting what
            ended in the last 5 minutes.
        noisy: Whether receives currently deliver other tenants' messages first.
    """

    group_id: str
    visible: int
    delayed: int
    in_flight: int
    processing_ms: int
    noisy: bool


@dataclass(frozen=True)
class QueueView:
    """One queue and every message it holds, as of when the view was taken.

    Attributes:
        name: The queue name.
        url: The queue URL on the default endpoint of its region.
        arn: The queue ARN.
        region: The queue's region.
        account_id: The owning account.
        fifo: Whether it is a FIFO queue.
        attributes: Exactly what GetQueueAttributes ``All`` returns.
        tags: The queue's tags.
        dead_letter_queue: A view of the queue its RedrivePolicy targets, if any.
        tenants: A standard queue's message groups by group id, with their counts
            and noisy flag (fair queues); empty for FIFO queues and queues never
            sent a ``MessageGroupId``.
    """

    name: str
    url: str
    arn: str
    region: str
    account_id: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    dead_letter_queue: QueueView | None
    tenants: dict[str, TenantView]
    # The messages as they were when the view was taken, read on first use (see the module docstring).
    _taken: PinnedMessages = field(repr=False, compare=False)
    # Messages per state, from the queue's own counters.
    _counts: Mapping[MessageStateName, int] = field(repr=False, compare=False)

    @cached_property
    def _messages(self) -> tuple[MessageView, ...]:
        taken = self._taken.states()
        return tuple(MessageView.of_index(taken, index) for index in taken.in_delivery_order())

    @property
    def messages(self) -> list[MessageView]:
        """Every message, in delivery order."""
        return list(self._messages)

    @property
    def visible(self) -> list[MessageView]:
        """Messages a receive could return now."""
        return self._in("visible")

    @property
    def delayed(self) -> list[MessageView]:
        """Messages still inside their delay."""
        return self._in("delayed")

    @property
    def in_flight(self) -> list[MessageView]:
        """Received messages whose visibility timeout has not run out."""
        return self._in("in_flight")

    def _in(self, state: MessageStateName) -> list[MessageView]:
        return [message for message in self._messages if message.state == state]

    def _count(self, state: MessageStateName) -> int:
        return self._counts[state]

    def _first(self, count: int) -> list[MessageView]:
        """The first ``count`` messages in delivery order, without building the others."""
        if "_messages" in self.__dict__:
            return list(self._messages[:count])
        taken = self._taken.states()
        return [MessageView.of_index(taken, index) for index in taken.first(count)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueueView):
            return NotImplemented
        return self._compared() == other._compared()

    def _compared(self) -> tuple[object, ...]:
        return (*(getattr(self, f.name) for f in fields(self) if f.compare), self._messages)

    # Like the dict fields it holds, a view is not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return sum(self._counts.values())

    def __iter__(self) -> Iterator[MessageView]:
        return iter(self._messages)

    def __repr__(self) -> str:
        dlq = f" dlq={self.dead_letter_queue.name!r}" if self.dead_letter_queue is not None else ""
        return (
            f"<QueueView {self.name!r} ({self.account_id}/{self.region}) visible={self._count('visible')}"
            f" delayed={self._count('delayed')} in_flight={self._count('in_flight')}{dlq}>"
        )


@dataclass(frozen=True)
class CallError:
    """The error an SQS call answered with.

    Attributes:
        code: The legacy code, as botocore's ``Error.Code`` shows it.
        message: The error message.
        status: The HTTP status.
        injected: Whether ``sqs_mock.faults`` made the call fail (it never ran).
    """

    code: str
    message: str
    status: int
    injected: bool = False


@dataclass(frozen=True)
class Call:
    """One SQS call the simulation answered.

    Attributes:
        operation: The AWS operation name (``"SendMessage"``).
        params: The request parameters, in AWS member names.
        result: The result in AWS member names, or ``None`` on error.
        error: The error, or ``None`` on success.
        account_id: The calling account.
        region: The region called.
        time: The simulation time of the call (aware UTC).
        answered_at: The simulation time it was answered: later than ``time``
            for a long poll that waited (``None`` for an injected error).
        sequence: Where the call falls in the order calls took effect in the
            simulation, from 1 (a long poll: when it was answered); calls on
            concurrent threads replay in this order. 0 for an injected error.
    """

    operation: str
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: CallError | None
    account_id: str
    region: str
    time: datetime
    answered_at: datetime | None = None
    sequence: int = 0

    @property
    def queue_url(self) -> str | None:
        """The ``QueueUrl`` the call named, if any."""
        value = self.params.get("QueueUrl")
        return None if value is None else str(value)


class CallLog(list[Call]):
    """The call journal: a list of :class:`Call`, oldest first, with filters.

    The journal keeps the latest ``journal_limit`` calls (README#how-many-calls-the-journal-keeps);
    ``dropped`` says how many earlier ones it no longer holds, per operation.
    """

    def __init__(
        self, calls: Iterable[Call] = (), *, dropped: Mapping[str, int] | None = None, limit: int | None = None
    ) -> None:
        super().__init__(calls)
        self.dropped_by_operation: dict[str, int] = dict(dropped or {})
        self.limit = limit

    @property
    def dropped(self) -> int:
        """How many earlier calls the journal no longer holds (0: this is every call)."""
        return sum(self.dropped_by_operation.values())

    @property
    def complete(self) -> bool:
        """Whether no call was dropped: counts taken from this log are the whole story."""
        return not self.dropped_by_operation

    def filter(self, operation: str | None = None, *, queue: str | None = None, failed: bool | None = None) -> CallLog:
        """The calls of one operation and/or to one queue (name or URL), or only (un)successful ones.

        The result's ``dropped`` counts the dropped calls that might have matched: those of
        ``operation`` when given, else every dropped call.
        """
        dropped = self.dropped_by_operation
        if operation is not None:
            dropped = {operation: dropped[operation]} if operation in dropped else {}
        return CallLog(
            (
                call
                for call in self
                if (operation is None or call.operation == operation)
                and (queue is None or _names_queue(call, queue))
                and (failed is None or (call.error is not None) == failed)
            ),
            dropped=dropped,
            limit=self.limit,
        )

    def assert_complete(self) -> None:
        """Fail, saying how many calls are missing, when the journal dropped any (raise ``journal_limit``)."""
        if self.dropped_by_operation:
            counts = ", ".join(f"{name} {count:,}" for name, count in sorted(self.dropped_by_operation.items()))
            raise AssertionError(
                f"the call journal dropped {self.dropped:,} earlier calls ({counts}): it keeps the latest"
                f" {self.limit or 0:,}; raise journal_limit (README#how-many-calls-the-journal-keeps) to keep them"
            )

    @property
    def operations(self) -> list[str]:
        """The operation names, in order."""
        return [call.operation for call in self]


def _names_queue(call: Call, queue: str) -> bool:
    url = call.queue_url or ""
    return url == queue or url.rstrip("/").rsplit("/", 1)[-1] == queue
