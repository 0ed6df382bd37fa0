"""ReceiveMessage: short and long polling, attribute selection, dead-lettering."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pytest_sqsmock.model.digests import md5_of_attributes
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import MAX_IN_FLIGHT, Queue
from pytest_sqsmock.model.receipts import issue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Params, Result, Service
from pytest_sqsmock.service.errors import invalid_value, over_limit
from pytest_sqsmock.service.message_validation import (
    filter_message_attributes,
    select_system_attribute_names,
)

MAX_VISIBILITY_S = 43_200


def receive_message(
    service: Service, params: Params, context: RequestContext
) -> Result:
    """ReceiveMessage; a long poll waits on the service's clock."""
    queue = service.resolve_queue(params, context)
    limit = _in_range(
        params,
        "MaxNumberOfMessages",
        1,
        10,
        "Must be between 1 and 10, if provided.",
        default=1,
    )
    wait_s = _in_range(
        params,
        "WaitTimeSeconds",
        0,
        20,
        "Must be >= 0 and <= 20, if provided.",
        default=queue.settings.receive_wait_s,
    )
    # Text not recorded from AWS (reference §17.14); worded like the other receive ranges.
    visibility_s = _in_range(
        params,
        "VisibilityTimeout",
        0,
        MAX_VISIBILITY_S,
        f"Must be >= 0 and <= {MAX_VISIBILITY_S}, if provided.",
        default=None,
    )
    system_names = select_system_attribute_names(
        params.get("AttributeNames"), params.get("MessageSystemAttributeNames")
    )
    attribute_names: list[str] = params.get("MessageAttributeNames") or []

    deadline = service.now_ms() + wait_s * 1000
    while True:
        now = service.now_ms()
        queue.catch_up(now)
        if queue.counts["in_flight"] >= MAX_IN_FLIGHT and not queue.settings.fifo:
            if wait_s == 0:
                raise over_limit(
                    "Too many messages have been received without being deleted. "
                    "Please delete your received messages or let them timeout before receiving more."
                )
            messages: list[Message] = []
        else:
            timeout = (
                queue.settings.visibility_timeout_s
                if visibility_s is None
                else visibility_s
            )
            messages = queue.receive(
                now_ms=now,
                limit=limit,
                visibility_timeout_s=timeout,
                dead_letter=_dead_letterer(service, queue, now),
            )
        if messages or now >= deadline or queue.deleted:
            break
        next_change = queue.next_change_ms()
        service.clock.wait(
            service.changed,
            deadline if next_change is None else min(next_change, deadline),
        )
    return {
        "Messages": [
            _received(queue, message, system_names, attribute_names)
            for message in messages
        ]
    }


def _in_range(
    params: Params, name: str, low: int, high: int, reason: str, *, default: Any
) -> Any:
    value = params.get(name)
    if value is None:
        return default
    if not low <= value <= high:
        raise invalid_value(value, name, reason)
    return value


def _dead_letterer(service: Service, queue: Queue, now: int) -> Any:
    policy = queue.settings.redrive_policy
    if policy is None:
        return None
    target = service.registry.find_by_arn(policy.dead_letter_target_arn)

    def move(message: Message) -> bool:
        if target is None or target.deleted:
            return False
        target.catch_up(now)
        moved = target.copy_for_dead_letter(message, now)
        moved.dead_letter_source_arn = queue.arn
        target.add(moved, delay_s=0, now_ms=now)
        service.notify()
        return True

    return move


def _received(
    queue: Queue,
    message: Message,
    system_names: Collection[str] | None,
    attribute_names: list[str],
) -> Result:
    result: Result = {
        "MessageId": message.message_id,
        "ReceiptHandle": issue(queue.token, message.message_id, message.receipt),
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    if system_names:
        system = message.system_attributes_for_receive()
        result["Attributes"] = {
            name: value for name, value in system.items() if name in system_names
        }
    if attribute_names and message.attributes:
        chosen = filter_message_attributes(message.attributes, attribute_names)
        if chosen:
            result["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
            result["MessageAttributes"] = {
                name: value.to_aws() for name, value in chosen.items()
            }
    return result
