"""An SQS-triggered Lambda handler with partial batch responses, tested in virtual time."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

from pytest_sqsmock import SqsMock


def reserve_stock(stock: dict[str, int]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler that reserves stock for each order and reports those it could not reserve."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            order = json.loads(record["body"])
            if stock.get(order["sku"], 0) < order["quantity"]:
                failures.append({"itemIdentifier": record["messageId"]})
                continue
            stock[order["sku"]] -= order["quantity"]
        return {"batchItemFailures": failures}

    return handler


def test_only_failed_orders_are_retried_then_dead_lettered(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders-dlq")
    sqs_mock.create_queue("orders", dead_letter_queue="orders-dlq", max_receive_count=3)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    for sku in ["widget", "gadget", "widget"]:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"sku": sku, "quantity": 2}))
    stock = {"widget": 5, "gadget": 0}
    trigger = sqs_mock.lambda_trigger("orders", reserve_stock(stock), report_batch_item_failures=True)

    first = trigger.poll()  # one invocation, at the current virtual time
    assert [json.loads(body)["sku"] for body in first.invocations[0].bodies] == ["widget", "gadget", "widget"]
    assert len(first.deleted) == 2
    assert len(first.failed) == 1

    trigger.drain()  # retries every 30 s (the visibility timeout) until the queue is empty

    assert len(trigger.invocations) == 3  # the gadget order was received 3 times
    assert stock == {"widget": 1, "gadget": 0}
    sqs_mock.assert_empty("orders")
    sqs_mock.assert_dead_lettered("orders", json_subset={"sku": "gadget"}, receives=3)
