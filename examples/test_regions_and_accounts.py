from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock


def test_same_name_in_two_regions(sqs_mock: SqsMock) -> None:
    east = boto3.client("sqs", region_name="us-east-1")
    west = boto3.client("sqs", region_name="eu-west-1")
    east.create_queue(QueueName="jobs")
    west_url = west.create_queue(QueueName="jobs")["QueueUrl"]
    west.send_message(QueueUrl=west_url, MessageBody="hi")

    assert len(sqs_mock.queue("jobs")) == 0  # the mock's default region: us-east-1
    assert len(sqs_mock.queue("jobs", region="eu-west-1")) == 1
    assert sorted(q.region for q in sqs_mock.queues()) == ["eu-west-1", "us-east-1"]
    assert [q.url for q in sqs_mock.queues(region="eu-west-1")] == [west_url]


def test_clients_bound_to_accounts(sqs_mock: SqsMock) -> None:
    partner = sqs_mock.client(account_id="111122223333")
    url = partner.create_queue(QueueName="jobs")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/111122223333/jobs"

    # Your own clients: the access key id decides the account.
    keys = sqs_mock.credentials("111122223333")
    own = boto3.client(
        "sqs",
        region_name="us-east-1",
        aws_access_key_id=keys["aws_access_key_id"],
        aws_secret_access_key=keys["aws_secret_access_key"],
    )
    assert own.list_queues()["QueueUrls"] == [url]

    assert sqs_mock.queue("jobs", account_id="111122223333").url == url
    with pytest.raises(LookupError, match="jobs"):
        sqs_mock.queue("jobs")  # not in the default account 123456789012


def test_cross_account_access_needs_permission(sqs_mock: SqsMock) -> None:
    partner = sqs_mock.client(account_id="111122223333")
    url = partner.create_queue(QueueName="inbox")["QueueUrl"]
    me = sqs_mock.client()  # the default account, 123456789012

    with pytest.raises(ClientError) as denied:
        me.send_message(QueueUrl=url, MessageBody="hi")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"

    partner.add_permission(
        QueueUrl=url,
        Label="from-me",
        AWSAccountIds=["123456789012"],
        Actions=["SendMessage"],
    )
    me.send_message(QueueUrl=url, MessageBody="hi")
    assert [m.body for m in sqs_mock.queue(url).visible] == ["hi"]
