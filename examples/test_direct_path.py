"""README "The direct path": the same calls, answered at botocore's before-call event."""

from __future__ import annotations

import boto3
import pytest

from pytest_sqsmock import SqsMock


@pytest.mark.sqs_mock(direct=True)
def test_a_hot_loop_on_the_direct_path(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]  # a client's first call installs the direct path
    for number in range(100):
        sqs.send_message(QueueUrl=url, MessageBody=f"job {number}")
    assert len(sqs_mock.queue("jobs")) == 100
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):  # the same modeled exceptions
        sqs.get_queue_url(QueueName="missing")
