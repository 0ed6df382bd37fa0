"""Heaps of messages with lazy deletion.

Every entry carries the message's ``generation`` at push time; an entry whose
message has moved on since is dropped when it reaches the top. Each heap is
rebuilt when stale entries outnumber live ones, so memory stays proportional
to the messages actually held.
"""

from __future__ import annotations

import heapq

from pytest_sqsmock.model.message import Message

Entry = tuple[int, int, int, Message]  # (key, seq, generation, message)

_COMPACT_SLACK = 256


def is_current(entry: Entry) -> bool:
    """Whether an entry still describes its message (``generation`` -1 ignores state changes)."""
    message = entry[3]
    return not message.removed and entry[2] in (-1, message.generation)


class MessageHeap:
    """Messages ordered by an integer key (a due time, or a sequence number)."""

    __slots__ = ("_entries", "_follow_state")

    def __init__(self, *, follow_state: bool = True) -> None:
        # follow_state=False: an entry lives as long as its message, whatever
        # state changes the message goes through (retention).
        self._entries: list[Entry] = []
        self._follow_state = follow_state

    def push(self, key: int, message: Message, live: int) -> None:
        """Add ``message`` under ``key``; ``live`` is how many entries should be current."""
        generation = message.generation if self._follow_state else -1
        heapq.heappush(self._entries, (key, message.seq, generation, message))
        if len(self._entries) > 2 * live + _COMPACT_SLACK:
            self._entries = [entry for entry in self._entries if is_current(entry)]
            heapq.heapify(self._entries)

    def peek(self) -> Entry | None:
        """The current entry with the smallest key, without removing it."""
        entries = self._entries
        while entries:
            if is_current(entries[0]):
                return entries[0]
            heapq.heappop(entries)
        return None

    def pop(self) -> Entry | None:
        """Remove and return the current entry with the smallest key."""
        entry = self.peek()
        if entry is not None:
            heapq.heappop(self._entries)
        return entry

    def pop_due(self, now: int) -> Entry | None:
        """Remove and return the smallest current entry whose key is ``<= now``."""
        entry = self.peek()
        if entry is None or entry[0] > now:
            return None
        heapq.heappop(self._entries)
        return entry

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

    def __len__(self) -> int:
        return len(self._entries)
