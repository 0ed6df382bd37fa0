"""SNS -> SQS deliveries (``sqs_mock.producers.sns``), read back through boto3's ReceiveMessage.

Spec: Amazon SNS Developer Guide, "Fanout to Amazon SQS queues", "HTTP/HTTPS notification
JSON format", "Amazon SNS raw message delivery", "Amazon SNS message attributes",
"Message deduplication for FIFO topics".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.producers import sns_notification, sns_topic_arn
from pytest_sqsmock.producers.sns import FAKE_SIGNATURE_PREFIX

START = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=timezone.utc)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ENVELOPE_KEYS = [
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
    "MessageAttributes",
]


def receive_one(url: str) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    return dict(message)


def order_id_from(body: str) -> str:
    """A consumer of an SNS-fed queue without raw delivery: unwrap, then parse the message."""
    envelope = json.loads(body)
    if envelope.get("Type") != "Notification":
        raise ValueError("not an SNS notification")
    return str(json.loads(envelope["Message"])["order_id"])


@pytest.mark.sqs_mock(start=START)
def test_envelope_fields_as_a_consumer_receives_them(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("orders").url
    sqs_mock.producers.sns(
        "orders",
        json.dumps({"order_id": "o-1"}),
        topic="order-events",
        subject="Order placed",
        attributes={"kind": "placed", "total": 12.5, "tags": ["new", 2, True, None], "blob": b"\x00\xff"},
    )

    message = receive_one(url)
    assert "MessageAttributes" not in message  # without raw delivery they live inside the body
    envelope = json.loads(message["Body"])
    assert list(envelope) == ENVELOPE_KEYS
    assert envelope["Type"] == "Notification"
    assert UUID.fullmatch(envelope["MessageId"])
    assert envelope["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:order-events"
    assert envelope["Subject"] == "Order placed"
    assert envelope["Timestamp"] == "2024-05-01T12:00:00.123Z"
    assert envelope["SignatureVersion"] == "1"
    assert base64.b64decode(envelope["Signature"]).startswith(FAKE_SIGNATURE_PREFIX)
    assert len(base64.b64decode(envelope["Signature"])) == 256  # an RSA-2048 signature's size
    assert re.fullmatch(
        r"https://sns\.us-east-1\.amazonaws\.com/SimpleNotificationService-[0-9a-f]{32}\.pem",
        envelope["SigningCertURL"],
    )
    assert re.fullmatch(
        r"https://sns\.us-east-1\.amazonaws\.com/\?Action=Unsubscribe&SubscriptionArn="
        r"arn:aws:sns:us-east-1:123456789012:order-events:" + UUID.pattern,
        envelope["UnsubscribeURL"],
    )
    assert envelope["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "placed"},
        "total": {"Type": "Number", "Value": "12.5"},
        "tags": {"Type": "String.Array", "Value": '["new",2,true,null]'},
        "blob": {"Type": "Binary", "Value": "AP8="},
    }
    assert order_id_from(message["Body"]) == "o-1"


def test_envelope_layout_is_one_field_a_line(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    view = sqs_mock.producers.sns("orders", "hi", topic="t", attributes={"a": "b"})
    lines = view.body.splitlines()
    assert lines[0] == "{"
    assert lines[-1] == "}"
    assert lines[1] == '  "Type" : "Notification",'
    assert '    "a" : {"Type":"String","Value":"b"}' in lines


def test_no_subject_and_no_attributes_leave_their_fields_out(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    envelope = sqs_mock.producers.sns("orders", "hi", topic="t").json()
    assert "Subject" not in envelope
    assert "MessageAttributes" not in envelope
    assert envelope["Message"] == "hi"


@pytest.mark.sqs_mock(start=START)
def test_timestamp_follows_the_virtual_clock(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.advance(timedelta(minutes=5))
    envelope = sqs_mock.producers.sns("orders", "hi", topic="t").json()
    assert envelope["Timestamp"] == "2024-05-01T12:05:00.123Z"


def test_each_delivery_gets_fresh_ids(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    first = sqs_mock.producers.sns("orders", "a", topic="t").json()
    second = sqs_mock.producers.sns("orders", "a", topic="t").json()
    assert first["MessageId"] != second["MessageId"]
    assert first["UnsubscribeURL"] != second["UnsubscribeURL"]


def test_raw_delivery_sends_the_message_and_maps_attributes(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("orders").url
    sqs_mock.producers.sns(
        "orders",
        '{"order_id": "o-2"}',
        topic="order-events",
        subject="ignored with raw delivery",
        attributes={"kind": "placed", "total": 3, "tags": ["a", "b"], "blob": b"\x01\x02"},
        raw=True,
    )

    message = receive_one(url)
    assert message["Body"] == '{"order_id": "o-2"}'
    assert message["MessageAttributes"] == {
        "kind": {"DataType": "String", "StringValue": "placed"},
        "total": {"DataType": "Number", "StringValue": "3"},
        "tags": {"DataType": "String.Array", "StringValue": '["a","b"]'},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    }


def test_raw_delivery_of_more_than_ten_attributes_is_refused(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    eleven = {f"a{n}": "v" for n in range(11)}
    with pytest.raises(ValueError, match="more than 10 attributes"):
        sqs_mock.producers.sns("orders", "hi", topic="t", attributes=eleven, raw=True)
    envelope = sqs_mock.producers.sns("orders", "hi", topic="t", attributes=eleven).json()
    assert len(envelope["MessageAttributes"]) == 11  # fine without raw delivery
    assert len(sqs_mock.queue("orders")) == 1


@pytest.mark.parametrize("name", ["", ".a", "a.", "a..b", "AWS.x", "amazon.y", "sp ace", "x" * 257], ids=repr)
def test_attribute_names_sns_refuses(sqs_mock: SqsMock, name: str) -> None:
    sqs_mock.create_queue("orders")
    with pytest.raises(ValueError, match="attribute name"):
        sqs_mock.producers.sns("orders", "hi", topic="t", attributes={name: "v"})
    assert len(sqs_mock.queue("orders")) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"attributes": {"flag": True}}, "no boolean type"),
        ({"attributes": {"empty": ""}}, "non-empty value"),
        ({"subject": "two\nlines"}, "no line breaks"),
        ({"subject": "s" * 101}, "1 to 100 characters"),
        ({"group_id": "g"}, "only to FIFO topics"),
    ],
)
def test_publishes_sns_refuses(sqs_mock: SqsMock, kwargs: dict[str, Any], match: str) -> None:
    sqs_mock.create_queue("orders")
    with pytest.raises(ValueError, match=match):
        sqs_mock.producers.sns("orders", "hi", topic="t", **kwargs)


def test_empty_message_is_refused(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    with pytest.raises(ValueError, match="empty message"):
        sqs_mock.producers.sns("orders", "", topic="t")


def test_fifo_topic_to_fifo_queue(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("prices.fifo", attributes={"FifoQueue": "true"}).url
    first = sqs_mock.producers.sns("prices.fifo", "p1", topic="prices.fifo", group_id="sku-1", subject="Price")
    second = sqs_mock.producers.sns("prices.fifo", "p2", topic="prices.fifo", group_id="sku-1", deduplication_id="d2")

    assert (first.group_id, second.group_id) == ("sku-1", "sku-1")
    assert first.deduplication_id == hashlib.sha256(b"p1").hexdigest()  # content-based: SHA-256 of the message
    assert second.deduplication_id == "d2"
    envelope = json.loads(receive_one(url)["Body"])
    assert list(envelope) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]
    assert re.fullmatch(r"\d{20}", envelope["SequenceNumber"])
    assert int(second.json()["SequenceNumber"]) > int(envelope["SequenceNumber"])


def test_fifo_duplicates_are_dropped_as_sqs_drops_them(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("prices.fifo", attributes={"FifoQueue": "true"})
    first = sqs_mock.producers.sns("prices.fifo", "same", topic="prices.fifo", group_id="g")
    again = sqs_mock.producers.sns("prices.fifo", "same", topic="prices.fifo", group_id="g")
    assert again.message_id == first.message_id  # SQS answers a duplicate with the original
    assert len(sqs_mock.queue("prices.fifo")) == 1


def test_fifo_and_standard_do_not_mix(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.create_queue("prices.fifo", attributes={"FifoQueue": "true"})
    with pytest.raises(ValueError, match="FIFO topics deliver only to FIFO queues"):
        sqs_mock.producers.sns("orders", "x", topic="prices.fifo", group_id="g")
    with pytest.raises(ValueError, match="FIFO topics deliver only to FIFO queues"):
        sqs_mock.producers.sns("prices.fifo", "x", topic="orders")
    with pytest.raises(ValueError, match="needs group_id"):
        sqs_mock.producers.sns("prices.fifo", "x", topic="prices.fifo")


@pytest.mark.sqs_mock(region="cn-north-1", account_id="111122223333")
def test_topic_arn_and_urls_follow_the_queue_region_and_partition(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    envelope = sqs_mock.producers.sns("orders", "hi", topic="t").json()
    assert envelope["TopicArn"] == "arn:aws-cn:sns:cn-north-1:111122223333:t"
    assert envelope["SigningCertURL"].startswith("https://sns.cn-north-1.amazonaws.com.cn/")


def test_a_topic_arn_is_used_as_given(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    arn = "arn:aws:sns:eu-west-1:444455556666:elsewhere"
    assert sqs_mock.producers.sns("orders", "hi", topic=arn).json()["TopicArn"] == arn
    assert sns_topic_arn("t", region="eu-west-1", account_id="1") == "arn:aws:sns:eu-west-1:1:t"


def test_the_builder_alone() -> None:
    envelope = sns_notification("hi", topic_arn="arn:aws:sns:us-west-2:1:t", now=START, attributes={"n": 7})
    assert envelope.message_attributes == {}
    assert envelope.json()["MessageAttributes"] == {"n": {"Type": "Number", "Value": "7"}}
    assert envelope.json()["SigningCertURL"].startswith("https://sns.us-west-2.amazonaws.com/")
    fifo = sns_notification("hi", topic_arn="arn:aws:sns:us-west-2:1:t.fifo", now=START, group_id="g")
    assert fifo.json()["SequenceNumber"] == str(10**19 + int(START.timestamp() * 1000) * 1000)
