"""S3 -> SQS event notifications (``sqs_mock.producers.s3`` and ``s3_test_event``).

Spec: Amazon S3 User Guide, "Event message structure"; AWS CloudFormation,
"AWS::S3::Bucket QueueConfiguration" (no FIFO destinations).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.producers import encode_key, s3_event

START = datetime(2024, 5, 1, 12, 0, 0, 5000, tzinfo=timezone.utc)


def uploaded_keys(body: str) -> list[tuple[str, str]]:
    """A consumer of S3 notifications: skip the test event, decode each record's key."""
    event = json.loads(body)
    if event.get("Event") == "s3:TestEvent":
        return []
    return [
        (record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"]))
        for record in event["Records"]
        if record["eventName"].startswith("ObjectCreated:")
    ]


def receive_bodies(url: str) -> list[str]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    return [m["Body"] for m in messages]


@pytest.mark.sqs_mock(start=START)
def test_object_created_record(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("uploads").url
    sqs_mock.producers.s3("uploads", bucket="photos", key="2024/red flower.jpg", size=1024, etag="abc123")

    [body] = receive_bodies(url)
    [record] = json.loads(body)["Records"]
    assert record == {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2024-05-01T12:00:00.005Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": record["userIdentity"]["principalId"]},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": record["responseElements"],
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "pytest_sqsmock",
            "bucket": {
                "name": "photos",
                "ownerIdentity": {"principalId": record["s3"]["bucket"]["ownerIdentity"]["principalId"]},
                "arn": "arn:aws:s3:::photos",
            },
            "object": {
                "key": "2024/red+flower.jpg",
                "size": 1024,
                "eTag": "abc123",
                "sequencer": record["s3"]["object"]["sequencer"],
            },
        },
    }
    assert re.fullmatch(r"[0-9A-F]{16}", record["responseElements"]["x-amz-request-id"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{64}", record["responseElements"]["x-amz-id-2"])
    assert re.fullmatch(r"[0-9A-F]{18}", record["s3"]["object"]["sequencer"])
    assert uploaded_keys(body) == [("photos", "2024/red flower.jpg")]


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("red flower.jpg", "red+flower.jpg"),
        ("year=2024/month=05/x.csv", "year%3D2024/month%3D05/x.csv"),
        ("a+b.txt", "a%2Bb.txt"),
        ("café.txt", "caf%C3%A9.txt"),
    ],
)
def test_keys_are_url_encoded_as_s3_does(key: str, encoded: str) -> None:
    assert encode_key(key) == encoded
    assert unquote_plus(encoded) == key


def test_sequencers_increase_even_within_one_millisecond(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("uploads")
    views = [sqs_mock.producers.s3("uploads", bucket="b", key="k") for _ in range(3)]
    sequencers = [v.json()["Records"][0]["s3"]["object"]["sequencer"] for v in views]
    assert sequencers == sorted(sequencers)
    assert len(set(sequencers)) == 3
    sqs_mock.advance(1)
    later = sqs_mock.producers.s3("uploads", bucket="b", key="k").json()["Records"][0]["s3"]["object"]
    assert later["sequencer"] > sequencers[-1]


def test_removal_events_carry_no_size_or_etag(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("uploads").url
    sqs_mock.producers.s3(
        "uploads", bucket="b", key="old.txt", event_name="ObjectRemoved:DeleteMarkerCreated", version_id="v1"
    )
    [body] = receive_bodies(url)
    obj = json.loads(body)["Records"][0]["s3"]["object"]
    assert set(obj) == {"key", "versionId", "sequencer"}
    assert obj["versionId"] == "v1"
    assert uploaded_keys(body) == []  # the consumer ignores removals


def test_the_test_event_a_consumer_must_skip(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("uploads").url
    sqs_mock.producers.s3_test_event("uploads", bucket="photos")
    sqs_mock.producers.s3("uploads", bucket="photos", key="a.jpg")

    bodies = receive_bodies(url)
    test_event = json.loads(bodies[0])
    assert list(test_event) == ["Service", "Event", "Time", "Bucket", "RequestId", "HostId"]
    assert (test_event["Service"], test_event["Event"], test_event["Bucket"]) == ("Amazon S3", "s3:TestEvent", "photos")
    assert "Records" not in test_event
    assert [key for body in bodies for key in uploaded_keys(body)] == [("photos", "a.jpg")]


@pytest.mark.sqs_mock(region="eu-central-1")
def test_region_is_the_queues(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("uploads")
    record = sqs_mock.producers.s3("uploads", bucket="b", key="k").json()["Records"][0]
    assert record["awsRegion"] == "eu-central-1"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"event_name": "s3:ObjectCreated:Put"}, "no 's3:' prefix"), ({"size": -1}, "at least 0")],
)
def test_malformed_events_are_refused(sqs_mock: SqsMock, kwargs: dict[str, Any], match: str) -> None:
    sqs_mock.create_queue("uploads")
    with pytest.raises(ValueError, match=match):
        sqs_mock.producers.s3("uploads", bucket="b", key="k", **kwargs)


def test_fifo_queues_are_not_s3_destinations(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("uploads.fifo", attributes={"FifoQueue": "true"})
    with pytest.raises(ValueError, match="cannot target FIFO queues"):
        sqs_mock.producers.s3("uploads.fifo", bucket="b", key="k")
    with pytest.raises(ValueError, match="cannot target FIFO queues"):
        sqs_mock.producers.s3_test_event("uploads.fifo", bucket="b")


def test_the_builder_alone() -> None:
    envelope = s3_event("b", "k", now=START, region="cn-north-1", sequencer="00AB")
    record = envelope.json()["Records"][0]
    assert record["s3"]["bucket"]["arn"] == "arn:aws-cn:s3:::b"
    assert record["s3"]["object"]["sequencer"] == "00AB"
    assert re.fullmatch(r"[0-9a-f]{32}", record["s3"]["object"]["eTag"])
    assert envelope.message_attributes == {}
    assert envelope.group_id is None
