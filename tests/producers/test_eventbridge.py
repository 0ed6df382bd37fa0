"""EventBridge rule -> SQS target deliveries (``sqs_mock.producers.eventbridge``).

Spec: Amazon EventBridge User Guide, "AWS service event metadata" (eb-events-structure) and
"Amazon SQS queue target".
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.producers import eventbridge_event

START = datetime(2024, 5, 1, 12, 0, 0, 999000, tzinfo=timezone.utc)


@pytest.mark.sqs_mock(start=START, region="eu-west-1", account_id="111122223333")
def test_event_envelope_as_a_consumer_receives_it(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("orders").url
    sqs_mock.producers.eventbridge(
        "orders",
        {"order_id": "o-1", "total": 12.5},
        detail_type="Order Placed",
        source="com.example.orders",
        resources=["arn:aws:dynamodb:eu-west-1:111122223333:table/orders"],
    )

    sqs = boto3.client("sqs", region_name="eu-west-1")
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert "MessageAttributes" not in message
    event = json.loads(message["Body"])
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert event["version"] == "0"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", event["id"])
    assert event["detail-type"] == "Order Placed"
    assert event["source"] == "com.example.orders"
    assert (event["account"], event["region"]) == ("111122223333", "eu-west-1")
    assert event["time"] == "2024-05-01T12:00:00Z"  # to the second
    assert event["resources"] == ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders"]
    assert event["detail"] == {"order_id": "o-1", "total": 12.5}


def test_fifo_target_needs_a_group(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders.fifo", attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    with pytest.raises(ValueError, match="pass group_id="):
        sqs_mock.producers.eventbridge("orders.fifo", {}, detail_type="T", source="s")
    view = sqs_mock.producers.eventbridge("orders.fifo", {}, detail_type="T", source="s", group_id="g")
    assert view.group_id == "g"
    assert view.json()["detail"] == {}


def test_deduplication_id_is_passed_to_the_queue(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders.fifo", attributes={"FifoQueue": "true"})
    view = sqs_mock.producers.eventbridge(
        "orders.fifo", {"n": 1}, detail_type="T", source="s", group_id="g", deduplication_id="evt-1"
    )
    assert view.deduplication_id == "evt-1"


def test_detail_type_and_source_are_required() -> None:
    with pytest.raises(ValueError, match="detail_type= and a source="):
        eventbridge_event({}, detail_type="", source="s", now=START, region="us-east-1", account_id="1")


def test_each_event_gets_its_own_id(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    ids = {sqs_mock.producers.eventbridge("orders", {}, detail_type="T", source="s").json()["id"] for _ in range(3)}
    assert len(ids) == 3
