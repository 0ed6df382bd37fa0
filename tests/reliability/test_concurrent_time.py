"""Worker threads, long polls and a moving clock: the call journal replays against a reference model.

Ten worker threads (sixteen with ``SQSMOCK_LONG=1``), each with its own boto3
client, make seeded random calls on seven queues: SendMessage(Batch),
ReceiveMessage (short polls and long polls of 1-20 s), DeleteMessage(Batch),
ChangeMessageVisibility(Batch) (to 0 too), PurgeQueue and
Start/CancelMessageMoveTask. The queues: ``jobs`` (standard, dead-letters to
``jobs-dlq`` at maxReceiveCount 2, per-message delays), ``jobs-dlq``,
``orders.fifo`` (four message groups), ``events.fifo`` (three groups, a
2-second queue delay), ``replay`` and its dead-letter queue ``replay-dlq``
(which move tasks redrive back into ``replay``), and ``idle`` (where workers
that finished park until the round ends). Meanwhile the test's thread, which
created the mock and drives virtual time, calls ``advance()`` at seeded random
moments: most of them while workers are busy (an advance can fall between any
two calls, and while calls wait for the simulation's lock), the others once
every worker is parked in a long poll (``wait_until_parked``); there it also
notes the journal's sequence number and snapshots every queue.

The journal (``sqs_mock.calls``), sorted by ``Call.sequence``, is then replayed
against the small model of SQS below, each call at its ``answered_at`` (the
virtual moment it took effect: for a long poll, when it was answered; the
simulation's lock makes this a linearisation). The model checks:

- every answer: sends, deletes and visibility changes (errors included: expired
  FIFO handles, changes of messages that are gone, PurgeQueueInProgress, a second
  move task on one queue), and every receive: only receivable messages (visible,
  not in flight, not delayed, not due for the dead-letter queue), FIFO groups
  from their oldest message on, in order, never a group with a message in
  flight; ``ApproximateReceiveCount``; all receivable messages when fewer than
  ``MaxNumberOfMessages`` came back;
- no long poll waits while something is receivable for it. Where the model
  knows a poll was waiting (for a poll answered empty, from the end of the
  moment it started, its deadline minus ``WaitTimeSeconds``; for a poll parked
  at a snapshot, from the snapshot), nothing may be receivable for it after any
  call, at each moment virtual time passes a delay, a visibility timeout or a
  move-task move, and at the snapshots. A wait covers the moments before its
  deadline: what becomes receivable at the deadline itself is too late for it;
- the journal is a linearisation: sequence numbers unique, ``answered_at`` never
  decreasing along them, an empty long poll answered no earlier than
  ``Call.time`` + ``WaitTimeSeconds``, a poll parked at a snapshot answered
  after it and not after its deadline;
- nothing lost, nothing duplicated: at each snapshot and at the end, every queue
  holds exactly the messages the model says, in the same state, with the same
  receive count and visibility time; every message sent is deleted, purged,
  redriven or still held, exactly once.

A message that reached maxReceiveCount moves to ``jobs-dlq`` at the next receive
that reaches it; the first receive of a long poll and the hand-off attempts of
waiting polls are not in the journal, so the model keeps the places such a
message may be ("limbo") and narrows them whenever an answer, a waiting poll or
a snapshot decides.

``Call.time`` is read before a call takes the simulation's lock: a concurrent
``advance()`` can make it earlier than the moment the call ran (the summary
counts such calls as "overtaken"), so the model uses it only as a lower bound.

Runs: by default (CI) 2 seeded rounds of 10 workers x 120 calls, a few seconds.
``SQSMOCK_LONG=1`` (``tox -e reliability``): 30 rounds of 16 workers x 700
calls, about 340,000 calls in several minutes; ``-s`` prints what each round
covered. A failure names its seed, and ``-k seed7103`` reruns that round: a
seed fixes the calls each thread makes and when time moves, not how the
threads interleave.

The tests at the end are the bugs this replay found, reduced to minimal
reproductions.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import random
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sqsmock import Call, QueueView, SqsMock, SqsMockAssertionError

from .support import SYSTEM_NAMES

LONG = os.environ.get("SQSMOCK_LONG") == "1"
ROUNDS = 30 if LONG else 2
WORKERS = 16 if LONG else 10
CALLS_PER_WORKER = 700 if LONG else 120
FIRST_SEED = 7_100
SEEDS = [FIRST_SEED + n for n in range(ROUNDS)]
#: Real seconds without progress before the round is declared hung (never reached when all is well).
HANG_S = 120.0
#: Share of the test thread's moves of time made once every worker is parked.
QUIESCED_SHARE = 0.5
#: Virtual seconds per advance() (random, seeded).
ADVANCES = (0.001, 0.002, 0.01, 0.05, 0.2, 0.5, 1, 1, 2, 3, 5, 8, 13, 21)

MAX_HELD = 30  # receipt handles a worker remembers
PURGE_INTERVAL_MS = 60_000
MAX_VISIBILITY_MS = 43_200_000
CANCEL_SETTLE_MS = 1_000
DEFAULT_MOVE_RATE = 500
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# -- the queues ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSpec:
    name: str
    fifo: bool = False
    visibility_s: int = 5
    delay_s: int = 0
    dead_letter: str | None = None
    max_receives: int | None = None
    groups: tuple[str, ...] = ()


JOBS, JOBS_DLQ, ORDERS, EVENTS, REPLAY, REPLAY_DLQ, IDLE = (
    "jobs",
    "jobs-dlq",
    "orders.fifo",
    "events.fifo",
    "replay",
    "replay-dlq",
    "idle",
)
SPECS = {
    spec.name: spec
    for spec in (
        # Dead-letter queues first: a RedrivePolicy names an existing queue.
        QueueSpec(JOBS_DLQ, visibility_s=5),
        QueueSpec(REPLAY_DLQ, visibility_s=5),
        QueueSpec(JOBS, visibility_s=5, dead_letter=JOBS_DLQ, max_receives=2),
        QueueSpec(REPLAY, visibility_s=5, dead_letter=REPLAY_DLQ, max_receives=1000),
        QueueSpec(ORDERS, fifo=True, visibility_s=5, groups=("g0", "g1", "g2", "g3")),
        QueueSpec(EVENTS, fifo=True, visibility_s=4, delay_s=2, groups=("e0", "e1", "e2")),
        QueueSpec(IDLE),
    )
}
SEND_TARGETS = (JOBS, JOBS, JOBS, JOBS, ORDERS, ORDERS, ORDERS, EVENTS, EVENTS, REPLAY_DLQ, REPLAY_DLQ, REPLAY)
RECEIVE_TARGETS = (JOBS, JOBS, JOBS, JOBS, ORDERS, ORDERS, ORDERS, EVENTS, EVENTS, JOBS_DLQ, REPLAY, REPLAY_DLQ)
WATCHED = (JOBS_DLQ, JOBS_DLQ, JOBS_DLQ, REPLAY, JOBS)
PURGED = (JOBS, JOBS_DLQ, ORDERS, EVENTS, REPLAY, REPLAY_DLQ)
SETUP_OPERATIONS = {"CreateQueue", "GetQueueAttributes"}


def _ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _name_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# -- the workers -----------------------------------------------------------------------------------------------------


@dataclass
class Shared:
    """What the test thread and the workers share."""

    urls: dict[str, str]
    arns: dict[str, str]
    changed: threading.Condition = field(default_factory=threading.Condition)
    ticks: int = 0  # grows with every call a worker makes or starts waiting in
    stop: threading.Event = field(default_factory=threading.Event)
    task_handles: list[str] = field(default_factory=list)

    def tick(self) -> None:
        with self.changed:
            self.ticks += 1
            self.changed.notify_all()


class Worker:
    """One thread's seeded random walk over the queues; every answer is checked later, from the journal."""

    def __init__(self, index: int, seed: int, client: Any, shared: Shared, calls: int) -> None:
        self.name = f"w{index}"
        self.random = random.Random(seed * 1_000 + index)
        self.client = client
        self.shared = shared
        self.calls = calls
        self.serial = itertools.count()
        self.held: list[tuple[str, str]] = []  # (queue, receipt handle)
        self.attempt: str | None = None  # ReceiveRequestAttemptId of the receive in progress: names it in the journal
        self.polling = False
        self.done = False
        self.crash: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(self.calls):
                if self.shared.stop.is_set():  # the round failed: stop calling
                    return
                self._one_call()
            self.done = True
            self.shared.tick()
            while not self.shared.stop.is_set():
                self._receive(IDLE, wait=20, limit=1, visibility=None)
        except BaseException as crash:  # what the test is looking for
            self.crash = crash
            self.done = True
            self.shared.tick()

    def _one_call(self) -> None:
        roll = self.random.random()
        try:
            if roll < 0.15:
                self._send(self.random.choice(SEND_TARGETS))
            elif roll < 0.21:
                self._send_batch(self.random.choice(SEND_TARGETS))
            elif roll < 0.49:
                self._receive(
                    self.random.choice(RECEIVE_TARGETS),
                    wait=self.random.choice((0, 0, 0, 1, 2, 5, 10, 20)),
                    limit=self.random.choice((1, 1, 2, 3, 5, 10)),
                    visibility=self.random.choice((None, None, 0, 1, 2, 5, 10)),
                )
            elif roll < 0.63:
                self._delete()
            elif roll < 0.68:
                self._delete_batch()
            elif roll < 0.78:
                self._change()
            elif roll < 0.82:
                self._change_batch()
            elif roll < 0.825:
                self._purge()
            elif roll < 0.84:
                self._start_move_task()
            elif roll < 0.845:
                self._cancel_move_task()
            else:
                self._receive(
                    self.random.choice(WATCHED),
                    wait=self.random.choice((5, 10, 20)),
                    limit=self.random.choice((1, 3, 10)),
                    visibility=self.random.choice((None, 0, 2, 10)),
                )
        except ClientError:
            pass  # errors are answers too: the replay checks each against the model
        self.shared.tick()

    def _entry(self, queue: str) -> dict[str, Any]:
        body = f"{self.name}-{next(self.serial)}"
        spec = SPECS[queue]
        if spec.fifo:
            return {
                "MessageBody": body,
                "MessageGroupId": self.random.choice(spec.groups),
                "MessageDeduplicationId": f"d-{body}",
            }
        delay = self.random.choice((0, 0, 0, 0, 1, 3)) if queue == JOBS else 0
        return {"MessageBody": body, **({"DelaySeconds": delay} if delay else {})}

    def _send(self, queue: str) -> None:
        self.client.send_message(QueueUrl=self.shared.urls[queue], **self._entry(queue))

    def _send_batch(self, queue: str) -> None:
        entries = [{"Id": f"e{i}", **self._entry(queue)} for i in range(self.random.randint(1, 10))]
        self.client.send_message_batch(QueueUrl=self.shared.urls[queue], Entries=entries)

    def _receive(self, queue: str, *, wait: int, limit: int, visibility: int | None) -> None:
        attempt = f"{self.name}-r{next(self.serial)}"
        kwargs: dict[str, Any] = {
            "QueueUrl": self.shared.urls[queue],
            "MaxNumberOfMessages": limit,
            "WaitTimeSeconds": wait,
            "ReceiveRequestAttemptId": attempt,
            SYSTEM_NAMES: ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        self.attempt = attempt
        if wait:
            self.polling = True
            self.shared.tick()
        try:
            messages = self.client.receive_message(**kwargs).get("Messages", [])
        finally:
            self.polling = False
        self.held.extend((queue, message["ReceiptHandle"]) for message in messages)
        del self.held[:-MAX_HELD]

    def _some_handles(self) -> tuple[str, list[str]] | None:
        if not self.held:
            return None
        queue = self.random.choice(self.held)[0]
        mine = [handle for q, handle in self.held if q == queue]
        return queue, self.random.sample(mine, min(len(mine), self.random.randint(1, 10)))

    def _delete(self) -> None:
        if self.held:
            queue, handle = self.held.pop(self.random.randrange(len(self.held)))
            self.client.delete_message(QueueUrl=self.shared.urls[queue], ReceiptHandle=handle)

    def _delete_batch(self) -> None:
        picked = self._some_handles()
        if picked is not None:
            queue, handles = picked
            self.held = [item for item in self.held if item[1] not in handles]
            self.client.delete_message_batch(
                QueueUrl=self.shared.urls[queue],
                Entries=[{"Id": f"e{i}", "ReceiptHandle": handle} for i, handle in enumerate(handles)],
            )

    def _change(self) -> None:
        if self.held:
            queue, handle = self.random.choice(self.held)
            self.client.change_message_visibility(
                QueueUrl=self.shared.urls[queue],
                ReceiptHandle=handle,
                VisibilityTimeout=self.random.choice((0, 0, 1, 3, 10)),
            )

    def _change_batch(self) -> None:
        picked = self._some_handles()
        if picked is not None:
            queue, handles = picked
            self.client.change_message_visibility_batch(
                QueueUrl=self.shared.urls[queue],
                Entries=[
                    {"Id": f"e{i}", "ReceiptHandle": handle, "VisibilityTimeout": self.random.choice((0, 1, 3, 10))}
                    for i, handle in enumerate(handles)
                ],
            )

    def _purge(self) -> None:
        self.client.purge_queue(QueueUrl=self.shared.urls[self.random.choice(PURGED)])

    def _start_move_task(self) -> None:
        rate = self.random.choice((1, 2, 5, 50, None))
        answer = self.client.start_message_move_task(
            SourceArn=self.shared.arns[REPLAY_DLQ],
            DestinationArn=self.shared.arns[REPLAY],
            **({} if rate is None else {"MaxNumberOfMessagesPerSecond": rate}),
        )
        self.shared.task_handles.append(answer["TaskHandle"])

    def _cancel_move_task(self) -> None:
        if self.shared.task_handles:
            self.client.cancel_message_move_task(TaskHandle=self.random.choice(self.shared.task_handles[-3:]))


# -- one round: workers and the clock --------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The simulation while every worker was parked in a long poll (or had ended)."""

    boundary: int  # the largest Call.sequence so far: every later call took effect after the snapshot
    now_ms: int
    views: dict[str, QueueView]
    parked: list[str]  # ReceiveRequestAttemptId of each parked poll


@dataclass
class Round:
    """Run one seeded round; its journal and snapshots."""

    mock: SqsMock
    seed: int
    snapshots: list[Snapshot] = field(default_factory=list)
    advances: int = 0
    start_ms: int = 0

    def run(self) -> tuple[list[Call], list[Snapshot], dict[str, QueueView]]:
        mock = self.mock
        shared = self._set_up()
        no_retries = Config(retries={"total_max_attempts": 1})
        workers = [
            Worker(n, self.seed, mock.client(config=no_retries), shared, CALLS_PER_WORKER) for n in range(WORKERS)
        ]
        threads = [threading.Thread(target=w.run, name=f"{w.name}-seed{self.seed}", daemon=True) for w in workers]
        for thread in threads:
            thread.start()
        try:
            self._drive(shared, workers)
        finally:
            shared.stop.set()
            for _ in range(50):  # idle polls end at their deadline; a worker may start one more
                if not any(thread.is_alive() for thread in threads):
                    break
                mock.advance(21)
                for thread in threads:
                    thread.join(timeout=0.2)
        crashes = [(w.name, repr(w.crash)) for w in workers if w.crash is not None]
        assert not crashes, f"seed {self.seed}: exceptions escaped from workers: {crashes}"
        stuck = [thread.name for thread in threads if thread.is_alive()]
        assert not stuck, f"seed {self.seed}: workers {stuck} never returned"
        calls = sorted(mock.calls, key=lambda call: call.sequence)
        final = {view.name: view for view in mock.queues()}
        return calls, self.snapshots, final

    def _set_up(self) -> Shared:
        sqs = self.mock.client()
        self.start_ms = self.mock.simulation.now_ms
        urls: dict[str, str] = {}
        arns: dict[str, str] = {}
        for name, spec in SPECS.items():
            attributes = {"VisibilityTimeout": str(spec.visibility_s)}
            if spec.fifo:
                attributes["FifoQueue"] = "true"
            if spec.delay_s:
                attributes["DelaySeconds"] = str(spec.delay_s)
            if spec.dead_letter is not None:
                policy = {"deadLetterTargetArn": arns[spec.dead_letter], "maxReceiveCount": spec.max_receives}
                attributes["RedrivePolicy"] = json.dumps(policy)
            urls[name] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
        return Shared(urls, arns)

    def _drive(self, shared: Shared, workers: list[Worker]) -> None:
        """Move virtual time at seeded random moments until every worker has made its calls."""
        clock = random.Random(self.seed)
        mock = self.mock
        while True:
            self._check_workers(workers)
            if all(w.done for w in workers):
                self._snapshot(workers)  # the final state: every worker parked on `idle`
                return
            if clock.random() < QUIESCED_SHARE:
                self._snapshot(workers)
                mock.advance(clock.choice(ADVANCES))
                self.advances += 1
                continue
            # A burst of moves of time under the workers' feet, each after a few of their calls (or once all wait).
            for _ in range(clock.randint(1, 6)):
                self._let_run(shared, workers, clock.randint(1, WORKERS))
                mock.advance(clock.choice(ADVANCES))
                self.advances += 1

    def _let_run(self, shared: Shared, workers: list[Worker], calls: int) -> None:
        """Wait until the workers made ``calls`` more calls, or all of them wait in a long poll."""
        with shared.changed:
            target = shared.ticks + calls
            progressed = shared.changed.wait_for(
                lambda: shared.ticks >= target or all(w.polling or w.crash for w in workers), timeout=HANG_S
            )
        if not progressed:
            pytest.fail(f"seed {self.seed}: workers made no progress for {HANG_S} s: {self._describe(workers)}")

    def _snapshot(self, workers: list[Worker]) -> None:
        mock = self.mock
        waited = 0.0
        while True:
            try:
                mock.wait_until_parked(len(workers), timeout=1.0)
                break
            except SqsMockAssertionError:
                self._check_workers(workers)
                waited += 1.0
                if waited >= HANG_S:
                    raise
        boundary = max(call.sequence for call in mock.calls)
        views = {view.name: view for view in mock.queues()}
        parked = [w.attempt for w in workers if w.attempt is not None]
        assert len(parked) == len(workers), f"seed {self.seed}: a parked worker never received"
        self.snapshots.append(Snapshot(boundary, mock.simulation.now_ms, views, parked))

    def _check_workers(self, workers: list[Worker]) -> None:
        crashes = [(w.name, repr(w.crash)) for w in workers if w.crash is not None]
        if crashes:
            pytest.fail(f"seed {self.seed}: exceptions escaped from workers: {crashes}")

    def _describe(self, workers: list[Worker]) -> str:
        return ", ".join(f"{w.name}: done={w.done} polling={w.polling}" for w in workers)


# -- the reference model ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class MMessage:
    """One message in one queue, as the model knows it (key: its body, unique per send)."""

    key: str
    queue: str
    message_id: str | None  # None: redriven by a move task, its new id not seen yet
    seq: int
    group: str | None
    state: str  # "delayed" | "visible" | "in_flight"
    visible_at: int
    sequence_number: str | None = None
    receive_count: int = 0
    receipt: int = 0  # receives of this message in this queue (FIFO handles name one)
    received_at: int = 0
    generation: int = 0
    visible_at_known: bool = True
    # Limbo (jobs only): reached maxReceiveCount and visible, so any receive that reaches it moves it to
    # jobs-dlq; not every such receive is in the journal, so: where it may be now. None: known.
    maybe: set[str] | None = None
    gone_as: set[str] = field(default_factory=set)  # how it may have gone, while in limbo
    history: list[str] = field(default_factory=list)


@dataclass
class MQueue:
    spec: QueueSpec
    messages: dict[str, MMessage] = field(default_factory=dict)  # by key, in send (seq) order
    next_seq: int = 0
    last_purge: int | None = None
    last_sequence_number: int = -1


@dataclass(eq=False)
class MTask:
    """A message move task from replay-dlq to replay (model/move_task.py's rules)."""

    handle: str
    started: int
    rate: int
    to_move: int
    moved: int = 0
    status: str = "RUNNING"
    cancelled_at: int | None = None

    def next_event(self) -> int | None:
        if self.status == "RUNNING":
            return self.started + -(-(self.moved + 1) * 1000 // self.rate)
        if self.status == "CANCELLING" and self.cancelled_at is not None:
            return self.cancelled_at + CANCEL_SETTLE_MS
        return None


@dataclass(eq=False)
class PollRecord:
    """A long poll of the journal."""

    attempt: str
    queue: str
    wait_ms: int
    position: int  # its place in the replay timeline (where it was answered)
    call: Call
    started_by: int | None = None  # for a poll answered empty: the moment it started (its deadline - wait)


class Violation(AssertionError):
    pass


class Model:
    """Queues of plain dicts; places of messages in limbo; every rule the replay checks."""

    def __init__(self, seed: int, now: int) -> None:
        self.seed = seed
        self.now = now
        self.queues = {name: MQueue(spec) for name, spec in SPECS.items()}
        self.alive: dict[str, MMessage] = {}  # key -> message (known or in limbo)
        self.ids: dict[str, str] = {}  # every MessageId issued -> key
        self.fate: dict[str, str] = {}  # key -> deleted | purged | "deleted or purged"
        self.handles: dict[str, tuple[str, str, int]] = {}  # handle -> (queue, key, receipt)
        self.limbo: set[str] = set()
        self.timers: list[tuple[int, int, MMessage, int]] = []
        self.tiebreak = itertools.count()
        self.tasks: list[MTask] = []
        self.task_by_handle: dict[str, MTask] = {}
        self.recent: deque[str] = deque(maxlen=14)
        self.stats: dict[str, int] = {}

    # -- failures and bookkeeping ---------------------------------------------------------------------------------

    def fail(self, message: str) -> NoReturn:
        recent = "\n    ".join(self.recent)
        raise Violation(
            f"seed {self.seed} at virtual {self.now} ms: {message}\n  recent calls (sequence: effect):\n    {recent}"
        )

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    def note(self, message: MMessage, event: str) -> None:
        message.history.append(f"{self.now}: {event}")
        del message.history[:-8]

    # -- time ---------------------------------------------------------------------------------------------------

    def _schedule(self, message: MMessage) -> None:
        heapq.heappush(self.timers, (message.visible_at, next(self.tiebreak), message, message.generation))

    def _next_timer(self) -> int | None:
        while self.timers:
            due, _, message, generation = self.timers[0]
            if (
                self.alive.get(message.key) is message
                and message.generation == generation
                and message.state != "visible"
            ):
                return due
            heapq.heappop(self.timers)
        return None

    def next_event(self) -> int | None:
        moments = [t for t in (self._next_timer(), *(task.next_event() for task in self.tasks)) if t is not None]
        return min(moments, default=None)

    def apply_moment(self, moment: int) -> None:
        """Everything due at ``moment``: timers first, then move-task events (as catch_up does)."""
        self.now = moment
        while (due := self._next_timer()) is not None and due <= moment:
            _, _, message, _ = heapq.heappop(self.timers)
            self.make_visible(message, due)
        for task in list(self.tasks):
            while (at := task.next_event()) is not None and at <= moment:
                self._task_step(task, at)
            if task.status not in ("RUNNING", "CANCELLING"):
                self.tasks.remove(task)

    def _task_step(self, task: MTask, at: int) -> None:
        if task.status == "CANCELLING":
            task.status = "CANCELLED"
            return
        source = self.queues[REPLAY_DLQ]
        visible = [m for m in source.messages.values() if m.state == "visible"]
        if not visible:
            task.status = "COMPLETED"
            return
        message = visible[0]  # the oldest visible message, as a receive would take it
        del source.messages[message.key]
        target = self.queues[REPLAY]
        moved = MMessage(message.key, REPLAY, None, target.next_seq, None, "visible", at)
        target.next_seq += 1
        target.messages[moved.key] = moved
        self.alive[moved.key] = moved
        moved.history = [*message.history, f"{at}: redriven to replay by a move task"]
        task.moved += 1
        self.count("redriven")
        if task.moved >= task.to_move:
            task.status = "COMPLETED"

    def make_visible(self, message: MMessage, at: int) -> None:
        message.state = "visible"
        message.visible_at = at
        message.visible_at_known = True
        message.generation += 1
        spec = SPECS[message.queue]
        if spec.max_receives is not None and message.receive_count >= spec.max_receives and message.maybe is None:
            message.maybe = {"src", "dlq"}  # the next receive that reaches it moves it to the dead-letter queue
            self.limbo.add(message.key)
            self.note(message, "reached maxReceiveCount and visible: due for jobs-dlq")

    # -- what is receivable -----------------------------------------------------------------------------------------

    def runs(self, queue: MQueue) -> dict[str | None, list[MMessage]]:
        """FIFO: each group's run of visible messages from its oldest on (a group with its oldest not visible: none)."""
        runs: dict[str | None, list[MMessage]] = {}
        closed: set[str | None] = set()
        for message in queue.messages.values():
            if message.group in closed:
                continue
            if message.state == "visible":
                runs.setdefault(message.group, []).append(message)
            else:
                closed.add(message.group)
        return runs

    def receivable(self, queue: MQueue) -> list[MMessage]:
        """What a receive would certainly get some of now."""
        if queue.spec.fifo:
            return [m for run in self.runs(queue).values() for m in run]
        return [m for m in queue.messages.values() if m.state == "visible" and m.maybe is None]

    # -- limbo ------------------------------------------------------------------------------------------------------

    def _settle(self, message: MMessage) -> None:
        maybe = message.maybe
        assert maybe is not None
        if not maybe:
            self.fail(
                f"message {message.key} ({message.message_id}) reached maxReceiveCount and is nowhere it could be "
                f"(not in jobs, not in jobs-dlq, not deleted or purged); its history: {message.history}"
            )
        if maybe == {"dlq"}:
            self.pin_in_dead_letter_queue(message, visible_at=None)
        elif maybe == {"gone"}:
            self._drop(message, " or ".join(sorted(message.gone_as)))

    def jobs_scanned(self, why: str) -> None:
        """A receive on jobs took every visible message: those due for the dead-letter queue moved there now."""
        for key in sorted(self.limbo):
            message = self.alive[key]
            assert message.maybe is not None
            if "src" in message.maybe:
                message.maybe = (message.maybe - {"src"}) | {"dlq"}
                self.note(message, f"moved to jobs-dlq ({why})")
                self._settle(message)

    def dead_letter_queue_empty(self, why: str) -> None:
        """Nothing was visible in jobs-dlq now: messages in limbo cannot have been moved there yet (or were taken)."""
        for key in sorted(self.limbo):
            message = self.alive[key]
            assert message.maybe is not None
            if "dlq" in message.maybe:
                message.maybe = message.maybe - {"dlq"}
                self.note(message, f"not in jobs-dlq ({why})")
                self._settle(message)

    def expand(self) -> None:
        """A message still in jobs may be moved by any receive from now on."""
        for key in self.limbo:
            maybe = self.alive[key].maybe
            if maybe is not None and "src" in maybe:
                maybe.add("dlq")

    def pin_in_dead_letter_queue(self, message: MMessage, visible_at: int | None) -> MMessage:
        """A message in limbo is in jobs-dlq (visible): it moved at some moment not in the journal."""
        self.limbo.discard(message.key)
        del self.queues[JOBS].messages[message.key]
        dlq = self.queues[JOBS_DLQ]
        moved = MMessage(
            message.key,
            JOBS_DLQ,
            message.message_id,
            dlq.next_seq,
            None,
            "visible",
            self.now if visible_at is None else visible_at,
            receive_count=message.receive_count,
            visible_at_known=visible_at is not None,
            history=[*message.history, f"{self.now}: known to be in jobs-dlq"],
        )
        dlq.next_seq += 1
        dlq.messages[moved.key] = moved
        self.alive[moved.key] = moved
        self.count("dead-lettered")
        return moved

    def _drop(self, message: MMessage, fate: str) -> None:
        self.limbo.discard(message.key)
        del self.queues[message.queue].messages[message.key]
        del self.alive[message.key]
        self.fate[message.key] = fate
        self.count(fate)

    # -- calls --------------------------------------------------------------------------------------------------------

    def apply(self, call: Call) -> None:
        operation = call.operation
        if operation in SETUP_OPERATIONS:
            return
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            self.fail(f"unexpected operation {operation} in the journal")
        else:
            handler(call)

    def _queue(self, call: Call) -> MQueue:
        return self.queues[_name_of(str(call.params["QueueUrl"]))]

    def _expect(self, call: Call, code: str | None) -> None:
        got = None if call.error is None else call.error.code
        if got != code:
            self.fail(f"{call.operation} answered {got or 'success'}, the model expects {code or 'success'}: {call}")

    def _add(self, queue: MQueue, entry: dict[str, Any], answer: dict[str, Any]) -> None:
        key = str(entry["MessageBody"])
        message_id = str(answer["MessageId"])
        if key in self.alive or key in self.fate:
            self.fail(f"{key} sent twice")
        if message_id in self.ids:
            self.fail(f"MessageId {message_id} issued twice ({self.ids[message_id]} and {key})")
        self.ids[message_id] = key
        spec = queue.spec
        delay = spec.delay_s if spec.fifo else int(entry.get("DelaySeconds", spec.delay_s))
        message = MMessage(
            key,
            spec.name,
            message_id,
            queue.next_seq,
            entry.get("MessageGroupId"),
            "delayed" if delay else "visible",
            self.now + delay * 1000,
        )
        queue.next_seq += 1
        if spec.fifo:
            number = str(answer["SequenceNumber"])
            if int(number) <= queue.last_sequence_number:
                self.fail(f"{spec.name}: SequenceNumber {number} is not above the last one in the journal's order")
            queue.last_sequence_number = int(number)
            message.sequence_number = number
        queue.messages[key] = message
        self.alive[key] = message
        if delay:
            self._schedule(message)
        self.count("sent")

    def _op_SendMessage(self, call: Call) -> None:
        self._expect(call, None)
        assert call.result is not None
        self._add(self._queue(call), call.params, call.result)

    def _op_SendMessageBatch(self, call: Call) -> None:
        self._expect(call, None)
        assert call.result is not None
        if call.result.get("Failed"):
            self.fail(f"batch entries failed: {call.result['Failed']}")
        by_id = {item["Id"]: item for item in call.result["Successful"]}
        queue = self._queue(call)
        for entry in call.params["Entries"]:  # enqueued in request order
            self._add(queue, entry, by_id[entry["Id"]])

    def _op_ReceiveMessage(self, call: Call) -> None:
        self._expect(call, None)
        assert call.result is not None
        queue = self._queue(call)
        spec = queue.spec
        params = call.params
        limit = int(params.get("MaxNumberOfMessages", 1))
        visibility = int(params.get("VisibilityTimeout", spec.visibility_s))
        got: list[dict[str, Any]] = call.result.get("Messages", [])
        if not got and int(params.get("WaitTimeSeconds", 0)) > 0:
            return  # a long poll whose wait ended: no receive ran at its deadline (the replay checked its wait)
        keys = [str(m["Body"]) for m in got]
        if len(keys) != len(set(keys)) or len(keys) > limit:
            self.fail(f"{spec.name}: one receive returned {keys} (MaxNumberOfMessages {limit})")
        delivered = self._check_fifo(queue, keys, limit) if spec.fifo else self._check_standard(queue, keys, limit)
        for message, answer in zip(delivered, got, strict=True):
            self._deliver(queue, message, answer, visibility)
        self.count("received", len(delivered))
        self.count("receives")

    def _check_standard(self, queue: MQueue, keys: list[str], limit: int) -> list[MMessage]:
        name = queue.spec.name
        delivered: list[MMessage] = []
        for key in keys:
            message = self.alive.get(key)
            if message is not None and message.maybe is not None and name == JOBS_DLQ:
                if "dlq" not in message.maybe:
                    self.fail(f"jobs-dlq delivered {key}, which cannot be there (history: {message.history})")
                message = self.pin_in_dead_letter_queue(message, visible_at=None)
            if message is None or message.queue != name:
                where = self.fate.get(key) or (message.queue if message else "never sent")
                self.fail(f"{name} delivered {key}, which it does not hold (model: {where})")
            if message.maybe is not None:
                self.fail(
                    f"{name} delivered {key}, received {message.receive_count} times: maxReceiveCount reached, it "
                    f"should have moved to the dead-letter queue (history: {message.history})"
                )
            if message.state != "visible":
                self.fail(
                    f"{name} delivered {key} while {message.state} until {message.visible_at} "
                    f"(delivered again before its visibility timeout expired or was changed; history: {message.history})"
                )
            delivered.append(message)
        if len(keys) < limit:
            # Fewer than asked: the receive took everything receivable, and moved what was due for the DLQ.
            left = [m.key for m in self.receivable(queue) if m.key not in keys]
            if left:
                self.fail(f"{name}: a receive of {limit} returned {len(keys)} ({keys}) but left {left} receivable")
            if name == JOBS:
                self.jobs_scanned("a receive on jobs took fewer than it asked for")
            elif name == JOBS_DLQ:
                self.dead_letter_queue_empty("a receive on jobs-dlq took fewer than it asked for")
        return delivered

    def _check_fifo(self, queue: MQueue, keys: list[str], limit: int) -> list[MMessage]:
        name = queue.spec.name
        runs = list(self.runs(queue).values())
        position = {m.key: (index, offset) for index, run in enumerate(runs) for offset, m in enumerate(run)}
        order: list[int] = []
        for key in keys:
            if key not in position:
                message = self.alive.get(key)
                state = (
                    f"{message.state}, group {message.group}, history {message.history}"
                    if message is not None and message.queue == name
                    else self.fate.get(key, "not in the queue")
                )
                self.fail(f"{name} delivered {key}, which is not at the head of a group that can deliver ({state})")
            index = position[key][0]
            if not order or order[-1] != index:
                if index in order:
                    self.fail(f"{name}: one receive returned group {runs[index][0].group} in two pieces: {keys}")
                order.append(index)
        taken = set(keys)
        for index, run in enumerate(runs):
            flags = [m.key in taken for m in run]
            count = sum(flags)
            if flags != [True] * count + [False] * (len(run) - count):
                self.fail(f"{name}: group {run[0].group} delivered out of order: {keys} from {[m.key for m in run]}")
            if count < len(run) and (len(keys) < limit or (count and index != order[-1])):
                self.fail(f"{name}: group {run[0].group} cut short: {keys} from {[m.key for m in run]} (limit {limit})")
        return [self.alive[key] for key in keys]

    def _deliver(self, queue: MQueue, message: MMessage, answer: dict[str, Any], visibility: int) -> None:
        if message.message_id is None:  # redriven: its new id
            message.message_id = str(answer["MessageId"])
            if message.message_id in self.ids:
                self.fail(f"redriven {message.key} got MessageId {message.message_id}, already issued")
            self.ids[message.message_id] = message.key
        elif answer["MessageId"] != message.message_id:
            self.fail(f"{message.key} delivered as {answer['MessageId']}, sent as {message.message_id}")
        message.receive_count += 1
        message.receipt += 1
        message.received_at = self.now
        message.generation += 1
        attributes = answer.get("Attributes", {})
        if attributes.get("ApproximateReceiveCount") != str(message.receive_count):
            self.fail(
                f"{message.key}: ApproximateReceiveCount {attributes.get('ApproximateReceiveCount')}, model {message.receive_count}"
            )
        if queue.spec.fifo and (
            attributes.get("MessageGroupId") != message.group
            or attributes.get("SequenceNumber") != message.sequence_number
        ):
            self.fail(f"{message.key}: group/sequence {attributes} differ from the send's")
        if queue.spec.name == JOBS_DLQ and not attributes.get("DeadLetterQueueSourceArn", "").endswith(":jobs"):
            self.fail(f"{message.key} in jobs-dlq without DeadLetterQueueSourceArn of jobs: {attributes}")
        self.handles[str(answer["ReceiptHandle"])] = (queue.spec.name, message.key, message.receipt)
        if visibility == 0:
            self.make_visible(message, self.now)
        else:
            message.state = "in_flight"
            message.visible_at = self.now + visibility * 1000
            message.visible_at_known = True
            self._schedule(message)
        self.note(message, f"received from {queue.spec.name} (count {message.receive_count}, visibility {visibility})")

    def _handle(self, queue: MQueue, handle: str) -> tuple[MMessage | None, int]:
        """The message a handle names if this queue still holds it (or it is in limbo here), and its receipt."""
        issued = self.handles.get(handle)
        if issued is None or issued[0] != queue.spec.name:
            self.fail(f"a worker used a handle the model never saw issued by {queue.spec.name}: {handle[:40]}")
        _, key, receipt = issued
        message = self.alive.get(key)
        if message is None or message.queue != queue.spec.name:
            return None, receipt
        return message, receipt

    def _delete(self, queue: MQueue, handle: str) -> str | None:
        message, receipt = self._handle(queue, handle)
        if message is None:
            return None  # gone: a delete succeeds silently
        if message.maybe is not None:
            if "src" in message.maybe:
                message.maybe = (message.maybe - {"src"}) | {"gone"}
                message.gone_as.add("deleted")
                self.note(message, "deleted, unless it had moved to jobs-dlq")
                self._settle(message)
            return None
        if queue.spec.fifo and (message.state != "in_flight" or message.receipt != receipt):
            return "InvalidParameterValue"  # the receipt handle has expired
        self.note(message, "deleted")
        self._drop(message, "deleted")
        return None

    def _change(self, queue: MQueue, handle: str, timeout: int, answered: str | None) -> str | None:
        message, receipt = self._handle(queue, handle)
        if message is None:
            return "InvalidParameterValue"
        if message.maybe is not None:
            # Still in jobs (visible: a change does nothing, successfully), or moved (an error): the answer tells.
            if answered is None:
                if "src" not in message.maybe:
                    self.fail(
                        f"a change of {message.key} succeeded, but it cannot be in jobs any more ({message.history})"
                    )
                message.maybe = {"src"}
            else:
                message.maybe = message.maybe - {"src"}
                self.note(message, "a change failed: no longer in jobs")
                self._settle(message)
            return answered
        if queue.spec.fifo and (message.state != "in_flight" or message.receipt != receipt):
            return "InvalidParameterValue"
        if message.state != "in_flight":
            return None  # standard: a handle of a message visible again changes nothing
        if self.now + timeout * 1000 - message.received_at > MAX_VISIBILITY_MS:
            return "InvalidParameterValue"
        message.generation += 1
        if timeout == 0:
            self.make_visible(message, self.now)
        else:
            message.visible_at = self.now + timeout * 1000
            self._schedule(message)
        self.note(message, f"visibility changed to {timeout} s")
        return None

    def _op_DeleteMessage(self, call: Call) -> None:
        self._expect(call, self._delete(self._queue(call), str(call.params["ReceiptHandle"])))

    def _op_DeleteMessageBatch(self, call: Call) -> None:
        self._batch(call, lambda queue, entry, answered: self._delete(queue, str(entry["ReceiptHandle"])))

    def _op_ChangeMessageVisibility(self, call: Call) -> None:
        answered = None if call.error is None else call.error.code
        queue = self._queue(call)
        expected = self._change(
            queue, str(call.params["ReceiptHandle"]), int(call.params["VisibilityTimeout"]), answered
        )
        self._expect(call, expected)

    def _op_ChangeMessageVisibilityBatch(self, call: Call) -> None:
        self._batch(
            call,
            lambda queue, entry, answered: self._change(
                queue, str(entry["ReceiptHandle"]), int(entry.get("VisibilityTimeout") or 0), answered
            ),
        )

    def _batch(self, call: Call, act: Any) -> None:
        self._expect(call, None)
        assert call.result is not None
        queue = self._queue(call)
        failed = {item["Id"]: item["Code"] for item in call.result.get("Failed", [])}
        for entry in call.params["Entries"]:
            answered = failed.get(entry["Id"])
            expected = act(queue, entry, answered)
            if expected != answered:
                self.fail(f"{call.operation} entry {entry['Id']}: answered {answered}, the model expects {expected}")

    def _op_PurgeQueue(self, call: Call) -> None:
        queue = self._queue(call)
        if queue.last_purge is not None and self.now - queue.last_purge < PURGE_INTERVAL_MS:
            self._expect(call, "AWS.SimpleQueueService.PurgeQueueInProgress")
            return
        self._expect(call, None)
        name = queue.spec.name
        for message in list(queue.messages.values()):
            if message.maybe is None:
                self._drop(message, "purged")
        place = {JOBS: "src", JOBS_DLQ: "dlq"}.get(name)
        if place is not None:
            for key in sorted(self.limbo):
                message = self.alive[key]
                assert message.maybe is not None
                if place in message.maybe:
                    message.maybe = (message.maybe - {place}) | {"gone"}
                    message.gone_as.add("purged")
                    self.note(message, f"purged from {name}, if it was there")
                    self._settle(message)
        queue.last_purge = self.now
        self.count("purges")

    def _op_StartMessageMoveTask(self, call: Call) -> None:
        if any(task.status in ("RUNNING", "CANCELLING") for task in self.tasks):
            self._expect(call, "InvalidParameterValue")
            return
        self._expect(call, None)
        assert call.result is not None
        visible = sum(1 for m in self.queues[REPLAY_DLQ].messages.values() if m.state == "visible")
        rate = int(call.params.get("MaxNumberOfMessagesPerSecond") or DEFAULT_MOVE_RATE)
        task = MTask(str(call.result["TaskHandle"]), self.now, rate, visible)
        self.task_by_handle[task.handle] = task
        if visible:
            self.tasks.append(task)
        else:
            task.status = "COMPLETED"
        self.count("move tasks")

    def _op_CancelMessageMoveTask(self, call: Call) -> None:
        task = self.task_by_handle.get(str(call.params["TaskHandle"]))
        if task is None:
            self.fail(f"cancel of a task the model never saw started: {call}")
        if task.status != "RUNNING":
            self._expect(call, "ResourceNotFoundException")
            return
        self._expect(call, None)
        assert call.result is not None
        if call.result.get("ApproximateNumberOfMessagesMoved") != task.moved:
            self.fail(f"cancelled task moved {call.result.get('ApproximateNumberOfMessagesMoved')}, model {task.moved}")
        task.status = "CANCELLING"
        task.cancelled_at = self.now

    # -- snapshots ------------------------------------------------------------------------------------------------

    def compare(self, views: dict[str, QueueView], label: str) -> None:
        """The simulator's queues equal the model's (limbo settles to what the snapshot shows)."""
        seen: dict[str, str] = {}
        for name, queue in self.queues.items():
            view = views[name]
            shown = {m.body: m for m in view.messages}
            for body in shown:
                if body in seen:
                    self.fail(f"{label}: {body} is in {seen[body]} and in {name}")
                seen[body] = name
            for key, message in list(queue.messages.items()):
                got = shown.pop(key, None)
                if message.maybe is not None:
                    continue  # settled below
                if got is None:
                    self.fail(f"{label}: {name} lost {key} ({message.state}, history {message.history})")
                if message.message_id is None:
                    message.message_id = got.message_id
                    self.ids[got.message_id] = key
                expected = (message.message_id, message.state, message.receive_count)
                actual = (got.message_id, got.state, got.receive_count)
                if expected != actual:
                    self.fail(
                        f"{label}: {name} {key}: simulator {actual}, model {expected} (history {message.history})"
                    )
                moment = _ms(got.visible_at)
                if message.visible_at_known and moment != message.visible_at:
                    self.fail(
                        f"{label}: {name} {key} visible at {moment}, model {message.visible_at} ({message.history})"
                    )
                message.visible_at, message.visible_at_known = moment, True
            for key, got in shown.items():
                limbo = self.alive.get(key)
                if name == JOBS_DLQ and limbo is not None and limbo.maybe is not None and "dlq" in limbo.maybe:
                    if got.state != "visible" or got.receive_count != limbo.receive_count:
                        self.fail(f"{label}: {key} moved to jobs-dlq as {got!r}, model rc {limbo.receive_count}")
                    self.pin_in_dead_letter_queue(limbo, visible_at=_ms(got.visible_at))
                elif name != JOBS or limbo is None or limbo.maybe is None:
                    origin = self.fate.get(key) or (limbo.queue if limbo else "never sent")
                    self.fail(f"{label}: {name} holds {got!r}, which the model does not expect there ({origin})")
        for key in sorted(self.limbo):
            message = self.alive[key]
            assert message.maybe is not None
            if seen.get(key) == JOBS:
                got = views[JOBS].messages[[m.body for m in views[JOBS].messages].index(key)]
                if "src" not in message.maybe:
                    self.fail(f"{label}: {key} is still in jobs, the model says it cannot be ({message.history})")
                if (got.state, got.receive_count) != ("visible", message.receive_count):
                    self.fail(f"{label}: {key} in jobs is {got!r}, model: visible, rc {message.receive_count}")
                message.maybe = {"src", "dlq"}
            elif "gone" in message.maybe:
                self._drop(message, " or ".join(sorted(message.gone_as)))
            else:
                self.fail(f"{label}: {key} vanished: not in jobs, not in jobs-dlq ({message.history})")


# -- the replay ------------------------------------------------------------------------------------------------------


class Replay:
    """Walk the linearised journal: apply each call, and check waiting polls wherever their state is known."""

    def __init__(self, seed: int, start_ms: int, calls: list[Call], snapshots: list[Snapshot]) -> None:
        self.model = Model(seed, start_ms)
        self.calls = calls
        self.snapshots = snapshots
        self.active: dict[str, PollRecord] = {}  # polls known to be waiting now
        self.polls: dict[str, PollRecord] = {}
        self.by_start: list[PollRecord] = []  # polls answered empty, by start
        self.checkpoints = 0
        self._position = 0

    def run(self, final: dict[str, QueueView], final_ms: int) -> Model:
        model = self.model
        timeline: list[Call | Snapshot] = []
        marks = iter(self.snapshots)
        mark = next(marks, None)
        sequences = [call.sequence for call in self.calls]
        if 0 in sequences or len(set(sequences)) != len(sequences):
            model.fail(
                f"sequence numbers not unique and positive (0: an internal error or injected fault): {sequences[:20]}"
            )
        for call in self.calls:
            while mark is not None and mark.boundary < call.sequence:
                timeline.append(mark)
                mark = next(marks, None)
            timeline.append(call)
        while mark is not None:
            timeline.append(mark)
            mark = next(marks, None)
        self._index_polls(timeline)
        for position, item in enumerate(timeline):
            if isinstance(item, Snapshot):
                self._at_snapshot(item, position)
                continue
            self._at_call(item, position, timeline)
        self._move_time(final_ms)
        model.compare(final, "at the end")
        return model

    def _index_polls(self, timeline: list[Call | Snapshot]) -> None:
        for position, item in enumerate(timeline):
            if isinstance(item, Snapshot) or item.operation != "ReceiveMessage":
                continue
            wait = int(item.params.get("WaitTimeSeconds", 0))
            if wait == 0:
                continue
            attempt = str(item.params["ReceiveRequestAttemptId"])
            record = PollRecord(attempt, _name_of(str(item.params["QueueUrl"])), wait * 1000, position, item)
            assert item.answered_at is not None
            answered = _ms(item.answered_at)
            if answered < _ms(item.time):
                self.model.fail(f"answered before it was called: {item}")
            if not (item.result or {}).get("Messages"):
                # Answered empty: at its deadline, so it started exactly `wait` earlier.
                record.started_by = answered - record.wait_ms
                if record.started_by < _ms(item.time):
                    self.model.fail(
                        f"long poll answered empty {answered - _ms(item.time)} ms after it was called, before its {wait} s deadline: {item}"
                    )
                self.by_start.append(record)
            self.polls[attempt] = record
        self.by_start.sort(key=lambda record: record.started_by or 0)

    def _activate_started(self, moment: int, *, inclusive: bool, position: int) -> None:
        while self.by_start:
            record = self.by_start[0]
            started = record.started_by or 0
            if started > moment or (started == moment and not inclusive):
                return
            self.by_start.pop(0)
            if record.position > position:
                self.active[record.attempt] = record

    def _checkpoint(self, label: str) -> None:
        """The polls known to be waiting have nothing receivable: else a hand-off was missed."""
        model = self.model
        self.checkpoints += 1
        model.count("waiting polls checked", len(self.active))
        waiting = {record.queue for record in self.active.values()}
        if JOBS in waiting:
            model.jobs_scanned(f"a long poll on jobs was waiting ({label})")
        for record in self.active.values():
            found = model.receivable(model.queues[record.queue])
            if found:
                details = [(m.key, m.state, m.visible_at, m.history[-2:]) for m in found[:3]]
                model.fail(
                    f"long poll {record.attempt} on {record.queue} (called at {_ms(record.call.time)}, answered at "
                    f"sequence {record.call.sequence}) was waiting {label} while {details} was receivable"
                )
        if JOBS_DLQ in waiting:
            model.dead_letter_queue_empty(f"a long poll on jobs-dlq was waiting ({label})")
        model.expand()

    def _move_time(self, target: int) -> None:
        """Virtual time passes to ``target``: at each moment in between something changes, waiting polls are checked."""
        model = self.model
        while (moment := model.next_event()) is not None and moment < target:
            moment = max(moment, model.now)
            model.apply_moment(moment)
            self._activate_started(moment, inclusive=False, position=self._position)
            self._checkpoint(f"at {moment} (a delay, visibility timeout or move fell due)")
        model.apply_moment(target)

    def _at_call(self, call: Call, position: int, timeline: list[Call | Snapshot]) -> None:
        model = self.model
        self._position = position
        assert call.answered_at is not None
        moment = _ms(call.answered_at)
        if moment < model.now:
            model.fail(f"sequence {call.sequence} took effect at {moment}, before the previous call ({model.now})")
        if moment > model.now:
            # The end of a moment: every call of it took effect, every poll that started in it is waiting.
            self._activate_started(model.now, inclusive=True, position=position)
            self._checkpoint(f"at the end of moment {model.now}")
            self._move_time(moment)
        model.recent.append(_summary(call))
        if not _maybe_hand_off(call) and _ms(call.time) < moment:
            model.count("calls overtaken by advance()")
        record = self.polls.get(str(call.params.get("ReceiveRequestAttemptId", "")))
        if record is not None and record.position == position:
            if self.active.pop(record.attempt, None) is not None and (call.result or {}).get("Messages"):
                model.count("hand-offs to polls known to wait")
            if not (call.result or {}).get("Messages"):
                self._expired(record)
        model.apply(call)
        following = timeline[position + 1] if position + 1 < len(timeline) else None
        if not _maybe_hand_off(following):
            # The call's hand-offs are done (they follow it in the journal): whoever still waits got nothing.
            self._checkpoint(f"after sequence {call.sequence}")
        model.expand()

    def _expired(self, record: PollRecord) -> None:
        """A long poll answered empty: its wait is over; it took nothing (expiry comes first at its deadline).

        Its wait covered the moments before its deadline: the checkpoints while it was
        known to be waiting (from the end of its first moment on) checked those.
        """
        self.model.count("empty long polls")

    def _at_snapshot(self, snapshot: Snapshot, position: int) -> None:
        model = self.model
        self._position = position
        if snapshot.now_ms < model.now:
            model.fail(f"snapshot at {snapshot.now_ms} is before the last call ({model.now})")
        if snapshot.now_ms > model.now:
            self._activate_started(model.now, inclusive=True, position=position)
            self._checkpoint(f"at the end of moment {model.now}")
            self._move_time(snapshot.now_ms)
        self._activate_started(model.now, inclusive=True, position=position)
        for attempt in snapshot.parked:
            record = self.polls.get(attempt)
            if record is None or record.position < position:
                model.fail(
                    f"poll {attempt} was parked at the snapshot after sequence {snapshot.boundary} but answered before it"
                )
            started = record.started_by
            if started is not None and started > snapshot.now_ms:
                model.fail(
                    f"poll {attempt} parked at {snapshot.now_ms} but answered empty {record.wait_ms} ms after {started}"
                )
            if record.call.answered_at is not None and _ms(record.call.answered_at) > snapshot.now_ms + record.wait_ms:
                model.fail(f"poll {attempt} parked at {snapshot.now_ms} was answered after its deadline: {record.call}")
            self.active[attempt] = record
        self._checkpoint(f"at the snapshot after sequence {snapshot.boundary} (every worker parked)")
        model.compare(snapshot.views, f"snapshot after sequence {snapshot.boundary}")
        model.expand()
        model.count("snapshots")


def _maybe_hand_off(item: Call | Snapshot | None) -> bool:
    """Whether ``item`` may be a waiting poll's answer (those follow the call that made them possible)."""
    return (
        isinstance(item, Call) and item.operation == "ReceiveMessage" and int(item.params.get("WaitTimeSeconds", 0)) > 0
    )


def _summary(call: Call) -> str:
    params = call.params
    queue = _name_of(str(params.get("QueueUrl", "-")))
    assert call.answered_at is not None
    head = f"{call.sequence}: {_ms(call.answered_at)} {call.operation} {queue}"
    if call.error is not None:
        return f"{head} -> {call.error.code}"
    result = call.result or {}
    if call.operation == "ReceiveMessage":
        bodies = [m["Body"] for m in result.get("Messages", [])]
        return f"{head} wait={params.get('WaitTimeSeconds', 0)} max={params.get('MaxNumberOfMessages', 1)} called={_ms(call.time)} -> {bodies}"
    if call.operation == "SendMessage":
        return f"{head} {params.get('MessageBody')}"
    return head


# -- the test --------------------------------------------------------------------------------------------------------

TOTALS: dict[str, int] = {}


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{seed}" for seed in SEEDS])
def test_concurrent_calls_and_moving_time_replay_against_the_model(sqs_mock: SqsMock, seed: int) -> None:
    run = Round(sqs_mock, seed)
    calls, snapshots, final = run.run()
    replay = Replay(seed, run.start_ms, calls, snapshots)
    model = replay.run(final, sqs_mock.simulation.now_ms)
    # Every message sent: deleted, purged, or still in exactly one queue (compare() matched the queues).
    sent = model.stats.get("sent", 0)
    accounted = len(model.fate) + len(model.alive)
    assert accounted == sent, f"seed {seed}: {sent} sent, {accounted} accounted for"
    stats = {**model.stats, "calls": len(calls), "advances": run.advances, "checkpoints": replay.checkpoints}
    for key, value in stats.items():
        TOTALS[key] = TOTALS.get(key, 0) + value
    print(f"\nseed {seed}: {stats}")


@pytest.fixture(scope="module", autouse=True)
def _report_totals() -> Iterator[None]:
    yield
    if TOTALS:
        print(f"\nconcurrent time, {len(SEEDS)} rounds: {TOTALS}")


# -- what the replay found, reduced to minimal reproductions ---------------------------------------------------------


class _Poll:
    """One long poll on a worker thread (20 s unless told otherwise)."""

    def __init__(self, sqs: Any, url: str, **params: Any) -> None:
        self.messages: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._run, args=(sqs, url, params), daemon=True)
        self._thread.start()

    def _run(self, sqs: Any, url: str, params: dict[str, Any]) -> None:
        answer = sqs.receive_message(QueueUrl=url, **{"WaitTimeSeconds": 20, SYSTEM_NAMES: ["All"], **params})
        self.messages = answer.get("Messages", [])

    def join(self, timeout: float) -> None:
        self._thread.join(timeout=timeout)

    def result(self) -> list[dict[str, Any]]:
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the long poll never returned"
        return self.messages


def _poison_queues(sqs_mock: SqsMock) -> tuple[Any, str, str]:
    sqs_mock.create_queue("jobs-dlq")
    sqs_mock.create_queue("jobs", dead_letter_queue="jobs-dlq", max_receive_count=1)
    sqs = sqs_mock.client()
    url, dlq_url = sqs_mock.queue("jobs").url, sqs_mock.queue("jobs-dlq").url
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    return sqs, url, dlq_url


def _dead_letter_poll_answered_at(sqs_mock: SqsMock, dlq_url: str) -> datetime | None:
    [call] = [c for c in sqs_mock.calls.filter("ReceiveMessage") if c.queue_url == dlq_url]
    return call.answered_at


def test_a_dead_letter_move_by_a_waiting_polls_receive_wakes_the_poll_on_the_dead_letter_queue(
    sqs_mock: SqsMock,
) -> None:
    sqs, url, dlq_url = _poison_queues(sqs_mock)
    start = sqs_mock.now
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)  # received once: the next receive dead-letters it
    on_dlq = _Poll(sqs, dlq_url)
    sqs_mock.wait_until_parked(1)
    on_jobs = _Poll(sqs, url)  # waits after the poll on jobs-dlq
    sqs_mock.wait_until_parked(2)
    sqs_mock.advance(30)  # at +10 s the waiting poll on jobs receives "poison": it moves to jobs-dlq
    assert [m["Body"] for m in on_dlq.result()] == ["poison"]
    assert on_jobs.result() == []
    assert _dead_letter_poll_answered_at(sqs_mock, dlq_url) == start + timedelta(seconds=10)


