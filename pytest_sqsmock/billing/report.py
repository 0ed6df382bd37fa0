"""Frozen views of what calls would be billed: per operation, per queue, in all, and checks on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Final

from pytest_sqsmock.billing.pricing import FIFO_RATED, Estimate, PriceTable, estimate
from pytest_sqsmock.exceptions import SqsMockAssertionError, UnknownQueueError

_DELETES: Final = ("DeleteMessage", "DeleteMessageBatch")


@dataclass(frozen=True)
class OperationUsage:
    """What the calls of one operation would be billed.

    Attributes:
        requests: Calls answered (failed ones too).
        billable_requests: Requests as SQS bills them: one per started 64 KiB of payload, at least one per call.
        failed: Calls that answered with an error (injected ones too); they count as requests.
        messages: Messages the calls acted on: sent, received, deleted or made (in)visible.
        empty_receives: ReceiveMessage calls that returned no message.
        empty_receives_without_wait: Of those, the ones answered at once (short polls, which long polling avoids).
        bytes_in: Message payload sent to SQS (bodies and message attributes).
        bytes_out: Message payload SQS returned (received bodies and message attributes).
        cross_region_bytes: Payload moved between the caller's region and a queue in another one.
    """

    requests: int = 0
    billable_requests: int = 0
    failed: int = 0
    messages: int = 0
    empty_receives: int = 0
    empty_receives_without_wait: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    cross_region_bytes: int = 0

    def __add__(self, other: OperationUsage) -> OperationUsage:
        return OperationUsage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def _sum(usages: Iterable[OperationUsage]) -> OperationUsage:
    total = OperationUsage()
    for usage in usages:
        total += usage
    return total


class _Totals:
    """The totals shared by one queue's usage and all of it."""

    operations: Mapping[str, OperationUsage]

    @property
    def total(self) -> OperationUsage:
        """Every operation's usage added up."""
        return _sum(self.operations.values())

    @property
    def requests(self) -> int:
        """Calls answered."""
        return self.total.requests

    @property
    def billable_requests(self) -> int:
        """Requests as SQS bills them (64 KiB chunks of payload)."""
        return self.total.billable_requests

    @property
    def empty_receives(self) -> int:
        """ReceiveMessage calls that returned no message."""
        return self.total.empty_receives

    @property
    def bytes_in(self) -> int:
        """Message payload sent."""
        return self.total.bytes_in

    @property
    def bytes_out(self) -> int:
        """Message payload received."""
        return self.total.bytes_out

    @property
    def cross_region_bytes(self) -> int:
        """Payload that crossed regions (charged as data transfer; inside a region it is free)."""
        return self.total.cross_region_bytes

    @property
    def messages_processed(self) -> int:
        """Messages deleted (DeleteMessage and the entries of DeleteMessageBatch that succeeded)."""
        return sum(self.operation(name).messages for name in _DELETES)

    def operation(self, name: str) -> OperationUsage:
        """The usage of one operation (``"ReceiveMessage"``); all zero when it was never called."""
        return self.operations.get(name, OperationUsage())


@dataclass(frozen=True)
class QueueUsage(_Totals):
    """What the calls to one queue would be billed.

    Attributes:
        name: The queue name; ``None`` for calls that name no queue (ListQueues).
        account_id: The queue's account.
        region: The queue's region.
        operations: Usage per operation name.
    """

    name: str | None
    account_id: str
    region: str
    operations: Mapping[str, OperationUsage]

    @property
    def fifo(self) -> bool:
        """Whether the queue is a FIFO queue (its name ends in ``.fifo``) and billed at the FIFO price."""
        return bool(self.name and self.name.endswith(".fifo"))

    def _split(self) -> tuple[int, int]:
        """Billable requests at the standard price and at the FIFO price."""
        fifo = sum(u.billable_requests for name, u in self.operations.items() if self.fifo and name in FIFO_RATED)
        return self.billable_requests - fifo, fifo

    def estimate(self, prices: PriceTable | None = None, *, per_month: int = 1) -> Estimate:
        """What this queue's traffic would cost if it happened ``per_month`` times a month (see :meth:`Usage.estimate`)."""
        standard, fifo = self._split()
        return estimate(standard, fifo, prices=prices or PriceTable(), per_month=per_month)

    def _lines(self) -> list[str]:
        kind = "FIFO" if self.fifo else "standard"
        where = f"queue {self.name!r}" if self.name else "calls naming no queue"
        lines = [f"  {where} ({self.account_id}/{self.region}, {kind}):"]
        for name, u in sorted(self.operations.items()):
            empty = f"empty {u.empty_receives} ({u.empty_receives_without_wait} without wait)"
            details = [f"requests {u.requests}", f"billable {u.billable_requests}", f"messages {u.messages}"]
            details += [empty] if name == "ReceiveMessage" else []
            details += [f"in {_bytes(u.bytes_in)}"] if u.bytes_in else []
            details += [f"out {_bytes(u.bytes_out)}"] if u.bytes_out else []
            details += [f"failed {u.failed}"] if u.failed else []
            lines.append(f"    {name}: {', '.join(details)}")
        return lines


