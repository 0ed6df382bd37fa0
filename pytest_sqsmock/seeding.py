"""Set-up helpers: queues and messages created as the API would, without a recorded call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.model.addresses import split_arn
from pytest_sqsmock.references import QueueRef
from pytest_sqsmock.simulation import Simulation
from pytest_sqsmock.views import MessageView, QueueView


def create_queue(
    simulation: Simulation,
    name: str,
    *,
    region: str | None = None,
    account_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    dead_letter_queue: QueueRef | None = None,
    max_receive_count: int | None = None,
) -> QueueView:
    """Create a queue as CreateQueue would (same validation), without recording a call.

    Raises:
        SqsError: SQS would refuse the queue.
        ValueError: ``max_receive_count`` without ``dead_letter_queue``.
    """
    params: dict[str, Any] = {"QueueName": name, "Attributes": dict(attributes or {})}
    if tags:
        params["tags"] = dict(tags)
    if dead_letter_queue is not None:
        target = _arn_of(simulation, dead_letter_queue, region, account_id)
        params["Attributes"]["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": target, "maxReceiveCount": 3 if max_receive_count is None else max_receive_count}
        )
    elif max_receive_count is not None:
        raise ValueError("max_receive_count needs dead_letter_queue=")
    simulation.call("CreateQueue", params, region, account_id)
    return simulation.view(name, region=region, account_id=account_id)


def send(
    simulation: Simulation,
    queue: QueueRef,
    body: str,
    *,
    message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    delay_seconds: int | None = None,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    region: str | None = None,
    account_id: str | None = None,
) -> MessageView:
    """Send a message as SendMessage would (same validation), without recording a call.

    Raises:
        SqsError: SQS would refuse the message.
        SqsMockError: FIFO deduplication dropped it.
    """
    account, name, region = simulation.locate(queue, region, account_id)
    params: dict[str, Any] = {"QueueUrl": name, "MessageBody": body}
    optional = {
        "MessageAttributes": dict(message_attributes) if message_attributes else None,
        "DelaySeconds": delay_seconds,
        "MessageGroupId": group_id,
        "MessageDeduplicationId": deduplication_id,
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    result = simulation.call("SendMessage", params, region, account)
    service = simulation.service
    with service.lock:
        found = service.registry.find(account, region, name)
        message = None if found is None else found.messages.get(result["MessageId"])
        if message is None:  # a FIFO duplicate: nothing new was queued
            raise SqsMockError(f"message {result['MessageId']} was not queued (deduplicated?)")
        return MessageView.of(message)


def _arn_of(simulation: Simulation, queue: QueueRef, region: str | None, account_id: str | None) -> str:
    if isinstance(queue, QueueView):
        return queue.arn
    if split_arn(queue) is not None:
        return queue
    return simulation.view(queue, region=region, account_id=account_id).arn
