"""DeleteMessage(Batch) and ChangeMessageVisibility(Batch): the receipt-handle operations."""

from __future__ import annotations

from typing import Any

from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import MAX_VISIBILITY_S, Queue
from pytest_sqsmock.model.receipts import parse
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.rules.messages import validate_batch_entry_ids
from pytest_sqsmock.service.rules.params import Params, Result, batch_failure, require
from pytest_sqsmock.sqs_errors import (
    SqsError,
    invalid_value,
    receipt_handle_is_invalid,
)


def delete_message(service: Service, params: Params, context: RequestContext) -> Result:
    """DeleteMessage; a handle of a message already gone succeeds silently."""
    queue = service.resolve_queue(params, context)
    _delete(service, queue, require(params, "ReceiptHandle", reported_as="MessageHandle"))
    return {}


def delete_message_batch(service: Service, params: Params, context: RequestContext) -> Result:
    """DeleteMessageBatch: ids checked for the whole request, handles per entry."""
    queue = service.resolve_queue(params, context)
    return _batch(
        params,
        "DeleteMessageBatch",
        lambda entry: _delete(service, queue, require(entry, "ReceiptHandle")),
    )


def change_message_visibility(service: Service, params: Params, context: RequestContext) -> Result:
    """ChangeMessageVisibility of one in-flight message."""
    queue = service.resolve_queue(params, context)
    _change(
        service,
        queue,
        require(params, "ReceiptHandle"),
        require(params, "VisibilityTimeout"),
    )
    return {}


def change_message_visibility_batch(service: Service, params: Params, context: RequestContext) -> Result:
    """ChangeMessageVisibilityBatch."""
    queue = service.resolve_queue(params, context)
    return _batch(
        params,
        "ChangeMessageVisibilityBatch",
        lambda entry: _change(
            service,
            queue,
            require(entry, "ReceiptHandle"),
            entry.get("VisibilityTimeout") or 0,
        ),
    )


def _batch(params: Params, operation: str, act: Any) -> Result:
    entries: list[dict[str, Any]] = params.get("Entries") or []
    validate_batch_entry_ids([str(entry.get("Id", "")) for entry in entries], operation)
    successful: list[Result] = []
    failed: list[Result] = []
    for entry in entries:
        try:
            act(entry)
        except SqsError as error:
            failed.append(batch_failure(entry["Id"], error))
        else:
            successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}


def _message_for(queue: Queue, handle: str) -> Message | None:
    """The message a handle names, ``None`` when it is gone; errors for foreign handles."""
    receipt = parse(handle)
    if receipt is None:
        raise receipt_handle_is_invalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
    if receipt.queue_token != queue.token:
        raise receipt_handle_is_invalid(f'The receipt handle "{handle}" is not valid for this queue.')
    message = queue.messages.get(receipt.message_id)
    if (
        message is not None
        and queue.settings.fifo
        and (message.state != "in_flight" or message.receipt != receipt.receipt)
    ):
        # A FIFO handle lives only while its receive's visibility lasts (observed AWS behaviour).
        raise invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")
    return message


def _delete(service: Service, queue: Queue, handle: str) -> None:
    message = _message_for(queue, handle)
    if message is None:
        return
    faults = service.faults
    if faults is not None and faults.delete_lost(queue, message):
        return  # an injected lost delete: answered, but the message comes back after its timeout
    queue.remove(message)


def _change(service: Service, queue: Queue, handle: str, visibility_s: int) -> None:
    message = _message_for(queue, handle)
    if not 0 <= visibility_s <= MAX_VISIBILITY_S:
        # unverified: AWS documents only the range 0-43200 (SQS API Reference, ChangeMessageVisibility).
        raise invalid_value(
            visibility_s,
            "VisibilityTimeout",
            f"Must be >= 0 and <= {MAX_VISIBILITY_S}, if provided.",
        )
    if message is None:
        raise invalid_value(
            handle,
            "ReceiptHandle",
            "Message does not exist or is not available for visibility timeout change.",
        )
    try:
        queue.change_visibility(message, visibility_timeout_s=visibility_s, now_ms=service.now_ms())
    except ValueError:
        raise invalid_value(
            visibility_s,
            "VisibilityTimeout",
            f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY_S} seconds].",
        ) from None
