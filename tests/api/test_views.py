"""The public inspection API (README "Inspecting queues") agrees with what boto3 sees.

`sqs_mock.queue/queues/create_queue/send/calls/reset/advance/now`, `QueueView`, `MessageView`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from pytest_sqsmock import MessageView, QueueView, SqsMock

from .api_support import (
    ACCOUNT,
    REGION,
    arn_of,
    epoch_ms,
    expect_no_such_queue,
    md5_hex,
    receive,
    url_of,
)
from .conftest import QueueFactory


def test_queue_view_identity(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("orders")

    view = sqs_mock.queue("orders")

    assert isinstance(view, QueueView)
    assert (view.name, view.url, view.arn) == ("orders", url, arn_of("orders"))
    assert (view.region, view.account_id) == (REGION, ACCOUNT)
    assert view.fifo is False
    assert view.dead_letter_queue is None
    assert sqs_mock.queue(url).name == "orders"


def test_queue_view_attributes_equal_get_queue_attributes_all(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders", VisibilityTimeout=45, DelaySeconds=3)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.tag_queue(QueueUrl=url, Tags={"t": "1"})

    assert (
        sqs_mock.queue("orders").attributes
        == sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    )


def test_unknown_queue_is_a_lookup_error_listing_existing_queues(sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    make_queue("orders")
    make_queue("orders-dlq")

    with pytest.raises(LookupError) as err:
        sqs_mock.queue("ordres")

    text = str(err.value)
    assert "ordres" in text
    assert "orders" in text
    assert "orders-dlq" in text


def test_queue_views_by_state(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="in flight")
    [received] = receive(sqs, queue_url)
    sqs.send_message(QueueUrl=queue_url, MessageBody="visible")
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=60)

    view = sqs_mock.queue("api-default")

    assert received["Body"] == "in flight"
    assert [m.body for m in view.in_flight] == ["in flight"]
    assert [m.body for m in view.visible] == ["visible"]
    assert [m.body for m in view.delayed] == ["delayed"]
    assert {m.body: m.state for m in view.messages} == {
        "in flight": "in_flight",
        "visible": "visible",
        "delayed": "delayed",
    }
    assert len(view) == 3


def test_message_view_fields(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sent_at = sqs_mock.now
    attributes = {
        "Foo": {"DataType": "String", "StringValue": "Bar"},
        "Bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody='{"order": 7}',
        MessageAttributes=attributes,
        DelaySeconds=5,
    )

    [message] = sqs_mock.queue(queue_url).messages

    assert isinstance(message, MessageView)
    assert message.message_id == sent["MessageId"]
    assert message.body == '{"order": 7}'
    assert message.json() == {"order": 7}
    assert message.message_attributes == attributes
    assert message.receive_count == 0
    assert (message.group_id, message.deduplication_id, message.sequence_number) == (
        None,
        None,
        None,
    )
    assert message.state == "delayed"
    assert message.sent_at == sent_at
    assert message.visible_at == sent_at + timedelta(seconds=5)
    assert message.sent_at.utcoffset() == timedelta(0)
    assert message.system_attributes["SentTimestamp"] == str(epoch_ms(sent_at))


def test_message_view_system_attributes_match_receive_all(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="x",
        MessageSystemAttributes={
            "AWSTraceHeader": {
                "DataType": "String",
                "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793",
            }
        },
    )
    sqs_mock.advance(2)
    [received] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"])

    [view] = sqs_mock.queue(queue_url).in_flight

    assert view.system_attributes == received["Attributes"]
    assert view.receive_count == 1
    assert view.state == "in_flight"
    assert view.visible_at == sqs_mock.now + timedelta(seconds=30)


def test_views_are_snapshots(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    before = sqs_mock.queue(queue_url)
    [message_before] = before.visible

    [received] = receive(sqs, queue_url)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=received["ReceiptHandle"])

    assert [m.body for m in before.visible] == ["x"]
    assert before.in_flight == []
    assert len(before) == 1
    assert message_before.state == "visible"
    assert message_before.receive_count == 0
    assert len(sqs_mock.queue(queue_url)) == 0


def test_queues_lists_and_filters(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    make_queue("here")
    sqs_mock.create_queue("there", region="eu-west-1")

    assert sorted(q.name for q in sqs_mock.queues()) == ["here", "there"]
    assert [q.name for q in sqs_mock.queues(region=REGION)] == ["here"]
    assert [q.url for q in sqs_mock.queues(region="eu-west-1")] == [url_of("there", region="eu-west-1")]
    assert sqs_mock.queue("there", region="eu-west-1").arn == arn_of("there", region="eu-west-1")


def test_create_queue_helper_is_visible_to_boto3_and_not_journaled(sqs: Any, sqs_mock: SqsMock) -> None:
    view = sqs_mock.create_queue("helper", attributes={"VisibilityTimeout": "5"}, tags={"k": "v"})

    assert view.url == url_of("helper")
    assert sqs.get_queue_url(QueueName="helper")["QueueUrl"] == view.url
    assert sqs.get_queue_attributes(QueueUrl=view.url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "5"
    }
    assert sqs.list_queue_tags(QueueUrl=view.url)["Tags"] == {"k": "v"}
    assert [c.operation for c in sqs_mock.calls] == [
        "GetQueueUrl",
        "GetQueueAttributes",
        "ListQueueTags",
    ]


def test_create_queue_helper_with_dead_letter_queue(sqs: Any, sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("dlq")
    source = sqs_mock.create_queue("source", dead_letter_queue="dlq", max_receive_count=1)

    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=source.url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    )
    assert policy == {"deadLetterTargetArn": arn_of("dlq"), "maxReceiveCount": 1}
    dlq = sqs_mock.queue("source").dead_letter_queue
    assert dlq is not None
    assert dlq.name == "dlq"


def test_create_queue_helper_validates_like_the_api(sqs_mock: SqsMock) -> None:
    # The README promises the validation, not the exception type.
    with pytest.raises(
        Exception,
        match=re.escape("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"),
    ):
        sqs_mock.create_queue("bad name")

    assert sqs_mock.queues() == []


def test_send_helper_delivers_to_boto3_and_is_not_journaled(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    view = sqs_mock.send(
        "api-default",
        "from the helper",
        message_attributes={"Foo": {"DataType": "String", "StringValue": "Bar"}},
    )
    calls_before = len(sqs_mock.calls)

    [message] = receive(sqs, queue_url, MessageAttributeNames=["All"])

    assert isinstance(view, MessageView)
    assert message["MessageId"] == view.message_id
    assert message["Body"] == "from the helper"
    assert message["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert calls_before == 1  # only CreateQueue from the fixture
    assert [c.operation for c in sqs_mock.calls] == ["CreateQueue", "ReceiveMessage"]


def test_send_helper_with_delay(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    view = sqs_mock.send(queue_url, "later", delay_seconds=10)

    assert view.state == "delayed"
    assert receive(sqs, queue_url) == []
    sqs_mock.advance(10)
    assert [m["Body"] for m in receive(sqs, queue_url)] == ["later"]


def test_calls_journal_records_results_and_errors(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sent_at = sqs_mock.now
    sqs.send_message(QueueUrl=queue_url, MessageBody="journaled")
    sqs_mock.advance(5)
    with expect_no_such_queue(sqs) as missing:
        sqs.send_message(QueueUrl=url_of("missing"), MessageBody="lost")

    create, ok, failed = sqs_mock.calls

    assert create.operation == "CreateQueue"
    assert ok.operation == "SendMessage"
    assert ok.params["QueueUrl"] == queue_url
    assert ok.params["MessageBody"] == "journaled"
    assert ok.error is None
    assert ok.result is not None
    assert ok.result["MD5OfMessageBody"] == md5_hex("journaled")
    assert ok.result["MessageId"]
    assert (ok.account_id, ok.region) == (ACCOUNT, REGION)
    assert ok.time == sent_at
    assert failed.result is None
    assert failed.error is not None
    assert (failed.error.code, failed.error.status) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
    )
    # The text the client got (checked by expect_no_such_queue; worded per protocol: observed AWS behaviour).
    assert failed.error.message == missing.value.response["Error"]["Message"]
    assert failed.time == sent_at + timedelta(seconds=5)


def test_reset_removes_queues_and_calls_but_keeps_time(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    sqs_mock.advance(100)
    now = sqs_mock.now

    sqs_mock.reset()

    assert sqs_mock.now == now
    assert list(sqs_mock.calls) == []
    assert list(sqs_mock.queues()) == []
    assert "QueueUrls" not in sqs.list_queues()
    # A reset is not a deletion: the name is free at once.
    assert sqs.create_queue(QueueName="api-default")["QueueUrl"] == queue_url


def test_now_is_aware_utc_and_advance_accepts_numbers_and_timedeltas(
    sqs_mock: SqsMock,
) -> None:
    start = sqs_mock.now
    assert isinstance(start, datetime)
    assert start.utcoffset() == timedelta(0)

    sqs_mock.advance(1)
    sqs_mock.advance(0.5)
    sqs_mock.advance(timedelta(minutes=1))

    assert sqs_mock.now - start == timedelta(seconds=61.5)


def test_advance_rejects_negative_values(sqs_mock: SqsMock) -> None:
    start = sqs_mock.now

    with pytest.raises(ValueError, match=r"."):
        sqs_mock.advance(-1)

    assert sqs_mock.now == start


def test_dead_letter_queue_view_after_a_move(sqs: Any, sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("dlq")
    source = sqs_mock.create_queue("source", dead_letter_queue="dlq", max_receive_count=2)
    sqs.send_message(QueueUrl=source.url, MessageBody="retry me")

    for _ in range(2):
        assert len(receive(sqs, source.url)) == 1
        sqs_mock.advance(31)
    assert receive(sqs, source.url) == []

    view = sqs_mock.queue("source")
    assert len(view) == 0
    assert view.dead_letter_queue is not None
    [moved] = view.dead_letter_queue.visible
    assert moved.body == "retry me"
    assert moved.system_attributes["DeadLetterQueueSourceArn"] == arn_of("source")


def test_a_view_read_after_a_receive_shows_the_message_as_it_was_when_taken(sqs: Any, sqs_mock: SqsMock) -> None:
    # A view copies the changing fields when it is taken and builds its messages when first read.
    url = sqs.create_queue(QueueName="snapshot")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    before = sqs_mock.queue("snapshot")
    sqs_mock.advance(5)
    sqs.receive_message(QueueUrl=url)

    [message] = before.messages
    assert (message.state, message.receive_count) == ("visible", 0)
    assert message.system_attributes["ApproximateReceiveCount"] == "0"
    assert message.system_attributes["ApproximateFirstReceiveTimestamp"] == message.system_attributes["SentTimestamp"]
    [now] = sqs_mock.queue("snapshot").messages
    assert now.system_attributes["ApproximateFirstReceiveTimestamp"] != now.system_attributes["SentTimestamp"]
