from __future__ import annotations

import boto3
import pytest

from pytest_sqsmock import SqsMock


def test_zero_config(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")  # any client the test creates
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    assert sqs_mock.queue("jobs").url == url


@pytest.mark.sqs_mock(region="eu-west-1", account_id="111122223333")
def test_marker_changes_the_defaults(sqs_mock: SqsMock) -> None:
    url = sqs_mock.client().create_queue(QueueName="jobs")["QueueUrl"]
    assert url == "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"
    assert sqs_mock.queue("jobs").arn == "arn:aws:sqs:eu-west-1:111122223333:jobs"


@pytest.mark.sqs_mock(region="ap-southeast-2")
class TestSydney:
    def test_every_method_gets_the_class_marker(self, sqs_mock: SqsMock) -> None:
        assert sqs_mock.create_queue("jobs").region == "ap-southeast-2"
