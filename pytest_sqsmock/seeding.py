"""Set-up helpers: queues and messages created as the API would, without a recorded call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.mock_base import MockState, as_mock
from pytest_sqsmock.model.addresses import split_arn
from pytest_sqsmock.views import MessageView, QueueView


class Seeding(MockState):
    """Set-up helpers: queues and messages created as the API would, without a recorded call."""

    def create_queue(
        self,
        name: str,
        *,
        region: str | None = None,
        account_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        dead_letter_queue: str | QueueView | None = None,
        max_receive_count: int | None = None,
    ) -> QueueView:
        """Create a queue as CreateQueue would (same validation), without recording a call.

        Args:
            name: The queue name (``.fifo`` for FIFO queues, with ``FifoQueue`` in attributes).
            region: The region (default: the mock's).
            account_id: The owning account (default: the mock's).
            attributes: Queue attributes as CreateQueue takes them (strings).
            tags: Queue tags.
            dead_letter_queue: The dead-letter queue (name, URL, ARN or view) for a RedrivePolicy.
            max_receive_count: Receives before a message moves to ``dead_letter_queue`` (default 3).

        Raises:
            SqsError: SQS would refuse the queue.
        """
        params: dict[str, Any] = {"QueueName": name, "Attributes": dict(attributes or {})}
        if tags:
            params["tags"] = dict(tags)
        if dead_letter_queue is not None:
            target = self._arn_of(dead_letter_queue, region, account_id)
            params["Attributes"]["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": target,
                    "maxReceiveCount": 3 if max_receive_count is None else max_receive_count,
                }
            )
        elif max_receive_count is not None:
            raise ValueError("max_receive_count needs dead_letter_queue=")
        self._call("CreateQueue", params, region, account_id)
        return as_mock(self).queue(name, region=region, account_id=account_id)

    def send(
        self,
        queue: str | QueueView,
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
        """
        if isinstance(queue, QueueView):
            region, account_id, name = queue.region, queue.account_id, queue.name
        else:
            account_id, name, region = self._coordinates(queue, region, account_id)
        params: dict[str, Any] = {"QueueUrl": name, "MessageBody": body}
        optional = {
            "MessageAttributes": dict(message_attributes) if message_attributes else None,
            "DelaySeconds": delay_seconds,
            "MessageGroupId": group_id,
            "MessageDeduplicationId": deduplication_id,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        result = self._call("SendMessage", params, region, account_id)
        service = self._require_service()
        with service.lock:
            found = service.registry.find(account_id or self.account_id, region or self.region, name)
            message = None if found is None else found.messages.get(result["MessageId"])
            if message is None:  # a FIFO duplicate: nothing new was queued
                raise SqsMockError(f"message {result['MessageId']} was not queued (deduplicated?)")
            return MessageView.of(message)

    def _arn_of(self, queue: str | QueueView, region: str | None, account_id: str | None) -> str:
        if isinstance(queue, QueueView):
            return queue.arn
        if split_arn(queue) is not None:
            return queue
        return as_mock(self).queue(queue, region=region, account_id=account_id).arn