@dataclass(frozen=True)
class Usage(_Totals):
    """What every SQS call the mock answered would be billed, per queue and per operation.

    ``sqs_mock.usage`` takes one; it does not change afterwards. Set-up helpers
    (``sqs_mock.send()``, ``create_queue()``) and Lambda triggers make no billed calls.

    Attributes:
        queues: Per queue (and the calls that name no queue), sorted by account, region and name.
        operations: Usage per operation name, over every queue.
    """

    queues: tuple[QueueUsage, ...]
    operations: Mapping[str, OperationUsage]

    @classmethod
    def of(cls, queues: Iterable[QueueUsage]) -> Usage:
        """The usage made of these queues' usage."""
        queues = tuple(queues)
        merged: dict[str, OperationUsage] = {}
        for queue in queues:
            for name, usage in queue.operations.items():
                merged[name] = merged.get(name, OperationUsage()) + usage
        return cls(queues, merged)

    def queue(self, name: str, *, region: str | None = None, account_id: str | None = None) -> QueueUsage:
        """The usage of the queue called ``name`` (narrowed by region and account when several match).

        Raises:
            UnknownQueueError: no call named such a queue, or several queues match; the message lists them.
        """
        found = [
            q
            for q in self.queues
            if q.name == name and region in (None, q.region) and account_id in (None, q.account_id)
        ]
        if len(found) == 1:
            return found[0]
        called = ", ".join(f"{q.name} ({q.account_id}/{q.region})" for q in self.queues if q.name) or "none"
        problem = "several queues match" if found else "no call named such a queue"
        raise UnknownQueueError(
            f"usage of queue {name!r}: {problem}; pass region= / account_id=. Queues called: {called}"
        )

    def estimate(self, prices: PriceTable | None = None, *, per_month: int = 1) -> Estimate:
        """What this traffic would cost if it happened ``per_month`` times a month.

        Args:
            prices: The price table (default: :class:`PriceTable` ``()``, SQS's US East first tier).
            per_month: How many times a month the measured traffic happens (the free tier applies to the total).

        Raises:
            ValueError: ``per_month`` is below 1.
        """
        split = [queue._split() for queue in self.queues]
        standard, fifo = sum(s for s, _ in split), sum(f for _, f in split)
        return estimate(standard, fifo, prices=prices or PriceTable(), per_month=per_month)

    def summary(self) -> str:
        """A readable table: totals, then per queue and operation."""
        if not self.queues:
            return "sqs_mock usage: no SQS calls"
        lines = [
            f"sqs_mock usage: {self.billable_requests} billable requests ({self.requests} calls), "
            f"{self.empty_receives} empty receives, {self.messages_processed} messages processed, "
            f"{_bytes(self.bytes_in)} in, {_bytes(self.bytes_out)} out, {_bytes(self.cross_region_bytes)} cross-region"
        ]
        for queue in self.queues:
            lines.extend(queue._lines())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _scope(self, queue: str | None, region: str | None, account_id: str | None) -> _Totals:
        return self if queue is None else self.queue(queue, region=region, account_id=account_id)

    def assert_billable_per_message(
        self, at_most: float, *, queue: str | None = None, region: str | None = None, account_id: str | None = None
    ) -> None:
        """Fail, showing the usage, unless billable requests per message processed (deleted) stay within ``at_most``.

        Args:
            at_most: The most billable requests per processed message (send, receive and delete
                one message on its own is 3; in batches of ten, with long polling, 0.3).
            queue: Count only this queue's calls (default: every call, ListQueues and the like too).
            region: The queue's region, when several queues have its name.
            account_id: The queue's account, when several queues have its name.
        """
        __tracebackhide__ = True
        scope = self._scope(queue, region, account_id)
        processed, billable = scope.messages_processed, scope.billable_requests
        if processed and billable / processed <= at_most:
            return
        ratio = f"{billable / processed:.2f}" if processed else "no message was processed (deleted)"
        raise SqsMockAssertionError(
            f"expected at most {at_most} billable requests per message processed{_of(queue)}, got {ratio}: "
            f"{billable} billable requests for {processed} messages deleted\n{self.summary()}"
        )

    def assert_no_empty_receives(
        self,
        *,
        queue: str | None = None,
        without_wait_only: bool = False,
        region: str | None = None,
        account_id: str | None = None,
    ) -> None:
        """Fail, showing the usage, if a ReceiveMessage came back empty (each is billed).

        Args:
            queue: Check only this queue (default: every queue).
            without_wait_only: Fail only for empty receives answered at once (short polls):
                with long polling on, a receive waits for messages before answering empty.
            region: The queue's region, when several queues have its name.
            account_id: The queue's account, when several queues have its name.
        """
        __tracebackhide__ = True
        receives = self._scope(queue, region, account_id).operation("ReceiveMessage")
        empty = receives.empty_receives_without_wait if without_wait_only else receives.empty_receives
        if empty:
            kind = "empty receives without wait (short polls)" if without_wait_only else "empty receives"
            raise SqsMockAssertionError(
                f"expected no {kind}{_of(queue)}, found {empty} of {receives.requests} ReceiveMessage calls "
                f"({receives.empty_receives_without_wait} answered at once; long polling, WaitTimeSeconds=1..20, "
                f"makes a receive wait for messages)\n{self.summary()}"
            )


def _of(queue: str | None) -> str:
    return "" if queue is None else f" on queue {queue!r}"


def _bytes(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    return f"{count / 1024:.1f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MiB"
