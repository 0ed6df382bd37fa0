"""Heaps of messages with lazy deletion, and an ordered lane for in-order pushes.

Every entry carries the message's ``generation`` at push time; an entry whose
message has moved on since is dropped when it reaches the top. The storage is
rebuilt when stale entries outnumber live ones, so memory stays proportional
to the messages actually held.

Most pushes come in order: sends by sequence number, enqueue times, timeouts of
one length. Those go to the lane, three deques (keys, generations, messages) of
8 bytes per entry each, instead of the heap's 80-byte tuple; only a push that
would come before the lane's last entry goes to the heap. The smaller of the
two heads is the top.
"""

from __future__ import annotations

import heapq
from collections import deque
from itertools import repeat

from pytest_sqsmock.model.message import Message

Entry = tuple[int, int, int, Message]  # (key, seq, generation, message)

_COMPACT_SLACK = 256
_ANY_STATE = -1


def is_current(entry: Entry) -> bool:
    """Whether an entry still describes its message (``generation`` -1 ignores state changes)."""
    return _current(entry[2], entry[3])


def _current(generation: int, message: Message) -> bool:
    return not message.removed and generation in (_ANY_STATE, message.generation)


class MessageHeap:
    """Messages ordered by an integer key (a due time, or a sequence number), ties by ``seq``."""

    __slots__ = ("_entries", "_follow_state", "_generations", "_keys", "_messages")

    def __init__(self, *, follow_state: bool = True) -> None:
        # follow_state=False: an entry lives as long as its message, whatever
        # state changes the message goes through (retention).
        self._entries: list[Entry] = []
        self._follow_state = follow_state
        self._keys: deque[int] = deque()
        self._messages: deque[Message] = deque()
        # None when entries ignore state changes: every generation would be -1.
        self._generations: deque[int] | None = deque() if follow_state else None

    def push(self, key: int, message: Message, live: int) -> None:
        """Add ``message`` under ``key``; ``live`` is how many entries should be current."""
        generation = message.generation if self._follow_state else _ANY_STATE
        keys, messages = self._keys, self._messages
        if not keys or key > keys[-1] or (key == keys[-1] and message.seq >= messages[-1].seq):
            keys.append(key)
            messages.append(message)
            if self._generations is not None:
                self._generations.append(generation)
        else:
            heapq.heappush(self._entries, (key, message.seq, generation, message))
        if len(keys) + len(self._entries) > 2 * live + _COMPACT_SLACK:
            self._compact()

    def peek(self) -> Entry | None:
        """The current entry with the smallest key, without removing it."""
        return self._top(remove=False)

    def pop(self) -> Entry | None:
        """Remove and return the current entry with the smallest key."""
        return self._top(remove=True)

    def pop_due(self, now: int) -> Entry | None:
        """Remove and return the smallest current entry whose key is ``<= now``."""
        entry = self._top(remove=False)
        if entry is None or entry[0] > now:
            return None
        return self._top(remove=True)

    def drop_stale(self, budget: int) -> int:
        """Drop up to ``budget`` stale entries from the top, where a later peek would meet them; how many."""
        entries = self._entries
        dropped = 0
        while dropped < budget and entries and not is_current(entries[0]):
            heapq.heappop(entries)
            dropped += 1
        return dropped

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self._keys.clear()
        self._messages.clear()
        if self._generations is not None:
            self._generations.clear()

    def __len__(self) -> int:
        return len(self._entries) + len(self._keys)

    def _top(self, *, remove: bool) -> Entry | None:
        keys, messages, generations = self._keys, self._messages, self._generations
        while messages and not _current(_ANY_STATE if generations is None else generations[0], messages[0]):
            self._pop_lane()
        entries = self._entries
        while entries and not is_current(entries[0]):
            heapq.heappop(entries)
        if messages:
            key, message = keys[0], messages[0]
            if not entries or (key, message.seq) < entries[0][:2]:
                entry = (key, message.seq, _ANY_STATE if generations is None else generations[0], message)
                if remove:
                    self._pop_lane()
                return entry
        if not entries:
            return None
        return heapq.heappop(entries) if remove else entries[0]

    def _pop_lane(self) -> None:
        self._keys.popleft()
        self._messages.popleft()
        if self._generations is not None:
            self._generations.popleft()

    def _compact(self) -> None:
        """Drop every stale entry: one pass, order kept in the lane, the heap re-heapified."""
        generations = self._generations
        lane = zip(self._keys, repeat(_ANY_STATE) if generations is None else generations, self._messages, strict=False)
        kept = [(key, generation, message) for key, generation, message in lane if _current(generation, message)]
        self._keys = deque(key for key, _, _ in kept)
        self._messages = deque(message for _, _, message in kept)
        if generations is not None:
            self._generations = deque(generation for _, generation, _ in kept)
        self._entries = [entry for entry in self._entries if is_current(entry)]
        heapq.heapify(self._entries)
