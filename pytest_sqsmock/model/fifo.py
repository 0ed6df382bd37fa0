"""FIFO queues: message groups, deduplication and receive-attempt retries.

Behaviour: SQS Developer Guide, "FIFO queue delivery logic in Amazon SQS" and
"Amazon SQS FIFO queue key terms". Every structure here costs O(1) (amortised)
per message operation:

- `FifoGroups` keeps each message group as a list in send order (removed
  messages are skipped, and trimmed as new ones arrive), plus an ordered index
  of the groups whose oldest message is visible (the only groups a receive can
  take from). A receive walks the front group of that index from its head and
  stops at the first message that is in flight or delayed, so blocked groups
  are never looked at.
- `Deduplication` remembers deduplication ids for five minutes; ids leave
  in send order, never by a scan.
- `ReceiveAttempts` does the same for ``ReceiveRequestAttemptId``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Final

from pytest_sqsmock.model.message import Message

DEDUPLICATION_WINDOW_MS: Final = 300_000
RECEIVE_ATTEMPT_WINDOW_MS: Final = 300_000

# SequenceNumber: a large, non-consecutive, increasing decimal string (SQS API
# Reference, SendMessage; AWS's examples show 20 digits). Fixed width keeps string and numeric order equal.
_SEQUENCE_BASE: Final = 18_000_000_000_000_000_000
_SEQUENCE_STEP: Final = 65_537


def sequence_number(seq: int) -> str:
    """The SequenceNumber of a queue's ``seq``-th message (20 digits, increasing)."""
    return str(_SEQUENCE_BASE + seq * _SEQUENCE_STEP)


class _Group:
    """One message group: its messages in send order, read from ``start`` on.

    Removed messages stay in the list until the head passes them (a removal is
    O(1)); in a FIFO group only the head run can be received, so the messages
    skipped this way are few. The list is trimmed when new messages arrive.
    """

    __slots__ = ("group_id", "live", "messages", "start")

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.messages: list[Message] = []
        self.start = 0
        self.live = 0

    def head(self) -> Message | None:
        messages, index = self.messages, self.start
        while index < len(messages) and messages[index].removed:
            index += 1
        self.start = index
        return messages[index] if index < len(messages) else None

    def append(self, message: Message) -> None:
        if self.start > 16 and 2 * self.start > len(self.messages):
            # Never during a delivery walk: walks only change states and remove.
            del self.messages[: self.start]
            self.start = 0
        self.messages.append(message)
        self.live += 1


class FifoGroups:
    """The message groups of one FIFO queue and which of them can deliver.

    A group can deliver when its oldest message still held is visible
    (observed AWS behaviour; SQS Developer Guide, "FIFO queue delivery logic
    in Amazon SQS"); it then delivers from that message up to the first one
    in flight or delayed. The queue calls `refresh` after every state change
    of a message and `remove` when a message leaves (marked removed), so the
    ready index is always exact. Groups enter the index at its end when they
    become ready, so a group that was just received from (even with
    VisibilityTimeout 0) comes after groups that were waiting (observed AWS
    behaviour).
    """

    __slots__ = ("_groups", "_ready")

    def __init__(self) -> None:
        self._groups: dict[str, _Group] = {}
        # OrderedDict, not dict: taking the first key stays O(1) after many
        # removals from the front.
        self._ready: OrderedDict[str, _Group] = OrderedDict()

    def append(self, message: Message) -> None:
        """Add a new message at the end of its group (call `refresh` once its state is set)."""
        group_id = _group_of(message)
        group = self._groups.get(group_id)
        if group is None:
            group = self._groups[group_id] = _Group(group_id)
        elif message.group_id is not None:
            # One string per group, not one per message (the call journal shares the same one).
            message.group_id = group.group_id
        group.append(message)

    def refresh(self, message: Message) -> None:
        """Re-derive its group's readiness after ``message`` changed state."""
        group = self._groups[_group_of(message)]
        if group.head() is message:
            self._update_ready(group)

    def remove(self, message: Message) -> None:
        """Take a removed message out of its group (deleted, expired or dead-lettered)."""
        group = self._groups.get(_group_of(message))
        if group is None:
            return
        group.live -= 1
        if group.live <= 0:
            del self._groups[group.group_id]
            self._ready.pop(group.group_id, None)
        else:
            self._update_ready(group)

    def deliverable(self) -> Generator[Message, None, None]:
        """Visible messages in delivery order: a whole group's run, then the next group.

        The consumer may change the state of (or remove) each message it is
        given before asking for the next one; nothing else may change.
        """
        visited: set[str] = set()
        while self._ready:
            group_id = next(iter(self._ready))
            if group_id in visited:
                return
            visited.add(group_id)
            group = self._ready[group_id]
            messages, index = group.messages, group.start
            while index < len(messages):
                message = messages[index]
                index += 1
                if message.removed:
                    continue
                if message.state != "visible":
                    break
                yield message

    def clear(self) -> None:
        """Forget every group (purge)."""
        self._groups.clear()
        self._ready.clear()

    def group_ids(self) -> list[str]:
        """Every group holding a message, in order of their creation."""
        return list(self._groups)

    def ready_group_ids(self) -> list[str]:
        """Groups whose head is visible, in the order a receive visits them."""
        return list(self._ready)

    def messages_of(self, group_id: str) -> list[Message]:
        """A group's messages, oldest first."""
        group = self._groups.get(group_id)
        if group is None:
            return []
        return [message for message in group.messages[group.start :] if not message.removed]

    def _update_ready(self, group: _Group) -> None:
        head = group.head()
        if head is not None and head.state == "visible":
            if group.group_id not in self._ready:
                self._ready[group.group_id] = group
        else:
            self._ready.pop(group.group_id, None)


