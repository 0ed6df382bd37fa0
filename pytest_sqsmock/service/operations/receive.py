"""ReceiveMessage: short and long polling, attribute selection, dead-lettering."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from pytest_sqsmock.model.dead_letters import dead_letter_copy
from pytest_sqsmock.model.digests import md5_of_attributes
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import MAX_IN_FLIGHT, MAX_VISIBILITY_S, Queue
from pytest_sqsmock.model.receipts import issue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.rules.messages import (
    filter_message_attributes,
    select_system_attribute_names,
    validate_fifo_id,
)
from pytest_sqsmock.service.rules.params import Params, Result, optional_in_range
from pytest_sqsmock.service.rules.policy_attributes import allows_source
from pytest_sqsmock.sqs_errors import invalid_value, over_limit


def receive_message(service: Service, params: Params, context: RequestContext) -> Result:
    """ReceiveMessage; a long poll waits on the service's clock."""
    queue = service.resolve_queue(params, context)
    limit = optional_in_range(
        params,
        "MaxNumberOfMessages",
        1,
        10,
        "Must be between 1 and 10, if provided.",
        default=1,
    )
    wait_s = optional_in_range(
        params,
        "WaitTimeSeconds",
        0,
        20,
        "Must be >= 0 and <= 20, if provided.",
        default=queue.settings.receive_wait_s,
    )
    # unverified: AWS documents only the range 0-43200; worded like the other receive ranges.
    visibility_s = optional_in_range(
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
    timeout = queue.settings.visibility_timeout_s if visibility_s is None else visibility_s

    # ReceiveRequestAttemptId applies only to FIFO queues (SQS API Reference, ReceiveMessage); ignored elsewhere.
    attempt_id = params.get("ReceiveRequestAttemptId")
    attempts = queue.receive_attempts
    if attempts is not None and attempt_id is not None:
        validate_fifo_id(str(attempt_id), "ReceiveRequestAttemptId")
        attempt = attempts.get(str(attempt_id), service.now_ms())
        if attempt is not None:
            if not queue.retry_receive(attempt, now_ms=service.now_ms(), visibility_timeout_s=timeout):
                raise invalid_value(
                    attempt_id,
                    "ReceiveRequestAttemptId",
                    "The receiveRequestAttemptId is not valid anymore since the receive call is not retryable.",
                )
            return _response(attempt.messages, attempt.handles, system_names, attribute_names)

    def take(now: int) -> list[Result]:
        """The answer's messages if this receive took any at ``now`` (built then: a poll's caller may wake later)."""
        messages = take_messages(now)
        if not messages:
            return []
        handles = [issue(queue.token, m.message_id, m.receipt) for m in messages]
        if attempts is not None and attempt_id is not None:
            # A receive that found nothing is not kept: retrying it receives afresh.
            attempts.remember(str(attempt_id), messages, handles, now)
        return [_received(m, h, system_names, attribute_names) for m, h in zip(messages, handles, strict=True)]

    def take_messages(now: int) -> list[Message]:
        service.catch_up_tasks(now)
        queue.catch_up(now)
        room = MAX_IN_FLIGHT - queue.counts["in_flight"]
        if room <= 0:
            # Standard queues answer a short poll with OverLimit (below); a long poll, and a
            # FIFO queue at its in-flight maximum, silently get nothing ("Amazon SQS message quotas",
            # "Amazon SQS FIFO queue quotas" in the SQS Developer Guide).
            return []
        count = min(limit, room) if queue.settings.fifo else limit
        dead_letter = _dead_letterer(service, queue, now)
        if service.faults is None:
            return queue.receive(now_ms=now, limit=count, visibility_timeout_s=timeout, dead_letter=dead_letter)
        # Injected delivery faults (pytest_sqsmock.faults.injection) may change what this receive gets.
        return service.faults.receive(
            queue,
            _taker(queue, now, timeout, dead_letter),
            now_ms=now,
            limit=count,
            visibility_timeout_s=timeout,
            short_poll=wait_s == 0,
        )

    now = service.now_ms()
    received = take(now)
    if not received and wait_s == 0 and not queue.settings.fifo and queue.counts["in_flight"] >= MAX_IN_FLIGHT:
        raise over_limit(
            "Too many messages have been received without being deleted. "
            "Please delete your received messages or let them timeout before receiving more."
        )
    if not received and wait_s > 0 and not queue.deleted:
        received = service.long_poll(queue, now + wait_s * 1000, take, f"ReceiveMessage on {queue.name}")
    return {"Messages": received}


def _response(
    messages: list[Message],
    handles: list[str],
    system_names: Collection[str] | None,
    attribute_names: list[str],
) -> Result:
    return {
        "Messages": [
            _received(message, handle, system_names, attribute_names)
            for message, handle in zip(messages, handles, strict=True)
        ]
    }


def _taker(queue: Queue, now: int, timeout: int, dead_letter: Any) -> Callable[[int], list[Message]]:
    def take(limit: int) -> list[Message]:
        return queue.receive(now_ms=now, limit=limit, visibility_timeout_s=timeout, dead_letter=dead_letter)

    return take


def _dead_letterer(service: Service, queue: Queue, now: int) -> Any:
    policy = queue.settings.redrive_policy
    if policy is None:
        return None
    target = service.registry.find_by_arn(policy.dead_letter_target_arn)
    if target is queue:
        # A queue that is its own dead-letter queue: moving would hand the same
        # receive the message again, forever. The message is delivered instead.
        return None
    if target is not None and not allows_source(
        target.settings.redrive_allow_policy, source_arn=queue.arn, dead_letter_arn=target.arn
    ):
        # The dead-letter queue no longer admits this source (its RedriveAllowPolicy
        # changed after the RedrivePolicy was set), or lies in another account or
        # region. AWS's behaviour is undocumented; nothing crosses, nothing is lost:
        # the message stays and is delivered, as when the target is gone.
        return None

    def move(message: Message) -> bool:
        if target is None or target.deleted:
            return False
        target.catch_up(now)
        moved = dead_letter_copy(message, fifo=target.settings.fifo, now_ms=now)
        moved.dead_letter_source_arn = queue.arn
        target.add(moved, delay_s=0, now_ms=now)
        service.moves += 1  # polls waiting on the dead-letter queue must be served again
        return True

    return move


def _received(
    message: Message,
    handle: str,
    system_names: Collection[str] | None,
    attribute_names: list[str],
) -> Result:
    result: Result = {
        "MessageId": message.message_id,
        "ReceiptHandle": handle,
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    if system_names:
        system = message.system_attributes_for_receive()
        result["Attributes"] = {name: value for name, value in system.items() if name in system_names}
    if attribute_names and message.attributes:
        chosen = filter_message_attributes(message.attributes, attribute_names)
        if chosen:
            result["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
            result["MessageAttributes"] = {name: value.to_aws() for name, value in chosen.items()}
    return result
