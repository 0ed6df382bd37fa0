"""DeleteMessage through boto3: current, old, deleted and garbage receipt handles.

Spec: API Reference, DeleteMessage; observed AWS behaviour; botocore's SQS model (statuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .api_support import (
    counters,
    expect_error,
    expect_no_such_queue,
    receive,
    url_of,
)
from .conftest import QueueFactory


def one_in_flight(sqs: Any, url: str, body: str = "x") -> dict[str, Any]:
    sqs.send_message(QueueUrl=url, MessageBody=body)
    [message] = receive(sqs, url)
    return message


def test_delete_removes_the_message(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    message = one_in_flight(sqs, queue_url)

    response = sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert counters(sqs, queue_url) == (0, 0, 0)
    sqs_mock.advance(3600)
    assert receive(sqs, queue_url, MaxNumberOfMessages=10) == []


def test_delete_leaves_other_messages_alone(sqs: Any, queue_url: str) -> None:
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    messages = receive(sqs, queue_url, MaxNumberOfMessages=10)
    doomed = next(m for m in messages if m["Body"] == "b")

    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=doomed["ReceiptHandle"])

    assert counters(sqs, queue_url) == (0, 2, 0)


@pytest.mark.parametrize("handle", ["garbage", "AQEBnotarealhandle=="], ids=["garbage", "looks-real"])
def test_delete_with_a_handle_sqs_never_issued_fails(sqs: Any, queue_url: str, handle: str) -> None:
    one_in_flight(sqs, queue_url)

    # Status 404 per the model; what AWS actually sends is unverified.
    with expect_error(
        sqs,
        code="ReceiptHandleIsInvalid",
        status=404,
        shape="ReceiptHandleIsInvalid",
        message=f'The input receipt handle "{handle}" is not a valid receipt handle.',
    ):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)

    assert counters(sqs, queue_url) == (0, 1, 0)


def test_deleting_twice_with_the_same_handle_succeeds(sqs: Any, queue_url: str) -> None:
    message = one_in_flight(sqs, queue_url)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    response = sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_with_an_expired_handle_that_was_not_re_received_deletes(
    sqs: Any, sqs_mock: SqsMock, queue_url: str
) -> None:
    message = one_in_flight(sqs, queue_url)
    sqs_mock.advance(31)
    assert counters(sqs, queue_url) == (1, 0, 0)

    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    assert counters(sqs, queue_url) == (0, 0, 0)
    assert receive(sqs, queue_url) == []


def test_delete_with_an_older_handle_succeeds(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    first = one_in_flight(sqs, queue_url)
    sqs_mock.advance(30)
    [second] = receive(sqs, queue_url)
    assert second["MessageId"] == first["MessageId"]

    response = sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=first["ReceiptHandle"])

    # API Reference, DeleteMessage: "succeeds, but the message might not be deleted" - only the success is specified.
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=second["ReceiptHandle"])
    assert counters(sqs, queue_url) == (0, 0, 0)


def test_delete_with_the_newest_handle_while_an_older_one_exists(sqs: Any, sqs_mock: SqsMock, queue_url: str) -> None:
    first = one_in_flight(sqs, queue_url)
    sqs_mock.advance(30)
    [second] = receive(sqs, queue_url)

    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=second["ReceiptHandle"])

    assert counters(sqs, queue_url) == (0, 0, 0)
    # The first handle now names a deleted message: still a quiet success.
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=first["ReceiptHandle"])


def test_delete_of_a_message_removed_by_retention_succeeds(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("short-retention", MessageRetentionPeriod=60, VisibilityTimeout=600)
    message = one_in_flight(sqs, url)
    sqs_mock.advance(61)
    assert counters(sqs, url) == (0, 0, 0)

    response = sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_on_missing_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.delete_message(QueueUrl=url_of("missing"), ReceiptHandle="h")
