"""ListDeadLetterSourceQueues and the receive-time move into a dead-letter queue, through boto3.

Spec: Developer Guide, "Using dead-letter queues in Amazon SQS" (what a dead-lettered message keeps),
API Reference, ListDeadLetterSourceQueues; observed AWS behaviour; open points marked unverified.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .redrive_support import (
    NON_EXISTENT_QUEUE,
    arn_of,
    client,
    dead_letter,
    expect_error,
    expect_invalid_parameter_value,
    make_queue,
    receive,
    redrive,
    url_of,
)

# --- ListDeadLetterSourceQueues (API Reference, ListDeadLetterSourceQueues) ------------------


def test_lists_exactly_the_queues_whose_redrive_policy_targets_it(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    make_queue(sqs, "other-dlq")
    make_queue(sqs, "source-a", RedrivePolicy=redrive("dlq"))
    make_queue(sqs, "unrelated")
    make_queue(sqs, "source-b", RedrivePolicy=redrive("dlq"))
    make_queue(sqs, "elsewhere", RedrivePolicy=redrive("other-dlq"))

    response = sqs.list_dead_letter_source_queues(QueueUrl=dlq)

    assert set(response) == {"queueUrls", "ResponseMetadata"}
    assert response["queueUrls"] == [url_of("source-a"), url_of("source-b")]


def test_pages_only_when_max_results_is_given(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    names = [f"source-{i}" for i in range(5)]
    for name in names:
        make_queue(sqs, name, RedrivePolicy=redrive("dlq"))

    pages = []
    response = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    pages.append(response["queueUrls"])
    while "NextToken" in response:
        response = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=response["NextToken"])
        pages.append(response["queueUrls"])
    unpaged = sqs.list_dead_letter_source_queues(QueueUrl=dlq)

    assert pages == [
        [url_of(n) for n in names[0:2]],
        [url_of(n) for n in names[2:4]],
        [url_of(names[4])],
    ]
    assert "NextToken" not in unpaged
    assert unpaged["queueUrls"] == [url_of(n) for n in names]


def test_boto3_paginator_walks_every_page(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    for i in range(7):
        make_queue(sqs, f"source-{i}", RedrivePolicy=redrive("dlq"))

    paginator = sqs.get_paginator("list_dead_letter_source_queues")
    pages = list(paginator.paginate(QueueUrl=dlq, PaginationConfig={"PageSize": 3}))

    assert [len(page["queueUrls"]) for page in pages] == [3, 3, 1]


def test_a_queue_without_sources_lists_none(sqs_mock: SqsMock) -> None:
    sqs = client()
    lonely = make_queue(sqs, "lonely")

    # No sources: no queueUrls key (observed from AWS over the query protocol; JSON by analogy, unverified).
    response = sqs.list_dead_letter_source_queues(QueueUrl=lonely)

    assert "queueUrls" not in response


def test_removing_the_redrive_policy_removes_the_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    source = make_queue(sqs, "source", RedrivePolicy=redrive("dlq"))

    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})

    assert "queueUrls" not in sqs.list_dead_letter_source_queues(QueueUrl=dlq)


def test_deleted_sources_are_not_listed(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    source = make_queue(sqs, "source", RedrivePolicy=redrive("dlq"))
    make_queue(sqs, "kept", RedrivePolicy=redrive("dlq"))

    sqs.delete_queue(QueueUrl=source)

    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url_of("kept")]


@pytest.mark.parametrize("max_results", [0, 1001])
def test_max_results_outside_1_to_1000_is_rejected(sqs_mock: SqsMock, max_results: int) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")

    # Text unverified (AWS documents only MaxResults 1-1000).
    with expect_invalid_parameter_value(
        sqs,
        f"Value {max_results} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.",
    ):
        sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=max_results)


def test_a_malformed_next_token_is_rejected(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    token = base64.b64encode(b"garbage").decode()

    # Text unverified (AWS's token format was never observed).
    with expect_invalid_parameter_value(
        sqs,
        f"Value {token} for parameter NextToken is invalid. Reason: Invalid NextToken value.",
    ):
        sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=token)


def test_listing_sources_of_a_missing_queue(sqs_mock: SqsMock) -> None:
    sqs = client()

    with expect_error(
        sqs,
        code=NON_EXISTENT_QUEUE,
        status=400,
        message="The specified queue does not exist.",
        shape="QueueDoesNotExist",
    ):
        sqs.list_dead_letter_source_queues(QueueUrl=url_of("nowhere"))


# --- What a dead-lettered message keeps (Developer Guide, "Using dead-letter queues in Amazon SQS") ----


def test_dead_lettered_message_keeps_id_body_attributes_and_sent_time(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    source = make_queue(sqs, "source", RedrivePolicy=redrive("dlq"))
    attributes: dict[str, Any] = {
        "Text": {"DataType": "String", "StringValue": "héllo"},
        "Count": {"DataType": "Number", "StringValue": "42"},
        "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
        "Custom": {"DataType": "String.custom", "StringValue": "x"},
    }
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison", MessageAttributes=attributes)
    [first] = receive(sqs, source, MessageSystemAttributeNames=["All"])
    sqs_mock.advance(30)
    assert receive(sqs, source) == []

    [moved] = receive(sqs, dlq, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])

    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MessageAttributes"] == attributes
    assert moved["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of("source")
    # Kept as on the source (unverified: masked in the recording).
    assert moved["Attributes"]["SentTimestamp"] == first["Attributes"]["SentTimestamp"]
    assert moved["Attributes"]["SenderId"] == first["Attributes"]["SenderId"]


def test_receive_count_continues_in_the_dead_letter_queue(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    source = make_queue(sqs, "source", VisibilityTimeout=5, RedrivePolicy=redrive("dlq", 3))
    sqs.send_message(QueueUrl=source, MessageBody="flaky")
    for _ in range(3):
        assert len(receive(sqs, source)) == 1
        sqs_mock.advance(5)
    assert receive(sqs, source) == []

    [moved] = receive(sqs, dlq, MessageSystemAttributeNames=["ApproximateReceiveCount"])

    # With maxReceiveCount 1 AWS showed 2 on the first DLQ receive (observed AWS behaviour): 3 → 4.
    assert moved["Attributes"]["ApproximateReceiveCount"] == "4"


def test_each_message_is_moved_on_its_own_receive(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    source = make_queue(sqs, "source", RedrivePolicy=redrive("dlq"))

    dead_letter(sqs, sqs_mock, source, ["a", "b", "c"])

    assert sorted(m.body for m in sqs_mock.queue("dlq").visible) == ["a", "b", "c"]
    assert {m.system_attributes["DeadLetterQueueSourceArn"] for m in sqs_mock.queue("dlq").visible} == {
        arn_of("source")
    }
    assert len(receive(sqs, dlq, MaxNumberOfMessages=10)) == 3


def test_fifo_dead_letter_queue_restarts_retention_on_the_move(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq.fifo", MessageRetentionPeriod=60)
    source = make_queue(sqs, "source.fifo", RedrivePolicy=redrive("dlq.fifo"))
    sqs.send_message(
        QueueUrl=source,
        MessageBody="late",
        MessageGroupId="g",
        MessageDeduplicationId="d",
    )
    receive(sqs, source)
    sqs_mock.advance(50)
    assert receive(sqs, source) == []  # moved 50 s after the send

    sqs_mock.advance(30)  # 80 s after the send, 30 s after the move

    [moved] = receive(sqs, dlq, MessageSystemAttributeNames=["All"])
    assert moved["Body"] == "late"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of("source.fifo")
