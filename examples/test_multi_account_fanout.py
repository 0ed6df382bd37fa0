"""A producer in one account fans events out to queues owned by partner accounts."""

from __future__ import annotations

import json
from typing import Any

from pytest_sqsmock import SqsMock

PARTNERS = {"111111111111": "eu-west-1", "222222222222": "us-east-1"}


def publish(sqs_by_region: dict[str, Any], queue_urls: list[str], event: dict[str, Any]) -> None:
    """Code under test: send one event to every partner's inbox (each in its own region)."""
    for url in queue_urls:
        region = url.split(".")[1]  # https://sqs.<region>.amazonaws.com/<account>/<name>
        sqs_by_region[region].send_message(QueueUrl=url, MessageBody=json.dumps(event))


def test_fan_out_to_partner_accounts(sqs_mock: SqsMock) -> None:
    urls = []
    for account, region in PARTNERS.items():
        partner = sqs_mock.client(region=region, account_id=account)
        url = partner.create_queue(QueueName="inbox")["QueueUrl"]
        partner.add_permission(QueueUrl=url, Label="producer", AWSAccountIds=["123456789012"], Actions=["SendMessage"])
        urls.append(url)

    producer = {region: sqs_mock.client(region=region) for region in set(PARTNERS.values())}
    publish(producer, urls, {"event": "price-changed", "sku": "widget"})

    senders = set()
    for account, region in PARTNERS.items():
        [message] = sqs_mock.queue("inbox", region=region, account_id=account).visible
        assert message.json() == {"event": "price-changed", "sku": "widget"}
        senders.add(message.system_attributes["SenderId"])
    assert len(senders) == 1  # one producer principal in both partners' queues
    assert {(call.account_id, call.region) for call in sqs_mock.calls.filter("SendMessage")} == {
        ("123456789012", "eu-west-1"),
        ("123456789012", "us-east-1"),
    }
