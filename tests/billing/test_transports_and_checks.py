"""Usage from every transport and from worker threads; the estimate; the checks and the failure report."""

from __future__ import annotations

import threading
from decimal import Decimal

import boto3
import pytest
import requests
import responses

from pytest_sqsmock import PriceTable, SqsMock, SqsMockAssertionError


def test_the_server_and_the_responses_adapter_are_billed_too(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("shared")
    server = sqs_mock.server()
    remote = boto3.session.Session().client(
        "sqs", endpoint_url=server.endpoint_url, region_name="us-east-1", **sqs_mock.credentials()
    )
    remote.send_message(QueueUrl=remote.get_queue_url(QueueName="shared")["QueueUrl"], MessageBody="via server")
    with responses.RequestsMock() as requests_mock:
        sqs_mock.route_responses(requests_mock)
        form = {"Action": "SendMessage", "Version": "2012-11-05", "MessageBody": "via responses"}
        url = sqs_mock.queue("shared").url
        requests.post(url, data=form, timeout=5).raise_for_status()

    sends = sqs_mock.usage.queue("shared").operation("SendMessage")
    assert (sends.requests, sends.bytes_in) == (2, len("via server") + len("via responses"))


def test_a_worker_thread_long_polling_makes_no_empty_receive_without_wait(sqs_mock: SqsMock) -> None:
    url = sqs_mock.create_queue("tasks").url
    sqs = boto3.client("sqs", region_name="us-east-1")
    handled: list[str] = []

    def work() -> None:
        while len(handled) < 3:
            reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
            for message in reply.get("Messages", []):
                handled.append(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    sqs_mock.wait_until_parked()
    sqs_mock.advance(20)  # the first long poll waits 20 s and comes back empty
    sqs_mock.wait_until_parked()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": f"task {n}"} for n in range(3)])
    worker.join(5)
    assert not worker.is_alive()

    usage = sqs_mock.usage
    receives = usage.operation("ReceiveMessage")
    assert (receives.requests, receives.empty_receives, receives.empty_receives_without_wait) == (2, 1, 0)
    usage.assert_no_empty_receives(without_wait_only=True)
    usage.assert_billable_per_message(at_most=2)  # 1 send, 2 receives and 3 deletes for 3 messages
    with pytest.raises(SqsMockAssertionError, match=r"expected no empty receives on queue 'tasks', found 1 of 2"):
        usage.assert_no_empty_receives(queue="tasks")


def test_billable_requests_per_message_fail_with_the_usage(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs_mock.create_queue("orders").url
    sqs.send_message(QueueUrl=url, MessageBody="one")
    with pytest.raises(SqsMockAssertionError, match=r"got no message was processed \(deleted\)"):
        sqs_mock.usage.assert_billable_per_message(at_most=3)

    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    sqs.receive_message(QueueUrl=url)
    with pytest.raises(SqsMockAssertionError) as failure:
        sqs_mock.usage.assert_billable_per_message(at_most=3, queue="orders")
    message = str(failure.value)
    assert message.startswith(
        "expected at most 3 billable requests per message processed on queue 'orders', got 4.00: "
        "4 billable requests for 1 messages deleted\nsqs_mock usage: 4 billable requests (4 calls)"
    )
    assert "    ReceiveMessage: requests 2, billable 2, messages 1, empty 1 (1 without wait), out 3 B" in message
    with pytest.raises(SqsMockAssertionError, match="expected no empty receives without wait"):
        sqs_mock.usage.assert_no_empty_receives(without_wait_only=True)


def test_fifo_send_receive_and_delete_are_billed_at_the_fifo_price(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(
        QueueName="orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)

    queue = sqs_mock.usage.queue("orders.fifo")
    assert queue.fifo
    bill = sqs_mock.usage.estimate(PriceTable(free_requests_per_month=0), per_month=1_000_000)
    assert (bill.standard_requests, bill.fifo_requests, bill.free_requests) == (1_000_000, 3_000_000, 0)
    assert bill.cost == Decimal("0.40") + 3 * Decimal("0.50")
    free = queue.estimate(per_month=1_000_000)  # the free tier goes to the cheaper standard requests first
    assert (free.free_requests, free.cost) == (1_000_000, 3 * Decimal("0.50"))
    assert str(free).startswith("1.50 USD a month for 1,000,000 standard and 3,000,000 FIFO billable requests")


def test_a_price_table_refuses_negative_prices_and_the_estimate_a_month_without_traffic(sqs_mock: SqsMock) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        PriceTable(standard_per_million=Decimal("-1"))
    with pytest.raises(ValueError, match="at least 1"):
        sqs_mock.usage.estimate(per_month=0)
    assert "aws.amazon.com/sqs/pricing" in PriceTable().source


def test_a_failed_test_reports_the_usage_after_the_queues(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fails(sqs_mock):
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="orders")["QueueUrl"]
            sqs.receive_message(QueueUrl=url)
            assert False
        """
    )
    result = pytester.runpytest("-p", "no:asyncio")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "sqs_mock: queue 'orders' (123456789012/us-east-1): visible: 0, delayed: 0, in_flight: 0",
            "sqs_mock usage: 2 billable requests (2 calls), 1 empty receives, 0 messages processed, *",
            "  queue 'orders' (123456789012/us-east-1, standard):",
            "    ReceiveMessage: requests 1, billable 1, messages 0, empty 1 (1 without wait)",
        ]
    )
