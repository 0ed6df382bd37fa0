"""Heaps of messages with lazy deletion, and an ordered lane for in-order pushes.

Every entry carries the message's ``generation`` at push time; an entry whose
message has moved on since is dropped when it reaches the top. The storage is
cleaned when stale entries outnumber live ones, a few entries per operation
(no call pays for a whole pass), so memory stays proportional to the messages
actually held.

Most pushes come in order: sends by sequence number, enqueue times, timeouts of
one length. Those go to the lane, three deques (keys, generations, messages) of
8 bytes per entry each, instead of the heap's 80-byte tuple; only a push that
would come before the lane's last entry goes to the heap. The smaller of the
two heads is the top.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Final

from pytest_sqsmock.model.message import Message

Entry = tuple[int, int, int, Message]  # (key, seq, generation, message)

_COMPACT_SLACK = 256
# Set-aside entries moved per operation: the stale ones (at most about half) are gone
# well before they could outnumber live ones again.
_DRAIN_STEP = 8
_ANY_STATE = -1
NEVER: Final = 1 << 62
"""A key later than any (``MessageHeap.floor`` of an empty heap)."""


def is_current(entry: Entry) -> bool:
    """Whether an entry still describes its message (``generation`` -1 ignores state changes)."""
    return _current(entry[2], entry[3])


def _current(generation: int, message: Message) -> bool:
    return not message.removed and generation in (_ANY_STATE, message.generation)


class _Lane:
    """Entries in key order: three parallel deques (no generations when entries ignore state changes)."""

    __slots__ = ("generations", "keys", "messages")

    def __init__(self, *, follow_state: bool) -> None:
        self.keys: deque[int] = deque()
        self.messages: deque[Message] = deque()
        self.generations: deque[int] | None = deque() if follow_state else None

    def __len__(self) -> int:
        return len(self.keys)

    def generation(self, index: int) -> int:
        return _ANY_STATE if self.generations is None else self.generations[index]

    def comes_after(self, key: int, seq: int) -> bool:
        """Whether ``(key, seq)`` sorts at or after the last entry (always, when empty)."""
        keys = self.keys
        return not keys or key > keys[-1] or (key == keys[-1] and seq >= self.messages[-1].seq)

    def append(self, key: int, generation: int, message: Message) -> None:
        self.keys.append(key)
        self.messages.append(message)
        if self.generations is not None:
            self.generations.append(generation)

    def prepend(self, key: int, generation: int, message: Message) -> None:
        self.keys.appendleft(key)
        self.messages.appendleft(message)
        if self.generations is not None:
            self.generations.appendleft(generation)

    def drop_first(self) -> None:
        self.keys.popleft()
        self.messages.popleft()
        if self.generations is not None:
            self.generations.popleft()

    def take_last(self) -> tuple[int, int, Message]:
        generation = _ANY_STATE if self.generations is None else self.generations.pop()
        return self.keys.pop(), generation, self.messages.pop()

    def skip_stale(self) -> None:
        messages = self.messages
        while messages and not _current(self.generation(0), messages[0]):
            self.drop_first()

    def clear(self) -> None:
        self.keys.clear()
        self.messages.clear()
        if self.generations is not None:
            self.generations.clear()


class MessageHeap:
    """Messages ordered by an integer key (a due time, or a sequence number), ties by ``seq``.

    Stale entries are dropped without a stall: when they outnumber live ones the lane
    is set aside as ``_old`` and every later operation moves a few of its entries, the
    current ones, from its end to the front of a fresh lane (the heap, which holds only
    out-of-order pushes, is filtered at once). Everything in ``_old`` sorts before the
    fresh lane, so the top is ``_old``'s head while it lasts.
    """

    __slots__ = ("_entries", "_follow_state", "_lane", "_old", "floor")

    def __init__(self, *, follow_state: bool = True) -> None:
        # follow_state=False: an entry lives as long as its message, whatever
        # state changes the message goes through (retention).
        self._entries: list[Entry] = []
        self._follow_state = follow_state
        self._lane = _Lane(follow_state=follow_state)
        self._old: _Lane | None = None
        # At most the smallest current key (NEVER: no entry): a caller can tell nothing is due without a peek.
        self.floor = NEVER

    def push(self, key: int, message: Message, live: int) -> None:
        """Add ``message`` under ``key``; ``live`` is how many entries should be current."""
        generation = message.generation if self._follow_state else _ANY_STATE
        if key < self.floor:
            self.floor = key
        lane, old = self._lane, self._old
        last = old if old is not None and not lane.keys else lane
        if last.comes_after(key, message.seq):
            lane.append(key, generation, message)
        else:
            heapq.heappush(self._entries, (key, message.seq, generation, message))
        if old is not None:
            self._drain(old)
        elif len(lane.keys) + len(self._entries) > 2 * live + _COMPACT_SLACK:
            self._old, self._lane = lane, _Lane(follow_state=self._follow_state)
            self._entries = [entry for entry in self._entries if is_current(entry)]
            heapq.heapify(self._entries)

    def peek(self) -> Entry | None:
        """The current entry with the smallest key, without removing it."""
        return self._top(remove=False)

    def pop(self) -> Entry | None:
        """Remove and return the current entry with the smallest key."""
        return self._top(remove=True)

    def drop_stale(self, budget: int) -> int:
        """Drop up to ``budget`` stale entries from the heads, where a later peek would meet them; how many."""
        dropped = 0
        for lane in (self._old, self._lane):
            while (
                lane is not None
                and dropped < budget
                and lane.keys
                and not _current(lane.generation(0), lane.messages[0])
            ):
                lane.drop_first()
                dropped += 1
        entries = self._entries
        while dropped < budget and entries and not is_current(entries[0]):
            heapq.heappop(entries)
            dropped += 1
        return dropped

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self._lane.clear()
        self._old = None
        self.floor = NEVER

    def __len__(self) -> int:
        return len(self._entries) + len(self._lane) + (0 if self._old is None else len(self._old))

    def _top(self, *, remove: bool) -> Entry | None:
        lane, old = self._lane, self._old
        if old is not None:
            self._drain(old)  # may finish it: then it is empty, and no longer set aside
            old.skip_stale()
            if old.keys:
                lane = old
        lane.skip_stale()
        entries = self._entries
        while entries and not is_current(entries[0]):
            heapq.heappop(entries)
        if lane.keys:
            key, message = lane.keys[0], lane.messages[0]
            if not entries or (key, message.seq) < entries[0][:2]:
                entry = (key, message.seq, lane.generation(0), message)
                if remove:
                    lane.drop_first()
                self.floor = key
                return entry
        if not entries:
            self.floor = NEVER
            return None
        self.floor = entries[0][0]
        return heapq.heappop(entries) if remove else entries[0]

    def _drain(self, old: _Lane) -> None:
        """Move a few entries from the end of the set-aside lane to the front of the fresh one."""
        lane = self._lane
        for _ in range(_DRAIN_STEP):
            if not old.keys:
                self._old = None
                return
            key, generation, message = old.take_last()
            if _current(generation, message):
                lane.prepend(key, generation, message)
