"""The service: one entry point, ``Service.handle(operation, params, context)``."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pytest_sqsmock import ids
from pytest_sqsmock.clock import Clock, VirtualClock, to_datetime
from pytest_sqsmock.model.addresses import split_queue_url
from pytest_sqsmock.model.move_task import MoveTaskBook
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.access import queue_policy
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.fault_hooks import FaultHooks
from pytest_sqsmock.service.polling import consumers
from pytest_sqsmock.service.polling.consumers import Consumers, ConsumersBusy
from pytest_sqsmock.service.polling.waiting import Poll, Take, WaitingPolls
from pytest_sqsmock.service.registry import Registry
from pytest_sqsmock.service.rules.params import Params, Result
from pytest_sqsmock.sqs_errors import (
    invalid_action,
    missing_parameter,
    queue_does_not_exist,
)

Handler = Callable[["Service", Params, RequestContext], Result]

# Changes a time jump applies per hold of the lock: about the cost of an ordinary call or two.
JUMP_CHUNK = 16
# Real seconds a long poll on the driving thread waits for other consumers to park before it fails.
DRIVER_SETTLE_TIMEOUT_S = 30.0  # the same as run_until's default timeout
# While waiting for consumers to settle, how often to notice a consumer thread that ended.
_LIVENESS_CHECK_S = 0.005
# freezegun replaces time.monotonic while it runs; a wall-clock budget must not freeze with it.
_real_monotonic = time.monotonic


def _clock_text(epoch_ms: int) -> str:
    return to_datetime(epoch_ms).strftime("%H:%M:%S.%f")[:-3]


class Service:
    """A simulated SQS: every account and region, one lock, one clock.

    Every call runs under ``lock``, and so does every move of virtual time:
    no handler ever sees the clock move under it. Before a call lets go of the
    lock, the long polls waiting in ``polls`` get whatever became receivable
    for them (service/polling/waiting.py). ``changed`` (on the same lock) is notified
    when consumers park or calls end, for whoever waits for consumers to settle.
    """

    def __init__(self, clock: Clock, operations: Mapping[str, Handler]) -> None:
        self.clock = clock
        self.registry = Registry()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.move_tasks = MoveTaskBook()
        # The thread that created the simulation (the test's): it drives virtual time.
        self.driver = threading.current_thread()
        self.consumers = Consumers()
        # Messages moved between queues (dead-lettered, or by move tasks), ever: waiting polls look again.
        self.moves = 0
        self.polls = WaitingPolls(self._answered, lambda: self.moves)
        # Set when the mock stops: long polls still waiting return at once.
        self.closed = False
        self._operations = operations
        # Injected faults (pytest_sqsmock.faults.injection); None, the usual case, costs one check per hook.
        self.faults: FaultHooks | None = None
        # Grows with every call, answered poll and move of time: tells a driver whether anything happened.
        self.activity = 0
        self._settle_watchers = 0
        # The order in which calls took effect (a long poll: when it was answered), and when.
        self._sequence = 0
        self._last = threading.local()

    def handle(self, operation: str, params: Params, context: RequestContext) -> Result:
        """Run one SQS operation and return its result in AWS member names.

        Raises:
            SqsError: exactly the error SQS answers with.
        """
        handler = self._operations.get(operation)
        last = self._last
        last.order = None
        if handler is None:
            raise invalid_action(operation)
        ids.top_up()  # the call's message ids, made before the lock rather than under it
        with self.lock:
            last.started_ms = self.clock.now_ms()
            self.activity += 1
            if self.consumers.known:
                self.consumers.note(consumers.current(), operation)
            try:
                return handler(self, params, context)
            finally:
                if last.order is None:  # a long poll was ordered when it was answered
                    self._sequence += 1
                    last.order = (self._sequence, self.clock.now_ms())
                if self.polls.count:
                    self.polls.serve(self.clock.now_ms())
                if self._settle_watchers:
                    self.changed.notify_all()

    def last_call_order(self) -> tuple[int, int, int] | None:
        """For the calling thread's latest call: ``(started_ms, sequence, ended_ms)``.

        When it started and ended (virtual ms, under the lock) and its place in
        the order calls took effect; None when it never reached the simulation.
        """
        last = self._last
        order: tuple[int, int] | None = getattr(last, "order", None)
        return None if order is None else (last.started_ms, order[0], order[1])

    # -- virtual time ---------------------------------------------------------

    def on_driver_thread(self) -> bool:
        """Whether the caller is the thread that drives virtual time."""
        return threading.current_thread() is self.driver

    def advance_to(self, target_ms: int) -> None:
        """Move virtual time to ``target_ms``, paying for every change the jump causes.

        The jump applies the changes that fall due on the way (messages
        turning visible, leaving by retention) itself, in time order and in
        chunks of `JUMP_CHUNK`, letting go of the lock between chunks: calls
        after the jump find their queues caught up, and calls during it wait
        for one chunk. Between chunks the clock reads the moment of the last
        change applied, so a call landing mid-jump sees a moment the jump
        passes through, with every change due by then (if its queue owes more
        changes due at that very moment, the call applies them). While long polls wait, time also stops at every
        moment something may become receivable for one of them (a delay or
        visibility timeout ending, a move task's move, a poll's deadline) and
        the polls are served there, so each gets what SQS would have handed it
        at that moment.

        Raises:
            ValueError: ``target_ms`` is in the past.
        """
        clock = self._virtual_clock()
        with self.lock:
            if target_ms < clock.now_ms():
                raise ValueError(f"cannot move time backwards (from {clock.now_ms()} ms to {target_ms} ms)")
        done = False
        while not done:
            with self.lock:
                done = self._jump_chunk(target_ms)

    def _jump_chunk(self, target_ms: int) -> bool:
        """One chunk of a jump (lock held): apply due changes and move on, stop by stop; True once at ``target_ms``."""
        left = JUMP_CHUNK
        while True:
            now = self.clock.now_ms()
            stop = max(target_ms, now)
            # Polls are served, and move tasks replayed, at the moments they need.
            for event in (self._next_poll_event_ms() if self.polls.count else None, self.next_task_event_ms()):
                if event is not None and event < stop:
                    stop = max(event, now + 1)
            # Polls and tasks must be served at ``stop`` together with its changes: chunks stop short of it then.
            limit = stop if not self.polls.count and self.move_tasks.idle else stop - 1
            applied = self._apply_due(limit, left)
            if applied is None or not self._tidy(JUMP_CHUNK):
                break
            self._move_to(stop)
            if stop >= target_ms:
                return True
            # Each stop (a move, a served poll) counts as one change.
            left -= applied + 1
            if left <= 0:
                break
        self.activity += 1
        if self._settle_watchers:
            self.changed.notify_all()
        return False

    def _tidy(self, budget: int) -> bool:
        """Drop what the changes left stale at the heads of every queue's heaps, up to ``budget`` entries; True when done."""
        for queue in self.registry.all_queues():
            budget -= queue.tidy(budget)
            if budget <= 0:
                return False
        return True

    def _apply_due(self, until_ms: int, budget: int | None) -> int | None:
        """Apply every queue's changes due by ``until_ms`` in time order, walking the clock along (lock held).

        Returns how many were applied; with a ``budget``, stops after that many
        and returns None. The clock then reads the moment of the last change
        applied; a queue owing more changes due at that very moment finishes
        them at its next call (`Queue.catch_up`), so every call sees all that
        fell due by its moment.
        """
        clock = self._virtual_clock()
        heads = [
            (due, index, queue)
            for index, queue in enumerate(self.registry.all_queues())
            if (due := queue.next_due_ms()) is not None and due <= until_ms
        ]
        heapq.heapify(heads)
        left = budget
        total = 0
        while heads:
            if left is not None and left <= 0:
                return None
            _, index, queue = heads[0]
            # This queue's changes up to where another queue's are due next.
            others = [entry[0] for entry in heads[1:3]]
            applied, last = queue.catch_up(min([until_ms, *others]), left)
            total += applied
            if left is not None:
                left -= applied
            if last is not None and last > clock.now_ms():
                clock.move_to_ms(last)
            due = queue.next_due_ms()
            if due is None or due > until_ms:
                heapq.heappop(heads)
            else:
                heapq.heapreplace(heads, (due, index, queue))
        return total

    def step_waiting_polls(self) -> bool:
        """Move virtual time to the next moment that matters to a waiting poll; False when none waits."""
        with self.lock:
            step = self._next_poll_event_ms()
            if step is None:
                return False
            self._move_to(max(step, self.clock.now_ms() + 1))
            return True

    def long_poll(self, queue: Queue, deadline_ms: int, take: Take, doing: str) -> list[dict[str, Any]]:
        """Wait (lock held) until ``take`` gets messages or the deadline passes; what it got.

        On the thread that drives virtual time, waiting moves virtual time
        (once the known consumers are parked); on any other thread the call
        sleeps until a change hands it messages or time passes its deadline.
        """
        if self.closed:
            return []
        driver = self.on_driver_thread()
        consumer = None if driver else self.consumers.learn(consumers.current())
        # The receive that found nothing may have moved messages to a dead-letter queue: serve its polls first.
        self.polls.serve(self.clock.now_ms())
        poll = Poll(queue, deadline_ms, take, consumer, threading.Condition(self.lock))
        self.polls.add(poll)
        if consumer is not None:
            self.consumers.park(consumer, f"{doing} (waiting until {_clock_text(deadline_ms)})")
            self.activity += 1
            if self._settle_watchers:
                self.changed.notify_all()
        if isinstance(self.clock, VirtualClock):
            if driver:
                try:
                    self._drive(poll)
                except BaseException:  # consumers never parked: the poll must not linger and swallow messages
                    if not poll.done():
                        self.polls.answer(poll, [])
                    raise
            while not poll.done():
                poll.wake.wait()
        else:
            self._wait_in_real_time(poll)
        self._last.order = poll.order
        return poll.messages or []

    def await_settled(self, expected: int | None, timeout_s: float) -> None:
        """Wait (lock held) until every known consumer is parked and at least ``expected`` polls wait.

        Raises:
            ConsumersBusy: they did not settle within ``timeout_s`` seconds of real time.
        """
        started = _real_monotonic()
        self._settle_watchers += 1
        try:
            while not self.settled(expected):
                remaining = timeout_s - (_real_monotonic() - started)
                if remaining <= 0:
                    raise ConsumersBusy(self.consumers.describe(), expected, timeout_s)
                # Consumers announce parking; only a thread ending unannounced needs the short wait.
                self.changed.wait(min(remaining, _LIVENESS_CHECK_S))
        finally:
            self._settle_watchers -= 1

    def settled(self, expected: int | None) -> bool:
        """Whether time may move (lock held): every known consumer parked, at least ``expected`` polls waiting.

        A poll whose caller has gone (a server client that hung up, a cancelled task) ends first:
        it is no parked consumer.
        """
        self.polls.drop_abandoned()
        return self.consumers.settled(expected)

    def next_event_ms(self) -> int | None:
        """The earliest moment anything is scheduled: a message turning visible, a move, a poll's deadline."""
        with self.lock:
            return self._earliest_event_ms(self.registry.all_queues())

    def now_ms(self) -> int:
        """The simulation's current time."""
        return self.clock.now_ms()

    def next_task_event_ms(self) -> int | None:
        """When the next move-task move falls due, if any task runs."""
        return None if self.move_tasks.idle else self.move_tasks.next_event_ms()

    def close(self) -> None:
        """Release every waiting long poll; the simulation stays readable."""
        with self.lock:
            self.closed = True
            self.polls.release_all()
            self.changed.notify_all()

    def catch_up_tasks(self, now_ms: int | None = None) -> None:
        """Replay the message moves that fell due (lock held); free when no task runs.

        Move tasks (service/operations/move_tasks.py) progress lazily: call this before
        reading any queue a task may touch. `resolve_queue` does.
        """
        if self.move_tasks.idle:
            return
        when = self.now_ms() if now_ms is None else now_ms
        if self.move_tasks.catch_up(when, self.registry.find_by_arn):
            self.moves += 1

    def _virtual_clock(self) -> VirtualClock:
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("only a virtual clock can be moved")
        return self.clock

    def _move_to(self, when_ms: int) -> None:
        """Move the clock to ``when_ms`` (lock held), the changes due by then applied first."""
        self._apply_due(when_ms, None)
        self._virtual_clock().move_to_ms(when_ms)
        self.activity += 1
        self.catch_up_tasks(when_ms)
        if self.polls.count:
            self.polls.serve(when_ms)
        if self._settle_watchers:
            self.changed.notify_all()

    def _next_poll_event_ms(self) -> int | None:
        """When something may next become receivable for a waiting poll, or a poll's deadline."""
        return self._earliest_event_ms(self.polls.queues())

    def _earliest_event_ms(self, queues: Iterable[Queue]) -> int | None:
        """The first of: a message of ``queues`` turning visible, a move task's move, a poll's deadline."""
        times = [t for queue in queues if (t := queue.next_change_ms()) is not None]
        times.extend(t for t in (self.next_task_event_ms(), self.polls.next_deadline_ms()) if t is not None)
        return min(times, default=None)

    def _drive(self, poll: Poll) -> None:
        """A long poll of the driving thread: move time, event by event, until it is answered."""
        while not poll.done():
            self.await_settled(None, DRIVER_SETTLE_TIMEOUT_S)
            if poll.done():
                break
            step = self._next_poll_event_ms()
            target = poll.deadline_ms if step is None else min(step, poll.deadline_ms)
            self._move_to(max(target, self.clock.now_ms() + 1))

    def _wait_in_real_time(self, poll: Poll) -> None:
        """clock="system": sleep until woken, or until the next moment the queue changes by itself."""
        while not poll.done():
            wake = min(
                t for t in (poll.deadline_ms, poll.queue.next_change_ms(), self.next_task_event_ms()) if t is not None
            )
            remaining_ms = wake - self.clock.now_ms()
            # Measured by the lock, not by the clock: a frozen freezegun clock still lets the wait end.
            ran_out = remaining_ms <= 0 or not poll.wake.wait(remaining_ms / 1000)
            if poll.done():
                break
            self.polls.serve(self.clock.now_ms())
            if not poll.done() and ran_out and wake >= poll.deadline_ms:
                self.polls.answer(poll, [])

    def _answered(self, poll: Poll) -> None:
        self.activity += 1
        self._sequence += 1
        poll.order = (self._sequence, self.clock.now_ms())
        if poll.consumer is not None:
            count = len(poll.messages or [])
            self.consumers.unpark(
                poll.consumer,
                f"ReceiveMessage on {poll.queue.name} answered with {count} message(s) at {_clock_text(self.clock.now_ms())}",
            )

    def resolve_queue(self, params: Params, context: RequestContext) -> Queue:
        """The queue a request's ``QueueUrl`` names, caught up to now."""
        url = params.get("QueueUrl")
        if url is None:
            url = context.path_queue_url
        if url is None:
            raise missing_parameter("QueueUrl")
        if not self.move_tasks.idle:
            self.catch_up_tasks()
        queue = self.find_queue(str(url), context)
        if queue is None:
            raise queue_does_not_exist(query=context.protocol == "query")
        now = self.clock.now_ms()
        if queue.settings.policy is not None or queue.account_id != context.account_id:
            queue_policy.check(queue, context.operation, caller_of(context, now))
        # else: the owner, and no policy to deny it (queue_policy.check's first rule), without building a caller
        queue.catch_up(now)
        return queue

    def find_queue(self, url: str, context: RequestContext) -> Queue | None:
        """A queue by URL or bare name, in the request's region (SQS ignores the URL's host)."""
        parts = split_queue_url(url)
        if parts is None:
            return None
        account_id, name = parts
        return self.registry.find(account_id or context.account_id, context.region, name)


def caller_of(context: RequestContext, now_ms: int | None = None) -> queue_policy.Caller:
    """The principal behind a request at ``now_ms`` (``aws:CurrentTime``), for the queue policy."""
    return queue_policy.Caller(
        context.account_id, secure_transport=not context.endpoint.startswith("http:"), now_ms=now_ms
    )
