from __future__ import annotations

import unittest

import boto3

from pytest_sqsmock import SqsMock, mock_sqs


def handle_one(url: str) -> bool:  # code under test: deletes only the orders it could ship
    sqs = boto3.client("sqs", region_name="us-east-1")
    for m in sqs.receive_message(QueueUrl=url).get("Messages", []):
        if m["Body"] != "out of stock":
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            return True
    return False


@mock_sqs  # one fresh mock per test, from setUp to tearDown, as moto's decorator does
class ShippingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]

    def test_a_failed_order_comes_back(self) -> None:
        self.sqs.send_message(QueueUrl=self.url, MessageBody="out of stock")
        assert not handle_one(self.url)
        SqsMock.current().advance(31)  # was: time.sleep(31)
        [back] = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        assert back["Body"] == "out of stock"

    def test_a_shipped_order_is_deleted(self) -> None:  # starts with an empty "orders" again
        self.sqs.send_message(QueueUrl=self.url, MessageBody="2 socks")
        assert handle_one(self.url)
        SqsMock.current().assert_empty("orders")

    def tearDown(self) -> None:
        self.sqs.delete_queue(QueueUrl=self.url)  # served by the same mock as setUp


@mock_sqs
def test_a_decorated_function_reaches_its_mock() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="out of stock")
    assert not handle_one(url)
    SqsMock.current().advance(31)
    assert SqsMock.current().queue("orders").visible[0].receive_count == 1


class SharedQueueTest(unittest.TestCase):  # moto's other habit: one mock for the whole class
    mock: SqsMock

    @classmethod
    def setUpClass(cls) -> None:
        cls.mock = mock_sqs().start()  # state lives until tearDownClass, shared by every test
        cls.mock.create_queue("orders")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.mock.stop()

    def test_the_queue_is_there(self) -> None:
        assert self.mock.queue("orders").url.endswith("/123456789012/orders")
