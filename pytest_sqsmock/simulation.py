"""One running simulation: the service, its clock, the call journal, the usage meter, the dispatcher, faults.

Everything that drives or inspects a simulation (assertion helpers,
``run_until``, the Lambda trigger, set-up helpers, the failure report) is
written against :class:`Simulation`; ``SqsMock`` holds one per activation and
delegates to it.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Final, Literal, NamedTuple, TypeVar

from pytest_sqsmock import snapshots
from pytest_sqsmock.billing import Usage, UsageMeter
from pytest_sqsmock.clock import Clock, SystemClock, Traveller, VirtualClock, to_datetime, to_ms
from pytest_sqsmock.exceptions import SqsMockError, UnknownQueueError
from pytest_sqsmock.faults.injection import Faults
from pytest_sqsmock.journal import DEFAULT_JOURNAL_LIMIT, Journal
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.references import QueueRef
from pytest_sqsmock.service.access.principals import access_key_for, sender_id_for
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.operations import OPERATIONS
from pytest_sqsmock.transports.dispatch import Dispatcher, Exchange
from pytest_sqsmock.views import CallLog, QueueView

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ACCOUNT_ID: Final = "123456789012"
# Calls kept whole before the journal and the meter take them: one lock per call, folds in a tight loop.
_HAND_OVER_EVERY: Final = 32

ClockName = Literal["virtual", "system"]
T = TypeVar("T", bound=Traveller)

_NEEDS_VIRTUAL_CLOCK = (
    "{what}: only under clock='virtual'; under clock='system' move time with freezegun or time-machine "
    "(README#controlling-time)"
)


class QueueIdentity(NamedTuple):
    """A queue's name, place and kind: what a set-up helper needs, without taking a view."""

    name: str
    account_id: str
    region: str
    fifo: bool


