"""SendMessage and SendMessageBatch."""

from __future__ import annotations

import hashlib
from typing import Any

from pytest_sqsmock.ids import random_uuid
from pytest_sqsmock.model.digests import md5_of_attributes, md5_of_body
from pytest_sqsmock.model.fifo import SentRecord
from pytest_sqsmock.model.message import NO_ATTRIBUTES, NO_RARE, Message, Rare
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.rules.messages import (
    message_size,
    parse_message_attributes,
    parse_system_attributes,
    validate_batch_entry_ids,
    validate_body,
    validate_delay_seconds,
    validate_fifo_id,
)
from pytest_sqsmock.service.rules.params import Params, Result, batch_failure
from pytest_sqsmock.sqs_errors import (
    SqsError,
    batch_request_too_long,
    invalid_parameter_value,
    invalid_value,
    missing_parameter,
)

MAX_BATCH_BYTES = 1_048_576
MISSING_DEDUPLICATION_ID = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)


def send_message(service: Service, params: Params, context: RequestContext) -> Result:
    """SendMessage."""
    queue = service.resolve_queue(params, context)
    now = service.now_ms()
    message, delay_s = _prepare(queue, params, context, now, in_batch=False)
    record = queue.send(message, delay_s=delay_s, now_ms=now)
    return _sent(message, record)


def send_message_batch(service: Service, params: Params, context: RequestContext) -> Result:
    """SendMessageBatch: whole-request checks first, then each entry on its own."""
    queue = service.resolve_queue(params, context)
    entries: list[dict[str, Any]] = params.get("Entries") or []
    validate_batch_entry_ids([str(entry.get("Id", "")) for entry in entries], "SendMessageBatch")
    now = service.now_ms()
    total = 0
    for entry in entries:
        raw_attributes = entry.get("MessageAttributes") or {}
        if any(_LIST_VALUE_KEYS & set(value) for value in raw_attributes.values() if isinstance(value, dict)):
            # List values fail the whole batch (observed AWS behaviour: the text names the operation).
            parse_message_attributes(raw_attributes)
        total += _payload_size(entry.get("MessageBody"), raw_attributes)
    if total > MAX_BATCH_BYTES:
        raise batch_request_too_long(total, MAX_BATCH_BYTES)
    if queue.settings.fifo:
        _check_fifo_entries(queue, entries)
    successful: list[Result] = []
    failed: list[Result] = []
    for entry in entries:
        try:
            message, delay_s = _prepare(queue, entry, context, now, in_batch=True)
        except SqsError as error:
            failed.append(batch_failure(entry["Id"], error))
            continue
        record = queue.send(message, delay_s=delay_s, now_ms=now)
        successful.append({"Id": entry["Id"], **_sent(message, record)})
    return {"Successful": successful, "Failed": failed}


_LIST_VALUE_KEYS = frozenset({"StringListValues", "BinaryListValues"})


def _payload_size(body: object, raw_attributes: dict[str, Any]) -> int:
    """What an entry counts toward the batch limit, read straight off the request.

    The same sum as ``message_size`` (body, and each attribute's name, type and
    value), without validating: entries are validated once, in ``_prepare``.
    """
    size = len(str(body or "").encode())
    for name, raw in raw_attributes.items():
        if not isinstance(raw, dict):
            continue
        data_type = str(raw.get("DataType") or "")
        value = raw.get("BinaryValue") if data_type.startswith("Binary") else raw.get("StringValue")
        encoded = value if isinstance(value, bytes) else str(value or "").encode()
        size += len(name.encode()) + len(data_type.encode()) + len(encoded)
    return size


