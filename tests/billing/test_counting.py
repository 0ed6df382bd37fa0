"""What sqs_mock.usage counts: billable 64 KiB chunks of payload, messages, empty receives, bytes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, UnknownQueueError
from pytest_sqsmock import simulation as simulation_module

KIB = 1024


@pytest.fixture
def sqs(sqs_mock: SqsMock) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


def test_a_256_kib_batch_is_four_requests_and_ten_small_messages_are_one(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("big").url
    quarter = "x" * (64 * KIB)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": quarter} for n in range(4)])
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": "small"} for n in range(10)])

    sends = sqs_mock.usage.queue("big").operation("SendMessageBatch")
    assert (sends.requests, sends.billable_requests, sends.messages) == (2, 4 + 1, 14)
    assert sends.bytes_in == 4 * 64 * KIB + 10 * len("small")


def test_one_byte_over_64_kib_is_a_second_request_and_attributes_count(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("edge").url
    sqs.send_message(QueueUrl=url, MessageBody="x" * (64 * KIB))
    sqs.send_message(QueueUrl=url, MessageBody="x" * (64 * KIB + 1))
    body = "é" * (32 * KIB - 4)  # two UTF-8 bytes each: 8 bytes short of 64 KiB
    sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageAttributes={"kind": {"DataType": "Binary", "BinaryValue": b"1"}}
    )

    sends = sqs_mock.usage.queue("edge").operation("SendMessage")
    # 64 KiB: 1; 64 KiB + 1: 2; body + "k" "String" "v" = 64 KiB: 1; body + "kind" "Binary" b"1" = 64 KiB + 3: 2
    assert sends.billable_requests == 1 + 2 + 1 + 2
    assert sends.bytes_in == 64 * KIB + (64 * KIB + 1) + 64 * KIB + (64 * KIB + 3)


def test_a_receive_is_billed_by_the_messages_it_returns(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("out").url
    for _ in range(3):
        sqs_mock.send("out", "y" * (40 * KIB))  # set-up: not billed

    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # 120 KiB back: 2 requests
    sqs.receive_message(QueueUrl=url)  # nothing visible: 1, empty, answered at once

    receives = sqs_mock.usage.queue("out").operation("ReceiveMessage")
    assert (receives.requests, receives.billable_requests, receives.messages) == (2, 3, 3)
    assert (receives.empty_receives, receives.empty_receives_without_wait) == (1, 1)
    assert (receives.bytes_in, receives.bytes_out) == (0, 3 * 40 * KIB)
    assert sqs_mock.usage.operations.keys() == {"ReceiveMessage"}


def test_a_long_poll_that_waits_is_an_empty_receive_with_a_wait(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("quiet", attributes={"ReceiveMessageWaitTimeSeconds": "20"}).url
    sqs.receive_message(QueueUrl=url)  # the queue's default wait: a long poll
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)

    receives = sqs_mock.usage.queue("quiet").operation("ReceiveMessage")
    assert (receives.empty_receives, receives.empty_receives_without_wait) == (2, 1)


def test_deletes_and_visibility_changes_count_the_messages_they_acted_on(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("jobs").url
    for n in range(3):
        sqs_mock.send("jobs", f"job {n}")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    handles = [m["ReceiptHandle"] for m in messages]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles[0], VisibilityTimeout=60)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[0])
    entries = [{"Id": "a", "ReceiptHandle": handles[1]}, {"Id": "b", "ReceiptHandle": "not-a-handle"}]
    sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    usage = sqs_mock.usage
    assert usage.messages_processed == 2  # one delete, and one of the batch's two entries
    assert usage.operation("ChangeMessageVisibility").messages == 1
    assert usage.billable_requests == 4
    assert usage.cross_region_bytes == 0


def test_failed_calls_are_requests_and_failures(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs_mock.create_queue("flaky").url
    sqs_mock.faults.fail_next("SendMessage", code="InvalidParameterValue")  # not retried by botocore
    with pytest.raises(sqs.exceptions.ClientError):
        sqs.send_message(QueueUrl=url, MessageBody="z" * (100 * KIB))
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=url + "-gone")

    usage = sqs_mock.usage
    sends = usage.queue("flaky").operation("SendMessage")
    assert (sends.requests, sends.failed, sends.billable_requests, sends.messages) == (1, 1, 2, 0)
    assert usage.queue("flaky-gone").operation("GetQueueAttributes").failed == 1


def test_calls_that_name_no_queue_are_counted_apart(sqs_mock: SqsMock, sqs: Any) -> None:
    sqs.create_queue(QueueName="made-by-the-code")
    sqs.list_queues()

    usage = sqs_mock.usage
    assert [(q.name, q.requests) for q in usage.queues] == [(None, 1), ("made-by-the-code", 1)]
    assert "calls naming no queue" in usage.summary()


def test_move_tasks_are_counted_on_their_source_queue(sqs_mock: SqsMock, sqs: Any) -> None:
    sqs_mock.create_queue("dlq")
    sqs_mock.create_queue("src", dead_letter_queue="dlq")
    sqs.list_message_move_tasks(SourceArn=sqs_mock.queue("dlq").arn)

    assert sqs_mock.usage.queue("dlq").operation("ListMessageMoveTasks").billable_requests == 1


def test_set_up_helpers_are_not_billed_and_reset_forgets_usage(sqs_mock: SqsMock, sqs: Any) -> None:
    sqs_mock.create_queue("seeded")
    sqs_mock.send("seeded", "hello")
    assert sqs_mock.usage.requests == 0
    assert sqs_mock.usage.summary() == "sqs_mock usage: no SQS calls"

    sqs.get_queue_url(QueueName="seeded")
    assert sqs_mock.usage.requests == 1
    sqs_mock.reset()
    assert sqs_mock.usage.requests == 0


def test_looking_up_a_queue_never_called_lists_those_called(sqs_mock: SqsMock, sqs: Any) -> None:
    sqs.create_queue(QueueName="orders")
    west = sqs_mock.client(region="eu-west-1")
    west.create_queue(QueueName="orders")

    with pytest.raises(UnknownQueueError, match=r"no call named such a queue.*orders \(123456789012/us-east-1\)"):
        sqs_mock.usage.queue("ordres")
    with pytest.raises(UnknownQueueError, match="several queues match"):
        sqs_mock.usage.queue("orders")
    assert sqs_mock.usage.queue("orders", region="eu-west-1").region == "eu-west-1"


def test_many_calls_are_counted_exactly_while_few_wait_uncounted(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="busy")["QueueUrl"]
    calls = 2 * simulation_module._HAND_OVER_EVERY + 5
    for n in range(calls):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))

    # The meter counts in batches, so no call waits uncounted for long (nor is kept alive until usage is read).
    assert len(sqs_mock.simulation._pending) < simulation_module._HAND_OVER_EVERY
    send = sqs_mock.usage.queue("busy").operations["SendMessage"]
    assert (send.requests, send.billable_requests, send.messages) == (calls, calls, calls)
