"""An independent check: AWS Lambda Powertools' event models parse the envelopes.

Powertools models what AWS delivers (SqsModel, SnsNotificationModel, S3Model,
EventBridgeModel); each envelope goes through boto3 and the Lambda trigger's SQS event.
Skipped without aws-lambda-powertools (the ``lambda`` test extra).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sqsmock import SqsMock

models = pytest.importorskip(
    "aws_lambda_powertools.utilities.parser.models", reason="aws-lambda-powertools is not installed"
)


def sqs_event(sqs_mock: SqsMock, queue: str) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    sqs_mock.lambda_trigger(queue, lambda event, context: events.append(event)).poll()
    [event] = events
    return event


def test_sns_envelope_parses_as_an_sns_notification(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.producers.sns("orders", "hello", topic="t", subject="S", attributes={"n": 1, "b": b"x", "l": ["a"]})
    [record] = models.SqsModel.model_validate(sqs_event(sqs_mock, "orders")).Records
    notification = models.SnsNotificationModel.model_validate_json(record.body)
    assert (notification.Message, notification.Subject, notification.Type) == ("hello", "S", "Notification")
    assert notification.MessageAttributes is not None
    assert notification.MessageAttributes["n"].Type == "Number"
    assert str(notification.UnsubscribeUrl).startswith("https://sns.us-east-1.amazonaws.com/")


def test_fifo_sns_envelope_parses_without_signature_fields(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("p.fifo", attributes={"FifoQueue": "true"})
    sqs_mock.producers.sns("p.fifo", "hello", topic="p.fifo", group_id="g")
    [record] = models.SqsModel.model_validate(sqs_event(sqs_mock, "p.fifo")).Records
    notification = models.SnsNotificationModel.model_validate_json(record.body)
    assert notification.Signature is None
    assert notification.Message == "hello"
    assert record.attributes.MessageGroupId == "g"


def test_raw_sns_attributes_parse_as_sqs_attributes(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.producers.sns("orders", "raw", topic="t", attributes={"kind": "x", "n": 2}, raw=True)
    [record] = models.SqsModel.model_validate(sqs_event(sqs_mock, "orders")).Records
    assert record.body == "raw"
    assert record.messageAttributes["kind"].stringValue == "x"
    assert record.messageAttributes["n"].dataType == "Number"


def test_s3_event_parses_as_an_s3_notification(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("uploads")
    sqs_mock.producers.s3("uploads", bucket="photos", key="a b.jpg", size=5, version_id="v1")
    event = models.S3SqsEventNotificationModel.model_validate(sqs_event(sqs_mock, "uploads"))
    [s3_record] = event.Records[0].body.Records
    assert s3_record.eventName == "ObjectCreated:Put"
    assert s3_record.s3.object.key == "a+b.jpg"
    assert (s3_record.s3.object.size, s3_record.s3.object.versionId) == (5, "v1")
    assert s3_record.s3.bucket.arn == "arn:aws:s3:::photos"


def test_eventbridge_event_parses_as_an_eventbridge_event(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.producers.eventbridge("orders", {"id": 1}, detail_type="Order Placed", source="com.example")
    [record] = models.SqsModel.model_validate(sqs_event(sqs_mock, "orders")).Records
    event = models.EventBridgeModel.model_validate_json(record.body)
    assert (event.detail_type, event.source, event.detail) == ("Order Placed", "com.example", {"id": 1})
    assert event.account == "123456789012"