def _group_of(message: Message) -> str:
    return "" if message.group_id is None else message.group_id


@dataclass(frozen=True, slots=True)
class SentRecord:
    """What a SendMessage answers with: the message's id and sequence number."""

    message_id: str
    sequence_number: str | None
    duplicate: bool = False


DedupKey = str | tuple[str, str]


class Deduplication:
    """Deduplication ids of one FIFO queue, each remembered for five minutes.

    The window starts at the first send and is not extended by duplicates
    (SQS API Reference, SendMessage). ``per_group`` is fixed when the queue is
    created: changing DeduplicationScope later does not change behaviour
    (observed AWS behaviour). An id maps to the message first sent with it
    (its key is that message's own id string); windows leave through two
    deques in send order (start times and messages), never by a scan.
    """

    __slots__ = ("_messages", "_records", "_starts", "per_group")

    def __init__(self, *, per_group: bool) -> None:
        self.per_group = per_group
        self._records: dict[DedupKey, Message] = {}
        self._starts: deque[int] = deque()
        self._messages: deque[Message] = deque()

    def find(self, group_id: str, deduplication_id: str, now_ms: int) -> Message | None:
        """The message that ``deduplication_id`` repeats within the window, if any."""
        self._expire(now_ms)
        return self._records.get(self._key(group_id, deduplication_id))

    def remember(self, message: Message, now_ms: int) -> None:
        """Start the window of a newly accepted message (it carries a deduplication id)."""
        self._records[self._key_of(message)] = message
        self._starts.append(now_ms)
        self._messages.append(message)

    def clear(self) -> None:
        """Forget every id (PurgeQueue does so on AWS: observed AWS behaviour)."""
        self._records.clear()
        self._starts.clear()
        self._messages.clear()

    def __len__(self) -> int:
        return len(self._records)

    def _key(self, group_id: str, deduplication_id: str) -> DedupKey:
        return (group_id, deduplication_id) if self.per_group else deduplication_id

    def _key_of(self, message: Message) -> DedupKey:
        return self._key(message.group_id or "", message.deduplication_id or "")

    def _expire(self, now_ms: int) -> None:
        starts, messages = self._starts, self._messages
        while starts and starts[0] + DEDUPLICATION_WINDOW_MS <= now_ms:
            starts.popleft()
            message = messages.popleft()
            key = self._key_of(message)
            if self._records.get(key) is message:
                del self._records[key]


@dataclass(slots=True)
class ReceiveAttempt:
    """One FIFO receive, kept so a retry with its attempt id can repeat it.

    ``generations`` are the messages' state generations right after the
    receive: a message whose generation moved on was changed since (deleted,
    visibility changed or timed out, received again).
    """

    expires_at_ms: int
    messages: list[Message]
    handles: list[str]
    generations: list[int] = field(default_factory=list)

    def unchanged(self) -> bool:
        """Whether every message is exactly as this receive left it."""
        return all(
            not message.removed and message.state == "in_flight" and message.generation == generation
            for message, generation in zip(self.messages, self.generations, strict=True)
        )


class ReceiveAttempts:
    """``ReceiveRequestAttemptId`` of one FIFO queue, each kept for five minutes."""

    __slots__ = ("_attempts", "_expiry")

    def __init__(self) -> None:
        self._attempts: dict[str, ReceiveAttempt] = {}
        self._expiry: deque[tuple[int, str]] = deque()

    def get(self, attempt_id: str, now_ms: int) -> ReceiveAttempt | None:
        """The receive an attempt id names, while it is retryable by age."""
        expiry = self._expiry
        while expiry and expiry[0][0] <= now_ms:
            expires, key = expiry.popleft()
            attempt = self._attempts.get(key)
            if attempt is not None and attempt.expires_at_ms == expires:
                del self._attempts[key]
        return self._attempts.get(attempt_id)

    def remember(self, attempt_id: str, messages: list[Message], handles: list[str], now_ms: int) -> None:
        """Keep a receive for retries."""
        expires = now_ms + RECEIVE_ATTEMPT_WINDOW_MS
        self._attempts[attempt_id] = ReceiveAttempt(
            expires, list(messages), list(handles), [m.generation for m in messages]
        )
        self._expiry.append((expires, attempt_id))

    def clear(self) -> None:
        """Forget every attempt."""
        self._attempts.clear()
        self._expiry.clear()
