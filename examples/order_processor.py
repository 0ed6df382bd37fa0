"""An order-processing SQS consumer: the code under test in the examples.

Orders arrive as JSON on the ``orders`` queue. The worker long-polls, hands each
valid order to a fulfilment callback and deletes the message once that callback
returns. A message whose order is malformed, or whose fulfilment raises, is left
alone: SQS makes it receivable again after the queue's visibility timeout, and
after ``maxReceiveCount`` receives moves it to ``orders-dlq``.

Nothing here knows about pytest_sqsmock; the same module runs against real SQS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

ORDERS_QUEUE = "orders"
DEAD_LETTER_QUEUE = "orders-dlq"
VISIBILITY_TIMEOUT_S = 30
MAX_RECEIVE_COUNT = 3
WAIT_TIME_S = 20
SCHEMA = "order/v1"


class InvalidOrderError(ValueError):
    """The message body is not an order this worker understands."""


@dataclass(frozen=True)
class Order:
    """One order line taken from a message body."""

    order_id: str
    sku: str
    quantity: int

    @classmethod
    def from_json(cls, body: str) -> Order:
        """Parse and check a message body; raise ``InvalidOrderError`` if it is not one."""
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise InvalidOrderError(f"body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidOrderError("body is not a JSON object")
        order_id, sku, quantity = (
            data.get("order_id"),
            data.get("sku"),
            data.get("quantity"),
        )
        if not isinstance(order_id, str) or not isinstance(sku, str):
            raise InvalidOrderError("order_id and sku must be strings")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise InvalidOrderError(f"quantity must be a positive integer, got {quantity!r}")
        return cls(order_id=order_id, sku=sku, quantity=quantity)

    def to_json(self) -> str:
        """The message body for this order."""
        return json.dumps({"order_id": self.order_id, "sku": self.sku, "quantity": self.quantity})


@dataclass(frozen=True)
class QueueUrls:
    """The URLs ``create_queues`` returns."""

    orders: str
    dead_letter: str


def create_queues(
    sqs: SQSClient,
    *,
    name: str = ORDERS_QUEUE,
    visibility_timeout_s: int = VISIBILITY_TIMEOUT_S,
    max_receive_count: int = MAX_RECEIVE_COUNT,
) -> QueueUrls:
    """Create the orders queue and its dead-letter queue (idempotent, like CreateQueue)."""
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    reply = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    dlq_arn = reply["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_s),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return QueueUrls(orders=url, dead_letter=dlq_url)


def send_order(sqs: SQSClient, queue_url: str, order: Order) -> str:
    """Publish an order; return its message id."""
    response = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=order.to_json(),
        MessageAttributes={"schema": {"DataType": "String", "StringValue": SCHEMA}},
    )
    return response["MessageId"]


@dataclass
class BatchResult:
    """What one or more receives did."""

    received: int = 0
    #: order ids of the messages fulfilled and deleted
    processed: list[str] = field(default_factory=list)
    #: message ids of the messages left on the queue for a retry
    failed: list[str] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        """Fold another result into this one."""
        self.received += other.received
        self.processed += other.processed
        self.failed += other.failed


class OrderProcessor:
    """Receive orders from one queue and fulfil them.

    Args:
        sqs: a botocore SQS client.
        queue_url: the orders queue.
        fulfil: called once per valid order; raising leaves the message for a retry.
        wait_time_s: long-poll wait of each receive (0-20 s).
    """

    def __init__(
        self,
        sqs: SQSClient,
        queue_url: str,
        fulfil: Callable[[Order], None],
        *,
        wait_time_s: int = WAIT_TIME_S,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.fulfil = fulfil
        self.wait_time_s = wait_time_s

    def run_once(self) -> BatchResult:
        """Do one long-poll receive of up to 10 messages and handle each of them."""
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self.wait_time_s,
            MessageAttributeNames=["All"],
        )
        result = BatchResult()
        for message in response.get("Messages", []):
            result.received += 1
            try:
                order = Order.from_json(message["Body"])
                self.fulfil(order)
            except Exception:  # any failure means "retry later"
                result.failed.append(message["MessageId"])
                continue
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            result.processed.append(order.order_id)
        return result

    def drain(self, *, max_receives: int = 100) -> BatchResult:
        """Call ``run_once`` until a receive comes back empty, at most ``max_receives`` times."""
        total = BatchResult()
        for _ in range(max_receives):
            batch = self.run_once()
            total.add(batch)
            if batch.received == 0:
                break
        return total
