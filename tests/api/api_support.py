"""Helpers shared by the black-box API tests (boto3 only, no package internals)."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
ENDPOINT = f"https://sqs.{REGION}.amazonaws.com"

#: Developer Guide, "Interpreting Amazon SQS JSON API responses": the JSON-protocol answer for a queue that does not exist.
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
NON_EXISTENT_QUEUE_TEXT = "The specified queue does not exist."

#: API Reference, SendMessage: the allowed-character list quoted in InvalidMessageContents.
ALLOWED_CHARS_TEXT = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"

#: Marker for "do not check the message text" (unverified texts, see the callers' comments).
UNCHECKED = object()

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: botocore's CHANGELOG: ReceiveMessage gained ``MessageSystemAttributeNames`` in botocore 1.34.101; older
#: clients (all of them query-protocol clients) only have ``AttributeNames``.
_RECEIVE_INPUT = botocore.session.get_session().get_service_model("sqs").operation_model("ReceiveMessage").input_shape
assert _RECEIVE_INPUT is not None
HAS_MESSAGE_SYSTEM_ATTRIBUTE_NAMES = "MessageSystemAttributeNames" in _RECEIVE_INPUT.members

#: For tests about the ``MessageSystemAttributeNames`` parameter itself.
needs_message_system_attribute_names = pytest.mark.skipif(
    not HAS_MESSAGE_SYSTEM_ATTRIBUTE_NAMES,
    reason="botocore < 1.34.101 has no ReceiveMessage MessageSystemAttributeNames (only AttributeNames)",
)


def url_of(name: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    """The queue URL SQS returns for ``name`` (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def arn_of(name: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    """The queue ARN (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"arn:aws:sqs:{region}:{account}:{name}"


def epoch_ms(when: datetime) -> int:
    """Epoch milliseconds of an aware datetime, computed exactly (no float rounding)."""
    return (when - _EPOCH) // timedelta(milliseconds=1)


def epoch_s(when: datetime) -> int:
    """Epoch seconds of an aware datetime (floor)."""
    return (when - _EPOCH) // timedelta(seconds=1)


def md5_hex(data: str | bytes) -> str:
    """Hex MD5 of a UTF-8 string or raw bytes (API Reference, SendMessage: MD5OfMessageBody)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.md5(raw).hexdigest()


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5OfMessageAttributes computed as Developer Guide, "Message metadata for Amazon SQS" describes.

    Names sorted ascending; per attribute: length-prefixed name, length-prefixed
    DataType, one transport byte (1 String/Number, 2 Binary), length-prefixed value.
    """
    buffer = bytearray()
    for name in sorted(attributes):
        attribute = attributes[name]
        data_type = attribute["DataType"]
        for part in (name.encode("utf-8"), data_type.encode("utf-8")):
            buffer += struct.pack(">I", len(part)) + part
        if data_type.startswith("Binary"):
            value = attribute["BinaryValue"]
            value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            buffer += b"\x02"
        else:
            value = attribute["StringValue"].encode("utf-8")
            buffer += b"\x01"
        buffer += struct.pack(">I", len(value)) + value
    return hashlib.md5(bytes(buffer)).hexdigest()


@contextmanager
def expect_error(
    client: Any,
    *,
    code: str,
    status: int,
    message: str | object = UNCHECKED,
    shape: str | None = None,
    query_error_code: str | None = None,
) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """Expect the block to raise an SQS error exactly as AWS reports it.

    Args:
        client: The boto3 SQS client (for the modeled exception classes).
        code: ``Error.Code``: the legacy code from ``x-amzn-query-error`` ("Interpreting Amazon SQS JSON API responses").
        status: The HTTP status (botocore's SQS model).
        message: The exact message; ``UNCHECKED`` where AWS's text is
            unverified (the caller then carries the text in a comment; bind
            the block with `as err` to turn it into an assertion).
        shape: For modeled errors, the exception class / ``QueryErrorCode`` (botocore's SQS model);
            ``None`` for unmodeled errors, which raise a plain ``ClientError``.
        query_error_code: The ``QueryErrorCode`` of an unmodeled error
            (``InvalidParameterValueException`` etc.).
    """
    # botocore older than 1.34.90 speaks the query protocol (botocore's CHANGELOG): no
    # QueryErrorCode, and NonExistentQueue is worded for the "wsdl version".
    query = client.meta.service_model.protocol == "query"
    if query and shape is not None and not hasattr(client.exceptions, shape):
        # The query-era model lacks some error shapes (InvalidAttributeValue): the
        # error is then unmodeled for that client and raises a plain ClientError.
        shape = None
    expected_class: type[BaseException] = getattr(client.exceptions, shape) if shape else ClientError
    with pytest.raises(ClientError) as info:
        yield info
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status, info.value.response
    if shape is not None:
        assert isinstance(info.value, expected_class), (type(info.value), shape)
        if not query:
            assert error.get("QueryErrorCode") == shape, error
    else:
        # Unmodeled errors (InvalidParameterValue, MissingParameter) map to no
        # exception class of the client: botocore raises ClientError itself.
        assert type(info.value) is ClientError, type(info.value)
        if query_error_code is not None and not query:
            assert error.get("QueryErrorCode") == query_error_code, error
    if message is not UNCHECKED:
        if query and message == "The specified queue does not exist.":
            message = "The specified queue does not exist for this wsdl version."
        assert error["Message"] == message, error


@contextmanager
def expect_invalid_parameter_value(
    client: Any, message: str | object = UNCHECKED
) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """The generic validation error: ``InvalidParameterValue`` 400 (not modeled in botocore)."""
    with expect_error(
        client,
        code="InvalidParameterValue",
        status=400,
        message=message,
        query_error_code="InvalidParameterValueException",
    ) as info:
        yield info


@contextmanager
def expect_missing_parameter(client: Any, parameter: str) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """``MissingParameter`` 400 ``The request must contain the parameter <P>.`` (observed AWS behaviour)."""
    with expect_error(
        client,
        code="MissingParameter",
        status=400,
        message=f"The request must contain the parameter {parameter}.",
        query_error_code="MissingRequiredParameterException",
    ) as info:
        yield info


@contextmanager
def expect_no_such_queue(
    client: Any, message: str | object = NON_EXISTENT_QUEUE_TEXT
) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """``AWS.SimpleQueueService.NonExistentQueue`` 400, class QueueDoesNotExist ("Interpreting Amazon SQS JSON API responses")."""
    with expect_error(
        client,
        code=NON_EXISTENT_QUEUE,
        status=400,
        message=message,
        shape="QueueDoesNotExist",
    ) as info:
        yield info


def receive(client: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """ReceiveMessage as a list (``Messages`` is absent when nothing is received: observed AWS behaviour).

    ``MessageSystemAttributeNames`` goes out as ``AttributeNames`` on clients that
    predate it (botocore's CHANGELOG); combining both needs ``needs_message_system_attribute_names``.
    """
    kwargs.setdefault("WaitTimeSeconds", 0)
    kwargs = with_system_attribute_names(client, kwargs)
    response = client.receive_message(QueueUrl=url, **kwargs)
    messages: list[dict[str, Any]] = response.get("Messages", [])
    return messages


def has_message_system_attribute_names(client: Any) -> bool:
    """Whether this client's model has ReceiveMessage ``MessageSystemAttributeNames`` (botocore's CHANGELOG)."""
    members = client.meta.service_model.operation_model("ReceiveMessage").input_shape.members
    return "MessageSystemAttributeNames" in members


def with_system_attribute_names(client: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """ReceiveMessage kwargs with ``MessageSystemAttributeNames`` renamed to the
    deprecated ``AttributeNames`` when the client predates it (botocore < 1.34.101)."""
    if "MessageSystemAttributeNames" not in kwargs or has_message_system_attribute_names(client):
        return kwargs
    if "AttributeNames" in kwargs:
        raise TypeError(
            "both MessageSystemAttributeNames and AttributeNames: this client has only "
            "AttributeNames; mark the test needs_message_system_attribute_names"
        )
    renamed = dict(kwargs)
    renamed["AttributeNames"] = renamed.pop("MessageSystemAttributeNames")
    return renamed


def counters(client: Any, url: str) -> tuple[int, int, int]:
    """(visible, not visible, delayed) from GetQueueAttributes (API Reference, GetQueueAttributes)."""
    attributes = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def queue_attribute(client: Any, url: str, name: str) -> str | None:
    """One attribute of GetQueueAttributes, ``None`` when not returned."""
    attributes: dict[str, str] = client.get_queue_attributes(QueueUrl=url, AttributeNames=[name]).get("Attributes", {})
    return attributes.get(name)
