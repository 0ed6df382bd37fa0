from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock


def error_code(call: ClientError) -> str:
    return str(call.response["Error"]["Code"])


def test_the_account_comes_from_the_credentials(sqs_mock: SqsMock) -> None:
    partner = sqs_mock.client(account_id="111122223333")  # keys that stand for that account
    url = partner.create_queue(QueueName="inbox")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/111122223333/inbox"
    assert sqs_mock.queue("inbox", account_id="111122223333").visible == []


def test_the_account_in_a_queue_url_matters(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    elsewhere = url.replace("123456789012", "111122223333")  # moto answers from the only account
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=elsewhere, MessageBody="hi")
    assert error_code(raised.value) == "AWS.SimpleQueueService.NonExistentQueue"


def test_sixty_second_rules_run_on_the_virtual_clock(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(ClientError) as raised:
        sqs.purge_queue(QueueUrl=url)  # one purge per queue every 60 seconds
    assert error_code(raised.value) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName="jobs")  # moto lets you create it again at once
    assert error_code(raised.value) == "AWS.SimpleQueueService.QueueDeletedRecently"
    sqs_mock.advance(60)  # not time.sleep(60)
    sqs.create_queue(QueueName="jobs")


def test_the_region_comes_from_the_endpoint(sqs_mock: SqsMock) -> None:
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")
    ireland = boto3.client("sqs", region_name="eu-west-1")
    with pytest.raises(ClientError) as raised:
        ireland.get_queue_url(QueueName="jobs")
    assert error_code(raised.value) == "AWS.SimpleQueueService.NonExistentQueue"


def test_fifo_rules_and_md5s_are_checked_as_aws_checks_them(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="hi", MessageGroupId="g")  # no deduplication id
    assert error_code(raised.value) == "InvalidParameterValue"
    sent = sqs.send_message(QueueUrl=url, MessageBody="hi", MessageGroupId="g", MessageDeduplicationId="1")
    assert sent["MD5OfMessageBody"] == "49f68a5c8493ec2c0bf489821c21fc3b"  # botocore checks it too
