"""ReceiveMessage through boto3: counts, parameters, long polling on the virtual clock, system attributes.

Spec: API Reference, ReceiveMessage; Developer Guide, "Amazon SQS visibility timeout", "Amazon SQS
short and long polling", "Amazon SQS message quotas"; observed AWS behaviour.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .api_support import (
    counters,
    epoch_ms,
    expect_invalid_parameter_value,
    expect_no_such_queue,
    needs_message_system_attribute_names,
    receive,
    url_of,
)
from .conftest import QueueFactory

RECEIVE_ALL = {
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
}


def send_bodies(sqs: Any, url: str, n: int) -> set[str]:
    bodies = {f"m{i}" for i in range(n)}
    for body in sorted(bodies):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return bodies


# --- Basics -------------------------------------------------------------------------------------------


def test_receive_from_empty_queue_has_no_messages_key(sqs: Any, queue_url: str) -> None:
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)

    assert "Messages" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_receive_defaults_to_one_message(sqs: Any, queue_url: str) -> None:
    send_bodies(sqs, queue_url, 3)

    assert len(receive(sqs, queue_url)) == 1
    assert counters(sqs, queue_url) == (2, 1, 0)


def test_receive_returns_at_most_max_number_of_messages(sqs: Any, queue_url: str) -> None:
    bodies = send_bodies(sqs, queue_url, 15)

    # Developer Guide, "Amazon SQS short and long polling": AWS's short poll may return fewer; the simulator delivers what is available.
    first = receive(sqs, queue_url, MaxNumberOfMessages=10)
    second = receive(sqs, queue_url, MaxNumberOfMessages=10)

    assert len(first) == 10
    assert len(second) == 5
    assert {m["Body"] for m in first + second} == bodies
    assert receive(sqs, queue_url, MaxNumberOfMessages=10) == []


def test_received_message_has_the_documented_members(sqs: Any, queue_url: str) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="shape")

    [message] = receive(sqs, queue_url)

    assert set(message) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}
    assert message["MessageId"] == sent["MessageId"]
    assert isinstance(message["ReceiptHandle"], str)
    assert 0 < len(message["ReceiptHandle"]) <= 1024  # Developer Guide, "Amazon SQS queue and message identifiers"


@pytest.mark.parametrize("count", [1, 10])
def test_max_number_of_messages_bounds_are_accepted(sqs: Any, queue_url: str, count: int) -> None:
    assert receive(sqs, queue_url, MaxNumberOfMessages=count) == []


@pytest.mark.parametrize("count", [0, 11, -1, 100])
def test_max_number_of_messages_out_of_range_is_rejected(sqs: Any, queue_url: str, count: int) -> None:
    with expect_invalid_parameter_value(
        sqs,
        f"Value {count} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
    ):
        sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=count)


@pytest.mark.parametrize("wait", [21, -1])
def test_wait_time_seconds_out_of_range_is_rejected(sqs: Any, sqs_mock: SqsMock, queue_url: str, wait: int) -> None:
    before = sqs_mock.now

    with expect_invalid_parameter_value(
        sqs,
        f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
    ):
        sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=wait)

    assert sqs_mock.now == before


@pytest.mark.parametrize("timeout", [0, 43200])
def test_receive_visibility_timeout_bounds_are_accepted(sqs: Any, queue_url: str, timeout: int) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    assert len(receive(sqs, queue_url, VisibilityTimeout=timeout)) == 1


@pytest.mark.parametrize("timeout", [-1, 43201])
def test_receive_visibility_timeout_out_of_range_is_rejected(sqs: Any, queue_url: str, timeout: int) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    with expect_invalid_parameter_value(sqs):
        sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=timeout)
    # Text unverified (AWS documents only 0-43200; moto: "Invalid request, maximum visibility timeout is 43200").

    assert counters(sqs, queue_url) == (1, 0, 0)


def test_receive_from_missing_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.receive_message(QueueUrl=url_of("missing"))


# --- Visibility on receive (Developer Guide, "Amazon SQS visibility timeout") ------------------------


def test_received_message_is_hidden_for_the_queue_visibility_timeout(
    sqs: Any, sqs_mock: SqsMock, queue_url: str
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="hide me")
    [first] = receive(sqs, queue_url)

    sqs_mock.advance(29)
    assert receive(sqs, queue_url) == []
    assert counters(sqs, queue_url) == (0, 1, 0)

    sqs_mock.advance(1)
    assert counters(sqs, queue_url) == (1, 0, 0)
    [again] = receive(sqs, queue_url)
    assert again["MessageId"] == first["MessageId"]


def test_receive_visibility_timeout_overrides_the_queue_default_once(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("override", VisibilityTimeout=100)
    sqs.send_message(QueueUrl=url, MessageBody="x")

    receive(sqs, url, VisibilityTimeout=5)
    sqs_mock.advance(4)
    assert receive(sqs, url) == []
    sqs_mock.advance(1)
    assert len(receive(sqs, url)) == 1  # hidden for the queue's 100 s again

    sqs_mock.advance(99)
    assert receive(sqs, url) == []
    sqs_mock.advance(1)
    assert len(receive(sqs, url)) == 1


def test_receive_with_zero_visibility_timeout_leaves_the_message_receivable(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="peek")

    [first] = receive(
        sqs,
        queue_url,
        VisibilityTimeout=0,
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
    )
    assert counters(sqs, queue_url) == (1, 0, 0)
    [second] = receive(
        sqs,
        queue_url,
        VisibilityTimeout=0,
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
    )

    assert first["MessageId"] == second["MessageId"]
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"  # still counts as a receive (observed AWS behaviour)
    assert first["ReceiptHandle"] != second["ReceiptHandle"]


def test_every_receive_issues_a_new_receipt_handle(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    handles = []
    for _ in range(4):
        [message] = receive(sqs, queue_url)
        handles.append(message["ReceiptHandle"])
        sqs_mock.advance(30)

    assert len(set(handles)) == 4


# --- Counters (observed AWS behaviour) ---------------------------------------------------------


def test_counters_follow_receive_and_visibility_expiry(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    send_bodies(sqs, queue_url, 6)
    assert counters(sqs, queue_url) == (6, 0, 0)

    receive(sqs, queue_url)
    assert counters(sqs, queue_url) == (5, 1, 0)

    sqs_mock.advance(30)
    assert counters(sqs, queue_url) == (6, 0, 0)


# --- Long polling on the virtual clock (Developer Guide, "Amazon SQS short and long polling") --------


def test_long_poll_on_an_empty_queue_advances_time_by_the_wait(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)

    assert "Messages" not in response
    assert sqs_mock.now - start == timedelta(seconds=20)


def test_long_poll_returns_at_once_when_a_message_is_visible(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="ready")
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)

    assert [m["Body"] for m in response["Messages"]] == ["ready"]
    assert sqs_mock.now == start


def test_long_poll_wakes_when_a_delayed_message_becomes_visible(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="soon", DelaySeconds=5)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)

    assert [m["Body"] for m in response["Messages"]] == ["soon"]
    assert sqs_mock.now - start == timedelta(seconds=5)


def test_long_poll_wakes_when_an_in_flight_message_times_out(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("flight", VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="back")
    receive(sqs, url)
    sqs_mock.advance(3)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    assert [m["Body"] for m in response["Messages"]] == ["back"]
    assert sqs_mock.now - start == timedelta(seconds=7)


def test_long_poll_ends_empty_when_the_delay_outlasts_the_wait(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="too late", DelaySeconds=30)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)

    assert "Messages" not in response
    assert sqs_mock.now - start == timedelta(seconds=20)
    sqs_mock.advance(10)
    assert [m["Body"] for m in receive(sqs, queue_url)] == ["too late"]


def test_long_poll_returns_the_first_message_without_filling_the_batch(
    sqs: Any, sqs_mock: SqsMock, queue_url: str
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="first", DelaySeconds=2)
    sqs.send_message(QueueUrl=queue_url, MessageBody="second", DelaySeconds=8)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)

    assert [m["Body"] for m in response["Messages"]] == ["first"]
    assert sqs_mock.now - start == timedelta(seconds=2)


def test_queue_receive_wait_time_is_the_default_wait(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("waiting", ReceiveMessageWaitTimeSeconds=10)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=url)

    assert "Messages" not in response
    assert sqs_mock.now - start == timedelta(seconds=10)


def test_explicit_zero_wait_is_a_short_poll_on_a_long_poll_queue(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("waiting", ReceiveMessageWaitTimeSeconds=10)
    start = sqs_mock.now

    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)

    assert "Messages" not in response
    assert sqs_mock.now == start


def test_short_poll_does_not_move_time(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=5)
    start = sqs_mock.now

    assert receive(sqs, queue_url) == []
    assert sqs_mock.now == start


# --- System attributes on receive (API Reference, ReceiveMessage) -------------------------------


def test_no_system_attribute_names_means_no_attributes_key(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(sqs, queue_url)

    assert "Attributes" not in message


@pytest.mark.parametrize(
    "parameter",
    [
        pytest.param("MessageSystemAttributeNames", marks=needs_message_system_attribute_names),
        "AttributeNames",
    ],
)
def test_all_returns_the_standard_receive_attributes(sqs: Any, queue_url: str, parameter: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(sqs, queue_url, **{parameter: ["All"]})

    assert set(message["Attributes"]) == RECEIVE_ALL
    assert message["Attributes"]["SenderId"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_specific_names_return_only_those(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(
        sqs,
        queue_url,
        MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
    )

    assert set(message["Attributes"]) == {"SentTimestamp", "ApproximateReceiveCount"}


def test_names_that_do_not_apply_to_a_standard_queue_are_skipped(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(
        sqs,
        queue_url,
        MessageSystemAttributeNames=[
            "SequenceNumber",
            "MessageDeduplicationId",
            "MessageGroupId",
            "AWSTraceHeader",
            "DeadLetterQueueSourceArn",
            "SenderId",
        ],
    )

    assert set(message["Attributes"]) == {"SenderId"}


def test_only_inapplicable_names_give_no_attributes_key(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["SequenceNumber"])

    assert "Attributes" not in message


@needs_message_system_attribute_names
def test_all_plus_a_deprecated_name_returns_everything(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"], AttributeNames=["SenderId"])

    assert set(message["Attributes"]) == RECEIVE_ALL


@needs_message_system_attribute_names
def test_both_parameters_combine(sqs: Any, queue_url: str) -> None:
    # Observed AWS behaviour, "consistent with a union".
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")

    [message] = receive(
        sqs,
        queue_url,
        MessageSystemAttributeNames=["SentTimestamp"],
        AttributeNames=["ApproximateReceiveCount"],
    )

    assert set(message["Attributes"]) == {"SentTimestamp", "ApproximateReceiveCount"}


def test_timestamps_and_receive_count_follow_the_virtual_clock(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    sent_at = epoch_ms(sqs_mock.now)
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    sqs_mock.advance(3.5)
    first_receive_at = epoch_ms(sqs_mock.now)

    [first] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"])
    sqs_mock.advance(30)
    [second] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"])

    assert first["Attributes"]["SentTimestamp"] == str(sent_at)
    assert first["Attributes"]["ApproximateFirstReceiveTimestamp"] == str(first_receive_at)
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert second["Attributes"]["SentTimestamp"] == str(sent_at)
    assert second["Attributes"]["ApproximateFirstReceiveTimestamp"] == str(first_receive_at)
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["Attributes"]["SenderId"] == first["Attributes"]["SenderId"]


def test_message_group_id_is_returned_with_all_when_sent(sqs: Any, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId="tenant-a")

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"])

    assert set(message["Attributes"]) == RECEIVE_ALL | {"MessageGroupId"}
