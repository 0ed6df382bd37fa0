"""Long polls that wait: answered by hand-off, the moment something is receivable for them.

A long poll that finds nothing registers a :class:`Poll` and sleeps on its own
condition (sharing the simulation's lock). Whoever changes the simulation,
under that lock, serves the waiting polls before letting go of it: a send, a
delete or visibility change that unblocks a FIFO group, a dead-letter or
move-task arrival, or virtual time passing a delay, a visibility timeout or a
poll's deadline. The poll's receive therefore runs at the exact virtual
moment its messages became receivable, as SQS would hand them to a waiting
connection, and no poll ever re-checks on a timer.

Polls on one queue are served in the order they started waiting.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.polling.consumers import Consumer

# What a receive gets at ``now_ms`` (catching the queue up first), as the answer's entries; [] when nothing.
Take = Callable[[int], list[dict[str, Any]]]


@dataclass(eq=False)
class Poll:
    """One long poll waiting for messages."""

    queue: Queue
    deadline_ms: int
    take: Take
    consumer: Consumer | None  # None: the thread that drives time
    wake: threading.Condition
    messages: list[dict[str, Any]] | None = None
    # Where the answer falls in the order calls took effect, and when (set by the simulation).
    order: tuple[int, int] | None = None

    def done(self) -> bool:
        """Whether the poll has its answer (possibly no messages)."""
        return self.messages is not None


class WaitingPolls:
    """Every long poll waiting in one simulation, by queue."""

    def __init__(self, on_answer: Callable[[Poll], None], progress: Callable[[], int]) -> None:
        self._by_queue: dict[Queue, deque[Poll]] = {}
        self._on_answer = on_answer
        # Grows when messages move to another queue (dead-lettered by a receive, or by a move task): serve again.
        self._progress = progress
        self.count = 0

    def add(self, poll: Poll) -> None:
        """Start waiting (lock held)."""
        self._by_queue.setdefault(poll.queue, deque()).append(poll)
        self.count += 1

    def queues(self) -> list[Queue]:
        """The queues that polls wait on."""
        return list(self._by_queue)

    def drop_abandoned(self) -> None:
        """End the polls whose caller has gone (a server client that hung up): they must not take messages."""
        for polls in list(self._by_queue.values()):
            for poll in [p for p in polls if p.consumer is not None and not p.consumer.alive()]:
                self.answer(poll, [])

    def serve(self, now_ms: int) -> None:
        """End the polls whose wait is over, then answer every poll that something is receivable for (lock held).

        A wait covers the moments before its deadline: what becomes receivable
        at the deadline itself is too late for it. A receive may move messages
        to a dead-letter queue that other polls wait on, so the queues are
        served again until a pass hands out nothing.
        """
        for polls in list(self._by_queue.values()):
            for poll in [p for p in polls if p.deadline_ms <= now_ms]:
                self.answer(poll, [])
        while True:
            before = self._progress()
            if not self._serve_once(now_ms) and self._progress() == before:
                break

    def _serve_once(self, now_ms: int) -> bool:
        handed_out = False
        for queue, polls in list(self._by_queue.items()):
            while polls:
                poll = polls[0]
                if queue.deleted:
                    self.answer(poll, [])
                    continue
                if poll.consumer is not None and not poll.consumer.alive():
                    self.answer(poll, [])  # its caller has gone: the messages stay for others
                    continue
                messages = poll.take(now_ms)
                if not messages:
                    break
                self.answer(poll, messages)
                handed_out = True
        return handed_out

    def next_deadline_ms(self) -> int | None:
        """The earliest deadline of a waiting poll."""
        return min((p.deadline_ms for polls in self._by_queue.values() for p in polls), default=None)

    def release_all(self) -> None:
        """Answer every waiting poll with nothing (the simulation stops)."""
        for polls in list(self._by_queue.values()):
            while polls:
                self.answer(polls[0], [])

    def answer(self, poll: Poll, messages: list[dict[str, Any]]) -> None:
        """Give a waiting poll its answer and wake its caller (lock held)."""
        polls = self._by_queue[poll.queue]
        polls.remove(poll)
        if not polls:
            del self._by_queue[poll.queue]
        self.count -= 1
        poll.messages = messages
        self._on_answer(poll)
        poll.wake.notify()
