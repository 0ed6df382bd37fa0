"""Fair queues: MessageGroupId on standard queues.

Spec: Developer Guide, "Amazon SQS fair queues"; API Reference, SendMessage and ReceiveMessage.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fifo_support import bodies, expect_invalid, fifo_id_reason, receive


@pytest.fixture
def standard_url(sqs: Any) -> str:
    url: str = sqs.create_queue(QueueName="tenants")["QueueUrl"]
    return url


def test_a_group_id_is_accepted_without_a_sequence_number(sqs: Any, standard_url: str) -> None:
    response = sqs.send_message(QueueUrl=standard_url, MessageBody="m", MessageGroupId="tenant-1")

    assert "SequenceNumber" not in response
    [message] = receive(sqs, standard_url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"
    assert "SequenceNumber" not in message["Attributes"]
    assert "MessageDeduplicationId" not in message["Attributes"]


def test_a_group_is_not_serialised(sqs: Any, standard_url: str) -> None:
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=standard_url, MessageBody=body, MessageGroupId="tenant")

    assert bodies(receive(sqs, standard_url, MaxNumberOfMessages=1)) == ["a"]
    # No per-group blocking: the rest of the group is delivered while "a" is in flight.
    assert sorted(bodies(receive(sqs, standard_url))) == ["b", "c"]


def test_identical_messages_are_not_deduplicated(sqs: Any, standard_url: str) -> None:
    first = sqs.send_message(QueueUrl=standard_url, MessageBody="same", MessageGroupId="t")
    second = sqs.send_message(QueueUrl=standard_url, MessageBody="same", MessageGroupId="t")

    assert first["MessageId"] != second["MessageId"]
    assert bodies(receive(sqs, standard_url)) == ["same", "same"]


@pytest.mark.parametrize("value", ["", "two words", "x" * 129])
def test_group_ids_are_validated_with_the_fifo_rules(sqs: Any, standard_url: str, value: str) -> None:
    with expect_invalid(
        f"Value {value} for parameter MessageGroupId is invalid. Reason: {fifo_id_reason('MessageGroupId')}"
    ):
        sqs.send_message(QueueUrl=standard_url, MessageBody="m", MessageGroupId=value)


def test_a_dedup_id_on_a_standard_queue_is_refused(sqs: Any, standard_url: str) -> None:
    # unverified: AWS's wording for MessageGroupId on a standard queue before fair
    # queues (observed AWS behaviour); no AWS capture for MessageDeduplicationId.
    with expect_invalid(
        "Value d for parameter MessageDeduplicationId is invalid. "
        "Reason: The request include parameter that is not valid for this queue type."
    ):
        sqs.send_message(
            QueueUrl=standard_url,
            MessageBody="m",
            MessageGroupId="t",
            MessageDeduplicationId="d",
        )


def test_per_message_delay_still_applies_with_a_group_id(sqs: Any, sqs_mock: Any, standard_url: str) -> None:
    sqs.send_message(QueueUrl=standard_url, MessageBody="m", MessageGroupId="t", DelaySeconds=5)

    assert receive(sqs, standard_url) == []
    sqs_mock.advance(5)
    assert bodies(receive(sqs, standard_url)) == ["m"]


def test_a_batch_with_group_ids(sqs: Any, standard_url: str) -> None:
    response = sqs.send_message_batch(
        QueueUrl=standard_url,
        Entries=[
            {"Id": "a", "MessageBody": "a", "MessageGroupId": "t1"},
            {"Id": "b", "MessageBody": "b"},
        ],
    )

    assert [entry["Id"] for entry in response["Successful"]] == ["a", "b"]
    assert all("SequenceNumber" not in entry for entry in response["Successful"])
    received = receive(sqs, standard_url, MessageSystemAttributeNames=["MessageGroupId"])
    assert [m.get("Attributes", {}) for m in received] == [{"MessageGroupId": "t1"}, {}]


def test_an_attempt_id_on_a_standard_queue_is_ignored(sqs: Any, standard_url: str) -> None:
    # Our choice: SQS API Reference, ReceiveMessage says it applies only to FIFO queues.
    sqs.send_message(QueueUrl=standard_url, MessageBody="a")
    sqs.send_message(QueueUrl=standard_url, MessageBody="b")

    assert bodies(receive(sqs, standard_url, MaxNumberOfMessages=1, ReceiveRequestAttemptId="x")) == ["a"]
    assert bodies(receive(sqs, standard_url, MaxNumberOfMessages=1, ReceiveRequestAttemptId="x")) == ["b"]


def test_the_queue_view_shows_the_group(sqs: Any, sqs_mock: Any, standard_url: str) -> None:
    sqs.send_message(QueueUrl=standard_url, MessageBody="m", MessageGroupId="tenant-9")

    [view] = sqs_mock.queue("tenants").visible
    assert (view.group_id, view.sequence_number, view.deduplication_id) == (
        "tenant-9",
        None,
        None,
    )
