from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import boto3

from pytest_sqsmock import PriceTable, SqsMock


def produce(sqs: Any, url: str, bodies: list[str], *, batch: int) -> None:
    for start in range(0, len(bodies), batch):
        entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies[start : start + batch])]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def consume(sqs: Any, url: str, *, batch: int, wait: int) -> list[str]:
    """Handle messages until a receive comes back empty; delete each batch once handled."""
    handled: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=batch, WaitTimeSeconds=wait).get(
        "Messages", []
    ):
        handled += [message["Body"] for message in messages]
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    return handled


def test_batching_and_long_polling_cut_the_bill(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    one_by_one = sqs_mock.create_queue("one-by-one").url  # set-up helpers are not billed
    batched = sqs_mock.create_queue("batched").url
    orders = [f'{{"order": {n}}}' for n in range(100)]

    produce(sqs, one_by_one, orders, batch=1)
    assert consume(sqs, one_by_one, batch=1, wait=0) == orders
    produce(sqs, batched, orders, batch=10)
    assert sorted(consume(sqs, batched, batch=10, wait=20)) == sorted(orders)

    usage = sqs_mock.usage
    assert usage.queue("one-by-one").billable_requests == 100 + 101 + 100  # sends, receives, deletes
    assert usage.queue("batched").billable_requests == 10 + 11 + 10
    usage.assert_billable_per_message(at_most=0.35, queue="batched")
    usage.assert_no_empty_receives(queue="batched", without_wait_only=True)  # its last receive waited 20 s
    assert usage.queue("one-by-one").operation("ReceiveMessage").empty_receives_without_wait == 1


def poll_idle_queue(sqs_mock: SqsMock, sqs: Any, url: str, *, wait: int, seconds: int = 60) -> None:
    """A consumer's idle minute: short polls once a second, or long polls back to back."""
    end = sqs_mock.now + timedelta(seconds=seconds)
    while sqs_mock.now < end:
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait)  # a long poll moves virtual time 20 s
        if wait == 0:
            sqs_mock.advance(1)  # the consumer's one-second pause between short polls


def test_long_polling_makes_an_idle_consumer_cheap(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    poll_idle_queue(sqs_mock, sqs, sqs_mock.create_queue("short-polled").url, wait=0)
    poll_idle_queue(sqs_mock, sqs, sqs_mock.create_queue("long-polled").url, wait=20)

    short, long = sqs_mock.usage.queue("short-polled"), sqs_mock.usage.queue("long-polled")
    assert (short.empty_receives, long.empty_receives) == (60, 3)

    minutes_a_month = 30 * 24 * 60
    assert short.estimate(per_month=minutes_a_month).cost == Decimal("0.6368")  # 2,592,000 requests, 1M free
    assert long.estimate(per_month=minutes_a_month).cost == 0  # 129,600 requests: inside the free tier
    no_free_tier = PriceTable(free_requests_per_month=0)
    assert long.estimate(no_free_tier, per_month=minutes_a_month).cost == Decimal("0.05184")
