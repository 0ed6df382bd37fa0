"""Hostile and malformed requests over the wire: always an SQS-shaped 4xx, never a 500, a hang or a change.

Requests are built by hand (no botocore validation in the way) and handed to
the dispatcher every transport uses (``sqs_mock.simulation.dispatcher``, the object
``sqs_mock.server()`` serves), or sent as raw bytes to ``sqs_mock.server()``
when the HTTP layer itself is the target. Each must come back as SQS sends
errors (JSON: 4xx, ``x-amzn-query-error: <code>;Sender``, a ``__type`` body; query:
well-formed ``<ErrorResponse>`` XML; Developer Guide, "Interpreting Amazon SQS JSON API
responses" and "... XML API responses") with the code AWS answers where it is known
(botocore's SQS model, observed AWS behaviour), and must
leave every queue exactly as it was.

Known simulator bugs are ``xfail(strict=True)`` with the reason: they turn
into failures (to be un-marked) once fixed. Hypothesis then fuzzes the codec
with random values for every operation's members, shaped by botocore's own
service model, and with random form bodies.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sqsmock import SqsMock
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

ENDPOINT = "https://sqs.us-east-1.amazonaws.com/"
ACCOUNT = "123456789012"
QUEUE_URL = f"{ENDPOINT}{ACCOUNT}/victim"
FIFO_URL = f"{ENDPOINT}{ACCOUNT}/victim.fifo"
NAMESPACE = "{http://queue.amazonaws.com/doc/2012-11-05/}"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)
DEEP = "[" * 100_000  # nested JSON far beyond Python's recursion limit
BIG_DIGITS = "9" * 5_000  # beyond CPython's 4,300-digit int() limit

Dispatch = Callable[[HttpRequest], HttpResponse]


def json_request(operation: str, body: Any, *, target: str | None = None) -> HttpRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        "X-Amz-Target": target if target is not None else f"AmazonSQS.{operation}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH,
    }
    return HttpRequest("POST", ENDPOINT, headers, raw)


def query_request(body: str | bytes, *, url: str = ENDPOINT, method: str = "POST") -> HttpRequest:
    raw = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Authorization": AUTH}
    return HttpRequest(method, url, headers, raw)


def assert_sqs_error(response: HttpResponse, *, code: str | None = None, status: int | None = None) -> None:
    """A 4xx shaped as SQS shapes errors in the response's protocol (Developer Guide, "Interpreting Amazon SQS JSON/XML API responses")."""
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    if status is not None:
        assert response.status == status, response.body[:300]
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("application/x-amz-json"):
        legacy, _, fault = response.headers["x-amzn-query-error"].partition(";")
        assert fault == "Sender"
        document = json.loads(response.body)
        assert "#" in document["__type"]
        assert isinstance(document.get("message", document.get("Message")), str)
        found = legacy
    else:
        assert content_type == "text/xml", content_type
        root = ET.fromstring(response.body)  # must be well-formed
        if root.tag == "UnknownOperationException":  # no action named: SQS's bare element, 404
            found = root.tag
        else:
            assert root.tag == f"{NAMESPACE}ErrorResponse"
            assert root.findtext(f"{NAMESPACE}Error/{NAMESPACE}Type") == "Sender"
            found = root.findtext(f"{NAMESPACE}Error/{NAMESPACE}Code") or ""
            assert root.findtext(f"{NAMESPACE}RequestId")
    assert found, response.body[:300]
    if code is not None:
        assert found == code, response.body[:300]


def snapshot(sqs_mock: SqsMock) -> list[tuple[Any, ...]]:
    """Everything observable about every queue."""
    return [
        (
            view.name,
            view.region,
            view.account_id,
            view.attributes,
            view.tags,
            [
                (m.message_id, m.body, m.state, m.receive_count, m.visible_at, m.message_attributes)
                for m in view.messages
            ],
        )
        for view in sqs_mock.queues()
    ]


