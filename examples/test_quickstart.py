from __future__ import annotations

import boto3

from pytest_sqsmock import SqsMock


def work(url: str) -> None:  # the worker: deletes only the messages it can handle
    sqs = boto3.client("sqs", region_name="us-east-1")
    for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", []):
        if m["Body"] != "bad order":
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_bad_order_is_retried_then_dead_lettered(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders-dlq")
    sqs_mock.create_queue("orders", dead_letter_queue="orders-dlq", max_receive_count=2)
    url = sqs_mock.queue("orders").url
    sqs_mock.send("orders", "bad order")
    work(url)
    assert len(sqs_mock.queue("orders").in_flight) == 1
    sqs_mock.advance(31)  # past the 30 s visibility timeout, without sleeping
    assert sqs_mock.queue("orders").visible[0].receive_count == 1
    work(url)  # 2nd receive: fails again
    sqs_mock.advance(31)
    work(url)  # 3rd receive: SQS moves the message to the dead-letter queue
    assert [m.body for m in sqs_mock.queue("orders-dlq").visible] == ["bad order"]
