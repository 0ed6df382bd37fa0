from __future__ import annotations

import boto3

from pytest_sqsmock import SqsMock


def test_a_quiet_tenant_is_not_stuck_behind_a_noisy_one(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    for number in range(100):
        sqs.send_message(QueueUrl=url, MessageBody=f"big-{number}", MessageGroupId="big-customer")
    for _ in range(3):  # consumers hold 30 of big-customer's messages
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.send_message(QueueUrl=url, MessageBody="small-0", MessageGroupId="small-customer")

    tenants = sqs_mock.queue("jobs").tenants
    assert (tenants["big-customer"].in_flight, tenants["big-customer"].noisy) == (30, True)
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "small-0"  # ahead of big-customer's 70 waiting messages
