"""Delays, retention and dead-letter moves on the virtual clock, through boto3.

Spec: Developer Guide, "Amazon SQS delay queues", "Amazon SQS message timers", "Using dead-letter
queues in Amazon SQS", "Amazon SQS message quotas"; API Reference, SetQueueAttributes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pytest_sqsmock import SqsMock

from .api_support import arn_of, counters, epoch_ms, md5_hex, receive
from .conftest import QueueFactory

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def redrive(dlq_name: str, max_receive_count: int) -> str:
    return json.dumps({"deadLetterTargetArn": arn_of(dlq_name), "maxReceiveCount": max_receive_count})


# --- Delays (Developer Guide, "Amazon SQS delay queues", "Amazon SQS message timers") -------------


def test_queue_delay_holds_messages_back(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("delayed", DelaySeconds=10)
    sqs.send_message(QueueUrl=url, MessageBody="wait")

    assert counters(sqs, url) == (0, 0, 1)
    assert receive(sqs, url) == []
    sqs_mock.advance(9)
    assert receive(sqs, url) == []
    sqs_mock.advance(1)
    assert counters(sqs, url) == (1, 0, 0)
    assert [m["Body"] for m in receive(sqs, url)] == ["wait"]


def test_message_delay_overrides_the_queue_delay(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("delayed", DelaySeconds=10)
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="sooner", DelaySeconds=5)
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=20)

    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["now"]
    sqs_mock.advance(5)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["sooner"]
    sqs_mock.advance(10)
    assert receive(sqs, url, MaxNumberOfMessages=10) == []
    sqs_mock.advance(5)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["later"]


def test_changing_the_queue_delay_is_not_retroactive(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("retro", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="old delay")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    sqs.send_message(QueueUrl=url, MessageBody="no delay")

    [fresh] = receive(sqs, url, MaxNumberOfMessages=10)
    assert fresh["Body"] == "no delay"
    assert counters(sqs, url) == (0, 1, 1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=fresh["ReceiptHandle"])
    sqs_mock.advance(60)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["old delay"]


def test_raising_the_queue_delay_does_not_hide_queued_messages(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("retro")
    sqs.send_message(QueueUrl=url, MessageBody="already here")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "300"})

    assert [m["Body"] for m in receive(sqs, url)] == ["already here"]


def test_sent_timestamp_is_the_send_time_not_the_delivery_time(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sent_at = sqs_mock.now
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=90)
    sqs_mock.advance(timedelta(seconds=90))

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["SentTimestamp"])

    assert message["Attributes"]["SentTimestamp"] == str(epoch_ms(sent_at))


# --- Retention (API Reference, SetQueueAttributes: MessageRetentionPeriod) -------------------------


def test_messages_expire_after_the_retention_period(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("fleeting", MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="old")

    sqs_mock.advance(59)
    assert counters(sqs, url) == (1, 0, 0)
    sqs_mock.advance(2)
    assert counters(sqs, url) == (0, 0, 0)
    assert receive(sqs, url) == []


def test_in_flight_messages_expire_too(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("fleeting", MessageRetentionPeriod=60, VisibilityTimeout=600)
    sqs.send_message(QueueUrl=url, MessageBody="held")
    assert len(receive(sqs, url)) == 1

    sqs_mock.advance(61)

    assert counters(sqs, url) == (0, 0, 0)
    sqs_mock.advance(600)
    assert receive(sqs, url) == []


def test_retention_counts_from_the_original_enqueue_not_the_last_receive(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("fleeting", MessageRetentionPeriod=60, VisibilityTimeout=5)
    sqs.send_message(QueueUrl=url, MessageBody="aging")
    sqs_mock.advance(50)
    assert len(receive(sqs, url)) == 1
    sqs_mock.advance(5)
    assert counters(sqs, url) == (1, 0, 0)

    sqs_mock.advance(6)  # 61 s after the send

    assert counters(sqs, url) == (0, 0, 0)


def test_messages_within_retention_survive_long_quiet_periods(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="patient")

    sqs_mock.advance(timedelta(days=3, hours=23))

    assert [m["Body"] for m in receive(sqs, queue_url)] == ["patient"]
    sqs_mock.advance(timedelta(hours=2))  # past the default 4 days
    assert counters(sqs, queue_url) == (0, 0, 0)


# --- Dead-letter queues (Developer Guide, "Using dead-letter queues in Amazon SQS") ---------------


def test_message_moves_to_the_dlq_on_the_receive_after_max_receive_count(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    dlq = make_queue("orders-dlq")
    source = make_queue("orders", RedrivePolicy=redrive("orders-dlq", 1))
    sqs.send_message(QueueUrl=source, MessageBody="poison")

    assert len(receive(sqs, source)) == 1
    sqs_mock.advance(30)
    assert receive(sqs, source, MaxNumberOfMessages=10) == []

    assert counters(sqs, source) == (0, 0, 0)
    assert counters(sqs, dlq) == (1, 0, 0)
    view = sqs_mock.queue("orders").dead_letter_queue
    assert view is not None
    assert view.name == "orders-dlq"
    assert [m.body for m in view.visible] == ["poison"]


def test_max_receive_count_n_allows_n_receives(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    dlq = make_queue("dlq")
    source = make_queue("source", VisibilityTimeout=10, RedrivePolicy=redrive("dlq", 3))
    sqs.send_message(QueueUrl=source, MessageBody="flaky")

    for attempt in range(1, 4):
        [message] = receive(sqs, source, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        assert message["Attributes"]["ApproximateReceiveCount"] == str(attempt)
        sqs_mock.advance(10)

    assert receive(sqs, source) == []
    assert counters(sqs, dlq) == (1, 0, 0)


def test_dlq_message_keeps_identity_body_and_attributes(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    dlq = make_queue("dlq")
    source = make_queue("source", RedrivePolicy=redrive("dlq", 1))
    attributes = {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    sent = sqs.send_message(
        QueueUrl=source,
        MessageBody="keep me",
        MessageAttributes=attributes,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}},
    )
    receive(sqs, source)
    sqs_mock.advance(30)
    receive(sqs, source)

    [moved] = receive(sqs, dlq, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])

    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "keep me"
    assert moved["MD5OfBody"] == md5_hex("keep me")
    assert moved["MessageAttributes"] == attributes
    assert moved["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert moved["Attributes"]["AWSTraceHeader"] == TRACE_HEADER
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of("source")
    assert moved["Attributes"]["ApproximateReceiveCount"] == "2"  # recorded with maxReceiveCount 1


def test_dlq_message_keeps_its_original_enqueue_time_for_retention(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    dlq = make_queue("dlq", MessageRetentionPeriod=120)
    source = make_queue("source", RedrivePolicy=redrive("dlq", 1))
    sqs.send_message(QueueUrl=source, MessageBody="old")
    receive(sqs, source)
    sqs_mock.advance(30)
    receive(sqs, source)
    assert counters(sqs, dlq) == (1, 0, 0)

    sqs_mock.advance(89)  # 119 s after the send
    assert counters(sqs, dlq) == (1, 0, 0)
    sqs_mock.advance(2)  # 121 s after the send, 91 s after the move
    assert counters(sqs, dlq) == (0, 0, 0)


def test_other_messages_stay_in_the_source(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    dlq = make_queue("dlq")
    source = make_queue("source", RedrivePolicy=redrive("dlq", 1))
    sqs.send_message(QueueUrl=source, MessageBody="bad")
    [bad] = receive(sqs, source)
    sqs.send_message(QueueUrl=source, MessageBody="good")
    sqs_mock.advance(30)

    bodies = [m["Body"] for m in receive(sqs, source, MaxNumberOfMessages=10)]

    assert bodies == ["good"]
    assert [m["MessageId"] for m in receive(sqs, dlq)] == [bad["MessageId"]]


def test_deleted_messages_never_reach_the_dlq(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    dlq = make_queue("dlq")
    source = make_queue("source", RedrivePolicy=redrive("dlq", 1))
    sqs.send_message(QueueUrl=source, MessageBody="handled")
    [message] = receive(sqs, source)
    sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
    sqs_mock.advance(30)

    assert receive(sqs, source) == []
    assert counters(sqs, dlq) == (0, 0, 0)


def test_move_happens_on_the_next_receive_not_on_the_timer(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    # Observed AWS behaviour: the move happens during a ReceiveMessage whose receive count would exceed maxReceiveCount.
    dlq = make_queue("dlq")
    source = make_queue("source", RedrivePolicy=redrive("dlq", 1))
    sqs.send_message(QueueUrl=source, MessageBody="waiting")
    receive(sqs, source)

    sqs_mock.advance(3600)

    assert counters(sqs, source) == (1, 0, 0)
    assert counters(sqs, dlq) == (0, 0, 0)
    assert receive(sqs, source) == []
    assert counters(sqs, source) == (0, 0, 0)
    assert counters(sqs, dlq) == (1, 0, 0)
