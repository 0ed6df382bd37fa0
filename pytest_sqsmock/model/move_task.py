"""Message move tasks (dead-letter queue redrive), advanced lazily on the simulation's clock.

A task moves the oldest visible message of its source (a dead-letter queue)
every ``1 / rate`` seconds: move *k* (1-based) is due ``ceil(k * 1000 / rate)``
ms after the start. Nothing runs in the background: whoever observes queues or
tasks first calls `MoveTaskBook.catch_up`, which replays every move that fell
due since, in due-time order across tasks. Facts: SQS API Reference,
StartMessageMoveTask / ListMessageMoveTasks, and SQS Developer Guide, "Learn how
to configure a dead-letter queue redrive in Amazon SQS".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Literal

from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import Queue

MoveTaskStatus = Literal["RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED"]

DEFAULT_RATE_PER_S: Final = 500
"""Moves per second when ``MaxNumberOfMessagesPerSecond`` is unset.

AWS documents the rate as "chosen by SQS" (system optimized); we use the
highest rate a caller may ask for, so that tests stay fast and deterministic.
"""

CANCEL_SETTLE_MS: Final = 1_000
"""How long a cancelled task reports ``CANCELLING`` before ``CANCELLED``.

AWS reports ``CANCELLING`` for a while after CancelMessageMoveTask (its
validated tests poll for ``CANCELLED``); the length is our choice. No message
moves while cancelling.
"""

NON_EXISTENT_QUEUE: Final = "AWS.SimpleQueueService.NonExistentQueue"
"""``FailureReason`` of a task whose destination disappeared (observed AWS behaviour)."""

QueueResolver = Callable[[str], "Queue | None"]
"""Looks a queue up by ARN (the original source of a message)."""


def redriven(message: Message, now_ms: int) -> Message:
    """A dead-lettered message as a move task delivers it: a new message.

    Redriven messages get a new ``MessageId`` and enqueue time (retention
    restarts) and start with no receives (SQS Developer Guide, "Learn how to
    configure a dead-letter queue redrive in Amazon SQS"). Body, attributes,
    digests, ``AWSTraceHeader`` and the FIFO group and deduplication ids are
    kept; ``SentTimestamp`` is the redrive time (unverified);
    ``DeadLetterQueueSourceArn`` is dropped.
    """
    return replace(
        message,
        message_id=str(uuid.uuid4()),
        sent_at_ms=now_ms,
        enqueued_at_ms=now_ms,
        attributes=dict(message.attributes),
        rare=replace(message.rare, system_attributes=dict(message.system_attributes), dead_letter_source_arn=None),
        sequence_number=None,
        seq=0,
        state="visible",
        visible_at_ms=now_ms,
        receive_count=0,
        first_receive_at_ms=None,
        received_at_ms=0,
        receipt=0,
        generation=0,
        removed=False,
    )


@dataclass(eq=False)
class MoveTask:
    """One StartMessageMoveTask and its progress.

    Attributes:
        task_id: A UUID; with the source ARN it makes up the task handle.
        source: The dead-letter queue the messages leave.
        destination: The queue they go to; ``None``: each back to its own
            original source (``DeadLetterQueueSourceArn``).
        max_per_second: ``MaxNumberOfMessagesPerSecond`` as given, or ``None``.
        started_at_ms: When the task started.
        to_move: Visible messages in the source at the start
            (``ApproximateNumberOfMessagesToMove``).
        moved: Messages moved so far.
        status: ``RUNNING``, ``COMPLETED``, ``CANCELLING``, ``CANCELLED`` or ``FAILED``.
        failure_reason: Why a ``FAILED`` task failed.
        cancelled_at_ms: When CancelMessageMoveTask was called, if it was.
    """

    task_id: str
    source: Queue
    destination: Queue | None
    max_per_second: int | None
    started_at_ms: int
    to_move: int
    moved: int = 0
    status: MoveTaskStatus = "RUNNING"
    failure_reason: str | None = None
    cancelled_at_ms: int | None = None

    @property
    def source_arn(self) -> str:
        """The source queue's ARN."""
        return self.source.arn

    @property
    def destination_arn(self) -> str | None:
        """``DestinationArn`` as given, or ``None``."""
        return None if self.destination is None else self.destination.arn

    @property
    def rate_per_s(self) -> int:
        """Moves per second."""
        return self.max_per_second or DEFAULT_RATE_PER_S

    @property
    def active(self) -> bool:
        """Whether the task still occupies its source (``RUNNING`` or ``CANCELLING``)."""
        return self.status in ("RUNNING", "CANCELLING")

    def next_event_ms(self) -> int | None:
        """When the task next changes: its next move, or the end of cancelling."""
        if self.status == "RUNNING":
            return self.started_at_ms + -(-(self.moved + 1) * 1000 // self.rate_per_s)
        if self.status == "CANCELLING" and self.cancelled_at_ms is not None:
            return self.cancelled_at_ms + CANCEL_SETTLE_MS
        return None

    def cancel(self, now_ms: int) -> None:
        """Stop moving messages; ``CANCELLED`` after `CANCEL_SETTLE_MS`."""
        self.status = "CANCELLING"
        self.cancelled_at_ms = now_ms

    def step(self, at_ms: int, resolve: QueueResolver) -> bool:
        """Apply the event due at ``at_ms``; returns whether a message moved."""
        if self.status == "CANCELLING":
            self.status = "CANCELLED"
            return False
        source = self.source
        if source.deleted or (self.destination is not None and self.destination.deleted):
            return self._fail()
        source.catch_up(at_ms)
        # Oldest visible message first, taken as a receive would take it.
        taken = source.receive(now_ms=at_ms, limit=1, visibility_timeout_s=0)
        if not taken:
            self.status = "COMPLETED"
            return False
        message = taken[0]
        target = self.destination
        if target is None and message.dead_letter_source_arn is not None:
            target = resolve(message.dead_letter_source_arn)
            if target is not None and (target.account_id, target.region) != (source.account_id, source.region):
                # Messages never leave the dead-letter queue's account and region:
                # seen from there, a queue elsewhere does not exist.
                target = None
        if target is None or target.deleted:
            # The move never happened: the message stays as it was.
            message.receive_count -= 1
            if message.receive_count == 0:
                message.first_receive_at_ms = None
            return self._fail()
        target.catch_up(at_ms)
        source.remove(message)
        # A new message (unverified): the destination's DelaySeconds applies; a
        # FIFO destination does not deduplicate it.
        target.add(redriven(message, at_ms), delay_s=target.settings.delay_s, now_ms=at_ms)
        self.moved += 1
        if self.moved >= self.to_move:
            self.status = "COMPLETED"
        return True

    def _fail(self) -> bool:
        self.status = "FAILED"
        self.failure_reason = NON_EXISTENT_QUEUE
        return False


class MoveTaskBook:
    """Every move task of a simulation: the history per source and the active ones."""

    def __init__(self) -> None:
        self._history: dict[str, list[MoveTask]] = {}
        self._active: list[MoveTask] = []

    @property
    def idle(self) -> bool:
        """Whether no task is running or cancelling (catching up is then free)."""
        return not self._active

    def start(
        self,
        *,
        source: Queue,
        destination: Queue | None,
        max_per_second: int | None,
        now_ms: int,
    ) -> MoveTask:
        """Start a task on a source caught up to ``now_ms``; an empty source completes at once."""
        task = MoveTask(
            task_id=str(uuid.uuid4()),
            source=source,
            destination=destination,
            max_per_second=max_per_second,
            started_at_ms=now_ms,
            to_move=source.counts["visible"],
        )
        if task.to_move == 0:
            task.status = "COMPLETED"
        else:
            self._active.append(task)
        self._history.setdefault(source.arn, []).append(task)
        return task

    def tasks_for(self, source: Queue) -> list[MoveTask]:
        """The tasks of one source queue (this incarnation of its ARN), newest first."""
        return [task for task in reversed(self._history.get(source.arn, [])) if task.source is source]

    def active_for(self, source: Queue) -> MoveTask | None:
        """The source's running or cancelling task, if any."""
        return next((task for task in self._active if task.source is source), None)

    def find(self, source: Queue, task_id: str) -> MoveTask | None:
        """A task of ``source`` by id."""
        return next((task for task in self.tasks_for(source) if task.task_id == task_id), None)

    def next_event_ms(self) -> int | None:
        """When any active task next changes, if one is active."""
        times = [at for task in self._active if (at := task.next_event_ms()) is not None]
        return min(times, default=None)

    def catch_up(self, now_ms: int, resolve: QueueResolver) -> bool:
        """Replay every task event due at or before ``now_ms``, earliest first.

        Returns:
            Whether any message moved (long polls may have something to receive).
        """
        moved = False
        while self._active:
            due = [(at, task) for task in self._active if (at := task.next_event_ms()) is not None and at <= now_ms]
            if not due:
                break
            at, task = min(due, key=lambda pair: pair[0])
            moved = task.step(at, resolve) or moved
            if not task.active:
                self._active.remove(task)
        return moved

    def clear(self) -> None:
        """Forget every task."""
        self._history.clear()
        self._active.clear()
