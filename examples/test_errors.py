from __future__ import annotations

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.exceptions import UnknownQueueError


def test_sqs_errors_reach_the_client_as_aws_sends_them(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    code = excinfo.value.response["Error"]["Code"]
    assert code == "AWS.SimpleQueueService.NonExistentQueue"  # the legacy code

    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    with pytest.raises(sqs.exceptions.ClientError, match="Must be >= 0 and <= 20"):
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21)

    failed = [(c.operation, c.error.code) for c in sqs_mock.calls if c.error]
    assert failed == [
        ("GetQueueUrl", "AWS.SimpleQueueService.NonExistentQueue"),
        ("ReceiveMessage", "InvalidParameterValue"),
    ]


def test_unknown_queue_names_the_queues_that_exist(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.create_queue("orders-dlq")
    with pytest.raises(UnknownQueueError, match="ordres") as excinfo:
        sqs_mock.queue("ordres")
    assert "orders-dlq" in str(excinfo.value)
    assert isinstance(excinfo.value, LookupError)
