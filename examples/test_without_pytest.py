from __future__ import annotations

import unittest

import boto3

from pytest_sqsmock import mock_sqs


def queue_depth(name: str) -> int:  # code under test: any botocore client is served
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"])


def test_context_manager() -> None:
    with mock_sqs(region="us-east-1", account_id="123456789012") as mock:
        mock.create_queue("jobs")
        mock.send("jobs", "hello")
        assert queue_depth("jobs") == 1
        assert [m.body for m in mock.queue("jobs").visible] == ["hello"]


@mock_sqs
def test_decorated_function() -> None:
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")
    assert queue_depth("jobs") == 0


@mock_sqs  # one fresh mock per test, shared by setUp, the test and tearDown
class QueueDepthTest(unittest.TestCase):
    def test_one(self) -> None:
        sqs = boto3.client("sqs", region_name="us-east-1")
        assert "QueueUrls" not in sqs.list_queues()
        sqs.create_queue(QueueName="jobs")

    def test_two(self) -> None:
        sqs = boto3.client("sqs", region_name="us-east-1")
        assert "QueueUrls" not in sqs.list_queues()
        sqs.create_queue(QueueName="jobs")
