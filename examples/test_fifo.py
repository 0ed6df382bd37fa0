from __future__ import annotations

import boto3

from pytest_sqsmock import SqsMock


def test_fifo_groups_order_and_deduplication(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(
        QueueName="payments.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    for body, group in [
        ("a1", "alice"),
        ("b1", "bob"),
        ("a2", "alice"),
        ("a1", "alice"),
    ]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)

    queue = sqs_mock.queue("payments.fifo")
    assert [(m.body, m.group_id) for m in queue.messages] == [
        ("a1", "alice"),  # the second "a1" was a duplicate within 5 minutes
        ("b1", "bob"),
        ("a2", "alice"),
    ]
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in first] == ["a1", "a2", "b1"]  # grouped, in order
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # groups are in flight
