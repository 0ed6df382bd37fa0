"""Tests of the order worker in ``order_processor.py``, driven on the virtual clock."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import boto3
import pytest
from order_processor import (
    DEAD_LETTER_QUEUE,
    MAX_RECEIVE_COUNT,
    ORDERS_QUEUE,
    VISIBILITY_TIMEOUT_S,
    WAIT_TIME_S,
    Order,
    OrderProcessor,
    QueueUrls,
    create_queues,
    send_order,
)

from pytest_sqsmock import SqsMock

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

WIDGET = Order(order_id="o-1", sku="widget", quantity=2)


class Fulfilment:
    """A fulfilment callback: fails its first ``failures`` calls, then records orders."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.fulfilled: list[Order] = []

    def __call__(self, order: Order) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise RuntimeError("warehouse unavailable")
        self.fulfilled.append(order)


@pytest.fixture
def sqs(sqs_mock: SqsMock) -> SQSClient:
    return boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def urls(sqs: SQSClient) -> QueueUrls:
    return create_queues(sqs)


def test_create_queues_wires_the_redrive_policy(sqs_mock: SqsMock, urls: QueueUrls) -> None:
    orders = sqs_mock.queue(ORDERS_QUEUE)
    dlq = sqs_mock.queue(urls.dead_letter)  # a view by URL works as well as by name

    assert orders.url == urls.orders
    assert orders.attributes["VisibilityTimeout"] == str(VISIBILITY_TIMEOUT_S)
    assert json.loads(orders.attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq.arn,
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    assert orders.dead_letter_queue is not None
    assert orders.dead_letter_queue.name == DEAD_LETTER_QUEUE
    assert dlq.dead_letter_queue is None


def test_sent_order_is_a_json_message_with_a_schema_attribute(
    sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls
) -> None:
    message_id = send_order(sqs, urls.orders, WIDGET)

    [message] = sqs_mock.queue(ORDERS_QUEUE).visible
    assert message.message_id == message_id
    assert message.state == "visible"
    assert message.json() == {"order_id": "o-1", "sku": "widget", "quantity": 2}
    assert message.message_attributes == {"schema": {"DataType": "String", "StringValue": "order/v1"}}
    assert message.receive_count == 0


def test_valid_order_is_fulfilled_and_deleted(sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls) -> None:
    fulfil = Fulfilment()
    send_order(sqs, urls.orders, WIDGET)

    result = OrderProcessor(sqs, urls.orders, fulfil).run_once()

    assert (result.received, result.processed, result.failed) == (1, ["o-1"], [])
    assert fulfil.fulfilled == [WIDGET]
    assert len(sqs_mock.queue(ORDERS_QUEUE)) == 0


def test_failed_order_comes_back_after_the_visibility_timeout(
    sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls
) -> None:
    fulfil = Fulfilment(failures=1)
    worker = OrderProcessor(sqs, urls.orders, fulfil)
    message_id = send_order(sqs, urls.orders, WIDGET)

    assert worker.run_once().failed == [message_id]
    orders = sqs_mock.queue(ORDERS_QUEUE)
    assert [m.message_id for m in orders.in_flight] == [message_id]
    assert orders.visible == []

    sqs_mock.advance(VISIBILITY_TIMEOUT_S - 1)
    assert sqs_mock.queue(ORDERS_QUEUE).visible == []  # views are snapshots: ask again

    sqs_mock.advance(timedelta(seconds=2))
    [back] = sqs_mock.queue(ORDERS_QUEUE).visible
    assert (back.message_id, back.receive_count) == (message_id, 1)

    assert worker.run_once().processed == ["o-1"]
    assert fulfil.attempts == 2
    assert len(sqs_mock.queue(ORDERS_QUEUE)) == 0
    assert len(sqs_mock.queue(DEAD_LETTER_QUEUE)) == 0


def test_poison_message_ends_in_the_dead_letter_queue(sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls) -> None:
    fulfil = Fulfilment()
    worker = OrderProcessor(sqs, urls.orders, fulfil)
    sqs.send_message(QueueUrl=urls.orders, MessageBody="{not json")

    for _ in range(MAX_RECEIVE_COUNT):
        assert len(worker.run_once().failed) == 1
        sqs_mock.advance(VISIBILITY_TIMEOUT_S + 1)
    # SQS moves the message on the receive after the maxReceiveCount-th one.
    assert worker.run_once().received == 0

    orders = sqs_mock.queue(ORDERS_QUEUE)
    assert len(orders) == 0
    assert orders.dead_letter_queue is not None
    [dead] = orders.dead_letter_queue.visible
    assert dead.body == "{not json"
    assert dead.receive_count == MAX_RECEIVE_COUNT
    assert fulfil.attempts == 0


def test_drain_retries_on_the_virtual_clock(sqs_mock: SqsMock, sqs: SQSClient) -> None:
    urls = create_queues(sqs, name="fast-orders", visibility_timeout_s=5)
    fulfil = Fulfilment(failures=2)
    send_order(sqs, urls.orders, WIDGET)
    start, wall_start = sqs_mock.now, time.monotonic()

    result = OrderProcessor(sqs, urls.orders, fulfil).drain()

    # Each long poll waits (virtually) for the failed message to become visible again.
    assert (len(result.failed), result.processed) == (2, ["o-1"])
    assert sqs_mock.now - start >= timedelta(seconds=2 * 5)
    assert time.monotonic() - wall_start < 5
    assert len(sqs_mock.queue("fast-orders")) == 0
    assert len(sqs_mock.queue("fast-orders-dlq")) == 0


def test_empty_long_poll_costs_virtual_time_only(sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls) -> None:
    start, wall_start = sqs_mock.now, time.monotonic()

    result = OrderProcessor(sqs, urls.orders, Fulfilment()).run_once()

    assert result.received == 0
    assert sqs_mock.now - start == timedelta(seconds=WAIT_TIME_S)
    assert time.monotonic() - wall_start < 5


def test_long_poll_wakes_when_a_delayed_order_becomes_visible(
    sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls
) -> None:
    sqs.send_message(QueueUrl=urls.orders, MessageBody=WIDGET.to_json(), DelaySeconds=5)
    [delayed] = sqs_mock.queue(ORDERS_QUEUE).delayed
    assert delayed.state == "delayed"
    assert delayed.visible_at == delayed.sent_at + timedelta(seconds=5)
    start = sqs_mock.now

    assert OrderProcessor(sqs, urls.orders, Fulfilment()).run_once().processed == ["o-1"]
    assert sqs_mock.now - start == timedelta(seconds=5)


def test_call_journal_shows_what_the_worker_did(sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls) -> None:
    setup_calls = len(sqs_mock.calls)
    send_order(sqs, urls.orders, WIDGET)

    OrderProcessor(sqs, urls.orders, Fulfilment()).run_once()

    calls = list(sqs_mock.calls)[setup_calls:]
    assert [c.operation for c in calls] == [
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
    ]
    receive = calls[1]
    assert receive.params["QueueUrl"] == urls.orders
    assert receive.params["WaitTimeSeconds"] == WAIT_TIME_S
    assert receive.error is None
    assert receive.result is not None
    assert [m["Body"] for m in receive.result["Messages"]] == [WIDGET.to_json()]
    assert all((c.account_id, c.region) == ("123456789012", "us-east-1") for c in calls)


def test_run_until_drives_the_worker_without_manual_advances(
    sqs_mock: SqsMock, sqs: SQSClient, urls: QueueUrls
) -> None:
    worker = OrderProcessor(sqs, urls.orders, Fulfilment())
    sqs.send_message(QueueUrl=urls.orders, MessageBody='{"order_id": "o-2"}')
    send_order(sqs, urls.orders, WIDGET)

    # Each step is one long-poll receive; virtual time moves as the worker waits.
    sqs_mock.run_until(
        lambda: len(sqs_mock.queue(DEAD_LETTER_QUEUE)) == 1,
        step=worker.run_once,
        max_steps=20,
    )

    dead = sqs_mock.assert_dead_lettered(ORDERS_QUEUE, json_subset={"order_id": "o-2"})
    assert dead.receive_count == MAX_RECEIVE_COUNT
    sqs_mock.assert_empty(ORDERS_QUEUE)  # the valid order was fulfilled and deleted