@pytest.fixture
def dispatch(sqs_mock: SqsMock) -> Dispatch:
    """The dispatcher every transport of this mock answers with, around queues holding messages."""
    dispatcher = sqs_mock.simulation.dispatcher
    assert dispatcher is not None
    sqs_mock.create_queue("victim", tags={"team": "a"})
    sqs_mock.create_queue("victim.fifo", attributes={"FifoQueue": "true"})
    sqs_mock.send("victim", "visible")
    sqs_mock.send("victim", "in flight")
    received = dispatcher.dispatch(json_request("ReceiveMessage", {"QueueUrl": QUEUE_URL}))
    assert received.status == 200
    sqs_mock.send("victim.fifo", "f", group_id="g", deduplication_id="d")
    return dispatcher.dispatch


def _handle(text: str) -> str:
    return "AQEB" + base64.b64encode(text.encode()).decode()


def _j(operation: str, body: Any, **kwargs: Any) -> Callable[[], HttpRequest]:
    return lambda: json_request(operation, body, **kwargs)


def _q(body: str | bytes, **kwargs: Any) -> Callable[[], HttpRequest]:
    return lambda: query_request(body, **kwargs)


def _bug(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=f"simulator bug: {reason}", strict=True)


# (id, request, expected legacy code or None when AWS's is unknown, expected status or None)
CASES: list[Any] = [
    # -- malformed bodies and unknown operations (both protocols) --
    pytest.param(_j("SendMessage", b"{not json"), None, 400, id="json-malformed"),
    pytest.param(_j("SendMessage", b"[1, 2]"), None, 400, id="json-array-body"),
    pytest.param(_j("SendMessage", b'"text"'), None, 400, id="json-string-body"),
    pytest.param(_j("SendMessage", b"\xff\xfe\x00garbage"), None, 400, id="json-invalid-utf8"),
    pytest.param(_j("SendMessage", DEEP.encode()), None, 400, id="json-deeply-nested-body"),
    pytest.param(_j("SendMessage", b'{"QueueUrl": "victim", "MessageBody": NaN}'), None, 400, id="json-nan"),
    pytest.param(
        _j("ReceiveMessage", b'{"QueueUrl": "victim", "MaxNumberOfMessages": NaN}'), None, 400, id="json-int-nan"
    ),
    pytest.param(
        _j("ReceiveMessage", b'{"QueueUrl": "victim", "MaxNumberOfMessages": 1e999}'), None, 400, id="json-int-inf"
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": 2**40}), None, 400, id="json-int-huge"
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": "5"}), None, 400, id="json-int-as-string"
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": 1.5}), None, 400, id="json-int-as-float"
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": True}), None, 400, id="json-int-as-bool"
    ),
    pytest.param(_j("SendMessage", {"QueueUrl": ["victim"], "MessageBody": "x"}), None, 400, id="json-string-as-list"),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": {"a": {"b": [1]}}}), None, 400, id="json-nested-garbage"
    ),
    pytest.param(
        _j("SendMessageBatch", {"QueueUrl": "victim", "Entries": {"Id": "a"}}), None, 400, id="json-entries-as-object"
    ),
    pytest.param(
        _j("SendMessageBatch", {"QueueUrl": "victim", "Entries": [None, 5]}), None, 400, id="json-entries-null-and-int"
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "!!!"}},
            },
        ),
        None,
        400,
        id="json-blob-not-base64",
    ),
    pytest.param(_j("Frobnicate", {}), "InvalidAction", 400, id="json-unknown-operation"),
    pytest.param(_j("SendMessage", {}, target="AmazonSNS.Publish"), "InvalidAction", 400, id="json-foreign-target"),
    pytest.param(_j("SendMessage", {}, target="AmazonSQS."), "InvalidAction", 400, id="json-empty-operation"),
    pytest.param(_q("Action=Frobnicate&Version=2012-11-05"), "InvalidAction", 400, id="query-unknown-action"),
    pytest.param(_q("Version=2012-11-05"), None, 404, id="query-no-action"),
    pytest.param(
        _q("Action=CreateQueue&QueueName=x", url=QUEUE_URL), "InvalidAction", 400, id="query-create-on-queue-url"
    ),
    pytest.param(
        _q("Action=ReceiveMessage&QueueUrl=victim&MaxNumberOfMessages=ten"),
        "InvalidParameterValue",
        400,
        id="query-int-garbage",
    ),
    pytest.param(
        _q("Action=ReceiveMessage&QueueUrl=victim&MaxNumberOfMessages=" + "9" * 30),
        "InvalidParameterValue",
        400,
        id="query-int-huge",
    ),
    pytest.param(
        _q(
            "Action=SendMessage&QueueUrl=victim&MessageBody=x&MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=%21%21"
        ),
        "InvalidParameterValue",
        400,
        id="query-blob-not-base64",
    ),
    pytest.param(
        _q(b"Action=GetQueueAttributes&QueueUrl=%FF%FEvictim&AttributeName.1=All"),
        "InvalidParameterValue",  # refused, never read with U+FFFD in place of the bad bytes
        400,
        id="query-invalid-utf8",
    ),
    # -- missing fields (observed AWS behaviour; botocore's SQS model) --
    pytest.param(_j("SendMessage", {"QueueUrl": "victim"}), "MissingParameter", 400, id="json-missing-body"),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": ""}), "MissingParameter", 400, id="json-empty-body"
    ),
    pytest.param(_j("SendMessage", {"MessageBody": "x"}), "MissingParameter", 400, id="json-missing-queue-url"),
    pytest.param(
        _j("DeleteMessage", {"QueueUrl": "victim"}), "MissingParameter", 400, id="json-missing-receipt-handle"
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": None}), "MissingParameter", 400, id="json-null-body"
    ),
    pytest.param(_q("Action=SendMessage&QueueUrl=victim"), "MissingParameter", 400, id="query-missing-body"),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim.fifo", "MessageBody": "x"}),
        "MissingParameter",
        400,
        id="fifo-missing-group",
    ),
    # -- oversize bodies and attributes (API Reference, SendMessage and SendMessageBatch) --
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": "x" * 1_048_577}),
        "InvalidParameterValue",
        400,
        id="body-over-1mib",
    ),
    pytest.param(
        _j(
            "SendMessageBatch",
            {"QueueUrl": "victim", "Entries": [{"Id": f"e{i}", "MessageBody": "x" * 120_000} for i in range(10)]},
        ),
        "AWS.SimpleQueueService.BatchRequestTooLong",
        400,
        id="batch-over-1mib",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)},
            },
        ),
        None,
        400,
        id="eleven-attributes",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a" * 257: {"DataType": "String", "StringValue": "v"}},
            },
        ),
        "InvalidParameterValue",
        400,
        id="attribute-name-257",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": "v" * 1_048_577}},
            },
        ),
        "InvalidParameterValue",
        400,
        id="attribute-value-over-1mib",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "Number", "StringValue": "1" * 5_000}},
            },
        ),
        "InvalidParameterValue",
        400,
        id="number-attribute-5000-digits",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "String", "StringListValues": ["x"]}},
            },
        ),
        "AWS.SimpleQueueService.UnsupportedOperation",
        400,
        id="list-attribute-values",
    ),
    # -- forbidden characters (API Reference, SendMessage) --
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": "a\x00b"}), "InvalidMessageContents", 400, id="body-nul"
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": "\ufffe"}),
        "InvalidMessageContents",
        400,
        id="body-fffe",
    ),
    pytest.param(
        _j("SendMessage", b'{"QueueUrl": "victim", "MessageBody": "\\ud800"}'),
        "InvalidMessageContents",
        400,
        id="body-lone-surrogate",
    ),
    pytest.param(
        _q("Action=SendMessage&QueueUrl=victim&MessageBody=%07"), "InvalidMessageContents", 400, id="query-body-bell"
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": "\x08"}},
            },
        ),
        "InvalidParameterValue",
        400,
        id="attribute-value-control",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {
                "QueueUrl": "victim",
                "MessageBody": "x",
                "MessageAttributes": {"a!": {"DataType": "String", "StringValue": "v"}},
            },
        ),
        "InvalidParameterValue",
        400,
        id="attribute-name-bang",
    ),
    pytest.param(
        _j(
            "SendMessage",
            {"QueueUrl": "victim.fifo", "MessageBody": "x", "MessageGroupId": "a b", "MessageDeduplicationId": "d2"},
        ),
        "InvalidParameterValue",
        400,
        id="group-id-space",
    ),
    # -- bad receipt handles (observed AWS behaviour) --
    pytest.param(
        _j("DeleteMessage", {"QueueUrl": "victim", "ReceiptHandle": "garbage"}),
        "ReceiptHandleIsInvalid",
        404,
        id="handle-garbage",
    ),
    pytest.param(
        _j("DeleteMessage", {"QueueUrl": "victim", "ReceiptHandle": "AQEB" + "A" * 100_000}),
        "ReceiptHandleIsInvalid",
        404,
        id="handle-100kb",
    ),
    pytest.param(
        _j("DeleteMessage", {"QueueUrl": "victim", "ReceiptHandle": _handle("x|y|99999999999999999999|z")}),
        "ReceiptHandleIsInvalid",
        404,
        id="handle-forged",
    ),
    pytest.param(
        _j("ChangeMessageVisibility", {"QueueUrl": "victim", "ReceiptHandle": "INVALID", "VisibilityTimeout": 5}),
        "ReceiptHandleIsInvalid",
        404,
        id="change-handle-garbage",
    ),
    pytest.param(
        _j("DeleteMessage", {"QueueUrl": "victim", "ReceiptHandle": "AQEB\u00e9"}),
        "ReceiptHandleIsInvalid",
        404,
        id="handle-non-ascii",
    ),
    pytest.param(
        _q("Action=DeleteMessage&QueueUrl=victim&ReceiptHandle=AQEB%C3%A9"),
        "ReceiptHandleIsInvalid",
        404,
        id="query-handle-non-ascii",
    ),
    pytest.param(
        _j("ChangeMessageVisibility", {"QueueUrl": "victim", "ReceiptHandle": "AQEB\u2603", "VisibilityTimeout": 5}),
        "ReceiptHandleIsInvalid",
        404,
        id="change-handle-snowman",
    ),
    # -- bad queue URLs and hostile queue names (observed AWS behaviour; API Reference, CreateQueue) --
    pytest.param(
        _j(
            "SendMessage",
            {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/../../victim", "MessageBody": "x"},
        ),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="url-traversal",
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "http://whatever-incorrect-queue-address", "MessageBody": "x"}),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="url-no-queue",
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "x" * 10_000, "MessageBody": "x"}),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="url-10kb",
    ),
    pytest.param(_j("SendMessage", {"QueueUrl": "", "MessageBody": "x"}), None, 400, id="url-empty"),
    pytest.param(
        _q("Action=SendMessage&MessageBody=x", url=f"{ENDPOINT}{ACCOUNT}/..%2Fvictim"),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="query-path-traversal",
    ),
    pytest.param(_j("CreateQueue", {"QueueName": "../victim"}), "InvalidParameterValue", 400, id="name-traversal"),
    pytest.param(_j("CreateQueue", {"QueueName": "vict\u00efm"}), "InvalidParameterValue", 400, id="name-unicode"),
    pytest.param(_j("CreateQueue", {"QueueName": "v" * 10_000}), "InvalidParameterValue", 400, id="name-10kb"),
    pytest.param(_j("CreateQueue", {"QueueName": "a\x00b"}), "InvalidParameterValue", 400, id="name-nul"),
    pytest.param(_j("CreateQueue", {"QueueName": ""}), None, 400, id="name-empty"),
    pytest.param(
        _j("CreateQueue", {"QueueName": "x.fifo"}), "InvalidParameterValue", 400, id="name-fifo-suffix-standard"
    ),
    pytest.param(
        _j("GetQueueUrl", {"QueueName": "../../etc/passwd"}),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="get-url-traversal",
    ),
    pytest.param(
        _j("GetQueueUrl", {"QueueName": "victim", "QueueOwnerAWSAccountId": "../../x"}),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        id="get-url-owner-garbage",
    ),
    # -- batches (API Reference, SendMessageBatch) --
    pytest.param(
        _j("DeleteMessageBatch", {"QueueUrl": "victim", "Entries": [{"Id": "i" * 100_000, "ReceiptHandle": "x"}]}),
        "AWS.SimpleQueueService.InvalidBatchEntryId",
        400,
        id="batch-id-100kb",
    ),
    pytest.param(
        _j("SendMessageBatch", {"QueueUrl": "victim", "Entries": [{"Id": "a:b", "MessageBody": "x"}]}),
        "AWS.SimpleQueueService.InvalidBatchEntryId",
        400,
        id="batch-id-colon",
    ),
    pytest.param(
        _j("SendMessageBatch", {"QueueUrl": "victim", "Entries": []}),
        "AWS.SimpleQueueService.EmptyBatchRequest",
        400,
        id="batch-empty",
    ),
    pytest.param(
        _j(
            "SendMessageBatch",
            {"QueueUrl": "victim", "Entries": [{"Id": f"e{i}", "MessageBody": "x"} for i in range(1_000)]},
        ),
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        400,
        id="batch-1000-entries",
    ),
    pytest.param(
        _j(
            "ChangeMessageVisibilityBatch",
            {"QueueUrl": "victim", "Entries": [{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]},
        ),
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        400,
        id="batch-duplicate-ids",
    ),
    pytest.param(
        _q(
            "Action=SendMessageBatch&QueueUrl=victim&"
            + "&".join(
                f"SendMessageBatchRequestEntry.{i}.Id=e{i}&SendMessageBatchRequestEntry.{i}.MessageBody=x"
                for i in range(1, 500)
            )
        ),
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        400,
        id="query-batch-499-entries",
    ),
    # -- negative and huge integers (API Reference, SendMessage and ReceiveMessage) --
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": -1}),
        "InvalidParameterValue",
        400,
        id="receive-max-negative",
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "MaxNumberOfMessages": 11}),
        "InvalidParameterValue",
        400,
        id="receive-max-11",
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "WaitTimeSeconds": 2**31 - 1}),
        "InvalidParameterValue",
        400,
        id="receive-wait-int-max",
    ),
    pytest.param(
        _j("ReceiveMessage", {"QueueUrl": "victim", "VisibilityTimeout": -(2**31)}),
        "InvalidParameterValue",
        400,
        id="receive-visibility-int-min",
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": "x", "DelaySeconds": -1}),
        "InvalidParameterValue",
        400,
        id="delay-negative",
    ),
    pytest.param(
        _j("SendMessage", {"QueueUrl": "victim", "MessageBody": "x", "DelaySeconds": 2**31 - 1}),
        "InvalidParameterValue",
        400,
        id="delay-int-max",
    ),
    pytest.param(_j("ListQueues", {"MaxResults": 0}), "InvalidParameterValue", 400, id="list-max-zero"),
    pytest.param(
        _j("ListQueues", {"MaxResults": 1, "NextToken": "garbage"}),
        "InvalidParameterValue",
        400,
        id="list-token-garbage",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"VisibilityTimeout": "-1"}}),
        "InvalidAttributeValue",
        400,
        id="attr-visibility-negative",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"VisibilityTimeout": "NaN"}}),
        "InvalidAttributeValue",
        400,
        id="attr-visibility-nan",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"DelaySeconds": "1e3"}}),
        "InvalidAttributeValue",
        400,
        id="attr-delay-exponent",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"Frobs": "1"}}),
        "InvalidAttributeName",
        400,
        id="attr-unknown",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"VisibilityTimeout": BIG_DIGITS}}),
        "InvalidAttributeValue",
        400,
        id="attr-5000-digits",
    ),
    pytest.param(
        _j("CreateQueue", {"QueueName": "fresh", "Attributes": {"DelaySeconds": BIG_DIGITS}}),
        "InvalidAttributeValue",
        400,
        id="create-attr-5000-digits",
    ),
    pytest.param(
        _j(
            "SetQueueAttributes",
            {
                "QueueUrl": "victim",
                "Attributes": {
                    "RedrivePolicy": json.dumps(
                        {
                            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:victim.fifo",
                            "maxReceiveCount": BIG_DIGITS,
                        }
                    )
                },
            },
        ),
        "InvalidParameterValue",
        400,
        id="redrive-count-5000-digits",
    ),
    # -- JSON-valued attributes (API Reference, SetQueueAttributes) --
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"Policy": "{"}}),
        "InvalidAttributeValue",
        400,
        id="policy-malformed",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"RedrivePolicy": "{}"}}),
        "InvalidParameterValue",
        400,
        id="redrive-empty-object",
    ),
    pytest.param(
        _j(
            "SetQueueAttributes",
            {
                "QueueUrl": "victim",
                "Attributes": {"RedrivePolicy": '{"deadLetterTargetArn": ["x"], "maxReceiveCount": {}}'},
            },
        ),
        "InvalidParameterValue",
        400,
        id="redrive-wrong-types",
    ),
    pytest.param(
        _j(
            "SetQueueAttributes",
            {"QueueUrl": "victim", "Attributes": {"RedriveAllowPolicy": '{"redrivePermission": {"a": 1}}'}},
        ),
        "InvalidParameterValue",
        400,
        id="redrive-allow-wrong-types",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"Policy": DEEP}}),
        "InvalidAttributeValue",
        400,
        id="policy-deeply-nested",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"RedrivePolicy": DEEP}}),
        "InvalidParameterValue",
        400,
        id="redrive-deeply-nested",
    ),
    pytest.param(
        _j("SetQueueAttributes", {"QueueUrl": "victim", "Attributes": {"RedriveAllowPolicy": DEEP}}),
        "InvalidParameterValue",
        400,
        id="redrive-allow-deeply-nested",
    ),
    pytest.param(
        _j("CreateQueue", {"QueueName": "victim", "Attributes": {"Policy": DEEP}}),
        "InvalidAttributeValue",
        400,
        id="create-policy-deeply-nested",
    ),
    pytest.param(
        _j("ListQueues", {"MaxResults": 1, "NextToken": base64.b64encode(DEEP.encode()).decode()}),
        "InvalidParameterValue",
        400,
        id="list-token-deeply-nested",
    ),
    pytest.param(
        _j("CancelMessageMoveTask", {"TaskHandle": base64.b64encode(DEEP.encode()).decode()}),
        "InvalidParameterValue",
        400,
        id="task-handle-deeply-nested",
    ),
    # -- query decoding --
    pytest.param(
        _q(
            "Action=SetQueueAttributes&QueueUrl=victim&Attribute.%C2%B2.Name=VisibilityTimeout&Attribute.%C2%B2.Value=5"
        ),
        None,
        400,
        id="query-index-superscript-two",
    ),
]

