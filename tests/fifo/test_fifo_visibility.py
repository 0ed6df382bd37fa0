"""Receipt handles on FIFO queues: expiry, extension, batches.

Spec: Developer Guide, "Amazon SQS visibility timeout" and "FIFO queue delivery logic in Amazon SQS";
observed AWS behaviour for FIFO receipt handles.
"""

from __future__ import annotations

from typing import Any

from pytest_sqsmock import SqsMock

from .fifo_support import (
    bodies,
    counters,
    expect_error,
    expect_invalid,
    expired_handle_text,
    receive,
    send_all,
)


def test_delete_with_an_expired_handle_is_refused(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url, VisibilityTimeout=5)
    sqs_mock.advance(5)
    handle = message["ReceiptHandle"]

    with expect_invalid(expired_handle_text(handle)):
        sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=handle)

    assert counters(sqs, fifo_url) == (1, 0, 0)


def test_delete_within_an_extended_window_succeeds(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url, VisibilityTimeout=5)
    sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=60)
    sqs_mock.advance(30)

    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])

    assert counters(sqs, fifo_url) == (0, 0, 0)


def test_change_visibility_with_an_expired_handle_is_refused(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url, VisibilityTimeout=5)
    sqs_mock.advance(6)
    handle = message["ReceiptHandle"]

    with expect_invalid(expired_handle_text(handle)):
        sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=handle, VisibilityTimeout=30)

    assert counters(sqs, fifo_url) == (1, 0, 0)


def test_the_handle_of_an_earlier_receive_is_expired(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [old] = receive(sqs, fifo_url, VisibilityTimeout=5)
    sqs_mock.advance(5)
    [new] = receive(sqs, fifo_url)

    with expect_invalid(expired_handle_text(old["ReceiptHandle"])):
        sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=old["ReceiptHandle"])

    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=new["ReceiptHandle"])
    assert counters(sqs, fifo_url) == (0, 0, 0)


def test_a_zero_visibility_receive_hands_out_an_already_expired_handle(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url, VisibilityTimeout=0)

    with expect_invalid(expired_handle_text(message["ReceiptHandle"])):
        sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])


def test_deleting_an_already_deleted_message_succeeds(sqs: Any, fifo_url: str) -> None:
    # Our choice (not observed on FIFO queues): as on standard queues.
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url)
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])

    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])


def test_change_visibility_of_a_deleted_message(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url)
    handle = message["ReceiptHandle"]
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=handle)

    with expect_invalid(
        f"Value {handle} for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change."
    ):
        sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=handle, VisibilityTimeout=10)


def test_a_garbage_handle_is_still_receipt_handle_is_invalid(sqs: Any, fifo_url: str) -> None:
    with expect_error(
        code="ReceiptHandleIsInvalid",
        message='The input receipt handle "garbage" is not a valid receipt handle.',
        status=404,
    ):
        sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle="garbage")


def test_batch_delete_fails_only_the_expired_entry(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "old"), ("h", "fresh"))
    [old] = receive(sqs, fifo_url, MaxNumberOfMessages=1, VisibilityTimeout=5)
    sqs_mock.advance(5)
    # The timed-out group went to the back of the line (observed AWS behaviour).
    received = receive(sqs, fifo_url)
    assert bodies(received) == ["fresh", "old"]

    response = sqs.delete_message_batch(
        QueueUrl=fifo_url,
        Entries=[
            {"Id": "expired", "ReceiptHandle": old["ReceiptHandle"]},
            {"Id": "ok", "ReceiptHandle": received[0]["ReceiptHandle"]},
        ],
    )

    assert response["Successful"] == [{"Id": "ok"}]
    assert response["Failed"] == [
        {
            "Id": "expired",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": expired_handle_text(old["ReceiptHandle"]),
        }
    ]


def test_batch_change_visibility_with_an_expired_entry(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url, VisibilityTimeout=5)
    sqs_mock.advance(5)

    response = sqs.change_message_visibility_batch(
        QueueUrl=fifo_url,
        Entries=[
            {
                "Id": "e",
                "ReceiptHandle": message["ReceiptHandle"],
                "VisibilityTimeout": 10,
            }
        ],
    )

    [failure] = response["Failed"]
    assert (failure["Code"], failure["Message"]) == (
        "InvalidParameterValue",
        expired_handle_text(message["ReceiptHandle"]),
    )


def test_extending_a_later_message_keeps_the_group_blocked_behind_it(
    sqs: Any, sqs_mock: SqsMock, fifo_url: str
) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"))
    m1, m2 = receive(sqs, fifo_url, VisibilityTimeout=10)
    sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=m2["ReceiptHandle"], VisibilityTimeout=100)
    sqs_mock.advance(10)

    [again] = receive(sqs, fifo_url)
    assert again["Body"] == "m1"
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=again["ReceiptHandle"])
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=m2["ReceiptHandle"])
    assert counters(sqs, fifo_url) == (0, 0, 0)
    assert m1["ReceiptHandle"] != again["ReceiptHandle"]


def test_visibility_beyond_twelve_hours_is_refused(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    [message] = receive(sqs, fifo_url)

    with expect_invalid(
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
    ):
        sqs.change_message_visibility(
            QueueUrl=fifo_url,
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=43201,
        )


def test_retention_expires_an_in_flight_head_and_frees_its_group(sqs: Any, sqs_mock: SqsMock, make_fifo: Any) -> None:
    # Observed AWS behaviour: retention counts from the enqueue time, in flight or not.
    url = make_fifo(MessageRetentionPeriod=60)
    send_all(sqs, url, ("g", "old"))
    sqs_mock.advance(30)
    send_all(sqs, url, ("g", "young"))
    [old] = receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=600)
    assert old["Body"] == "old"

    sqs_mock.advance(30)

    assert bodies(receive(sqs, url)) == ["young"]
    # Deleting the expired message's handle is quietly accepted, as on standard queues.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"])
    sqs_mock.advance(30)
    assert counters(sqs, url) == (0, 0, 0)
