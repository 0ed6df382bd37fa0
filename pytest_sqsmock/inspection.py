"""Looking inside: queue snapshots, the call journal, assertions, reset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_sqsmock import assertions, snapshots
from pytest_sqsmock.mock_base import MockState, as_mock
from pytest_sqsmock.views import CallLog, MessageView, QueueView


class Inspection(MockState):
    """Looking inside: queue snapshots, the call journal, assertions, reset."""

    def queue(self, name_or_url: str, region: str | None = None, account_id: str | None = None) -> QueueView:
        """A snapshot of one queue, by name, URL or ARN.

        Raises:
            UnknownQueueError: no such queue; the message lists the queues that exist.
        """
        return snapshots.find(self._require_service(), self._coordinates(name_or_url, region, account_id))

    def queues(self, region: str | None = None, account_id: str | None = None) -> list[QueueView]:
        """Snapshots of every queue, optionally only of one region and/or account."""
        return snapshots.every(self._require_service(), region=region, account_id=account_id)

    def describe(self, *, messages_per_queue: int = 3) -> str:
        """A readable summary of every queue: counts per state and the first messages."""
        return snapshots.describe(self.queues(), messages_per_queue=messages_per_queue)

    @property
    def calls(self) -> CallLog:
        """Every SQS call the mock answered, oldest first; ``.filter()`` narrows it."""
        return self._journal.calls()

    def assert_empty(self, queue: str, *, region: str | None = None, account_id: str | None = None) -> None:
        """Fail, showing the queue, unless it holds no message (visible, delayed or in flight)."""
        __tracebackhide__ = True
        assertions.assert_empty(as_mock(self), queue, region=region, account_id=account_id)

    def assert_nothing_in_flight(
        self, queue: str | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> None:
        """Fail, showing the queues, if any message is in flight (in ``queue``, or anywhere)."""
        __tracebackhide__ = True
        assertions.assert_nothing_in_flight(as_mock(self), queue, region=region, account_id=account_id)

    def assert_dead_lettered(
        self,
        queue: str,
        *,
        body: str | None = None,
        json_subset: Mapping[str, Any] | None = None,
        receives: int | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Fail, showing both queues, unless such a message is in ``queue``'s dead-letter queue.

        Returns:
            The matching dead-lettered message.
        """
        __tracebackhide__ = True
        return assertions.assert_dead_lettered(
            as_mock(self),
            queue,
            body=body,
            json_subset=json_subset,
            receives=receives,
            region=region,
            account_id=account_id,
        )

    def reset(self) -> None:
        """Remove every queue and message and forget the calls; time stays."""
        service = self._require_service()
        with service.lock:
            service.registry.clear()
            service.move_tasks.clear()
        self._journal.clear()