def _prepare(queue: Queue, params: Params, context: RequestContext, now: int, *, in_batch: bool) -> tuple[Message, int]:
    """Validate one message (request or batch entry) and build it, with its delay."""
    body = params.get("MessageBody")
    if body is None or body == "":
        raise missing_parameter("MessageBody")
    body = str(body)
    validate_body(body)
    raw_attributes, raw_system_attributes = params.get("MessageAttributes"), params.get("MessageSystemAttributes")
    attributes = parse_message_attributes(raw_attributes) if raw_attributes else {}
    system_attributes = parse_system_attributes(raw_system_attributes) if raw_system_attributes else {}
    if "AWSTraceHeader" not in system_attributes and context.trace_header:
        system_attributes = parse_system_attributes(
            {
                "AWSTraceHeader": {
                    "DataType": "String",
                    "StringValue": context.trace_header,
                }
            }
        )
    size = message_size(body, attributes)
    limit = queue.settings.maximum_message_size
    if size > limit:
        verb = "cannot be validated" if in_batch else "are invalid"
        raise invalid_parameter_value(
            f"One or more parameters {verb}. Reason: Message must be shorter than {limit} bytes."
        )
    delay = params.get("DelaySeconds")
    if delay is not None:
        validate_delay_seconds(int(delay), queue.settings.fifo)
    group_id = params.get("MessageGroupId")
    if group_id is not None:
        # Fair queues (SQS Developer Guide, "Amazon SQS fair queues"): standard queues take a group id too.
        validate_fifo_id(str(group_id), "MessageGroupId")
    elif queue.settings.fifo:
        raise missing_parameter("MessageGroupId")
    deduplication_id = params.get("MessageDeduplicationId")
    if deduplication_id is not None and not queue.settings.fifo:
        # The parameter applies only to FIFO queues (SQS API Reference, SendMessage).
        # unverified: AWS's wording when it refused MessageGroupId on a standard
        # queue (observed AWS behaviour, https://github.com/github-aws-runners/
        # terraform-aws-github-runner/issues/1562); no capture for this parameter.
        raise invalid_value(
            deduplication_id,
            "MessageDeduplicationId",
            "The request include parameter that is not valid for this queue type.",
        )
    if deduplication_id is not None:
        validate_fifo_id(str(deduplication_id), "MessageDeduplicationId")
    elif queue.settings.fifo:
        if not queue.settings.content_based_deduplication:
            raise invalid_parameter_value(MISSING_DEDUPLICATION_ID)
        # Content-based: SHA-256 of the body (SQS API Reference, SendMessage); hex
        # encoding unverified.
        deduplication_id = hashlib.sha256(body.encode()).hexdigest()
    message = Message(
        message_id=random_uuid(),
        body=body,
        md5_of_body=md5_of_body(body),
        sender_id=context.sender_id,
        sent_at_ms=now,
        enqueued_at_ms=now,
        size=size,
        attributes=attributes or NO_ATTRIBUTES,
        md5_of_attributes=md5_of_attributes(attributes) if attributes else None,
        rare=Rare(system_attributes, md5_of_attributes(system_attributes)) if system_attributes else NO_RARE,
        group_id=None if group_id is None else str(group_id),
        deduplication_id=None if deduplication_id is None else str(deduplication_id),
    )
    delay_s = queue.settings.delay_s if delay is None or queue.settings.fifo else int(delay)
    return message, delay_s


def _check_fifo_entries(queue: Queue, entries: list[dict[str, Any]]) -> None:
    """A FIFO entry without a group id or deduplication id fails the whole batch (observed AWS behaviour)."""
    for entry in entries:
        if entry.get("MessageGroupId") is None:
            raise invalid_parameter_value("The request must contain the parameter MessageGroupId.")
        if entry.get("MessageDeduplicationId") is None and not queue.settings.content_based_deduplication:
            raise invalid_parameter_value(MISSING_DEDUPLICATION_ID)


def _sent(message: Message, record: SentRecord) -> Result:
    """The answer to one send: ids of the queued (or repeated) message, digests of this one."""
    result: Result = {
        "MessageId": record.message_id,
        "MD5OfMessageBody": message.md5_of_body,
    }
    if message.md5_of_attributes is not None:
        result["MD5OfMessageAttributes"] = message.md5_of_attributes
    if message.md5_of_system_attributes is not None:
        result["MD5OfMessageSystemAttributes"] = message.md5_of_system_attributes
    if record.sequence_number is not None:
        result["SequenceNumber"] = record.sequence_number
    return result
