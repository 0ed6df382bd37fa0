from __future__ import annotations

import json

import boto3

from pytest_sqsmock import SqsMock


def test_dead_letters_are_redriven_back_to_their_source(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    dlq_url = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}
    url = sqs.create_queue(QueueName="orders", Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"order {n}")

    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # a consumer that crashed
    sqs_mock.advance(30)  # visibility timeout over
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # second receive: moved instead
    assert len(sqs_mock.queue("orders-dlq")) == 3
    moved = sqs_mock.queue("orders-dlq").messages[0]
    assert moved.system_attributes["DeadLetterQueueSourceArn"].endswith(":orders")

    # The bug is fixed: move them back, 1 message per second of virtual time.
    sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)
    sqs_mock.advance(2)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("RUNNING", 2)

    sqs_mock.advance(1)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["Status"] == "COMPLETED"
    assert sorted(m.body for m in sqs_mock.queue("orders").visible) == ["order 0", "order 1", "order 2"]
    assert len(sqs_mock.queue("orders-dlq")) == 0
