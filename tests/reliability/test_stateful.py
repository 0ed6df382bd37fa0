"""Stateful fuzzing: random call sequences against a small reference model of SQS.

Two hypothesis state machines drive a source queue and its dead-letter queue
through real boto3 clients (one standard pair, one FIFO pair) with random
sends, receives (short and long polls), deletes and visibility changes with
current, old and garbage receipt handles, purges, attribute changes and clock
moves. A reference model written here from AWS's documented and observed rules knows,
for every message ever sent, whether it is delayed, visible, in flight,
deleted, dead-lettered, expired or purged, and when it changes state. After
every step the model must equal what the simulator shows: the ``QueueView``
of every queue (ids, states, receive counts), the ApproximateNumberOf*
counters GetQueueAttributes returns, and the virtual clock.

The model does not predict which visible messages a receive picks (SQS does
not promise an order for standard queues, nor among FIFO groups); it checks
what the receive returned against what the rules allow: only visible messages
(never one in flight), every FIFO group from its oldest message on, nothing
lost, and dead-lettering exactly at ``maxReceiveCount`` (Developer Guide, "Amazon SQS visibility
timeout", "FIFO queue delivery logic in Amazon SQS", "Using dead-letter queues in Amazon SQS").

Settings come from a hypothesis profile chosen by an environment variable
(profiles in ``conftest.py`` of this folder): ``SQSMOCK_HYPOTHESIS_PROFILE``
names it; unset, it is ``sqsmock-quick`` (30 examples x 30 steps per machine;
CI), or ``sqsmock-long`` under ``SQSMOCK_LONG=1`` (``tox -e reliability``;
800 x 100 per machine, and the run fails unless both machines together made
at least 100,000 steps). The long run of the state machines alone::

    SQSMOCK_HYPOTHESIS_PROFILE=sqsmock-long .venv/bin/pytest -p no:cacheprovider tests/reliability/test_stateful.py -s
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pytest_sqsmock import SqsMock, mock_sqs

from .support import SYSTEM_NAMES

REGION = "us-east-1"

# The profile SQSMOCK_HYPOTHESIS_PROFILE (or SQSMOCK_LONG) selects: see conftest.py.
MACHINE_SETTINGS = settings.get_profile("sqsmock-stateful")
#: A profile that allows this many steps over both machines must run at least this many.
MIN_LONG_STEPS = 100_000
LONG = 2 * MACHINE_SETTINGS.max_examples * MACHINE_SETTINGS.stateful_step_count >= MIN_LONG_STEPS

DEDUP_WINDOW_MS = 300_000  # API Reference, SendMessage
PURGE_INTERVAL_MS = 60_000  # API Reference, PurgeQueue
MAX_VISIBILITY_MS = 43_200_000  # 12 hours from the receive (Developer Guide, "Amazon SQS visibility timeout")
DEFAULT_RETENTION_S = 345_600  # API Reference, SetQueueAttributes

#: Steps run per machine (reported by the long run).
STEPS: dict[str, int] = {}

_client_cache: list[Any] = []


def _client(mock: SqsMock) -> Any:
    """One boto3 client for every example: clients outlive mocks (the hook patches botocore's endpoint)."""
    if not _client_cache:
        session = boto3.session.Session()
        _client_cache.append(
            session.client(
                "sqs",
                region_name=REGION,
                config=Config(retries={"total_max_attempts": 1}),
                **mock.credentials(),
            )
        )
    return _client_cache[0]


def _error_code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def _call_code(method: Any, **kwargs: Any) -> str | None:
    """Call a client method; the error code it raised, or None on success."""
    try:
        method(**kwargs)
    except ClientError as error:
        return _error_code(error)
    return None


# -- the reference model -----------------------------------------------------------------------------------------


@dataclass
class MMessage:
    """What the model knows about one message held by one queue."""

    message_id: str
    seq: int
    group: str | None
    enqueued_ms: int
    state: str  # "delayed" | "visible" | "in_flight"
    due_ms: int  # when a delayed or in-flight message turns visible
    receive_count: int = 0
    receipt: int = 0  # how many receives of this queue issued a handle for it
    received_ms: int = 0
    moved_ms: int = 0  # when it was dead-lettered (a long poll may go on waiting after that)


@dataclass
class MQueue:
    """A queue of the model: its settings and the messages it holds (dict order = send order)."""

    name: str
    url: str
    fifo: bool
    visibility_s: int = 30
    delay_s: int = 0
    retention_s: int = DEFAULT_RETENTION_S
    max_receive_count: int | None = None  # RedrivePolicy to the pair's dead-letter queue
    last_purge_ms: int | None = None
    messages: dict[str, MMessage] = field(default_factory=dict)
    dedup: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (expires, message id)
    next_seq: int = 0
    last_sequence_number: int = -1

    def counts(self) -> dict[str, int]:
        found = {"visible": 0, "delayed": 0, "in_flight": 0}
        for message in self.messages.values():
            found[message.state] += 1
        return found

    def next_due_ms(self) -> int | None:
        return min((m.due_ms for m in self.messages.values() if m.state != "visible"), default=None)


@dataclass(frozen=True)
class Handle:
    """A receipt handle the test was given, and what it names."""

    value: str
    queue: str
    message_id: str
    receipt: int


class Model:
    """The reference model of two queues (a source and its dead-letter queue) and their messages."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms
        self.queues: dict[str, MQueue] = {}
        self.fate: dict[str, str] = {}  # message id -> deleted | expired | purged (gone for good)
        self.location: dict[str, str] = {}  # message id -> queue name (alive)
        self.dead_lettered: set[str] = set()

    def add(self, queue: MQueue, message_id: str, *, group: str | None, delay_s: int) -> None:
        seq = queue.next_seq
        queue.next_seq += 1
        state = "delayed" if delay_s > 0 else "visible"
        queue.messages[message_id] = MMessage(message_id, seq, group, self.now_ms, state, self.now_ms + delay_s * 1000)
        self.location[message_id] = queue.name

    def remove(self, queue: MQueue, message_id: str, fate: str) -> None:
        del queue.messages[message_id]
        del self.location[message_id]
        self.fate[message_id] = fate

    def catch_up(self, queue: MQueue) -> None:
        """Retention first (measured from the enqueue time, in flight too: observed AWS behaviour), then timers."""
        now = self.now_ms
        for message in list(queue.messages.values()):
            if message.enqueued_ms + queue.retention_s * 1000 <= now:
                self.remove(queue, message.message_id, "expired")
        for message in queue.messages.values():
            if message.state != "visible" and message.due_ms <= now:
                message.state = "visible"

    def catch_up_all(self) -> None:
        for queue in self.queues.values():
            self.catch_up(queue)

    def candidates(self, queue: MQueue) -> list[list[MMessage]]:
        """What a receive may take now: each visible message (standard), or each group's visible run (FIFO, Developer Guide, "FIFO queue delivery logic in Amazon SQS")."""
        if not queue.fifo:
            return [[m] for m in queue.messages.values() if m.state == "visible"]
        runs: dict[str | None, list[MMessage]] = {}
        blocked: set[str | None] = set()
        for message in queue.messages.values():
            if message.group in blocked:
                continue
            if message.state == "visible":
                runs.setdefault(message.group, []).append(message)
            else:
                blocked.add(message.group)
        return list(runs.values())


# -- the machines ------------------------------------------------------------------------------------------------

QUEUE_ROLES = st.sampled_from(["source", "source", "source", "dlq"])
VISIBILITY_CHANGES = st.sampled_from([0, 0, 1, 5, 30, 60, 43_200])
RECEIVE_VISIBILITY = st.sampled_from([None, None, 0, 1, 10, 30])
WAITS = st.sampled_from([None, 0, 0, 1, 5, 20])
ADVANCES = st.sampled_from([1, 5, 29, 30, 31, 60, 61, 299, 300, 301, 900, 3_600])
BODIES = st.sampled_from(["a", "b", "c", "d", "e", "f"])
GARBAGE_HANDLES = st.sampled_from(["garbage", "AQEBnotbase64!!", "AQEB" + "QUFBfGJ8Y3xk", "AQEB"])
HANDLE_PICKS = st.one_of(
    st.integers(0, 2),  # an issued handle: mostly one of the newest, sometimes an old one
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 200),
    GARBAGE_HANDLES,
)


