"""Helpers shared by the redrive tests (boto3 through the ``sqs_mock`` fixture only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock

REGION = "us-east-1"
ACCOUNT = "123456789012"

NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"

# Move-task texts observed from AWS.
ALREADY_RUNNING = (
    "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
)
TASK_DOES_NOT_EXIST = "Task does not exist."
NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist."
NO_DESTINATION = "The resource that you specified for the DestinationArn parameter doesn't exist."


def client() -> Any:
    """A plain boto3 SQS client (the ``sqs_mock`` fixture supplies fake credentials)."""
    return boto3.client("sqs", region_name=REGION)


def arn_of(name: str) -> str:
    """The queue ARN (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def url_of(name: str) -> str:
    """The queue URL SQS returns (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def redrive(dead_letter_queue: str, max_receive_count: int = 1) -> str:
    """A RedrivePolicy value targeting ``dead_letter_queue`` (API Reference, SetQueueAttributes)."""
    return json.dumps(
        {
            "deadLetterTargetArn": arn_of(dead_letter_queue),
            "maxReceiveCount": max_receive_count,
        }
    )


def make_queue(sqs: Any, name: str, **attributes: Any) -> str:
    """CreateQueue with attributes (values converted to strings); returns the URL."""
    kwargs: dict[str, Any] = {"QueueName": name}
    if name.endswith(".fifo"):
        attributes.setdefault("FifoQueue", "true")
    if attributes:
        kwargs["Attributes"] = {key: str(value) for key, value in attributes.items()}
    url: str = sqs.create_queue(**kwargs)["QueueUrl"]
    return url


def receive(sqs: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """ReceiveMessage as a list (``Messages`` is absent when nothing arrives).

    ``MessageSystemAttributeNames`` (botocore >= 1.34.101) goes out as the deprecated
    ``AttributeNames`` on older, query-protocol clients, which SQS reads the same.
    """
    kwargs.setdefault("WaitTimeSeconds", 0)
    members = sqs.meta.service_model.operation_model("ReceiveMessage").input_shape.members
    legacy = "MessageSystemAttributeNames" not in members
    if legacy and "MessageSystemAttributeNames" in kwargs and "AttributeNames" not in kwargs:
        kwargs["AttributeNames"] = kwargs.pop("MessageSystemAttributeNames")
    messages: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])
    return messages


def dead_letter(sqs: Any, sqs_mock: SqsMock, source_url: str, bodies: list[str], **send: Any) -> list[str]:
    """Send ``bodies`` to a source with ``maxReceiveCount`` 1 and push them all into its DLQ.

    Returns the message ids, in send order.
    """
    ids = [sqs.send_message(QueueUrl=source_url, MessageBody=body, **send)["MessageId"] for body in bodies]
    while receive(sqs, source_url, MaxNumberOfMessages=10):
        pass
    sqs_mock.advance(30)  # past the default visibility timeout
    assert receive(sqs, source_url, MaxNumberOfMessages=10) == []
    return ids


def visible_count(sqs: Any, url: str) -> int:
    """ApproximateNumberOfMessages (API Reference, GetQueueAttributes)."""
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@contextmanager
def expect_error(
    sqs: Any, *, code: str, status: int, message: str, shape: str | None = None
) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """Expect exactly this SQS error: code (``x-amzn-query-error``), HTTP status, text.

    A modeled error raises the client's exception class ``shape``
    (``ResourceNotFoundException``, ``QueueDoesNotExist``); unmodeled ones a
    plain ``ClientError``.
    """
    if sqs.meta.service_model.protocol == "query" and message == "The specified queue does not exist.":
        # botocore < 1.34.90 speaks the query protocol, where SQS words it differently (observed AWS behaviour).
        message = "The specified queue does not exist for this wsdl version."
    with pytest.raises(ClientError) as info:
        yield info
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (code, message), error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if shape is not None:
        assert isinstance(info.value, getattr(sqs.exceptions, shape)), type(info.value)
    else:
        assert type(info.value) is ClientError, type(info.value)


def expect_invalid_parameter_value(sqs: Any, message: str) -> Any:
    """``InvalidParameterValue`` 400 (not modeled in botocore)."""
    return expect_error(sqs, code="InvalidParameterValue", status=400, message=message)


def expect_resource_not_found(sqs: Any, message: str) -> Any:
    """``ResourceNotFoundException`` 404 (botocore's SQS model; observed AWS behaviour)."""
    return expect_error(
        sqs,
        code="ResourceNotFoundException",
        status=404,
        message=message,
        shape="ResourceNotFoundException",
    )


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_ms(sqs_mock: SqsMock) -> int:
    """The mock's virtual now in epoch milliseconds."""
    return (sqs_mock.now - EPOCH) // timedelta(milliseconds=1)


def with_dead_letters(
    sqs: Any,
    sqs_mock: SqsMock,
    count: int,
    *,
    source: str = "orders",
    dlq: str = "orders-dlq",
) -> str:
    """A source with ``count`` messages dead-lettered into its DLQ; returns the source URL."""
    make_queue(sqs, dlq)
    source_url = make_queue(sqs, source, RedrivePolicy=redrive(dlq))
    dead_letter(sqs, sqs_mock, source_url, [f"m{i}" for i in range(count)])
    return source_url


def tasks(sqs: Any, source: str = "orders-dlq", **kwargs: Any) -> list[dict[str, Any]]:
    """ListMessageMoveTasks' ``Results`` (absent when there are none)."""
    results: list[dict[str, Any]] = sqs.list_message_move_tasks(SourceArn=arn_of(source), **kwargs).get("Results", [])
    return results


def only_task(sqs: Any, source: str = "orders-dlq") -> dict[str, Any]:
    """The one task ListMessageMoveTasks shows by default (the newest)."""
    [task] = tasks(sqs, source)
    return task
