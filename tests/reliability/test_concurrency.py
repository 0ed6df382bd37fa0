"""Sixteen threads hammer shared queues; nothing is lost, nothing hangs, nothing but SQS errors escapes.

Each worker owns a boto3 client (clients are thread-safe, sessions are not, so
all clients come from one session, created up front on the test's thread) and
makes random calls on one standard and one FIFO queue: SendMessage(Batch),
ReceiveMessage (short polls and 1-second long polls), DeleteMessage(Batch) and
ChangeMessageVisibility(Batch) on the handles it holds. Meanwhile the test's
thread moves the virtual clock, so visibility timeouts run out under the
workers' feet and long polls on worker threads end (README "Consumers and the rules of time").

At the end every message sent is accounted for (Developer Guide, "Amazon SQS visibility timeout", "FIFO queue delivery logic in Amazon SQS"): either a worker
deleted it and it is gone, or it is still in its queue, exactly once; FIFO
groups were first delivered in send order; the counters equal the views.

``SQSMOCK_LONG=1``: 10,000 calls per worker instead of ~300.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock

from .support import SYSTEM_NAMES

LONG = os.environ.get("SQSMOCK_LONG") == "1"
WORKERS = 16
CALLS_PER_WORKER = 10_000 if LONG else 300
JOIN_TIMEOUT_S = 1_800 if LONG else 60
GROUPS = ("g0", "g1", "g2", "g3")

#: Codes a worker may legitimately get: expired FIFO handles and changes on deleted messages (observed AWS behaviour).
EXPECTED_CODES = {"InvalidParameterValue"}


@dataclass
class Journal:
    """What one worker did and saw."""

    sent: dict[str, str] = field(default_factory=dict)  # message id -> queue
    deleted: set[str] = field(default_factory=set)  # ids of successful deletes (any handle)
    errors: Counter[str] = field(default_factory=Counter)  # ClientError codes (and HTTP status)
    crashes: list[BaseException] = field(default_factory=list)  # anything but a ClientError
    calls: int = 0


@dataclass
class Shared:
    """State the workers share (each structure guarded by the GIL-atomic operations used on it)."""

    urls: dict[str, str]
    order: itertools.count[int] = field(default_factory=itertools.count)  # global receive-log clock
    # FIFO first deliveries: (log position, group, sequence number, message id)
    first_fifo: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    fifo_lock: threading.Lock = field(default_factory=threading.Lock)
    dedup: itertools.count[int] = field(default_factory=itertools.count)


class Worker:
    """One thread's random walk over the two shared queues."""

    def __init__(self, number: int, client: Any, shared: Shared, calls: int) -> None:
        self.random = random.Random(number)
        self.client = client
        self.shared = shared
        self.calls = calls
        self.journal = Journal()
        self.held: list[tuple[str, str, str]] = []  # (queue kind, message id, receipt handle)
        self.name = f"w{number}"

    def run(self) -> None:
        try:
            while self.journal.calls < self.calls:
                self.journal.calls += 1
                kind = self.random.choice(("standard", "fifo"))
                roll = self.random.random()
                try:
                    if roll < 0.22:
                        self.send(kind)
                    elif roll < 0.30:
                        self.send_batch(kind)
                    elif roll < 0.62:
                        self.receive(kind)
                    elif roll < 0.80:
                        self.delete()
                    elif roll < 0.88:
                        self.delete_batch()
                    elif roll < 0.95:
                        self.change()
                    else:
                        self.change_batch()
                except ClientError as error:
                    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                    self.journal.errors[f"{error.response['Error']['Code']} ({status})"] += 1
        except BaseException as crash:  # what the test is looking for
            self.journal.crashes.append(crash)

    # -- calls ---------------------------------------------------------------------

    def _entry(self, kind: str) -> dict[str, Any]:
        body = f"{self.name}-{self.journal.calls}-{self.random.random()}"
        if kind == "fifo":
            return {
                "MessageBody": body,
                "MessageGroupId": self.random.choice(GROUPS),
                "MessageDeduplicationId": f"d{next(self.shared.dedup)}",
            }
        return {"MessageBody": body}

    def send(self, kind: str) -> None:
        answer = self.client.send_message(QueueUrl=self.shared.urls[kind], **self._entry(kind))
        self.journal.sent[answer["MessageId"]] = kind

    def send_batch(self, kind: str) -> None:
        entries = [{"Id": str(i), **self._entry(kind)} for i in range(self.random.randint(1, 10))]
        answer = self.client.send_message_batch(QueueUrl=self.shared.urls[kind], Entries=entries)
        if answer.get("Failed"):
            raise AssertionError(f"batch entries failed: {answer['Failed']}")
        for item in answer["Successful"]:
            self.journal.sent[item["MessageId"]] = kind

    def receive(self, kind: str) -> None:
        kwargs = {
            "QueueUrl": self.shared.urls[kind],
            "MaxNumberOfMessages": self.random.choice((1, 5, 10)),
            "WaitTimeSeconds": self.random.choice((0, 0, 0, 1)),
            "VisibilityTimeout": self.random.choice((2, 5, 30)),
            SYSTEM_NAMES: ["SequenceNumber", "MessageGroupId"],
        }
        if kind == "fifo":
            # FIFO receives take turns so that the log order is the simulator's order (deletes,
            # changes and sends still race them); standard receives run fully concurrently.
            with self.shared.fifo_lock:
                messages = self.client.receive_message(**kwargs).get("Messages", [])
                for message in messages:
                    self._log_fifo(message)
        else:
            messages = self.client.receive_message(**kwargs).get("Messages", [])
        for message in messages:
            self.held.append((kind, message["MessageId"], message["ReceiptHandle"]))
        del self.held[:-40]  # forget the oldest handles

    def _log_fifo(self, message: dict[str, Any]) -> None:
        attributes = message["Attributes"]
        if message["MessageId"] not in self.shared.first_fifo:
            self.shared.first_fifo[message["MessageId"]] = (
                next(self.shared.order),
                attributes["MessageGroupId"],
                int(attributes["SequenceNumber"]),
            )

    def _pick(self) -> tuple[str, str, str] | None:
        if not self.held:
            return None
        return self.held.pop(self.random.randrange(len(self.held)))

    def delete(self) -> None:
        picked = self._pick()
        if picked is None:
            return
        kind, message_id, handle = picked
        self.client.delete_message(QueueUrl=self.shared.urls[kind], ReceiptHandle=handle)
        self.journal.deleted.add(message_id)

    def delete_batch(self) -> None:
        kind = self.random.choice(("standard", "fifo"))
        mine = [h for h in self.held if h[0] == kind][:10]
        if not mine:
            return
        for item in mine:
            self.held.remove(item)
        answer = self.client.delete_message_batch(
            QueueUrl=self.shared.urls[kind],
            Entries=[{"Id": str(i), "ReceiptHandle": handle} for i, (_, _, handle) in enumerate(mine)],
        )
        for item in answer.get("Successful", []):
            self.journal.deleted.add(mine[int(item["Id"])][1])
        for item in answer.get("Failed", []):
            self.journal.errors[f"{item['Code']} (batch entry)"] += 1

    def change(self) -> None:
        if not self.held:
            return
        kind, _, handle = self.held[self.random.randrange(len(self.held))]
        self.client.change_message_visibility(
            QueueUrl=self.shared.urls[kind], ReceiptHandle=handle, VisibilityTimeout=self.random.choice((0, 10))
        )

    def change_batch(self) -> None:
        kind = self.random.choice(("standard", "fifo"))
        mine = [h for h in self.held if h[0] == kind][:10]
        if not mine:
            return
        answer = self.client.change_message_visibility_batch(
            QueueUrl=self.shared.urls[kind],
            Entries=[
                {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": self.random.choice((0, 10))}
                for i, (_, _, handle) in enumerate(mine)
            ],
        )
        for item in answer.get("Failed", []):
            self.journal.errors[f"{item['Code']} (batch entry)"] += 1


def _drive(sqs_mock: SqsMock, threads: list[threading.Thread], timeout_s: float) -> None:
    """Move virtual time while the workers run (long polls on their threads end only so); fail on a hang."""
    deadline = time.monotonic() + timeout_s
    while any(thread.is_alive() for thread in threads):
        if time.monotonic() > deadline:
            stuck = [thread.name for thread in threads if thread.is_alive()]
            pytest.fail(f"deadlock or hang: workers {stuck} still running after {timeout_s} s")
        sqs_mock.advance(0.25)
        time.sleep(0.002)
    for thread in threads:
        thread.join(timeout=1)


@pytest.mark.parametrize("calls", [CALLS_PER_WORKER])
def test_sixteen_workers_lose_nothing(sqs_mock: SqsMock, calls: int) -> None:
    setup = sqs_mock.client()
    urls = {
        "standard": setup.create_queue(QueueName="shared")["QueueUrl"],
        "fifo": setup.create_queue(QueueName="shared.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"],
    }
    shared = Shared(urls)
    no_retries = Config(retries={"total_max_attempts": 1})
    workers = [Worker(n, sqs_mock.client(config=no_retries), shared, calls) for n in range(WORKERS)]
    threads = [threading.Thread(target=w.run, name=w.name, daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    _drive(sqs_mock, threads, JOIN_TIMEOUT_S)

    crashes = [(w.name, repr(c)) for w in workers for c in w.journal.crashes]
    assert not crashes, f"non-SQS exceptions escaped: {crashes}"
    errors: Counter[str] = Counter()
    for worker in workers:
        errors.update(worker.journal.errors)
    unexpected = {code: n for code, n in errors.items() if code.split(" ")[0] not in EXPECTED_CODES}
    assert not unexpected, f"unexpected SQS errors: {unexpected} (all: {dict(errors)})"
    assert sum(w.journal.calls for w in workers) == WORKERS * calls

    sent: dict[str, str] = {}
    deleted: set[str] = set()
    for worker in workers:
        assert not set(worker.journal.sent) & set(sent), "a MessageId was issued twice"
        sent.update(worker.journal.sent)
        deleted |= worker.journal.deleted
    assert deleted <= set(sent), "deleted a message nobody sent"
    names = {"standard": "shared", "fifo": "shared.fifo"}
    remaining: dict[str, str] = {}
    for kind, name in names.items():
        view = sqs_mock.queue(name)
        ids = [m.message_id for m in view.messages]
        assert len(ids) == len(set(ids)), f"{name}: a message is held twice"
        remaining.update(dict.fromkeys(ids, kind))
        attributes = view.attributes
        assert int(attributes["ApproximateNumberOfMessages"]) == len(view.visible)
        assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == len(view.in_flight)
        assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == len(view.delayed) == 0
    # Every message: deleted by a worker (and gone) or still in the queue it was sent to; never both, never neither.
    assert not deleted & set(remaining), f"deleted but still queued: {sorted(deleted & set(remaining))[:5]}"
    lost = set(sent) - deleted - set(remaining)
    assert not lost, f"{len(lost)} messages vanished without a delete, e.g. {sorted(lost)[:5]}"
    assert set(remaining) <= set(sent), "the queue holds messages nobody sent"
    assert all(sent[mid] == kind for mid, kind in remaining.items()), "a message is in the wrong queue"

    # FIFO: per group, first deliveries happened in send order (Developer Guide, "FIFO queue delivery logic in Amazon SQS"), whichever worker got them.
    by_group: dict[str, list[tuple[int, int]]] = {}
    for position, group, sequence in shared.first_fifo.values():
        by_group.setdefault(group, []).append((position, sequence))
    for group, deliveries in by_group.items():
        sequences = [sequence for _, sequence in sorted(deliveries)]
        assert sequences == sorted(sequences), f"group {group} first delivered out of order"
    assert sent, "the workers sent nothing"
    print(f"\nconcurrency: {WORKERS * calls} calls, {len(sent)} sent, {len(deleted)} deleted, errors {dict(errors)}")
