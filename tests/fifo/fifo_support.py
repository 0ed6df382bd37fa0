"""Helpers for the FIFO and fair-queue API tests (boto3 only, no package internals)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"

#: Observed AWS text when neither a dedup id nor content-based deduplication is there.
NO_DEDUP_ID = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)


def fifo_id_reason(parameter: str) -> str:
    """Observed AWS text: the reason given for a malformed group, dedup or attempt id."""
    return f"{parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."


def expired_handle_text(handle: str) -> str:
    """Observed AWS text: a FIFO handle used after its receive's visibility ended."""
    return f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."


def sha256_hex(body: str) -> str:
    """The content-based deduplication id we use: SHA-256 of the body (hex form unverified)."""
    return hashlib.sha256(body.encode()).hexdigest()


@contextmanager
def expect_error(*, code: str, message: str, status: int = 400) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """Expect an SQS error with exactly this legacy code, message and HTTP status."""
    with pytest.raises(ClientError) as info:
        yield info
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (code, message), error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def expect_invalid(message: str) -> Any:
    """``InvalidParameterValue`` 400 (not modeled in botocore: a plain ClientError)."""
    return expect_error(code="InvalidParameterValue", message=message)


def system_attribute_names(client: Any, names: list[str]) -> dict[str, list[str]]:
    """ReceiveMessage kwargs asking for these message system attributes (API Reference, ReceiveMessage).

    ``MessageSystemAttributeNames`` arrived in botocore 1.34.101; older clients (query
    protocol) only have the deprecated ``AttributeNames``, which SQS reads the same.
    """
    members = client.meta.service_model.operation_model("ReceiveMessage").input_shape.members
    key = "MessageSystemAttributeNames" if "MessageSystemAttributeNames" in members else "AttributeNames"
    return {key: names}


def receive(client: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """A short-poll ReceiveMessage as a list (``Messages`` is absent when empty)."""
    kwargs.setdefault("WaitTimeSeconds", 0)
    kwargs.setdefault("MaxNumberOfMessages", 10)
    if "MessageSystemAttributeNames" in kwargs and "AttributeNames" not in kwargs:
        kwargs.update(system_attribute_names(client, kwargs.pop("MessageSystemAttributeNames")))
    messages: list[dict[str, Any]] = client.receive_message(QueueUrl=url, **kwargs).get("Messages", [])
    return messages


def bodies(messages: list[dict[str, Any]]) -> list[str]:
    """The bodies of received messages, in order."""
    return [message["Body"] for message in messages]


def counters(client: Any, url: str) -> tuple[int, int, int]:
    """(visible, not visible, delayed) from GetQueueAttributes (API Reference, GetQueueAttributes)."""
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return (
        int(attributes[names[0]]),
        int(attributes[names[1]]),
        int(attributes[names[2]]),
    )


def send_all(client: Any, url: str, *pairs: tuple[str, str], **kwargs: Any) -> list[dict[str, Any]]:
    """Send ``(group, body)`` pairs in order, each with its body as dedup id."""
    return [
        client.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageGroupId=group,
            MessageDeduplicationId=body,
            **kwargs,
        )
        for group, body in pairs
    ]
