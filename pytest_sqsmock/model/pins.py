"""Pins: a queue's messages as they were at one moment, read later a little at a time.

Taking a view pins its queue in O(1): the pin records where the queue's send-order
list ends and how visible messages are ordered. From then on, the first time a pinned
message changes state or counters, or leaves the queue, the queue saves the fields it
is about to change into every live pin (copy on write). Reading the pin walks the
send-order list in chunks, each under the simulation's lock for about as long as a
normal call, taking saved fields where there are some and the message's own
otherwise (unchanged since the pin). Messages sent after the pin lie past its end.

A pin ends when it has been read in full, or when its reader is garbage-collected
(a view never read costs nothing once it is gone); the queue drops ended pins at its
next change.
"""

from __future__ import annotations

import heapq
import threading
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pytest_sqsmock.model.message import Message, MessageState

# Messages read per acquisition of the lock: about a normal call's time (benchmarks/views.py).
CHUNK = 48
# Removed messages a queue's send-order list may hold beyond as many as it has live ones.
ORDER_SLACK = 256

Fields = tuple[MessageState, int, int, "int | None"]  # state, visible_at_ms, receive_count, first_receive_at_ms


class Pin:
    """One queue's messages as they were when the pin was taken (changed under the simulation's lock only)."""

    __slots__ = ("end", "live", "next_seq", "order", "order_key", "purged", "saved")

    def __init__(self, order: list[Message], next_seq: int, order_key: Callable[[int], int] | None) -> None:
        # The queue appends to ``order`` and never changes what it holds: it starts a new
        # list to compact or purge, so positions before ``end`` stay put for this pin.
        self.order = order
        self.end = len(order)
        self.next_seq = next_seq
        self.order_key = order_key
        self.saved: dict[Message, Fields] = {}
        # The messages a purge removed (by id), when one came after the pin.
        self.purged: Mapping[str, Message] | None = None
        self.live = True

    def save(self, message: Message) -> None:
        """Keep ``message``'s changing fields as they are now, unless kept already or sent after the pin."""
        if message.seq < self.next_seq and message not in self.saved:
            self.saved[message] = (
                message.state,
                message.visible_at_ms,
                message.receive_count,
                message.first_receive_at_ms,
            )

    def held(self, message: Message) -> bool:
        """Whether ``message``, unchanged since the pin or saved, was in the queue when it was taken."""
        if not message.removed or message in self.saved:
            return True
        purged = self.purged
        return purged is not None and purged.get(message.message_id) is message


def before_change(pins: tuple[Pin, ...], message: Message) -> tuple[Pin, ...]:
    """Save ``message`` into each live pin before the queue changes it; returns the pins still live."""
    ended = False
    for pin in pins:
        if pin.live:
            pin.save(message)
        else:
            ended = True
    return tuple(pin for pin in pins if pin.live) if ended else pins


def before_purge(pins: tuple[Pin, ...], messages: Mapping[str, Message]) -> tuple[Pin, ...]:
    """Hand the messages a purge removes to each live pin; returns the pins still live.

    The purged messages keep their fields, so the pins need no copy of them.
    """
    for pin in pins:
        if pin.live and pin.purged is None:
            pin.purged = messages
    return tuple(pin for pin in pins if pin.live)


@dataclass(frozen=True, slots=True)
class MessageStates:
    """A queue's messages and what of each may change, as they were at one moment.

    Views are built from this; ordering and building wait until a view is read. A
    message's other fields never change once it is queued.
    """

    messages: list[Message]
    states: list[MessageState]
    visible_at_ms: list[int]
    receive_counts: list[int]
    first_receive_at_ms: list[int | None]
    # The receive order of visible messages when a fault reorders them (else: by seq).
    visible_keys: list[int] | None = None

    def __len__(self) -> int:
        return len(self.messages)

    def delivery_key(self, index: int) -> tuple[int, int, int]:
        """Visible messages first, in the order a receive takes them; then by when the others turn visible."""
        seq = self.messages[index].seq
        if self.states[index] == "visible":
            return (0, seq if self.visible_keys is None else self.visible_keys[index], seq)
        return (1, self.visible_at_ms[index], seq)

    def in_delivery_order(self) -> list[int]:
        """Every index, in delivery order."""
        return sorted(range(len(self.messages)), key=self.delivery_key)

    def first(self, count: int) -> list[int]:
        """The first ``count`` indices in delivery order."""
        return heapq.nsmallest(count, range(len(self.messages)), key=self.delivery_key)


class PinnedMessages:
    """What a view reads its messages from: a pin, walked once, on first read."""

    __slots__ = ("__weakref__", "_done", "_lock", "_mutex", "_pin", "_states")

    def __init__(self, pin: Pin, lock: AbstractContextManager[Any]) -> None:
        self._pin = pin
        self._lock = lock
        self._mutex = threading.Lock()  # one walk, however many threads read the view
        self._states: MessageStates | None = None
        # Ends the pin when this reader is collected unread; the call is idempotent.
        self._done = weakref.finalize(self, _end, pin)
        self._done.atexit = False

    def states(self) -> MessageStates:
        """Every pinned message with its fields as of the pin, in send order."""
        with self._mutex:
            if self._states is None:
                self._states = self._walk()
                self._done()
            return self._states

    def _walk(self) -> MessageStates:
        pin = self._pin
        order, end, held, saved = pin.order, pin.end, pin.held, pin.saved
        # Sized up front, outside the lock: growing a long list under it would copy it.
        # Under the lock only stores into them: nothing allocated per message, so the
        # garbage collector does not run while it is held either.
        columns: list[list[Any]] = [[None] * end for _ in range(5)]
        messages, states, visible_at, counts, firsts = columns
        kept = 0
        for start in range(0, end, CHUNK):
            with self._lock:
                for message in order[start : min(start + CHUNK, end)]:
                    if message in saved:
                        state, at_ms, count, first = saved[message]
                    elif not message.removed or held(message):
                        state, at_ms = message.state, message.visible_at_ms
                        count, first = message.receive_count, message.first_receive_at_ms
                    else:
                        continue
                    messages[kept] = message
                    states[kept] = state
                    visible_at[kept] = at_ms
                    counts[kept] = count
                    firsts[kept] = first
                    kept += 1
        for column in columns:
            del column[kept:]
        key = pin.order_key
        keys = None if key is None else [key(message.seq) for message in messages]
        return MessageStates(messages, states, visible_at, counts, firsts, keys)


def _end(pin: Pin) -> None:
    # Plain stores, safe from the collector on any thread without the lock: the queue
    # stops saving into the pin and drops it at its next change.
    pin.live = False
    pin.order = []
    pin.saved = {}
    pin.purged = None