# Query error messages that echo a control character must still be well-formed XML.
XML_CASES: list[Any] = [
    pytest.param(
        _q("Action=ReceiveMessage&QueueUrl=victim&MaxNumberOfMessages=%01"),
        "InvalidParameterValue",
        400,
        id="query-echo-control-in-int",
    ),
    pytest.param(
        _q("Action=%01Frob"),
        "InvalidAction",
        400,
        id="query-echo-control-in-action",
    ),
    pytest.param(
        _q("Action=AddPermission&QueueUrl=victim&Label=%08&AWSAccountId.1=111122223333&ActionName.1=SendMessage"),
        "InvalidParameterValue",
        400,
        id="query-echo-control-in-label",
    ),
    pytest.param(
        _q("Action=ReceiveMessage&QueueUrl=victim&MaxNumberOfMessages=%3C%26%3E"),
        "InvalidParameterValue",
        400,
        id="query-echo-markup",
    ),
]


@pytest.mark.parametrize(("make", "code", "status"), CASES + XML_CASES)
def test_bad_request_gets_an_sqs_error_and_changes_nothing(
    sqs_mock: SqsMock, dispatch: Dispatch, make: Callable[[], HttpRequest], code: str | None, status: int | None
) -> None:
    before = snapshot(sqs_mock)
    response = dispatch(make())
    assert_sqs_error(response, code=code, status=status)
    assert snapshot(sqs_mock) == before


