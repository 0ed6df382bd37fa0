"""Messages as SNS, S3 and EventBridge deliver them, read by the consumers that parse them."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import boto3

from pytest_sqsmock import SqsMock


def order_ids(queue_url: str) -> list[str]:
    """A consumer of a queue subscribed to an SNS topic (no raw delivery)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    found = []
    for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        notification = json.loads(message["Body"])  # SNS's envelope
        found.append(json.loads(notification["Message"])["order_id"])
    return found


def uploaded_keys(queue_url: str) -> list[str]:
    """A consumer of S3 event notifications: skips S3's test event, decodes keys."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    keys = []
    for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        event = json.loads(message["Body"])
        keys += [unquote_plus(r["s3"]["object"]["key"]) for r in event.get("Records", [])]
    return keys


def test_sns_notifications(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("orders").url
    sent = sqs_mock.producers.sns(
        "orders", json.dumps({"order_id": "o-1"}), topic="order-events", attributes={"priority": 2}
    )
    envelope = sent.json()
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:order-events"
    assert envelope["MessageAttributes"] == {"priority": {"Type": "Number", "Value": "2"}}
    assert order_ids(url) == ["o-1"]


def test_raw_message_delivery(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sent = sqs_mock.producers.sns("orders", "o-2", topic="order-events", attributes={"priority": 2}, raw=True)
    assert sent.body == "o-2"  # the message itself; attributes become SQS attributes
    assert sent.message_attributes == {"priority": {"DataType": "Number", "StringValue": "2"}}


def test_s3_event_notifications(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("uploads").url
    sqs_mock.producers.s3_test_event("uploads", bucket="photos")  # sent when notifications are set up
    sent = sqs_mock.producers.s3("uploads", bucket="photos", key="2024/red flower.jpg", size=1024)
    assert sent.json()["Records"][0]["s3"]["object"]["key"] == "2024/red+flower.jpg"  # URL-encoded, as S3 does
    assert uploaded_keys(url) == ["2024/red flower.jpg"]


def test_eventbridge_events(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sent = sqs_mock.producers.eventbridge(
        "orders", {"order_id": "o-3"}, detail_type="Order Placed", source="com.example.orders"
    )
    event = sent.json()
    assert (event["version"], event["detail-type"], event["detail"]) == ("0", "Order Placed", {"order_id": "o-3"})
    assert event["account"] == "123456789012"
    assert event["region"] == "us-east-1"
