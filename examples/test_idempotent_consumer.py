"""Prove that a consumer survives SQS's at-least-once delivery: duplicates, lost deletes, throttling.

Standard queues may deliver a message more than once, and a delete can
succeed while a copy of the message comes back later. A consumer with side
effects must therefore be idempotent: here it remembers which payments it has
already charged (by the payment id in the body, not the MessageId, which a
producer's retry would change).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from pytest_sqsmock import Fault, SqsMock


class PaymentWorker:
    """Charges each payment of the ``payments`` queue; ``idempotent=False`` is the bug to catch."""

    def __init__(self, sqs: Any, queue_url: str, *, idempotent: bool = True) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.idempotent = idempotent
        self.charges: list[str] = []  # the side effect: one entry per charge made

    def poll_once(self) -> None:
        try:
            response = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        except ClientError:
            return  # throttled beyond botocore's retries: poll again later
        for message in response.get("Messages", []):
            payment_id = json.loads(message["Body"])["payment_id"]
            if not (self.idempotent and payment_id in self.charges):
                self.charges.append(payment_id)
            # A failed delete is harmless: the message comes back after its visibility timeout.
            with contextlib.suppress(ClientError):
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def misbehave(sqs_mock: SqsMock) -> list[Fault]:
    """Everything SQS may do to a consumer, seeded: the same faults in every run."""
    faults = sqs_mock.faults
    return [
        faults.duplicate_deliveries("payments", probability=0.3, seed=1),
        faults.lose_deletes("payments", times=2),
        faults.fail_randomly(["ReceiveMessage", "DeleteMessage"], code="RequestThrottled", probability=0.3, seed=2),
        faults.empty_receives("payments", times=2),
    ]


def run_payments(sqs_mock: SqsMock, *, idempotent: bool) -> tuple[PaymentWorker, list[Fault]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="payments", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    for n in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"payment_id": f"p-{n}", "cents": 500}))
    faults = misbehave(sqs_mock)
    worker = PaymentWorker(sqs, url, idempotent=idempotent)

    sqs_mock.run_until(lambda: len(sqs_mock.queue("payments")) == 0, step=worker.poll_once)
    return worker, faults


def test_each_payment_is_charged_once_despite_sqs_misbehaving(sqs_mock: SqsMock) -> None:
    worker, faults = run_payments(sqs_mock, idempotent=True)

    assert sorted(worker.charges) == sorted(f"p-{n}" for n in range(20))
    assert all(fault.fired for fault in faults), faults  # each kind of misbehaviour happened
    throttled = sqs_mock.calls.filter(failed=True)
    assert throttled
    assert all(call.error and call.error.injected for call in throttled)


def test_the_faults_catch_a_consumer_that_is_not_idempotent(sqs_mock: SqsMock) -> None:
    worker, _ = run_payments(sqs_mock, idempotent=False)

    assert set(worker.charges) == {f"p-{n}" for n in range(20)}
    assert len(worker.charges) > 20  # some payments were charged twice