# -- values that are accepted but break the queue for later readers -----------------------------------------------


def test_lone_surrogate_tag_keeps_the_queue_readable_over_query(dispatch: Dispatch) -> None:
    stored = dispatch(json_request("TagQueue", b'{"QueueUrl": "victim", "Tags": {"k": "v\\udfff"}}'))
    if stored.status == 200:  # accepted: it must then be readable by every client
        response = dispatch(query_request("Action=ListQueueTags&QueueUrl=victim"))
        assert response.status == 200
    else:
        assert_sqs_error(stored)


def test_lone_surrogate_policy_keeps_the_queue_readable_over_query(dispatch: Dispatch) -> None:
    body = b'{"QueueUrl": "victim", "Attributes": {"Policy": "{\\"Statement\\": [{\\"Sid\\": \\"\\ud800\\"}]}"}}'
    stored = dispatch(json_request("SetQueueAttributes", body))
    if stored.status == 200:
        response = dispatch(query_request("Action=GetQueueAttributes&QueueUrl=victim&AttributeName.1=All"))
        assert response.status == 200
    else:
        assert_sqs_error(stored)


SELF_REDRIVE = textwrap.dedent(
    """
    import json
    from pytest_sqsmock import mock_sqs

    with mock_sqs() as mock:
        sqs = mock.client()
        url = sqs.create_queue(QueueName="loop")["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:123456789012:loop"
        policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
        try:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": policy})
        except sqs.exceptions.ClientError:
            raise SystemExit(0)  # refused: fine
        sqs.send_message(QueueUrl=url, MessageBody="m")
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)  # maxReceiveCount reached: moves to itself
    """
)


