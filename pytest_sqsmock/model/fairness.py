"""Fair queues: a standard queue's tenants, which of them are noisy, and whose message goes next.

What AWS documents (SQS Developer Guide, "Amazon SQS fair queues" and "How Amazon SQS
fair queues work",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html):
a tenant is a MessageGroupId, and each message without one is a tenant of its own. A
tenant is noisy when it holds more than 10 % of the queue's in-flight messages and at
least 30 of its own, or more than 10 % of recent consumer processing time. While a quiet
tenant has a message waiting, receives take quiet tenants' messages; noisy tenants'
messages are delivered when no quiet one waits, the noisy tenant with the fewest
in flight first. A tenant stops being noisy when its shares drop, when its backlog is
drained, or when it sent nothing for 5 consecutive minutes.

What we chose where AWS gives no number (AWS also calls its thresholds approximate):
processing time is the virtual time from a receive to the delete, to
ChangeMessageVisibility 0 or to the visibility timeout's end, counted when it ends;
"recent" is the last 5 minutes of virtual time; the backlog is the visible messages;
a tenant is noisy or quiet as its figures are at each pick (no memory beyond them); a
message without a group is never noisy (one message can never reach 30 in flight),
though its processing time counts in the queue's total. Among quiet tenants, and
among noisy ones with as many in flight, the earliest message goes first, as on a
queue without groups.

Nothing here scans a backlog: each tenant keeps its visible messages in a heap, and an
index heap orders tenants by their earliest visible message. A pick skips the noisy
tenants at the top of the index, setting them aside; there are at most 18 of them at
once (9 over 10 % of in-flight messages, 9 over 10 % of processing time).
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import NamedTuple

from pytest_sqsmock.model.message import Message, MessageState
from pytest_sqsmock.model.timers import MessageHeap

NOISY_SHARE_PERCENT = 10
NOISY_MIN_IN_FLIGHT = 30
QUIET_AFTER_NO_SEND_MS = 5 * 60_000
PROCESSING_WINDOW_MS = 5 * 60_000  # our choice: AWS says only "recent"

_COMPACT_SLACK = 256


class TenantFigures(NamedTuple):
    """One tenant's figures at one moment (what a view shows)."""

    group_id: str
    delayed: int
    visible: int
    in_flight: int
    processing_ms: int
    noisy: bool


class Tenant:
    """One message group of a standard queue."""

    __slots__ = ("aside", "counts", "group_id", "indexed_key", "last_sent_ms", "processing_ms", "visible")

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.visible = MessageHeap()
        self.counts: dict[MessageState, int] = {"delayed": 0, "visible": 0, "in_flight": 0}
        self.last_sent_ms = 0
        self.processing_ms = 0
        # The key of this tenant's live entry in the index, None when it has none.
        self.indexed_key: int | None = None
        # Set aside as noisy by a pick: out of the index until it turns quiet or runs dry.
        self.aside = False

    def idle(self) -> bool:
        """Whether the tenant holds nothing worth remembering."""
        counts = self.counts
        return (
            not self.aside
            and self.processing_ms == 0
            and counts["visible"] == 0
            and counts["delayed"] == 0
            and counts["in_flight"] == 0
        )


