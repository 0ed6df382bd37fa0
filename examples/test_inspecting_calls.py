from __future__ import annotations

from datetime import timedelta

import boto3

from pytest_sqsmock import SqsMock


def test_call_journal(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    sqs_mock.advance(10)
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    create, send, receive = sqs_mock.calls
    assert create.operation == "CreateQueue"
    assert send.operation == "SendMessage"
    assert send.params == {"QueueUrl": url, "MessageBody": "hello"}
    assert send.error is None
    assert send.result is not None
    assert receive.result is not None
    assert receive.result["Messages"][0]["MessageId"] == send.result["MessageId"]
    assert receive.time - send.time == timedelta(seconds=10)
    assert (receive.account_id, receive.region) == ("123456789012", "us-east-1")
