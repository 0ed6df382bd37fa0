"""Cancelling and failing move tasks, and StartMessageMoveTask's validation, through boto3.

Spec: API Reference, StartMessageMoveTask / CancelMessageMoveTask / ListMessageMoveTasks
(statuses); observed AWS behaviour (errors); unverified texts marked. Moves run in virtual time.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from pytest_sqsmock import SqsMock

from .redrive_support import (
    ALREADY_RUNNING,
    NO_DESTINATION,
    NO_SOURCE,
    NON_EXISTENT_QUEUE,
    TASK_DOES_NOT_EXIST,
    arn_of,
    client,
    expect_invalid_parameter_value,
    expect_resource_not_found,
    make_queue,
    only_task,
    tasks,
    url_of,
    visible_count,
    with_dead_letters,
)

# --- Cancelling ----------------------------------------------------------------------------------


def test_cancel_stops_the_task_and_keeps_moved_messages(sqs_mock: SqsMock) -> None:
    sqs = client()
    source = with_dead_letters(sqs, sqs_mock, 10)
    handle = sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    sqs_mock.advance(2)

    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 2
    cancelling = only_task(sqs)
    sqs_mock.advance(1)
    cancelled = only_task(sqs)
    sqs_mock.advance(10)

    assert cancelling["Status"] == "CANCELLING"
    assert "TaskHandle" not in cancelling
    assert (cancelled["Status"], cancelled["ApproximateNumberOfMessagesMoved"]) == (
        "CANCELLED",
        2,
    )
    assert visible_count(sqs, source) == 2
    assert visible_count(sqs, url_of("orders-dlq")) == 8


def test_a_cancelling_task_still_blocks_a_new_one(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 10)
    handle = sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    sqs.cancel_message_move_task(TaskHandle=handle)

    with expect_invalid_parameter_value(sqs, ALREADY_RUNNING):
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))
    sqs_mock.advance(1)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))

    assert [t["Status"] for t in tasks(sqs, MaxResults=10)] == ["RUNNING", "CANCELLED"]


def test_cancel_with_a_handle_that_is_not_a_task_handle(sqs_mock: SqsMock) -> None:
    sqs = client()

    with expect_invalid_parameter_value(sqs, "Value for parameter TaskHandle is invalid."):
        sqs.cancel_message_move_task(TaskHandle="foobared")


def test_cancel_with_a_handle_naming_a_missing_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    document = {"taskId": str(uuid.uuid4()), "sourceArn": arn_of("gone")}
    handle = base64.b64encode(json.dumps(document).encode()).decode()

    with expect_resource_not_found(sqs, NO_SOURCE):
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_cancel_with_an_unknown_task_id(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)
    document = {"taskId": str(uuid.uuid4()), "sourceArn": arn_of("orders-dlq")}
    handle = base64.b64encode(json.dumps(document).encode()).decode()

    with expect_resource_not_found(sqs, TASK_DOES_NOT_EXIST):
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_cancel_of_a_finished_task(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)
    handle = sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))["TaskHandle"]
    sqs_mock.advance(1)

    # AWS's answer is unverified: only RUNNING tasks can be cancelled (API Reference, CancelMessageMoveTask).
    with expect_resource_not_found(sqs, TASK_DOES_NOT_EXIST):
        sqs.cancel_message_move_task(TaskHandle=handle)


# --- Failing -------------------------------------------------------------------------------------


def test_deleting_the_destination_fails_the_task(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 5)
    replay = make_queue(sqs, "replay")
    sqs.start_message_move_task(
        SourceArn=arn_of("orders-dlq"),
        DestinationArn=arn_of("replay"),
        MaxNumberOfMessagesPerSecond=1,
    )
    sqs_mock.advance(2)

    sqs.delete_queue(QueueUrl=replay)
    sqs_mock.advance(1)

    assert only_task(sqs) == {
        "Status": "FAILED",
        "SourceArn": arn_of("orders-dlq"),
        "DestinationArn": arn_of("replay"),
        "MaxNumberOfMessagesPerSecond": 1,
        "ApproximateNumberOfMessagesMoved": 2,
        "ApproximateNumberOfMessagesToMove": 5,
        "FailureReason": NON_EXISTENT_QUEUE,
        "StartedTimestamp": only_task(sqs)["StartedTimestamp"],
    }
    assert visible_count(sqs, url_of("orders-dlq")) == 3


def test_deleting_the_original_source_fails_a_default_destination_task(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    source = with_dead_letters(sqs, sqs_mock, 3)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)
    sqs_mock.advance(1)

    sqs.delete_queue(QueueUrl=source)
    sqs_mock.advance(1)

    task = only_task(sqs)
    assert (
        task["Status"],
        task["FailureReason"],
        task["ApproximateNumberOfMessagesMoved"],
    ) == (
        "FAILED",
        NON_EXISTENT_QUEUE,
        1,
    )
    [left, _] = sqs_mock.queue("orders-dlq").visible
    assert left.receive_count == 1  # the failed move did not count as a receive


# --- StartMessageMoveTask validation (API Reference, StartMessageMoveTask) ---------------------


def test_source_must_be_a_dead_letter_queue(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "plain")

    with expect_invalid_parameter_value(sqs, "Source queue must be configured as a Dead Letter Queue."):
        sqs.start_message_move_task(SourceArn=arn_of("plain"))


def test_source_must_exist(sqs_mock: SqsMock) -> None:
    sqs = client()

    with expect_resource_not_found(sqs, NO_SOURCE):
        sqs.start_message_move_task(SourceArn=arn_of("nowhere"))


def test_destination_must_exist(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)

    with expect_resource_not_found(sqs, NO_DESTINATION):
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), DestinationArn=arn_of("nowhere"))


def test_only_one_running_task_per_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 3)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)

    with expect_invalid_parameter_value(sqs, ALREADY_RUNNING):
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))
    sqs_mock.advance(3)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))  # the first completed


@pytest.mark.parametrize("rate", [0, 501])
def test_rate_outside_1_to_500_is_rejected(sqs_mock: SqsMock, rate: int) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)

    # Text unverified (AWS documents only the limit 500); worded like ReceiveMessage's range errors.
    with expect_invalid_parameter_value(
        sqs,
        f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500, if provided.",
    ):
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=rate)


def test_destination_must_have_the_source_queue_type(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)
    make_queue(sqs, "replay.fifo")

    # Text unverified; the rule is documented (API Reference, StartMessageMoveTask).
    with expect_invalid_parameter_value(
        sqs,
        f"Value {arn_of('replay.fifo')} for parameter DestinationArn is invalid. "
        "Reason: The destination queue must be the same queue type as the source queue.",
    ):
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), DestinationArn=arn_of("replay.fifo"))