class Fairness:
    """The tenants of one standard queue that has received a message with a MessageGroupId."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self._index: list[tuple[int, str]] = []  # (earliest visible key, group id); lazy
        self._aside: list[Tenant] = []
        # (end stamp, group id or None, duration): processing within the window, oldest first.
        self._processing: deque[tuple[int, str | None, int]] = deque()
        self._last_stamp_ms = 0
        self.processing_total_ms = 0

    # -- counting -----------------------------------------------------------

    def sent(self, group_id: str, now_ms: int) -> None:
        """A message of ``group_id`` was enqueued at ``now_ms``."""
        self._tenant(group_id).last_sent_ms = now_ms

    def entered(self, group_id: str, state: MessageState) -> None:
        """A message of ``group_id`` entered ``state``."""
        self._tenant(group_id).counts[state] += 1

    def changed(self, message: Message, state: MessageState | None, at_ms: int) -> None:
        """Count ``message`` leaving its state for ``state`` (None: it left the queue) at ``at_ms``."""
        if message.state == "in_flight" and state != "in_flight":
            # Processing ends: deleted, visible again, or dead-lettered (an extension does not end it).
            self.processed(message.group_id, at_ms - message.received_at_ms, at_ms)
        if message.group_id is not None:
            self.left(message.group_id, message.state)

    def left(self, group_id: str, state: MessageState) -> None:
        """A message of ``group_id`` left ``state``."""
        tenant = self.tenants[group_id]
        tenant.counts[state] -= 1
        if tenant.idle():
            del self.tenants[group_id]

    def processed(self, group_id: str | None, duration_ms: int, end_ms: int) -> None:
        """A consumer held a message for ``duration_ms``, until ``end_ms``."""
        if duration_ms <= 0:
            return
        stamp = self._last_stamp_ms = max(end_ms, self._last_stamp_ms)
        self._processing.append((stamp, group_id, duration_ms))
        self.processing_total_ms += duration_ms
        if group_id is not None:
            self._tenant(group_id).processing_ms += duration_ms

    # -- visible messages ---------------------------------------------------

    def push(self, message: Message, key: int) -> None:
        """A message of a group became visible; ``key`` orders it (send order)."""
        tenant = self._tenant(message.group_id or "")
        tenant.visible.push(key, message, tenant.counts["visible"])
        if not tenant.aside and (tenant.indexed_key is None or key < tenant.indexed_key):
            self._index_at(tenant, key)

    def take_next(self, loose: MessageHeap, *, in_flight: int, now_ms: int) -> Message | None:
        """Pop the next message a receive delivers: quiet tenants' first, then the noisy.

        ``loose`` holds the visible messages without a group (quiet tenants of one
        message each); ``in_flight`` is the queue's in-flight count.
        """
        self._expire(now_ms)
        if self._aside:
            self._review_aside(in_flight, now_ms)
        while (tenant := self._pop_index()) is not None and self.is_noisy(tenant, in_flight, now_ms):
            tenant.aside = True
            self._aside.append(tenant)
        loose_head = loose.peek()
        if tenant is not None:
            head = tenant.visible.peek()
            if head is not None and (loose_head is None or head[:2] < loose_head[:2]):
                return self._take_from(tenant)
            self._reindex(tenant)
        if loose_head is not None:
            loose.pop()
            return loose_head[3]
        if not self._aside:
            return None
        # Only noisy tenants have messages waiting: the one with the fewest in flight goes first.
        chosen = min(self._aside, key=lambda t: (t.counts["in_flight"], _head_key(t)))
        return self._take_from(chosen)

    def is_noisy(self, tenant: Tenant, in_flight: int, now_ms: int) -> bool:
        """Whether ``tenant`` is a noisy neighbour now (see the module docstring)."""
        if tenant.counts["visible"] == 0 or now_ms - tenant.last_sent_ms >= QUIET_AFTER_NO_SEND_MS:
            return False
        own = tenant.counts["in_flight"]
        if own >= NOISY_MIN_IN_FLIGHT and own * 100 > in_flight * NOISY_SHARE_PERCENT:
            return True
        total = self.processing_total_ms
        return total > 0 and tenant.processing_ms * 100 > total * NOISY_SHARE_PERCENT

    def figures(self, *, in_flight: int, now_ms: int) -> list[TenantFigures]:
        """Every tenant with messages or recent processing time, by group id."""
        self._expire(now_ms)
        return [
            TenantFigures(
                tenant.group_id,
                tenant.counts["delayed"],
                tenant.counts["visible"],
                tenant.counts["in_flight"],
                tenant.processing_ms,
                self.is_noisy(tenant, in_flight, now_ms),
            )
            for _, tenant in sorted(self.tenants.items())
        ]

    def clear_visible(self) -> None:
        """Forget every visible message (before they are pushed again in a new order)."""
        self._index.clear()
        self._aside.clear()
        for tenant in self.tenants.values():
            tenant.visible.clear()
            tenant.indexed_key = None
            tenant.aside = False

    # -- internals ----------------------------------------------------------

    def _tenant(self, group_id: str) -> Tenant:
        tenant = self.tenants.get(group_id)
        if tenant is None:
            tenant = self.tenants[group_id] = Tenant(group_id)
        return tenant

    def _forget_if_idle(self, tenant: Tenant) -> None:
        if tenant.idle() and self.tenants.get(tenant.group_id) is tenant:
            del self.tenants[tenant.group_id]

    def _expire(self, now_ms: int) -> None:
        horizon = now_ms - PROCESSING_WINDOW_MS
        processing = self._processing
        while processing and processing[0][0] <= horizon:
            _, group_id, duration_ms = processing.popleft()
            self.processing_total_ms -= duration_ms
            tenant = None if group_id is None else self.tenants.get(group_id)
            if tenant is not None:
                tenant.processing_ms -= duration_ms
                self._forget_if_idle(tenant)

    def _review_aside(self, in_flight: int, now_ms: int) -> None:
        """Return set-aside tenants that turned quiet to the index; drop those with nothing visible."""
        still: list[Tenant] = []
        for tenant in self._aside:
            if tenant.visible.peek() is not None and self.is_noisy(tenant, in_flight, now_ms):
                still.append(tenant)
                continue
            tenant.aside = False
            self._reindex(tenant)
            self._forget_if_idle(tenant)
        self._aside = still

    def _index_at(self, tenant: Tenant, key: int) -> None:
        tenant.indexed_key = key
        heapq.heappush(self._index, (key, tenant.group_id))
        if len(self._index) > 2 * len(self.tenants) + _COMPACT_SLACK:
            self._index = [(t.indexed_key, t.group_id) for t in self.tenants.values() if t.indexed_key is not None]
            heapq.heapify(self._index)

    def _reindex(self, tenant: Tenant) -> None:
        """Index ``tenant`` under its earliest visible message, if it has one."""
        head = tenant.visible.peek()
        if head is not None and (tenant.indexed_key is None or head[0] < tenant.indexed_key):
            self._index_at(tenant, head[0])

    def _pop_index(self) -> Tenant | None:
        """The tenant with the earliest visible message, taken out of the index."""
        index = self._index
        while index:
            key, group_id = heapq.heappop(index)
            tenant = self.tenants.get(group_id)
            if tenant is None or tenant.indexed_key != key:
                continue  # stale: the tenant was indexed again since, or is gone
            tenant.indexed_key = None
            head = tenant.visible.peek()
            if head is None:
                continue
            if head[0] != key:
                self._index_at(tenant, head[0])
                continue
            return tenant
        return None

    def _take_from(self, tenant: Tenant) -> Message:
        entry = tenant.visible.pop()
        if entry is None:  # pragma: no cover - callers peek first
            raise RuntimeError("a tenant chosen with nothing visible")
        if not tenant.aside:
            self._reindex(tenant)
        return entry[3]


def _head_key(tenant: Tenant) -> tuple[int, int]:
    head = tenant.visible.peek()
    return (0, 0) if head is None else (head[0], head[1])
