"""FIFO dead-letter queues.

Spec: Developer Guide, "Learn how to configure a dead-letter queue redrive in Amazon SQS"
(FIFO → FIFO moves) and "FIFO queue delivery logic in Amazon SQS"; observed AWS behaviour.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_sqsmock import SqsMock

from .conftest import QueueFactory
from .fifo_support import bodies, counters, receive, send_all


def with_dead_letter_queue(
    sqs: Any, make_fifo: QueueFactory, max_receive_count: int = 1, **dlq_attributes: Any
) -> tuple[str, str]:
    dlq = make_fifo("dead.fifo", **dlq_attributes)
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = make_fifo(
        "work.fifo",
        ContentBasedDeduplication=True,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receive_count}),
    )
    return source, dlq


def test_the_receive_past_max_receive_count_moves_the_message(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    source, dlq = with_dead_letter_queue(sqs, make_fifo)
    [sent] = send_all(sqs, source, ("g", "poison"))
    assert bodies(receive(sqs, source, VisibilityTimeout=5)) == ["poison"]
    sqs_mock.advance(5)

    assert receive(sqs, source) == []

    assert counters(sqs, source) == (0, 0, 0)
    [moved] = receive(sqs, dlq, MessageSystemAttributeNames=["All"])
    assert (moved["MessageId"], moved["Body"]) == (sent["MessageId"], "poison")
    attributes = moved["Attributes"]
    # The dedup id becomes the original message id (Developer Guide); the receive count carries on (observed).
    assert attributes["MessageDeduplicationId"] == sent["MessageId"]
    assert attributes["ApproximateReceiveCount"] == "2"
    assert attributes["MessageGroupId"] == "g"
    assert attributes["DeadLetterQueueSourceArn"].endswith(":work.fifo")
    assert len(attributes["SequenceNumber"]) == 20


def test_the_source_group_stays_usable(sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory) -> None:
    source, dlq = with_dead_letter_queue(sqs, make_fifo)
    sqs.send_message(QueueUrl=source, MessageBody="poison", MessageGroupId="g")
    receive(sqs, source, VisibilityTimeout=5)
    sqs_mock.advance(5)
    assert receive(sqs, source) == []

    sqs.send_message(QueueUrl=source, MessageBody="next", MessageGroupId="g")

    assert bodies(receive(sqs, source)) == ["next"]
    assert bodies(receive(sqs, dlq)) == ["poison"]


def test_the_rest_of_the_group_follows_in_the_moving_receive(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    # Our reading of the FIFO delivery logic and dead-lettering: the move frees the head, the run continues behind it.
    source, dlq = with_dead_letter_queue(sqs, make_fifo)
    [poison] = send_all(sqs, source, ("g", "poison"))
    receive(sqs, source, MaxNumberOfMessages=1, VisibilityTimeout=5)
    send_all(sqs, source, ("g", "m2"), ("g", "m3"))
    sqs_mock.advance(5)

    assert bodies(receive(sqs, source)) == ["m2", "m3"]
    assert [m["MessageId"] for m in receive(sqs, dlq)] == [poison["MessageId"]]


def test_the_move_resets_the_enqueue_time(sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory) -> None:
    source, dlq = with_dead_letter_queue(sqs, make_fifo, MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=source, MessageBody="old", MessageGroupId="g")
    receive(sqs, source, VisibilityTimeout=100)
    sqs_mock.advance(100)
    receive(sqs, source)  # moves it, 100 s after it was sent

    sqs_mock.advance(59)
    assert counters(sqs, dlq) == (1, 0, 0)
    sqs_mock.advance(1)
    assert counters(sqs, dlq) == (0, 0, 0)


def test_max_receive_count_three_allows_three_receives(sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory) -> None:
    source, dlq = with_dead_letter_queue(sqs, make_fifo, max_receive_count=3)
    sqs.send_message(QueueUrl=source, MessageBody="m", MessageGroupId="g")

    for _ in range(3):
        assert bodies(receive(sqs, source, VisibilityTimeout=1)) == ["m"]
        sqs_mock.advance(1)

    assert receive(sqs, source) == []
    assert bodies(receive(sqs, dlq)) == ["m"]


def test_moved_messages_keep_their_group_order_in_the_dead_letter_queue(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    source, dlq = with_dead_letter_queue(sqs, make_fifo)
    send_all(sqs, source, ("g", "a"), ("g", "b"), ("h", "c"))
    receive(sqs, source, VisibilityTimeout=5)
    sqs_mock.advance(5)

    assert receive(sqs, source) == []

    received = receive(sqs, dlq, MessageSystemAttributeNames=["SequenceNumber"])
    assert bodies(received) == ["a", "b", "c"]
    numbers = [int(m["Attributes"]["SequenceNumber"]) for m in received]
    assert numbers == sorted(numbers)
    # The dead-letter queue delivers by group too: "b" waits behind an in-flight "a".
    assert counters(sqs, dlq) == (0, 3, 0)


def test_the_dead_letter_queue_view(sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory) -> None:
    source, _ = with_dead_letter_queue(sqs, make_fifo)
    [sent] = send_all(sqs, source, ("g", "m"))
    receive(sqs, source, VisibilityTimeout=1)
    sqs_mock.advance(1)
    receive(sqs, source)

    dead = sqs_mock.queue("work.fifo").dead_letter_queue
    assert dead is not None
    [view] = dead.visible
    assert (view.message_id, view.group_id, view.deduplication_id) == (
        sent["MessageId"],
        "g",
        sent["MessageId"],
    )
