"""The SQS event, context and partial batch responses of an SQS-triggered Lambda function.

Shapes and rules from the AWS Lambda Developer Guide: "Using Lambda with Amazon
SQS" (with-sqs), "Lambda parameters for Amazon SQS event source mappings"
(services-sqs-parameters) and "Handling errors for an SQS event source"
(services-sqs-errorhandling).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_sqsmock.views import QueueView

# Lambda's synchronous invocation payload limit (6 MB), which also bounds a batch.
MAX_PAYLOAD_BYTES = 6_291_456


class FunctionTimeoutError(Exception):
    """The handler moved virtual time past the function timeout (Lambda: "Task timed out")."""


@dataclass
class LambdaContext:
    """The ``context`` the Lambda Python runtime passes (what handlers and Powertools read).

    ``get_remaining_time_in_millis()`` counts down on the mock's clock.
    """

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline_ms: int
    clock: Callable[[], int] = field(repr=False)
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "128"
    log_group_name: str = ""
    log_stream_name: str = "2000/01/01/[$LATEST]00000000000000000000000000000000"
    identity: Any = None
    client_context: Any = None

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds of virtual time left before the function times out."""
        return max(0, self.deadline_ms - self.clock())


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the Lambda event, from a ReceiveMessage result message (``All`` attributes)."""
    attributes = message.get("MessageAttributes") or {}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {name: _event_attribute(value) for name, value in attributes.items()},
        # Lambda sends null when the message has no attributes.
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def reported_failures(result: Any, ids: list[str]) -> tuple[set[str], str | None]:
    """The failed ids a partial batch response names; every id when the response is invalid.

    Success: ``None``, an object without (or with a null or empty)
    ``batchItemFailures``. Complete failure: anything else that does not name
    records of this batch by ``itemIdentifier`` (services-sqs-errorhandling).
    """
    if result is None:
        return set(), None
    if not isinstance(result, Mapping):
        return set(ids), f"the response is not a partial batch response object: {result!r}"
    failures = result.get("batchItemFailures")
    if not failures:
        return set(), None
    if not isinstance(failures, list):
        return set(ids), f"batchItemFailures is not a list: {failures!r}"
    failed: set[str] = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if not isinstance(identifier, str) or identifier not in ids:
            return set(ids), f"invalid batch item failure {item!r}: itemIdentifier must be a messageId of the batch"
        failed.add(identifier)
    return failed, f"the function reported {len(failed)} of {len(ids)} records as failed"


def _event_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """A message attribute as the Lambda event spells it (camelCase, binary as base64)."""
    entry: dict[str, Any] = {}
    if "StringValue" in value:
        entry["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        raw = value["BinaryValue"]
        entry["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    entry.update(stringListValues=[], binaryListValues=[], dataType=value["DataType"])
    return entry


def record_size(record: Mapping[str, Any]) -> int:
    """Bytes a record adds to the invocation payload (compact JSON)."""
    return len(json.dumps(record, separators=(",", ":")).encode())


def validate_mapping(view: QueueView, batch_size: int, window: int, concurrency: int | None, timeout: float) -> None:
    """Lambda's CreateEventSourceMapping rules for an SQS source (services-sqs-parameters)."""
    if type(window) is not int or not 0 <= window <= 300:
        raise ValueError(f"maximum_batching_window must be whole seconds from 0 to 300, got {window!r}")
    if view.fifo:
        if not 1 <= batch_size <= 10:
            raise ValueError(f"batch_size must be from 1 to 10 for a FIFO queue, got {batch_size}")
        if window:
            raise ValueError("a batching window is not supported for FIFO queues (maximum_batching_window=0)")
    elif not 1 <= batch_size <= 10_000:
        raise ValueError(f"batch_size must be from 1 to 10000, got {batch_size}")
    elif batch_size > 10 and window < 1:
        raise ValueError(f"batch_size {batch_size} (above 10) needs maximum_batching_window of at least 1 second")
    if concurrency is not None and not 2 <= concurrency <= 1000:
        raise ValueError(f"maximum_concurrency must be from 2 to 1000, got {concurrency}")
    if not 0 < timeout <= 900:
        raise ValueError(f"timeout must be above 0 and at most 900 seconds, got {timeout}")
    visibility_s = int(view.attributes["VisibilityTimeout"])
    if visibility_s < timeout:
        raise ValueError(
            f"queue {view.name!r} has a visibility timeout of {visibility_s} s, less than the function "
            f"timeout of {timeout:g} s; Lambda refuses such a trigger (AWS suggests at least 6x the timeout)"
        )
