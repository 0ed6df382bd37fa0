"""A time jump pays for the changes it causes, and consumers running meanwhile see moments it passes through.

``advance()`` applies the messages turning visible and the messages leaving by
retention itself, in time order and in chunks, letting go of the simulation's
lock between chunks (``Service.advance_to``). A chunk boundary is where another
thread's call may land: these tests stop there (by wrapping the chunk) or run a
consumer thread alongside, and check what such a call sees.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.clock import to_ms
from pytest_sqsmock.service import core
from pytest_sqsmock.service.core import Service

from .clock_support import START

START_MS = to_ms(START)


def _fill(sqs: Any, url: str, count: int, **params: Any) -> None:
    for first in range(0, count, 10):
        entries = [{"Id": str(n), "MessageBody": f"m{first + n}"} for n in range(min(10, count - first))]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries, **params).get("Failed")


def _receive_all(sqs: Any, url: str, count: int) -> None:
    received = 0
    while received < count:
        received += len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


def _owed(mock: SqsMock) -> list[int]:
    """When each queue's next change falls due: none may be owed at or before now once a jump returns."""
    service = mock.simulation.service
    return [due for queue in service.registry.all_queues() if (due := queue.next_due_ms()) is not None]


def _at_each_chunk(monkeypatch: pytest.MonkeyPatch, seen: Callable[[Service], None], chunk: int) -> None:
    """Run ``seen`` (lock held, as a call landing there would) after every chunk of a jump."""
    monkeypatch.setattr(core, "JUMP_CHUNK", chunk)
    original = Service._jump_chunk

    def watched(self: Service, target_ms: int) -> bool:
        done = original(self, target_ms)
        seen(self)
        return done

    monkeypatch.setattr(Service, "_jump_chunk", watched)


def test_a_jump_leaves_nothing_owed_when_visibility_timeouts_end(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    _fill(sqs, url, 500)
    _receive_all(sqs, url, 500)

    mock.advance(31)

    assert all(due > mock.simulation.now_ms for due in _owed(mock))
    view = mock.queue("work")
    assert (len(view.visible), len(view.in_flight)) == (500, 0)


def test_a_jump_leaves_nothing_owed_when_retention_ends(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="old", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    _fill(sqs, url, 300)

    mock.advance(61)

    assert _owed(mock) == []
    assert len(mock.queue("old")) == 0
    # Nor is there anything left to tidy: the removed messages' heap entries and places in the
    # send order went with the jump (a private look: no call shows this but by its cost).
    (queue,) = mock.simulation.service.registry.all_queues()
    assert (len(queue._visible), len(queue._order)) == (0, 0)


def test_a_call_between_chunks_sees_the_moment_the_jump_is_at(
    mock: SqsMock, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    _fill(sqs, url, 100)
    _receive_all(sqs, url, 100)
    seen: list[tuple[int, str, str]] = []

    def look(service: Service) -> None:
        attributes = mock.simulation.call(
            "GetQueueAttributes",
            {
                "QueueUrl": url,
                "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            },
        )["Attributes"]
        visible, hidden = attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]
        seen.append((service.now_ms() - START_MS, visible, hidden))

    _at_each_chunk(monkeypatch, look, chunk=25)
    mock.advance(45)

    # All 100 turn visible at 30 s. The first chunk applies 25 of them; a call landing there sees
    # the moment whole (it applies the other 75 itself), so the jump has nothing left but 45 s.
    assert seen == [(30_000, "100", "0"), (45_000, "100", "0")]


def test_changes_are_applied_in_time_order_across_queues(
    mock: SqsMock, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Queue "a" has three messages turning visible at 10, 30 and 50 s each; queue "b" at 20 and 40 s.
    urls = {name: sqs.create_queue(QueueName=name)["QueueUrl"] for name in "ab"}
    for seconds, name in ((10, "a"), (20, "b"), (30, "a"), (40, "b"), (50, "a")):
        _fill(sqs, urls[name], 3)
        for _ in range(3):
            assert sqs.receive_message(QueueUrl=urls[name], VisibilityTimeout=seconds)["Messages"]
    moments: list[int] = []

    def look(service: Service) -> None:
        now = service.now_ms()
        moments.append(now - START_MS)
        # Nothing due before the moment the jump is at is still owed, in any queue.
        assert all(due >= now for due in _owed(mock))

    _at_each_chunk(monkeypatch, look, chunk=3)
    mock.advance(60)

    # Three changes a chunk: each chunk ends where the next queue's changes begin; the last one
    # applies the changes at 50 s and moves on to 60 s.
    assert moments == [10_000, 20_000, 30_000, 40_000, 60_000]
    assert (len(mock.queue("a").visible), len(mock.queue("b").visible)) == (9, 6)


def test_a_consumer_thread_running_through_a_jump_never_receives_early_and_loses_nothing(
    mock: SqsMock, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "JUMP_CHUNK", 16)
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    _fill(sqs, url, 400)
    # Ten waves of 40 in flight: wave w turns visible again (w + 1) s from now.
    due: dict[str, int] = {}
    for wave in range(10):
        for _ in range(4):
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=wave + 1)[
                "Messages"
            ]:
                due[message["Body"]] = START_MS + (wave + 1) * 1000
    assert len(due) == 400
    consumer = boto3.client("sqs", region_name="us-east-1", **mock.credentials())
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            consumer.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=3600)

    worker = threading.Thread(target=consume, name="consumer", daemon=True)
    worker.start()
    try:
        mock.advance(15)
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()

    bodies: list[str] = []
    for call in mock.calls:
        if call.operation == "ReceiveMessage" and call.params.get("VisibilityTimeout") == 3600:
            for message in (call.result or {}).get("Messages", []):
                # Never before the message's visibility timeout ended.
                assert to_ms(call.time) >= due[message["Body"]]
                bodies.append(message["Body"])
    assert len(bodies) == len(set(bodies))
    view = mock.queue("work")
    assert len(view.in_flight) == len(bodies)
    assert len(view) == 400


def test_a_jump_through_a_running_move_task_makes_each_move_at_its_moment(
    mock: SqsMock, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "JUMP_CHUNK", 4)  # several chunks, each ending after a few moves
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = mock.queue("dlq").arn
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": redrive})
    _fill(sqs, dlq_url, 50)
    sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=mock.queue("work").arn, MaxNumberOfMessagesPerSecond=10
    )

    mock.advance(2.5)  # ten moves a second: the 25th falls due at 2.5 s exactly

    assert (len(mock.queue("work")), len(mock.queue("dlq"))) == (25, 25)
    mock.advance(10)
    assert (len(mock.queue("work")), len(mock.queue("dlq"))) == (50, 0)


def test_the_service_refuses_to_move_time_backwards(mock: SqsMock) -> None:
    service = mock.simulation.service
    with pytest.raises(ValueError, match="cannot move time backwards"):
        service.advance_to(service.now_ms() - 1)
