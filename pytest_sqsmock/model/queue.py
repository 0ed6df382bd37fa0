"""A queue: its settings and the messages it holds, indexed for O(log n) work.

Messages wait in three heaps with lazy deletion (model/timers.py):
``_visible`` by send order (what a receive takes next), ``_timers`` by the
moment a delayed or in-flight message becomes visible, and ``_retention`` by
enqueue time. A FIFO queue delivers through its message groups instead of
``_visible`` (model/fifo.py). A standard queue that was sent a MessageGroupId
keeps those messages per tenant instead (model/fairness.py: fair queues);
``_visible`` then holds the messages without a group. Nothing scans all
messages except purge and a FIFO queue's DelaySeconds change. ``_order``
holds the messages in send order for views, which pin it and save a message's
changing fields before its first change after the pin (model/pins.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace

from pytest_sqsmock.model.fairness import Fairness
from pytest_sqsmock.model.fifo import (
    Deduplication,
    FifoGroups,
    ReceiveAttempt,
    ReceiveAttempts,
    SentRecord,
    sequence_number,
)
from pytest_sqsmock.model.message import Message, MessageState
from pytest_sqsmock.model.pins import ORDER_SLACK, Pin, before_change, before_purge
from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.model.timers import MessageHeap

MAX_IN_FLIGHT = 120_000
MAX_VISIBILITY_S = 43_200  # 12 hours: SQS's cap on a message's invisibility
MAX_VISIBILITY_MS = MAX_VISIBILITY_S * 1000


class Queue:
    """One SQS queue in one account and region."""

    def __init__(
        self,
        *,
        name: str,
        account_id: str,
        region: str,
        arn: str,
        settings: QueueSettings,
        now_ms: int,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.account_id = account_id
        self.region = region
        self.arn = arn
        self.settings = settings
        self.tags: dict[str, str] = dict(tags or {})
        self.created_at_ms = now_ms
        self.modified_at_ms = now_ms
        self.last_purge_ms: int | None = None
        self.deleted = False
        # Distinguishes this incarnation's receipt handles from those of a
        # queue of the same name deleted earlier.
        self.token = uuid.uuid4().hex[:16]
        self.messages: dict[str, Message] = {}
        self.counts: dict[MessageState, int] = {
            "delayed": 0,
            "visible": 0,
            "in_flight": 0,
        }
        self._visible = MessageHeap()
        self._timers = MessageHeap()
        self._retention = MessageHeap(follow_state=False)
        self._next_seq = 0
        # Every message in send order, removed ones until the next compaction, which
        # (like purge) starts a new list: pins keep reading the old one.
        self._order: list[Message] = []
        self._pins: tuple[Pin, ...] = ()
        # The latest moment caught up to: when a delete ends a message's processing.
        self._now_ms = now_ms
        # Standard queues, from the first message with a MessageGroupId on (fair queues).
        self.fairness: Fairness | None = None
        # Fault injection (reorder): a standard queue's receive order, by send order when None.
        self.order_key: Callable[[int], int] | None = None
        # FIFO only. The deduplication scope is fixed at creation (observed AWS behaviour).
        self.groups: FifoGroups | None = None
        self.deduplication: Deduplication | None = None
        self.receive_attempts: ReceiveAttempts | None = None
        if settings.fifo:
            self.groups = FifoGroups()
            self.deduplication = Deduplication(per_group=settings.deduplication_scope == "messageGroup")
            self.receive_attempts = ReceiveAttempts()

    # -- time ---------------------------------------------------------------

    def catch_up(self, now_ms: int, budget: int | None = None) -> tuple[int, int | None]:
        """Apply the expiries and state changes due at or before ``now_ms``, in time order.

        ``budget`` caps how many are applied (a time jump works in chunks);
        returns how many were and when the last of them was due.
        """
        retention_ms = self.settings.retention_s * 1000
        retention, timers = self._retention, self._timers
        if retention.floor + retention_ms > now_ms and timers.floor > now_ms:  # nothing due: no peek needed
            self._now_ms = max(self._now_ms, now_ms)
            return 0, None
        applied = 0
        last: int | None = None
        while budget is None or applied < budget:
            kept = retention.peek()
            timer = timers.peek()
            if (
                kept is not None
                and (expires := kept[0] + retention_ms) <= now_ms
                and (timer is None or expires <= timer[0])
            ):
                self._now_ms = last = expires
                self._remove(kept[3])
            elif timer is not None and timer[0] <= now_ms:
                timers.pop()
                self._now_ms = last = timer[0]
                self._set_state(timer[3], "visible", timer[0])
            else:
                self._now_ms = max(self._now_ms, now_ms)
                break
            applied += 1
        return applied, last

    def next_change_ms(self) -> int | None:
        """When the next delayed or in-flight message becomes visible, if any."""
        entry = self._timers.peek()
        return None if entry is None else entry[0]

    def next_due_ms(self) -> int | None:
        """When the next change of any kind falls due: a message turning visible or leaving by retention."""
        kept = self._retention.peek()
        expires = None if kept is None else kept[0] + self.settings.retention_s * 1000
        return min((t for t in (self.next_change_ms(), expires) if t is not None), default=None)

    def tidy(self, budget: int) -> int:
        """Drop up to ``budget`` stale entries that the next call would otherwise meet; how many."""
        self._compact_order()
        dropped = self._visible.drop_stale(budget)
        return dropped + self._timers.drop_stale(budget - dropped)

    def _compact_order(self) -> None:
        """Start a new send-order list without the removed messages once they outnumber the rest (pins keep the old)."""
        if len(self._order) > 2 * len(self.messages) + ORDER_SLACK:
            self._order = [m for m in self._order if not m.removed] if self.messages else []

    # -- adding and removing ------------------------------------------------

    def send(self, message: Message, *, delay_s: int, now_ms: int) -> SentRecord:
        """Enqueue a sent message unless it repeats a FIFO deduplication id.

        A duplicate is accepted but not queued; the answer names the message
        it repeats (SQS API Reference, SendMessage: duplicates are accepted
        but not delivered; which ids AWS answers with is unverified).
        """
        dedup = self.deduplication
        if dedup is None or message.deduplication_id is None:
            self.add(message, delay_s=delay_s, now_ms=now_ms)
            return SentRecord(message.message_id, message.sequence_number)
        original = dedup.find(message.group_id or "", message.deduplication_id, now_ms)
        if original is not None:
            return SentRecord(original.message_id, original.sequence_number, True)
        self.add(message, delay_s=delay_s, now_ms=now_ms)
        dedup.remember(message, now_ms)
        return SentRecord(message.message_id, message.sequence_number)

    def add(self, message: Message, *, delay_s: int, now_ms: int) -> None:
        """Enqueue a new message, visible now or after ``delay_s`` (no deduplication)."""
        message.seq = self._next_seq
        self._next_seq += 1
        if self.groups is not None:
            message.sequence_number = sequence_number(message.seq)
            self.groups.append(message)
        elif message.group_id is not None:
            if self.fairness is None:
                self.fairness = Fairness()
            self.fairness.sent(message.group_id, now_ms)
        self.messages[message.message_id] = message
        self._order.append(message)
        self._compact_order()
        self._retention.push(message.enqueued_at_ms, message, len(self.messages))
        if delay_s > 0:
            self._enter(message, "delayed", now_ms + delay_s * 1000)
        else:
            self._enter(message, "visible", now_ms)

    def remove(self, message: Message) -> None:
        """Delete a message for good (DeleteMessage)."""
        if not message.removed:
            self._remove(message)

    def purge(self, now_ms: int) -> int:
        """Delete every message; returns how many there were."""
        count = len(self.messages)
        for message in self.messages.values():
            message.removed = True
        if self._pins:
            self._pins = before_purge(self._pins, self.messages)
        self.messages = {}
        self._order = []
        self._visible.clear()
        self._timers.clear()
        self._retention.clear()
        self.counts = {"delayed": 0, "visible": 0, "in_flight": 0}
        self.fairness = None
        if self.groups is not None:
            self.groups.clear()
        if self.deduplication is not None:
            # Purge clears the deduplication history (observed AWS behaviour).
            self.deduplication.clear()
        if self.receive_attempts is not None:
            self.receive_attempts.clear()
        self.last_purge_ms = now_ms
        return count

    # -- receiving ----------------------------------------------------------

    def receive(
        self,
        *,
        now_ms: int,
        limit: int,
        visibility_timeout_s: int,
        dead_letter: Callable[[Message], bool] | None = None,
    ) -> list[Message]:
        """Take up to ``limit`` visible messages and put them in flight.

        ``dead_letter`` is offered each message that already reached the
        queue's maxReceiveCount; when it returns True the message has been
        moved to the dead-letter queue and is dropped from this one. A FIFO
        queue takes a group's deliverable run first, then other groups
        (SQS Developer Guide, "FIFO queue delivery logic in Amazon SQS").
        """
        max_receives = (
            self.settings.redrive_policy.max_receive_count
            if self.settings.redrive_policy and dead_letter is not None
            else None
        )
        visible_at = now_ms + visibility_timeout_s * 1000
        taken: list[Message] = []
        if self.groups is None:
            pick = self._pick_visible if self.fairness is None else self._fair_picker(now_ms)
            while len(taken) < limit and (message := pick()) is not None:
                if (
                    max_receives is not None
                    and message.receive_count >= max_receives
                    and dead_letter is not None
                    and dead_letter(message)
                ):
                    self._remove(message)
                    continue
                self._take(message, now_ms, visible_at)
                taken.append(message)
        else:
            candidates = self.groups.deliverable()
            for candidate in candidates:
                if (
                    max_receives is not None
                    and candidate.receive_count >= max_receives
                    and dead_letter is not None
                    and dead_letter(candidate)
                ):
                    self._remove(candidate)
                    continue
                self._take(candidate, now_ms, visible_at)
                taken.append(candidate)
                if len(taken) >= limit:
                    break
            candidates.close()
        if visibility_timeout_s == 0:
            # Receivable again at once, but not twice within this receive.
            for message in taken:
                self._set_state(message, "visible", now_ms)
        return taken

    def redeliver(self, message: Message, *, now_ms: int, visibility_timeout_s: int) -> Message:
        """Deliver ``message`` once more, as a duplicate copy would be (fault injection).

        A message the queue still holds is received again (new receipt,
        receive count + 1) whatever its state; one that is gone (deleted,
        purged, dead-lettered) comes back as a detached copy that no handle
        can act on.
        """
        if message.removed:
            return replace(message, receive_count=message.receive_count + 1, receipt=message.receipt + 1)
        self._take(message, now_ms, now_ms + visibility_timeout_s * 1000)
        if visibility_timeout_s == 0:
            self._set_state(message, "visible", now_ms)
        return message

    def set_order_key(self, key: Callable[[int], int] | None) -> None:
        """Receive visible messages by ``key(seq)`` instead of send order (standard queues; fault injection)."""
        if self.groups is not None:
            raise ValueError("a FIFO queue delivers in order")
        self.order_key = key
        self._visible.clear()
        if self.fairness is not None:
            self.fairness.clear_visible()
        for message in self.messages.values():
            if message.state == "visible":
                self._push_visible(message)

    def retry_receive(self, attempt: ReceiveAttempt, *, now_ms: int, visibility_timeout_s: int) -> bool:
        """Repeat a FIFO receive for its ReceiveRequestAttemptId (SQS API Reference, ReceiveMessage).

        Returns False, changing nothing, when one of its messages changed
        since; otherwise restarts their visibility timeout.
        """
        if not attempt.unchanged():
            return False
        visible_at = now_ms + visibility_timeout_s * 1000
        for index, message in enumerate(attempt.messages):
            if message.state == "in_flight":
                self._set_state(message, "in_flight", visible_at)
                attempt.generations[index] = message.generation
        return True

    def change_visibility(self, message: Message, *, visibility_timeout_s: int, now_ms: int) -> bool:
        """Set an in-flight message's remaining invisibility.

        Returns False, changing nothing, when the message is not in flight.
        Raises ValueError when the total would pass 12 hours from its receive.
        """
        if message.state != "in_flight":
            return False
        visible_at = now_ms + visibility_timeout_s * 1000
        if visible_at - message.received_at_ms > MAX_VISIBILITY_MS:
            raise ValueError("visibility beyond 12 hours from the receive")
        if visibility_timeout_s == 0:
            self._set_state(message, "visible", now_ms)
        else:
            self._set_state(message, "in_flight", visible_at)
        return True

    # -- reading ------------------------------------------------------------

    def pin(self) -> Pin:
        """The messages as they are now, to be read later (O(1); model/pins.py)."""
        pin = Pin(self._order, self._next_seq, self.order_key)
        self._pins = (*(p for p in self._pins if p.live), pin)
        return pin

    def update_settings(self, settings: QueueSettings, now_ms: int) -> None:
        """Replace the settings (SetQueueAttributes).

        A FIFO queue's DelaySeconds is retroactive (SQS Developer Guide,
        "Amazon SQS delay queues"): messages
        still delayed become due at their enqueue time plus the new delay.
        """
        previous = self.settings
        self.settings = settings
        self.modified_at_ms = now_ms
        if self.groups is not None and settings.delay_s != previous.delay_s:
            delayed = [m for m in self.messages.values() if m.state == "delayed"]
            for message in delayed:
                due = message.enqueued_at_ms + settings.delay_s * 1000
                self._set_state(message, "visible" if due <= now_ms else "delayed", due)

    # -- internals ----------------------------------------------------------

    def _enter(self, message: Message, state: MessageState, at_ms: int) -> None:
        message.state = state
        message.visible_at_ms = at_ms
        self.counts[state] += 1
        if self.fairness is not None and message.group_id is not None:
            self.fairness.entered(message.group_id, state)
        self._schedule(message)

    def _set_state(self, message: Message, state: MessageState, at_ms: int) -> None:
        if self._pins:
            self._pins = before_change(self._pins, message)
        self.counts[message.state] -= 1
        if self.fairness is not None:
            self.fairness.changed(message, state, at_ms)
        message.generation += 1
        self._enter(message, state, at_ms)

    def _schedule(self, message: Message) -> None:
        if message.state != "visible":
            self._timers.push(
                message.visible_at_ms,
                message,
                self.counts["delayed"] + self.counts["in_flight"],
            )
        elif self.groups is None:
            self._push_visible(message)
        if self.groups is not None:
            self.groups.refresh(message)

    def _push_visible(self, message: Message) -> None:
        key = message.seq if self.order_key is None else self.order_key(message.seq)
        if self.fairness is not None and message.group_id is not None:
            self.fairness.push(message, key)
        else:
            self._visible.push(key, message, self.counts["visible"])

    def _pick_visible(self) -> Message | None:
        entry = self._visible.pop()
        return None if entry is None else entry[3]

    def _fair_picker(self, now_ms: int) -> Callable[[], Message | None]:
        fairness = self.fairness
        if fairness is None:  # pragma: no cover - callers check
            return self._pick_visible
        return lambda: fairness.take_next(self._visible, in_flight=self.counts["in_flight"], now_ms=now_ms)

    def _take(self, message: Message, now_ms: int, visible_at_ms: int) -> None:
        if self._pins:
            self._pins = before_change(self._pins, message)
        message.receive_count += 1
        if message.first_receive_at_ms is None:
            message.first_receive_at_ms = now_ms
        message.received_at_ms = now_ms
        message.receipt += 1
        self._set_state(message, "in_flight", visible_at_ms)

    def _remove(self, message: Message) -> None:
        if self._pins:
            self._pins = before_change(self._pins, message)
        message.removed = True
        self.counts[message.state] -= 1
        if self.fairness is not None:
            self.fairness.changed(message, None, max(self._now_ms, message.received_at_ms))
        del self.messages[message.message_id]
        if self.groups is not None:
            self.groups.remove(message)