def test_a_dead_letter_move_by_a_long_polls_first_receive_wakes_the_poll_on_the_dead_letter_queue(
    sqs_mock: SqsMock,
) -> None:
    sqs, url, dlq_url = _poison_queues(sqs_mock)
    start = sqs_mock.now
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)  # received once and visible again
    on_dlq = _Poll(sqs, dlq_url)
    sqs_mock.wait_until_parked(1)
    on_jobs = _Poll(sqs, url, WaitTimeSeconds=5)  # its first receive moves "poison" to jobs-dlq, then it waits
    for _ in range(1_000):  # its first receive and its start of waiting are one step of the simulation
        if len(sqs_mock.queue("jobs")) == 0:
            break
        on_jobs.join(timeout=0.01)
    assert len(sqs_mock.queue("jobs")) == 0, "the long poll on jobs never received"
    sqs_mock.advance(30)
    assert [m["Body"] for m in on_dlq.result()] == ["poison"]
    assert on_jobs.result() == []
    assert _dead_letter_poll_answered_at(sqs_mock, dlq_url) == start  # when "poison" arrived


@pytest.mark.parametrize("fifo", [False, True], ids=["standard", "fifo"])
def test_a_long_poll_answered_by_hand_off_gets_the_message_as_it_was_handed_over(sqs_mock: SqsMock, fifo: bool) -> None:
    name = "jobs.fifo" if fifo else "jobs"
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    sqs = sqs_mock.client()
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    first = _Poll(sqs, url, VisibilityTimeout=0)  # gives the message back at once
    sqs_mock.wait_until_parked(1)
    second = _Poll(sqs, url, VisibilityTimeout=30)
    sqs_mock.wait_until_parked(2)
    # One hand-off after the send serves both polls in turn: the first receive, then the second.
    sqs.send_message(QueueUrl=url, MessageBody="m", **({"MessageGroupId": "g"} if fifo else {}))
    [got_first], [got_second] = first.result(), second.result()
    counts = [got["Attributes"]["ApproximateReceiveCount"] for got in (got_first, got_second)]
    assert counts == ["1", "2"]
    assert got_first["ReceiptHandle"] != got_second["ReceiptHandle"]
    if fifo:  # the first receive is over: its handle has expired and must not delete the second one's message
        with pytest.raises(ClientError, match="expired"):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=got_first["ReceiptHandle"])
        assert len(sqs_mock.queue(name).in_flight) == 1
