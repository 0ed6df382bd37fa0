"""A handler built on AWS Lambda Powertools' batch utility, fed by the simulated trigger.

Needs ``aws-lambda-powertools`` (the ``lambda`` test extra); skipped without it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sqsmock import SqsMock

batch = pytest.importorskip("aws_lambda_powertools.utilities.batch", reason="aws-lambda-powertools is not installed")


def test_batch_processor_reports_partial_failures(sqs_mock: SqsMock) -> None:
    processor = batch.BatchProcessor(event_type=batch.EventType.SQS)
    charged: list[str] = []

    def charge(record: Any) -> None:  # a Powertools SQSRecord
        payment = json.loads(record.body)
        if payment["amount"] <= 0:
            raise ValueError(f"invalid amount {payment['amount']}")
        charged.append(payment["id"])

    def handler(event: dict[str, Any], context: Any) -> Any:
        return batch.process_partial_response(event=event, record_handler=charge, processor=processor, context=context)

    sqs_mock.create_queue("payments-dlq")
    sqs_mock.create_queue("payments", dead_letter_queue="payments-dlq", max_receive_count=2)
    for n, amount in enumerate([10, 0, 25]):
        sqs_mock.send("payments", json.dumps({"id": f"p{n}", "amount": amount}))
    trigger = sqs_mock.lambda_trigger("payments", handler, report_batch_item_failures=True)

    first = trigger.poll().invocations[0]
    assert first.outcome == "partial"
    assert first.result == {"batchItemFailures": [{"itemIdentifier": first.message_ids[1]}]}

    trigger.drain()

    assert charged == ["p0", "p2"]
    # Powertools raises when every record fails: the retry fails as a whole, as Lambda sees it.
    assert type(trigger.invocations[-1].error).__name__ == "BatchProcessingError"
    assert [m.json()["id"] for m in sqs_mock.queue("payments-dlq").visible] == ["p1"]


def test_fifo_processor_stops_at_the_first_failure(sqs_mock: SqsMock) -> None:
    processor = batch.SqsFifoPartialProcessor()
    attempts: list[str] = []
    broken = {"step-2"}

    def apply(record: Any) -> None:
        attempts.append(record.body)
        if record.body in broken:
            broken.discard(record.body)  # fails once, then works
            raise RuntimeError("transient")

    def handler(event: dict[str, Any], context: Any) -> Any:
        return batch.process_partial_response(event=event, record_handler=apply, processor=processor, context=context)

    sqs_mock.create_queue("steps.fifo", attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for step in ["step-1", "step-2", "step-3"]:
        sqs_mock.send("steps.fifo", step, group_id="workflow-1")
    trigger = sqs_mock.lambda_trigger("steps.fifo", handler, report_batch_item_failures=True)

    result = trigger.drain()

    assert result.drained
    assert attempts == ["step-1", "step-2", "step-2", "step-3"]  # step-3 waited for step-2
    assert [i.outcome for i in trigger.invocations] == ["partial", "success"]
