from __future__ import annotations

from datetime import timedelta

import boto3

from pytest_sqsmock import SqsMock


def test_queue_views(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=30)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)

    jobs = sqs_mock.queue("jobs")  # by name or URL; a snapshot
    assert (len(jobs.visible), len(jobs.in_flight), len(jobs.delayed)) == (2, 1, 1)
    assert len(jobs) == 4  # every message the queue holds
    assert [m.state for m in jobs.messages].count("in_flight") == 1
    assert jobs.attributes["ApproximateNumberOfMessages"] == "2"
    [held] = jobs.in_flight
    assert held.receive_count == 1
    assert held.system_attributes["ApproximateReceiveCount"] == "1"
    assert held.visible_at - sqs_mock.now == timedelta(seconds=30)  # VisibilityTimeout
    assert [q.name for q in sqs_mock.queues()] == ["jobs"]

    sqs_mock.advance(30)
    assert len(jobs.in_flight) == 1  # the old snapshot does not change...
    assert len(sqs_mock.queue("jobs").visible) == 4  # ...a new one shows the present