def test_queue_that_is_its_own_dead_letter_queue_does_not_hang() -> None:
    # In a subprocess: a hang there costs the timeout, not the rest of the session. The timeout only
    # catches a hang: it is generous, so that a loaded machine starting Python and boto3 never trips it.
    try:
        subprocess.run([sys.executable, "-c", SELF_REDRIVE], timeout=60, check=True, capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail("ReceiveMessage on a queue whose RedrivePolicy targets itself never returned")


# -- the HTTP layer of sqs_mock.server() ---------------------------------------------------------------------------


def _raw_exchange(port: int, data: bytes, timeout: float = 0.5) -> bytes:
    """Send raw bytes, read one response (or what arrives before the timeout / close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
                head, separator, rest = received.partition(b"\r\n\r\n")
                if separator:
                    length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                    if length and len(rest) >= int(length[0].split(b":")[1]):
                        break
        except TimeoutError:
            return b"<no answer within the timeout> " + received
    return received or b"<connection closed without an answer>"


def _post(headers: str, body: bytes) -> bytes:
    return f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode() + body


FORM = "Content-Type: application/x-www-form-urlencoded\r\n"
SERVER_CASES: list[Any] = [
    pytest.param(_post(FORM + "Content-Length: 21\r\n", b"Action=Frob&Version=1"), id="unknown-action"),
    pytest.param(
        _post(
            "X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 5\r\n",
            b"{oops",
        ),
        id="malformed-json",
    ),
    pytest.param(
        _post(FORM + "Content-Length: 46\r\n", b"Action=DeleteMessage&QueueUrl=victim&ReceiptHa"),
        id="truncated-form",
    ),
    pytest.param(
        _post(FORM + "Content-Length: -1\r\n", b"Action=ListQueues"),
        id="negative-content-length",
    ),
    pytest.param(
        _post(FORM + "Content-Length: many\r\n", b"Action=ListQueues"),
        id="garbage-content-length",
    ),
    pytest.param(
        b"POST / HTTP/1.1\r\nHost: [\r\n" + FORM.encode() + b"Content-Length: 17\r\n\r\nAction=ListQueues",
        id="malformed-host",
    ),
    pytest.param(
        _post(FORM + "Content-Length: 999999999999\r\n", b""),
        id="oversize-content-length",
    ),
]


@pytest.mark.parametrize("data", SERVER_CASES)
def test_server_answers_garbage_with_an_sqs_error(sqs_mock: SqsMock, dispatch: Dispatch, data: bytes) -> None:
    server = sqs_mock.server()
    before = snapshot(sqs_mock)
    answer = _raw_exchange(server.port, data)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 4"), answer[:300]
    head, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n") if b": " in line)
    response = HttpResponse(int(status_line.split()[1]), {k.decode(): v.decode() for k, v in headers.items()}, body)
    response.headers.setdefault("Content-Type", response.headers.get("content-type", ""))
    assert_sqs_error(response)
    assert snapshot(sqs_mock) == before


# -- fuzzing the codec ---------------------------------------------------------------------------------------------

_MODEL = botocore.session.get_session().get_service_model("sqs")
OPERATIONS = sorted(_MODEL.operation_names)
# Members fuzzed with ASCII only (none since non-ASCII receipt handles were fixed).
_ASCII_ONLY: set[str] = set()

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
_ascii = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
_garbage = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3), max_leaves=8
)


def _plausible(shape: Any, depth: int = 0, name: str = "") -> st.SearchStrategy[Any]:
    """Values of the right type, built from the shape (mostly), or garbage (sometimes)."""
    if depth > 4:
        return _garbage
    kind = shape.type_name
    right: st.SearchStrategy[Any]
    if kind == "structure":
        members = {
            member: _plausible(member_shape, depth + 1, member) for member, member_shape in shape.members.items()
        }
        right = st.fixed_dictionaries({}, optional=members)
    elif kind == "list":
        right = st.lists(_plausible(shape.member, depth + 1, name), max_size=12)
    elif kind == "map":
        right = st.dictionaries(_text, _plausible(shape.value, depth + 1, name), max_size=12)
    elif kind in ("integer", "long"):
        right = st.one_of(st.integers(-2, 12), st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, 20, 900, 43_200]))
    elif kind == "boolean":
        right = st.booleans()
    elif kind == "blob":
        right = st.binary(max_size=20).map(lambda raw: base64.b64encode(raw).decode())
    else:
        known = ["victim", QUEUE_URL, FIFO_URL, "victim.fifo", "All", "String", "Number", "Binary", "g", "1"]
        strings = _ascii if name in _ASCII_ONLY else _text
        right = st.one_of(strings, st.sampled_from(known))
    return st.one_of(right, right, right, _garbage)


def _json_requests() -> st.SearchStrategy[HttpRequest]:
    def build(operation: str) -> st.SearchStrategy[HttpRequest]:
        shape = _MODEL.operation_model(operation).input_shape
        body = _plausible(shape) if shape is not None else st.just({})
        return body.map(lambda document: json_request(operation, json.dumps(document).encode()))

    return st.sampled_from(OPERATIONS).flatmap(build)


def _query_requests() -> st.SearchStrategy[HttpRequest]:
    keys = st.one_of(
        st.sampled_from(
            [
                "QueueUrl",
                "QueueName",
                "MessageBody",
                "MaxNumberOfMessages",
                "Attribute.1.Name",
                "Attribute.1.Value",
                "MessageAttribute.1.Name",
                "MessageAttribute.1.Value.DataType",
                "MessageAttribute.1.Value.StringValue",
                "MessageAttribute.1.Value.BinaryValue",
                "SendMessageBatchRequestEntry.1.Id",
                "SendMessageBatchRequestEntry.1.MessageBody",
                "DeleteMessageBatchRequestEntry.2.ReceiptHandle",
                "Tag.1.Key",
                "Tag.1.Value",
                "TagKey.1",
                "AttributeName.1",
                "Entries",
                "VisibilityTimeout",
                "DelaySeconds",
            ]
        ),
        _ascii,
    )
    values = st.one_of(_ascii, st.sampled_from(["victim", QUEUE_URL, "1", "-1", "true", "All", "", "%00", "=", "&"]))
    pairs = st.lists(st.tuples(keys, values), max_size=8)

    def build(operation: str, items: list[tuple[str, str]]) -> HttpRequest:
        return query_request(urlencode([("Action", operation), *items]))

    return st.builds(build, st.sampled_from([*OPERATIONS, "Frobnicate", ""]), pairs)


def _no_server_error(dispatch: Dispatch, request: HttpRequest) -> None:
    try:
        response = dispatch(request)
    except Exception as error:  # the point of the test
        raise AssertionError(f"the dispatcher raised {error!r} for {request!r}") from error
    assert response.status < 500, (request, response.body[:400])
    if response.status >= 400:
        assert_sqs_error(response)


FUZZ = settings(
    max_examples=2_000 if os.environ.get("SQSMOCK_LONG") == "1" else 150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(request=_json_requests())
def test_json_codec_never_fails_on_random_members(dispatch: Dispatch, request: HttpRequest) -> None:
    _no_server_error(dispatch, request)


@FUZZ
@given(request=_query_requests())
def test_query_codec_never_fails_on_random_forms(dispatch: Dispatch, request: HttpRequest) -> None:
    _no_server_error(dispatch, request)


@FUZZ
@given(body=st.binary(max_size=200), operation=st.sampled_from([*OPERATIONS, "Nope"]), json_protocol=st.booleans())
def test_codec_never_fails_on_random_bytes(
    dispatch: Dispatch, body: bytes, operation: str, json_protocol: bool
) -> None:
    request = json_request(operation, body) if json_protocol else query_request(body)
    _no_server_error(dispatch, request)