class Simulation:
    """A simulated SQS with its clock, journal, usage meter, dispatcher and faults.

    Args:
        region: The default region (clients without one, and queue look-ups).
        account_id: The default account (clients whose keys name none).
        clock: ``"virtual"`` or ``"system"``.
        start_ms: Where virtual time starts, in epoch milliseconds (default: the real now).
        journal_limit: How many calls the journal keeps, the latest (``None``: every call).
    """

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: ClockName = "virtual",
        start_ms: int | None = None,
        journal_limit: int | None = DEFAULT_JOURNAL_LIMIT,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.clock: Clock = VirtualClock(start_ms) if clock == "virtual" else SystemClock()
        self.service = Service(self.clock, OPERATIONS)
        self.journal = Journal(journal_limit)
        self.meter = UsageMeter()
        self._recording = threading.Lock()
        self._pending: list[Exchange] = []
        self.dispatcher = Dispatcher(
            self.service, default_account=account_id, default_region=region, record=self._record
        )
        self.faults = Faults(self.service)
        self._travellers: list[Traveller] = []

    def _record(self, exchange: Exchange) -> None:
        """Every answered call, from every transport, goes to the journal and the usage meter, a batch at a time."""
        with self._recording:
            pending = self._pending
            pending.append(exchange)
            if len(pending) >= _HAND_OVER_EVERY:
                self._hand_over()

    def _hand_over(self) -> None:
        """The pending calls to the journal and the meter, in the order they were recorded (lock held)."""
        self.journal.add(self._pending)
        self.meter.add(self._pending)
        self._pending.clear()

    def calls(self) -> CallLog:
        """Every call the journal keeps, and how many it dropped."""
        with self._recording:
            self._hand_over()
        return self.journal.calls()

    def usage(self) -> Usage:
        """What the calls so far would be billed, per queue and operation."""
        with self._recording:
            self._hand_over()
        return self.meter.usage()

    # -- queues ---------------------------------------------------------------

    def locate(
        self, queue: QueueRef, region: str | None = None, account_id: str | None = None
    ) -> snapshots.Coordinates:
        """``(account_id, name, region)`` of a queue reference; the defaults fill in what it leaves open.

        Raises:
            UnknownQueueError: ``queue`` names no queue.
        """
        default = (self.account_id, "", self.region)
        return snapshots.coordinates(queue, region=region, account_id=account_id, default=default)

    def identify(self, queue: QueueRef, region: str | None = None, account_id: str | None = None) -> QueueIdentity:
        """Which existing queue a reference names, without copying its messages as a view does.

        Raises:
            UnknownQueueError: no such queue; the message lists the queues that exist.
        """
        with self.service.lock:
            found = snapshots.queue_at(self.service, self.locate(queue, region, account_id))
            return QueueIdentity(found.name, found.account_id, found.region, found.settings.fifo)

    def view(self, queue: QueueRef, region: str | None = None, account_id: str | None = None) -> QueueView:
        """A snapshot of one queue.

        Raises:
            UnknownQueueError: no such queue; the message lists the queues that exist.
        """
        return snapshots.find(self.service, self.locate(queue, region, account_id))

    def views(self, region: str | None = None, account_id: str | None = None) -> list[QueueView]:
        """Snapshots of every queue, optionally only of one region and/or account."""
        return snapshots.every(self.service, region=region, account_id=account_id)

    def describe(self, *, messages_per_queue: int = 3) -> str:
        """A readable summary of every queue (counts per state, the first messages) and, after calls, their usage."""
        text = snapshots.describe(self.views(), messages_per_queue=messages_per_queue)
        usage = self.usage()
        return f"{text}\n{usage.summary()}" if usage.requests else text

    def queue_state(self, view: QueueView) -> tuple[int, int | None]:
        """How many messages the queue of ``view`` holds, and when the next one turns visible.

        Raises:
            UnknownQueueError: the queue no longer exists.
        """
        with self.service.lock:
            queue = self._live_queue(view)
            queue.catch_up(self.service.now_ms())
            return sum(queue.counts.values()), queue.next_change_ms()

    def _live_queue(self, view: QueueView) -> Queue:
        queue = self.service.registry.find(view.account_id, view.region, view.name)
        if queue is None or queue.deleted:
            raise UnknownQueueError(f"queue {view.name!r} no longer exists")
        return queue

    def call(
        self, operation: str, params: dict[str, Any], region: str | None = None, account_id: str | None = None
    ) -> dict[str, Any]:
        """Run one SQS operation as the account's own client would, without recording it.

        Raises:
            SqsError: SQS would refuse the call.
        """
        account = account_id or self.account_id
        context = RequestContext(
            account_id=account,
            region=region or self.region,
            operation=operation,
            sender_id=sender_id_for(access_key_for(account), account),
        )
        return self.service.handle(operation, params, context)

    def reset(self) -> None:
        """Remove every queue, message and move task and forget the calls; time stays."""
        with self.service.lock:
            self.service.registry.clear()
            self.service.move_tasks.clear()
        with self._recording:
            self._pending.clear()
            self.journal.clear()
            self.meter.clear()

    def close(self) -> None:
        """Release every waiting long poll; the state stays readable."""
        self.service.close()

    # -- time -----------------------------------------------------------------

    @property
    def now_ms(self) -> int:
        """The current time in epoch milliseconds."""
        return self.clock.now_ms()

    @property
    def virtual(self) -> bool:
        """Whether time moves only when told to (``clock="virtual"``)."""
        return isinstance(self.clock, VirtualClock)

    def require_virtual_clock(self, what: str) -> None:
        """Refuse ``what`` under ``clock="system"``.

        Raises:
            SqsMockError: the clock is the system's.
        """
        if not self.virtual:
            raise SqsMockError(_NEEDS_VIRTUAL_CLOCK.format(what=what))

    def advance_to(self, target_ms: int) -> None:
        """Move virtual time to ``target_ms``, stopping at every event a waiting poll needs; travellers follow."""
        self.require_virtual_clock("advance() and travel_to()")
        self.service.advance_to(target_ms)
        self.time_moved()

    def follow(self, traveller: T) -> T:
        """Move ``traveller`` (freezegun, time-machine) with virtual time from now on; returns it."""
        self.require_virtual_clock("drive()")
        self._travellers.append(traveller)
        traveller.move_to(to_datetime(self.now_ms))
        return traveller

    def travel_to(self, when: datetime) -> None:
        """Move virtual time forward to ``when`` (naive: UTC).

        Raises:
            ValueError: ``when`` is before now.
        """
        target_ms = to_ms(when)
        if target_ms < self.now_ms:
            now = to_datetime(self.now_ms).isoformat()
            raise ValueError(f"travel_to() cannot move time backwards: {when.isoformat()} is before now ({now})")
        self.advance_to(target_ms)

    def time_moved(self) -> None:
        """Bring every traveller to the simulation's time."""
        now = to_datetime(self.now_ms)
        for traveller in self._travellers:
            traveller.move_to(now)

    def wait_until_parked(self, consumers: int, timeout: float) -> None:
        """Block until every consumer is parked and ``consumers`` long polls wait (see SqsMock.wait_until_parked)."""
        with self.service.lock:
            self.service.await_settled(consumers, timeout)

    def state_signature(self) -> tuple[tuple[str, int, int, int], ...]:
        """Per queue: ARN and its visible, delayed and in-flight counts (tells whether anything happened)."""
        return snapshots.state_signature(self.service)