def _has_handles(machine: SqsStateMachine) -> bool:
    return bool(machine.handles)


class SqsStateMachine(RuleBasedStateMachine):
    """A source queue with a dead-letter queue, driven through boto3, checked against `Model`."""

    fifo: ClassVar[bool] = False
    label: ClassVar[str] = "standard"

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_sqs()
        self.mock.start()
        self.sqs = _client(self.mock)
        self.model = Model(self.mock.simulation.now_ms)
        suffix = ".fifo" if self.fifo else ""
        attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if self.fifo else {}
        names = {"dlq": f"dead{suffix}", "source": f"work{suffix}"}
        for role in ("dlq", "source"):
            create: dict[str, Any] = {"QueueName": names[role], "Attributes": dict(attributes)}
            if role == "source":
                create["Attributes"]["RedrivePolicy"] = self._redrive(2)
            url = self.sqs.create_queue(**create)["QueueUrl"]
            queue = MQueue(names[role], url, self.fifo)
            if role == "source":
                queue.max_receive_count = 2
            self.model.queues[role] = queue
        self.handles: list[Handle] = []
        self.steps = 0

    def teardown(self) -> None:
        STEPS[self.label] = STEPS.get(self.label, 0) + self.steps
        if self.mock.active:
            self.mock.stop()

    # -- helpers --------------------------------------------------------------

    def _redrive(self, max_receive_count: int) -> str:
        suffix = ".fifo" if self.fifo else ""
        return json.dumps(
            {
                "deadLetterTargetArn": f"arn:aws:sqs:{REGION}:123456789012:dead{suffix}",
                "maxReceiveCount": max_receive_count,
            }
        )

    def _queue(self, role: str) -> MQueue:
        return self.model.queues[role]

    def _handle(self, pick: int | str) -> str:
        if isinstance(pick, str):
            return pick
        if not self.handles:
            return "AQEB" + "x" * 20
        return self.handles[-1 - pick % len(self.handles)].value

    def _issued(self, value: str) -> Handle | None:
        for handle in self.handles:
            if handle.value == value:
                return handle
        return None

    def _handle_outcome(self, queue: MQueue, value: str, action: str) -> tuple[str | None, MMessage | None]:
        """What SQS answers to a handle (observed AWS behaviour): an error code, or the message it acts on (None: gone, no-op)."""
        handle = self._issued(value)
        if handle is None:
            return "ReceiptHandleIsInvalid", None
        if handle.queue != queue.name:
            return "ReceiptHandleIsInvalid", None
        message = queue.messages.get(handle.message_id)
        if message is None:
            return ("InvalidParameterValue" if action == "change" else None), None
        if queue.fifo and (message.state != "in_flight" or message.receipt != handle.receipt):
            return "InvalidParameterValue", None  # "The receipt handle has expired."
        return None, message

    def _step(self) -> None:
        self.steps += 1

    # -- sending --------------------------------------------------------------

    def _send_entry(self, body: str, group: str, dedup: str | None, delay: int | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"MessageBody": body}
        if self.fifo:
            entry["MessageGroupId"] = group
            if dedup is not None:
                entry["MessageDeduplicationId"] = dedup
            if delay is not None:
                entry["DelaySeconds"] = 0  # observed: only 0 is accepted, and it does not override the queue delay
        elif delay is not None:
            entry["DelaySeconds"] = delay
        return entry

    def _expect_sent(self, queue: MQueue, entry: dict[str, Any], answer: dict[str, Any]) -> None:
        model = self.model
        message_id = answer["MessageId"]
        if queue.fifo:
            dedup = entry.get("MessageDeduplicationId") or hashlib.sha256(entry["MessageBody"].encode()).hexdigest()
            known = queue.dedup.get(dedup)
            if known is not None and model.now_ms < known[0]:
                # API Reference, SendMessage: a duplicate inside the 5-minute window is accepted but not queued.
                assert message_id == known[1], f"duplicate of {known[1]} answered with {message_id}"
                return
            queue.dedup[dedup] = (model.now_ms + DEDUP_WINDOW_MS, message_id)
            sequence = int(answer["SequenceNumber"])
            assert sequence > queue.last_sequence_number, "SequenceNumber must increase (API Reference, SendMessage)"
            queue.last_sequence_number = sequence
            delay = queue.delay_s
        else:
            delay = entry.get("DelaySeconds", queue.delay_s)
        assert message_id not in model.location, "MessageId reused"
        assert message_id not in model.fate, "MessageId reused"
        model.add(queue, message_id, group=entry.get("MessageGroupId"), delay_s=delay)

    @rule(
        body=BODIES,
        group=st.sampled_from(["g1", "g2", "g3"]),
        dedup=st.one_of(st.none(), st.sampled_from(["d1", "d2", "d3", "d4"])),
        delay=st.one_of(st.none(), st.sampled_from([0, 1, 5, 30])),
        role=st.sampled_from(["source", "source", "source", "dlq"]),
    )
    def send_message(self, body: str, group: str, dedup: str | None, delay: int | None, role: str) -> None:
        self._step()
        queue = self._queue(role)
        entry = self._send_entry(body, group, dedup, delay)
        answer = self.sqs.send_message(QueueUrl=queue.url, **entry)
        self._expect_sent(queue, entry, answer)

    @rule(
        entries=st.lists(
            st.tuples(
                BODIES,
                st.sampled_from(["g1", "g2", "g3"]),
                st.one_of(st.none(), st.sampled_from(["d1", "d2", "d3", "d4"])),
                st.one_of(st.none(), st.sampled_from([0, 1, 5])),
            ),
            min_size=1,
            max_size=10,
        )
    )
    def send_message_batch(self, entries: list[tuple[str, str, str | None, int | None]]) -> None:
        self._step()
        queue = self._queue("source")
        request = [{"Id": f"e{i}", **self._send_entry(*entry)} for i, entry in enumerate(entries)]
        answer = self.sqs.send_message_batch(QueueUrl=queue.url, Entries=request)
        assert "Failed" not in answer, answer.get("Failed")
        by_id = {item["Id"]: item for item in answer["Successful"]}
        assert sorted(by_id) == sorted(e["Id"] for e in request)
        for entry in request:  # API Reference, SendMessageBatch: FIFO entries are enqueued in request order
            self._expect_sent(queue, entry, by_id[entry["Id"]])

    # -- receiving ------------------------------------------------------------

    @rule(
        role=QUEUE_ROLES,
        limit=st.sampled_from([1, 1, 2, 3, 10]),
        visibility=RECEIVE_VISIBILITY,
        wait=WAITS,
    )
    def receive_message(self, role: str, limit: int, visibility: int | None, wait: int | None) -> None:
        self._step()
        model = self.model
        queue = self._queue(role)
        dlq = self._queue("dlq")
        kwargs: dict[str, Any] = {
            "QueueUrl": queue.url,
            "MaxNumberOfMessages": limit,
            SYSTEM_NAMES: ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        if wait is not None:
            kwargs["WaitTimeSeconds"] = wait
        answer = self.sqs.receive_message(**kwargs)
        received = answer.get("Messages", [])
        delivered = [m["MessageId"] for m in received]
        assert len(delivered) == len(set(delivered)), f"one receive returned a message twice: {delivered}"
        assert len(delivered) <= limit
        source_view_ids = {m.message_id for m in self.mock.queue(queue.name).messages}

        # Replay the poll: long polls wait for the first receivable message or the deadline.
        deadline = model.now_ms + (wait or 0) * 1000
        moved: list[str] = []
        graveyard: dict[str, MMessage] = {}  # the source's copies of dead-lettered messages
        max_receives = queue.max_receive_count

        def dead_letterable(message: MMessage) -> bool:
            return max_receives is not None and message.receive_count >= max_receives

        while True:
            model.catch_up(queue)
            runs = self.model.candidates(queue)
            if any(not dead_letterable(m) for run in runs for m in run):
                break  # this pass delivers something
            # Every candidate has reached maxReceiveCount: all move to the DLQ, nothing is delivered (Developer Guide, "Using dead-letter queues in Amazon SQS").
            moved.extend(m.message_id for run in runs for m in run)
            for run in runs:
                for message in run:
                    message.moved_ms = model.now_ms
                    graveyard[message.message_id] = queue.messages.pop(message.message_id)
            if model.now_ms >= deadline:
                runs = []
                break
            wake = min(t for t in (deadline, queue.next_due_ms()) if t is not None)
            model.now_ms = max(model.now_ms, wake)
            if wake >= deadline:
                runs = []
                break
        if not runs:
            assert delivered == [], f"received {delivered} although nothing was receivable"
        else:
            self._check_delivery(queue, runs, delivered, limit, source_view_ids, dead_letterable, moved, graveyard)
        # Dead-lettered messages enter the DLQ visible, in the order the simulator moved them.
        for message_id in moved:
            self.model.location.pop(message_id)
        self._enter_dead_letter_queue(dlq, moved, graveyard)
        timeout = queue.visibility_s if visibility is None else visibility
        attributes = {m["MessageId"]: m.get("Attributes", {}) for m in received}
        for m in received:
            message = queue.messages[m["MessageId"]]
            message.receive_count += 1
            message.receipt += 1
            message.received_ms = model.now_ms
            message.state = "in_flight" if timeout > 0 else "visible"
            message.due_ms = model.now_ms + timeout * 1000
            self.handles.append(Handle(m["ReceiptHandle"], queue.name, message.message_id, message.receipt))
            got = attributes[message.message_id]
            assert got.get("ApproximateReceiveCount") == str(message.receive_count), (message, got)
            assert got.get("MessageGroupId") == message.group
        if len(self.handles) > 200:
            del self.handles[:100]

    @rule(
        limit=st.sampled_from([1, 2, 10]),
        visibility=st.sampled_from([None, 0, 0, 1, 5]),
        wait=st.sampled_from([None, 0, 2, 20]),
    )
    def receive_from_source(self, limit: int, visibility: int | None, wait: int | None) -> None:
        self.receive_message("source", limit, visibility, wait)

    @rule(seconds=st.sampled_from([1, 5, 30, 31]))
    def advance_a_little(self, seconds: int) -> None:
        self.advance(seconds)

    def _check_delivery(
        self,
        queue: MQueue,
        runs: list[list[MMessage]],
        delivered: list[str],
        limit: int,
        source_view_ids: set[str],
        dead_letterable: Any,
        moved: list[str],
        graveyard: dict[str, MMessage],
    ) -> None:
        """The pass that delivered: what came back must be what SQS may return (see the module docstring)."""
        assert delivered, "a receivable message exists but the receive returned nothing"
        position = {m.message_id: (index, offset) for index, run in enumerate(runs) for offset, m in enumerate(run)}
        for message_id in delivered:
            assert message_id in position, (
                f"delivered {message_id}, which is not receivable now "
                f"(model state: {queue.messages.get(message_id) or self.model.fate.get(message_id) or self.model.location.get(message_id)})"
            )
            message = queue.messages[message_id]
            assert not dead_letterable(message), f"{message_id} reached maxReceiveCount but was delivered"
        # Candidates neither delivered nor still in the source were dead-lettered in this pass.
        taken = set(delivered)
        for run in runs:
            for message in run:
                if message.message_id not in taken and message.message_id not in source_view_ids:
                    assert dead_letterable(message), f"{message.message_id} vanished from the source"
                    moved.append(message.message_id)
                    message.moved_ms = self.model.now_ms
                    graveyard[message.message_id] = queue.messages.pop(message.message_id)
                    taken.add(message.message_id)
        full = len(delivered) == limit
        if not queue.fifo:
            if not full:
                missing = [m.message_id for run in runs for m in run if m.message_id not in taken]
                assert not missing, f"receive of {limit} returned {len(delivered)} but left {missing} visible"
            return
        # FIFO: each group from its oldest message on, in order, one group's run after another (Developer Guide, "FIFO queue delivery logic in Amazon SQS").
        groups_in_order: list[int] = []
        for message_id in delivered:
            index, _ = position[message_id]
            if not groups_in_order or groups_in_order[-1] != index:
                assert index not in groups_in_order, f"group of {message_id} delivered in two runs: {delivered}"
                groups_in_order.append(index)
        last_group = groups_in_order[-1]
        for index, run in enumerate(runs):
            flags = [m.message_id in taken for m in run]
            count = sum(flags)
            assert flags == [True] * count + [False] * (len(run) - count), (
                f"group {run[0].group}: took {[m.message_id for m in run if m.message_id in taken]} "
                f"out of order from {[m.message_id for m in run]}"
            )
            in_group = [m for m in delivered if position[m][0] == index]
            assert in_group == sorted(in_group, key=lambda m: position[m][1]), "group delivered out of order"
            if count < len(run):
                assert full, f"group {run[0].group} left messages although the receive was not full: {delivered}"
                assert index == last_group or count == 0, f"group {run[0].group} cut short mid-receive: {delivered}"

    def _enter_dead_letter_queue(self, dlq: MQueue, moved: list[str], graveyard: dict[str, MMessage]) -> None:
        if not moved:
            return
        model = self.model
        view = self.mock.queue(dlq.name)
        order = {m.message_id: i for i, m in enumerate(view.messages)}
        # Standard DLQs keep the enqueue time (retention keeps counting); FIFO DLQs reset it
        # (Developer Guide, "Using dead-letter queues in Amazon SQS").
        for message_id in sorted(moved, key=lambda mid: order.get(mid, len(order))):
            original = graveyard[message_id]
            seq = dlq.next_seq
            dlq.next_seq += 1
            dlq.messages[message_id] = MMessage(
                message_id,
                seq,
                original.group,
                original.moved_ms if dlq.fifo else original.enqueued_ms,
                "visible",
                original.moved_ms,
                receive_count=original.receive_count,
            )
            model.location[message_id] = dlq.name
            model.dead_lettered.add(message_id)
        model.catch_up(dlq)

    # -- handles --------------------------------------------------------------

    @precondition(_has_handles)
    @rule(role=QUEUE_ROLES, pick=HANDLE_PICKS)
    def delete_message(self, role: str, pick: int | str) -> None:
        self._step()
        queue = self._queue(role)
        value = self._handle(pick)
        expected, message = self._handle_outcome(queue, value, "delete")
        if expected is not None:
            with pytest.raises(ClientError) as caught:
                self.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=value)
            assert _error_code(caught.value) == expected, caught.value.response
            return
        self.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=value)
        if message is not None:
            self.model.remove(queue, message.message_id, "deleted")

    @precondition(_has_handles)
    @rule(role=QUEUE_ROLES, picks=st.lists(HANDLE_PICKS, min_size=1, max_size=10))
    def delete_message_batch(self, role: str, picks: list[int | str]) -> None:
        self._step()
        queue = self._queue(role)
        values = [self._handle(pick) for pick in picks]
        answer = self.sqs.delete_message_batch(
            QueueUrl=queue.url, Entries=[{"Id": f"e{i}", "ReceiptHandle": v} for i, v in enumerate(values)]
        )
        failed = {item["Id"]: item["Code"] for item in answer.get("Failed", [])}
        for i, value in enumerate(values):
            expected, message = self._handle_outcome(queue, value, "delete")
            assert failed.get(f"e{i}") == expected, (i, value, answer)
            if message is not None:
                self.model.remove(queue, message.message_id, "deleted")

    def _change(self, queue: MQueue, value: str, timeout: int) -> str | None:
        """Apply a visibility change to the model; the error code SQS answers with, if any (observed AWS behaviour)."""
        expected, message = self._handle_outcome(queue, value, "change")
        if expected is not None or message is None:
            return expected
        if message.state != "in_flight":
            return None  # standard: an expired handle answers 200 and changes nothing
        now = self.model.now_ms
        if now + timeout * 1000 - message.received_ms > MAX_VISIBILITY_MS:
            return "InvalidParameterValue"  # beyond 12 hours from the receive
        if timeout == 0:
            message.state = "visible"
        message.due_ms = now + timeout * 1000
        return None

    @precondition(_has_handles)
    @rule(role=QUEUE_ROLES, pick=HANDLE_PICKS, timeout=VISIBILITY_CHANGES)
    def change_message_visibility(self, role: str, pick: int | str, timeout: int) -> None:
        self._step()
        queue = self._queue(role)
        value = self._handle(pick)
        expected = self._change(queue, value, timeout)
        code = _call_code(
            self.sqs.change_message_visibility, QueueUrl=queue.url, ReceiptHandle=value, VisibilityTimeout=timeout
        )
        assert code == expected, f"expected {expected}, got {code}"

    @precondition(_has_handles)
    @rule(role=QUEUE_ROLES, changes=st.lists(st.tuples(HANDLE_PICKS, VISIBILITY_CHANGES), min_size=1, max_size=10))
    def change_message_visibility_batch(self, role: str, changes: list[tuple[int | str, int]]) -> None:
        self._step()
        queue = self._queue(role)
        handles = [(self._handle(pick), timeout) for pick, timeout in changes]
        entries = [
            {"Id": f"e{i}", "ReceiptHandle": handle, "VisibilityTimeout": timeout}
            for i, (handle, timeout) in enumerate(handles)
        ]
        answer = self.sqs.change_message_visibility_batch(QueueUrl=queue.url, Entries=entries)
        failed = {item["Id"]: item["Code"] for item in answer.get("Failed", [])}
        for i, (handle, timeout) in enumerate(handles):
            expected = self._change(queue, handle, timeout)
            assert failed.get(f"e{i}") == expected, (i, handle, answer)

    @rule(role=QUEUE_ROLES, handle=GARBAGE_HANDLES, timeout=VISIBILITY_CHANGES)
    def use_garbage_handle(self, role: str, handle: str, timeout: int) -> None:
        self.delete_message(role, handle)
        self.change_message_visibility(role, handle, timeout)

    # -- queue operations -----------------------------------------------------

    @rule(role=QUEUE_ROLES, go=st.integers(0, 4))
    def purge_queue(self, role: str, go: int) -> None:
        if go:
            return  # purges are rarer than other calls
        self._step()
        queue = self._queue(role)
        now = self.model.now_ms
        if queue.last_purge_ms is not None and now - queue.last_purge_ms < PURGE_INTERVAL_MS:
            with pytest.raises(ClientError) as caught:
                self.sqs.purge_queue(QueueUrl=queue.url)
            assert _error_code(caught.value) == "AWS.SimpleQueueService.PurgeQueueInProgress"
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
            return
        self.sqs.purge_queue(QueueUrl=queue.url)
        for message_id in list(queue.messages):
            self.model.remove(queue, message_id, "purged")
        queue.dedup.clear()  # observed AWS behaviour: purge clears the FIFO deduplication history
        queue.last_purge_ms = now

    @rule(
        role=QUEUE_ROLES,
        name=st.sampled_from(["VisibilityTimeout", "DelaySeconds", "MessageRetentionPeriod", "RedrivePolicy"]),
        data=st.data(),
    )
    def set_queue_attributes(self, role: str, name: str, data: st.DataObject) -> None:
        self._step()
        queue = self._queue(role)
        if name == "VisibilityTimeout":
            value: Any = data.draw(st.sampled_from([0, 1, 5, 30, 60]))
            queue.visibility_s = value
        elif name == "DelaySeconds":
            value = data.draw(st.sampled_from([0, 0, 1, 5, 30]))
            if queue.fifo:
                # Developer Guide, "Amazon SQS delay queues": retroactive on FIFO queues: still-delayed messages are due at enqueue time + the new delay.
                for message in queue.messages.values():
                    if message.state == "delayed":
                        message.due_ms = message.enqueued_ms + value * 1000
                        if message.due_ms <= self.model.now_ms:
                            message.state = "visible"
            queue.delay_s = value
        elif name == "MessageRetentionPeriod":
            value = data.draw(st.sampled_from([60, 120, 600, 3_600, DEFAULT_RETENTION_S]))
            queue.retention_s = value
        else:
            if role != "source":
                return
            maximum = data.draw(st.sampled_from([None, 1, 2, 3]))
            value = "" if maximum is None else self._redrive(maximum)
            queue.max_receive_count = maximum
        self.sqs.set_queue_attributes(QueueUrl=queue.url, Attributes={name: str(value)})

    @rule(seconds=ADVANCES)
    def advance(self, seconds: int) -> None:
        self._step()
        self.mock.advance(seconds)
        self.model.now_ms += seconds * 1000

    @rule(offset_ms=st.sampled_from([-1, 0, 0]), nth=st.integers(0, 3))
    def advance_to_boundary(self, offset_ms: int, nth: int) -> None:
        """Move to (or 1 ms short of) a moment something changes: off-by-one hunting."""
        model = self.model
        now = model.now_ms
        moments: set[int] = set()
        for queue in model.queues.values():
            for message in queue.messages.values():
                moments.add(message.enqueued_ms + queue.retention_s * 1000)
                if message.state != "visible":
                    moments.add(message.due_ms)
                    moments.add(message.received_ms + MAX_VISIBILITY_MS)
            moments.update(expires for expires, _ in queue.dedup.values())
            if queue.last_purge_ms is not None:
                moments.add(queue.last_purge_ms + PURGE_INTERVAL_MS)
        ahead = sorted(t + offset_ms for t in moments if t + offset_ms > now)
        if not ahead:
            return
        self._step()
        target = ahead[min(nth, len(ahead) - 1)]
        self.mock.advance((target - now) / 1000)
        model.now_ms = target

    # -- invariants -------------------------------------------------------------

    @invariant()
    def model_matches_simulator(self) -> None:
        model = self.model
        model.catch_up_all()
        assert self.mock.simulation.now_ms == model.now_ms, "virtual clock differs from the model's"
        views = {view.name: view for view in self.mock.queues()}
        assert sorted(views) == sorted(q.name for q in model.queues.values())
        seen: dict[str, str] = {}
        for queue in model.queues.values():
            view = views[queue.name]
            actual = {m.message_id: (m.state, m.receive_count) for m in view.messages}
            expected = {mid: (m.state, m.receive_count) for mid, m in queue.messages.items()}
            if actual != expected:
                unexpected = {k: v for k, v in actual.items() if expected.get(k) != v}
                missing = {k: v for k, v in expected.items() if actual.get(k) != v}
                fates = {k: model.fate.get(k) or model.location.get(k) for k in unexpected}
                raise AssertionError(
                    f"queue {queue.name}: simulator has {unexpected} (model says {fates}), model expects {missing}"
                )
            for message in view.messages:
                assert message.message_id not in seen, f"{message.message_id} is in two queues"
                seen[message.message_id] = queue.name
                if queue.fifo:
                    assert message.group_id == queue.messages[message.message_id].group
            counts = queue.counts()
            shown = {
                "visible": int(view.attributes["ApproximateNumberOfMessages"]),
                "in_flight": int(view.attributes["ApproximateNumberOfMessagesNotVisible"]),
                "delayed": int(view.attributes["ApproximateNumberOfMessagesDelayed"]),
            }
            listed = {"visible": len(view.visible), "in_flight": len(view.in_flight), "delayed": len(view.delayed)}
            assert shown == listed == counts, (queue.name, shown, listed, counts)
            wire = self.sqs.get_queue_attributes(
                QueueUrl=queue.url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            assert len(wire) == 3, wire
            assert wire == {k: view.attributes[k] for k in wire}, (queue.name, wire)
        # Every message ever sent is in exactly one place: a queue, or a final fate.
        assert set(seen) == set(model.location), "messages alive in the simulator differ from the model"
        assert not set(model.fate) & set(model.location)


class StandardQueues(SqsStateMachine):
    """A standard queue and its standard dead-letter queue."""

    fifo = False
    label = "standard"


class FifoQueues(SqsStateMachine):
    """A FIFO queue (content-based deduplication) and its FIFO dead-letter queue."""

    fifo = True
    label = "fifo"


TestStandardQueues = StandardQueues.TestCase
TestStandardQueues.settings = MACHINE_SETTINGS
TestFifoQueues = FifoQueues.TestCase
TestFifoQueues.settings = MACHINE_SETTINGS


@pytest.fixture(scope="module", autouse=True)
def _report_steps() -> Any:
    yield
    if LONG:
        total = sum(STEPS.values())
        print(f"\nstateful steps run: {STEPS} (total {total})")
        if set(STEPS) == {"standard", "fifo"}:  # both machines ran (not a -k selection)
            assert total >= MIN_LONG_STEPS, (
                f"the long profile ran {total} state-machine steps, fewer than {MIN_LONG_STEPS}"
            )
