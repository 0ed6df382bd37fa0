"""What each answered call would be billed, fed by the simulation in batches, as the journal is.

Amazon SQS bills per request, and each 64 KiB chunk of a request's payload as one
request (a 256 KiB batch is four; ten small messages in one batch are one). The
payload we count is what SQS counts toward a message's size: the UTF-8 body plus each
message attribute's name, data type and value. SendMessage and SendMessageBatch carry
it in (all entries together); ReceiveMessage carries the messages it returns out.
Every other operation is one billable request. README#usage-and-billing lists what
AWS documents and what we could not confirm.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any, Final, NamedTuple

from pytest_sqsmock.billing.report import OperationUsage, QueueUsage, Usage
from pytest_sqsmock.model.addresses import split_arn, split_queue_url
from pytest_sqsmock.transports.dispatch import Exchange

_FIGURES: Final = len(fields(OperationUsage))
# Where each figure sits in a list of running totals (OperationUsage's field order).
_AT: Final = {field.name: index for index, field in enumerate(fields(OperationUsage))}
_REQUESTS, _BILLABLE, _FAILED, _MESSAGES = _AT["requests"], _AT["billable_requests"], _AT["failed"], _AT["messages"]
_EMPTY, _EMPTY_UNWAITED = _AT["empty_receives"], _AT["empty_receives_without_wait"]
_BYTES_IN, _BYTES_OUT, _CROSS_REGION = _AT["bytes_in"], _AT["bytes_out"], _AT["cross_region_bytes"]

CHUNK_BYTES: Final = 65_536
"""One billable request per started 64 KiB (65,536 bytes) of payload."""

_COUNTED: Final = {  # operation -> where its result lists the messages it acted on (None: one message)
    "SendMessage": None,
    "DeleteMessage": None,
    "ChangeMessageVisibility": None,
    "SendMessageBatch": "Successful",
    "DeleteMessageBatch": "Successful",
    "ChangeMessageVisibilityBatch": "Successful",
    "ReceiveMessage": "Messages",
}


class QueueKey(NamedTuple):
    """Where a queue lives; ``name`` is ``""`` for calls that name no queue (ListQueues)."""

    account_id: str
    region: str
    name: str


class UsageMeter:
    """Running totals per queue and operation, added to a batch of answered calls at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # In OperationUsage's field order: added to in place, a frozen usage per call would cost more.
        self._counts: dict[tuple[QueueKey, str], list[int]] = {}

    def add(self, exchanges: Iterable[Exchange]) -> None:
        """Count answered calls."""
        with self._lock:
            counts = self._counts
            for exchange in exchanges:
                queue = queue_of(exchange)
                key = (queue, exchange.operation)
                totals = counts.get(key)
                if totals is None:
                    totals = counts[key] = [0] * _FIGURES
                _count(totals, exchange, queue)

    def usage(self) -> Usage:
        """What every call counted so far would be billed, per queue and operation."""
        with self._lock:
            counts = {key: OperationUsage(*totals) for key, totals in self._counts.items()}
        queues: dict[QueueKey, dict[str, OperationUsage]] = {}
        for (queue, operation), usage in counts.items():
            queues.setdefault(queue, {})[operation] = usage
        return Usage.of(
            QueueUsage(name=key.name or None, account_id=key.account_id, region=key.region, operations=ops)
            for key, ops in sorted(queues.items())
        )

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._counts.clear()


def queue_of(exchange: Exchange) -> QueueKey:
    """The queue a call named: by ``QueueUrl``, ``QueueName`` or ``SourceArn``, in the caller's account and region."""
    params, context = exchange.params, exchange.context
    url = params.get("QueueUrl", context.path_queue_url)
    if isinstance(url, str) and (parts := split_queue_url(url)) is not None:
        # SQS looks a queue up in the region of the endpoint called, whatever host the URL names.
        return QueueKey(parts[0] or context.account_id, context.region, parts[1])
    name = params.get("QueueName")
    if isinstance(name, str):
        return QueueKey(str(params.get("QueueOwnerAWSAccountId") or context.account_id), context.region, name)
    arn = params.get("SourceArn")
    if isinstance(arn, str) and (where := split_arn(arn)) is not None:
        return QueueKey(where[1], where[0], where[2])
    return QueueKey(context.account_id, context.region, "")


def measure(exchange: Exchange) -> OperationUsage:
    """One call's requests, billable requests, messages, empty receives and payload bytes."""
    totals = [0] * _FIGURES
    _count(totals, exchange, queue_of(exchange))
    return OperationUsage(*totals)


def _count(totals: list[int], exchange: Exchange, queue: QueueKey) -> None:
    """Add one call's figures to ``totals`` (running totals by ``_AT``), for the queue the call named."""
    operation, result = exchange.operation, exchange.result
    if operation == "SendMessage":
        bytes_in = _message_bytes(exchange.params)
    elif operation == "SendMessageBatch":
        bytes_in = _batch_bytes(exchange.params)
    else:
        bytes_in = 0
    bytes_out = 0
    if operation == "ReceiveMessage" and result is not None:
        messages = result.get("Messages")
        if messages:
            bytes_out = sum(_message_bytes(message) for message in messages)
        else:
            totals[_EMPTY] += 1
            # A long poll on an empty queue waits before answering; a short poll answers at once.
            if exchange.ended_ms is None or exchange.ended_ms <= exchange.time_ms:
                totals[_EMPTY_UNWAITED] += 1
    payload = bytes_in + bytes_out
    totals[_REQUESTS] += 1
    totals[_BILLABLE] += max(1, -(-payload // CHUNK_BYTES))
    if exchange.error is not None:
        totals[_FAILED] += 1
    totals[_MESSAGES] += _messages(operation, result)
    totals[_BYTES_IN] += bytes_in
    totals[_BYTES_OUT] += bytes_out
    # A transfer crosses regions when the queue is not in the region the caller called; the
    # simulation serves message calls only from the called region, so this stays 0 for them.
    if queue.region != exchange.context.region:
        totals[_CROSS_REGION] += payload


def _messages(operation: str, result: Mapping[str, Any] | None) -> int:
    if result is None or operation not in _COUNTED:
        return 0
    field = _COUNTED[operation]
    return 1 if field is None else len(result.get(field) or ())


def _batch_bytes(params: Mapping[str, Any]) -> int:
    entries: Iterable[Any] = params.get("Entries") or ()
    return sum(_message_bytes(entry) for entry in entries if isinstance(entry, Mapping))


def _message_bytes(message: Mapping[str, Any]) -> int:
    """UTF-8 body plus each attribute's name, data type and value, as SQS sizes a message."""
    body = message.get("MessageBody")
    size = _size(message.get("Body") if body is None else body)
    attributes = message.get("MessageAttributes")
    if attributes and isinstance(attributes, Mapping):
        for name, value in attributes.items():
            if isinstance(value, Mapping):
                size += _size(name) + _size(value.get("DataType"))
                size += _size(value.get("BinaryValue", value.get("StringValue")))
    return size


def _size(value: object) -> int:
    if isinstance(value, bytes):
        return len(value)
    return len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else 0
