from __future__ import annotations

import boto3

from pytest_sqsmock import SqsMock


def handle_one(url: str) -> bool:  # code under test: deletes only the orders it could ship
    sqs = boto3.client("sqs", region_name="us-east-1")
    for m in sqs.receive_message(QueueUrl=url).get("Messages", []):
        if m["Body"] != "out of stock":
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            return True
    return False


def test_a_failed_order_comes_back(sqs_mock: SqsMock) -> None:  # no credentials fixture needed
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "out of stock")
    assert not handle_one(sqs_mock.queue("orders").url)
    assert len(sqs_mock.queue("orders").in_flight) == 1  # look without receiving
    sqs_mock.advance(31)  # was: time.sleep(31)
    assert sqs_mock.queue("orders").visible[0].receive_count == 1
