"""The mock's own helpers when misused or at their edges: each says what went wrong, or does the documented thing.

create_queue / send / queue / describe / credentials / server on the ``sqs_mock`` fixture
and ``mock_sqs()``; the queues they make are checked through boto3.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.exceptions import SqsMockError, UnknownQueueError

# -- SqsMock options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"region": ""}, ValueError, "region must be a region name such as 'us-east-1', got ''"),
        ({"account_id": "12"}, ValueError, "account_id must be 12 digits, got '12'"),
        (
            {"clock": "system", "start": datetime(2030, 1, 1, tzinfo=timezone.utc)},
            ValueError,
            "start= applies only to clock='virtual'",
        ),
        ({"clock": "wall"}, ValueError, "clock must be 'virtual' or 'system', got 'wall'"),
        ({"passthrough": "s3"}, TypeError, "passthrough takes a list of service names, such as ['s3'], got 's3'"),
    ],
)
def test_mock_sqs_refuses_options_it_cannot_use(options: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        mock_sqs(**options)

    assert str(info.value) == message


def test_a_naive_start_is_taken_as_utc() -> None:
    with mock_sqs(start=datetime(2030, 5, 6, 7, 8, 9)) as mock:
        assert mock.now == datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
        mock.travel_to(datetime(2030, 5, 6, 8, 0, 0))  # naive again: UTC
        assert mock.now == datetime(2030, 5, 6, 8, 0, 0, tzinfo=timezone.utc)


def test_a_server_needs_a_started_mock() -> None:
    mock = mock_sqs()

    with pytest.raises(SqsMockError, match=r"^start the mock before its server$"):
        mock.server()


def test_credentials_need_a_12_digit_account(sqs_mock: SqsMock) -> None:
    with pytest.raises(ValueError, match=r"^an AWS account id is 12 digits, got '1234'$"):
        sqs_mock.credentials("1234")


# -- create_queue and send ---------------------------------------------------


def test_create_queue_max_receive_count_needs_a_dead_letter_queue(sqs_mock: SqsMock) -> None:
    with pytest.raises(ValueError, match=r"^max_receive_count needs dead_letter_queue=$"):
        sqs_mock.create_queue("jobs", max_receive_count=5)

    assert sqs_mock.queues() == []


def test_create_queue_takes_the_dead_letter_queue_by_arn(sqs_mock: SqsMock) -> None:
    dlq = sqs_mock.create_queue("jobs-dlq")

    sqs_mock.create_queue("jobs", dead_letter_queue=dlq.arn, max_receive_count=4)

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs_mock.queue("jobs").url
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    assert json.loads(policy) == {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 4}


def test_send_of_a_fifo_duplicate_says_nothing_was_queued(sqs_mock: SqsMock) -> None:
    # Developer Guide, "Exactly-once processing": a send with the deduplication id of one sent in the last
    # 5 minutes is accepted and answers that message's id, but delivers nothing, even once it was deleted.
    url = sqs_mock.create_queue("orders.fifo", attributes={"FifoQueue": "true"}).url
    first = sqs_mock.send("orders.fifo", "one", group_id="g", deduplication_id="d-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    [received] = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["ReceiptHandle"])

    with pytest.raises(SqsMockError) as info:
        sqs_mock.send("orders.fifo", "one again", group_id="g", deduplication_id="d-1")

    assert str(info.value) == f"message {first.message_id} was not queued (deduplicated?)"
    assert len(sqs_mock.queue("orders.fifo")) == 0


# -- queue references and describe ------------------------------------------


@pytest.mark.parametrize("reference", ["", "https://example.com/"])
def test_queue_refuses_a_reference_that_is_no_name_url_or_arn(sqs_mock: SqsMock, reference: str) -> None:
    sqs_mock.create_queue("jobs")

    with pytest.raises(UnknownQueueError) as info:
        sqs_mock.queue(reference)

    assert str(info.value) == f"{reference!r} is neither a queue name, URL nor ARN"


def test_describe_without_queues(sqs_mock: SqsMock) -> None:
    assert sqs_mock.describe() == "sqs_mock: no queues"


def test_describe_shows_the_first_messages_and_how_many_more(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs")
    for n in range(5):
        sqs_mock.send("jobs", f"m{n}")

    lines = sqs_mock.describe(messages_per_queue=2).splitlines()

    assert lines[0] == "sqs_mock: queue 'jobs' (123456789012/us-east-1): visible: 5, delayed: 0, in_flight: 0"
    assert [line.split()[2] for line in lines[1:3]] == ["'m0'", "'m1'"]
    assert lines[3:] == ["    ... 3 more"]


def test_a_queue_view_iterates_over_its_messages(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs")
    sqs_mock.send("jobs", "a")
    sqs_mock.send("jobs", "b", delay_seconds=10)

    view = sqs_mock.queue("jobs")

    assert sorted((m.body, m.state) for m in view) == [("a", "visible"), ("b", "delayed")]


# -- partitions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition"),
    [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eu-west-1", "aws")],
)
def test_queue_arns_carry_the_partition_of_their_region(sqs_mock: SqsMock, region: str, partition: str) -> None:
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]

    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    assert arn == f"arn:{partition}:sqs:{region}:123456789012:jobs"
    assert sqs_mock.queue(arn).region == region


def test_advance_accepts_a_timedelta(sqs_mock: SqsMock) -> None:
    started = sqs_mock.now

    sqs_mock.advance(timedelta(minutes=2))

    assert sqs_mock.now - started == timedelta(minutes=2)
