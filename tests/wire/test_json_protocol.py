from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.loaders import create_loader
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire import json_protocol
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

MODEL = ServiceModel(create_loader().load_service_model("sqs", "service-2"), "sqs")
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/q1"

#: The reference requests and parses below come from botocore's JSON serializer and
#: parser run on the installed model: that takes a JSON-era model (botocore >= 1.34.90).
needs_json_model = pytest.mark.skipif(
    MODEL.protocol != "json",
    reason=f"installed botocore's SQS model speaks {MODEL.protocol!r}; botocore's JSON serializer/parser need the awsJson1_0 model (botocore >= 1.34.90)",
)


def botocore_request(operation: str, params: dict[str, Any]) -> HttpRequest:
    """The request botocore itself builds for these params."""
    serialized = create_serializer("json").serialize_to_request(params, MODEL.operation_model(operation))
    return HttpRequest(
        "POST",
        "https://sqs.us-east-1.amazonaws.com/",
        serialized["headers"],
        serialized["body"],
    )


def raw_request(operation: str, body: bytes) -> HttpRequest:
    headers = {
        "X-Amz-Target": f"AmazonSQS.{operation}",
        "Content-Type": "application/x-amz-json-1.0",
    }
    return HttpRequest("POST", "https://sqs.us-east-1.amazonaws.com/", headers, body)


def botocore_parse(operation: str, response: HttpResponse) -> dict[str, Any]:
    parsed: dict[str, Any] = create_parser("json").parse(
        {
            "status_code": response.status,
            "headers": response.headers,
            "body": response.body,
        },
        output_shape(operation),
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def output_shape(operation: str) -> Any:
    return MODEL.operation_model(operation).output_shape


def decode_error(request: HttpRequest) -> SqsError:
    with pytest.raises(SqsError) as caught:
        json_protocol.decode(request)
    return caught.value


# --- decode -----------------------------------------------------------------


@needs_json_model
def test_decodes_what_botocore_sends_with_python_values() -> None:
    params = {
        "QueueUrl": URL,
        "MessageBody": "hi",
        "DelaySeconds": 5,
        "MessageAttributes": {
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
            "s": {"DataType": "String", "StringValue": "x"},
        },
        "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}},
    }
    assert json_protocol.decode(botocore_request("SendMessage", params)) == (
        "SendMessage",
        params,
    )


@needs_json_model
def test_decodes_lists_of_structures_and_string_lists() -> None:
    batch = {
        "QueueUrl": URL,
        "Entries": [
            {"Id": "a", "MessageBody": "1", "DelaySeconds": 0},
            {"Id": "b", "MessageBody": "2"},
        ],
    }
    assert json_protocol.decode(botocore_request("SendMessageBatch", batch)) == (
        "SendMessageBatch",
        batch,
    )
    receive = {
        "QueueUrl": URL,
        "MessageSystemAttributeNames": ["All"],
        "MaxNumberOfMessages": 10,
    }
    assert json_protocol.decode(botocore_request("ReceiveMessage", receive))[1] == receive


@needs_json_model
def test_decodes_lower_case_member_names_verbatim() -> None:
    params = {"QueueName": "q", "Attributes": {"DelaySeconds": "1"}, "tags": {"k": "v"}}
    assert json_protocol.decode(botocore_request("CreateQueue", params))[1] == params


def test_ignores_unknown_members_and_nulls() -> None:
    body = b'{"QueueUrl": "u", "Bogus": 1, "DelaySeconds": null, "MessageBody": "b"}'
    assert json_protocol.decode(raw_request("SendMessage", body)) == (
        "SendMessage",
        {"QueueUrl": "u", "MessageBody": "b"},
    )


def test_empty_body_means_no_parameters() -> None:
    assert json_protocol.decode(raw_request("ListQueues", b"")) == ("ListQueues", {})


@pytest.mark.parametrize(
    ("target", "action"),
    [("AmazonSQS.FooBar", "FooBar"), ("AmazonSNS.Publish", "Publish"), ("", "")],
)
def test_unknown_operation_is_invalid_action(target: str, action: str) -> None:
    request = HttpRequest("POST", "https://sqs.us-east-1.amazonaws.com/", {"X-Amz-Target": target}, b"{}")
    error = decode_error(request)
    assert (error.code, error.message) == (
        sqs_errors.invalid_action(action).code,
        sqs_errors.invalid_action(action).message,
    )


@pytest.mark.parametrize(
    ("operation", "body", "fragment"),
    [
        (
            "SendMessage",
            b'{"QueueUrl": 5}',
            "Expected a string for QueueUrl, found a number",
        ),
        (
            "SendMessage",
            b'{"DelaySeconds": "5"}',
            "Expected an integer for DelaySeconds, found a string",
        ),
        (
            "SendMessage",
            b'{"DelaySeconds": true}',
            "Expected an integer for DelaySeconds, found a boolean",
        ),
        ("SendMessage", b'{"DelaySeconds": 1.5}', "found a number"),
        (
            "SendMessage",
            b'{"DelaySeconds": 2147483648}',
            "Expected an integer for DelaySeconds",
        ),
        (
            "SendMessage",
            b'{"MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "%%%"}}}',
            "MessageAttributes.a.BinaryValue",
        ),
        (
            "SendMessage",
            b'{"MessageAttributes": {"a": {"BinaryValue": 1}}}',
            "Expected a base64 string for MessageAttributes.a.BinaryValue, found a number",
        ),
        (
            "SendMessage",
            b'{"MessageAttributes": []}',
            "Expected an object for MessageAttributes, found an array",
        ),
        (
            "SendMessageBatch",
            b'{"Entries": [{"Id": 1}]}',
            "Expected a string for Entries.0.Id",
        ),
        ("SendMessageBatch", b'{"Entries": [null]}', "found null"),
        (
            "ReceiveMessage",
            b'{"AttributeNames": "All"}',
            "Expected an array for AttributeNames, found a string",
        ),
    ],
)
def test_wrong_json_types_are_serialization_errors(operation: str, body: bytes, fragment: str) -> None:
    error = decode_error(raw_request(operation, body))
    assert error.code == "SerializationException"
    assert error.status == 400
    assert fragment in error.message


@pytest.mark.parametrize("body", [b"{", b"[1]", b'"text"', b"null", b"\xff\xfe{}"])
def test_malformed_or_non_object_body_is_a_serialization_error(body: bytes) -> None:
    assert decode_error(raw_request("ListQueues", body)).shape == "SerializationException"


# --- encode -----------------------------------------------------------------


@needs_json_model
def test_encodes_result_that_botocore_parses_back() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "AQEB",
        "MD5OfBody": "6e2baaf3b97dbeef01c0043275f9a0e7",
        "Body": "msg",
        "Attributes": {"SentTimestamp": "1714482781123"},
        "MD5OfMessageAttributes": "x",
        "MessageAttributes": {
            "Foo": {"StringValue": "Bar", "DataType": "String"},
            "Bin": {"BinaryValue": b"\x00\xff", "DataType": "Binary"},
        },
    }
    response = json_protocol.encode_result("ReceiveMessage", {"Messages": [message]}, "rid-1")
    assert response.status == 200
    assert response.headers == {
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-RequestId": "rid-1",
    }
    assert json.loads(response.body)["Messages"][0]["MessageAttributes"]["Bin"]["BinaryValue"] == "AP8="
    assert botocore_parse("ReceiveMessage", response) == {"Messages": [message]}


def test_omits_none_empty_collections_and_unknown_keys() -> None:
    result = {
        "Successful": [
            {
                "Id": "a",
                "MessageId": "m",
                "MD5OfMessageBody": "d",
                "SequenceNumber": None,
            }
        ],
        "Failed": [],
    }
    response = json_protocol.encode_result("SendMessageBatch", {**result, "Internal": object()}, "r")
    assert json.loads(response.body) == {"Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "d"}]}


def test_empty_receive_has_no_messages_key() -> None:
    assert json_protocol.encode_result("ReceiveMessage", {"Messages": []}, "r").body == b"{}"


def test_keeps_numbers_booleans_and_empty_strings() -> None:
    failed = {
        "Id": "big",
        "SenderFault": True,
        "Code": "InvalidParameterValue",
        "Message": "",
    }
    body = json.loads(json_protocol.encode_result("SendMessageBatch", {"Failed": [failed]}, "r").body)
    assert body == {"Failed": [failed]}
    moved = json_protocol.encode_result("CancelMessageMoveTask", {"ApproximateNumberOfMessagesMoved": 0}, "r")
    assert json.loads(moved.body) == {"ApproximateNumberOfMessagesMoved": 0}


@pytest.mark.parametrize("result", [None, {}])
def test_operation_without_output_returns_empty_object(
    result: dict[str, Any] | None,
) -> None:
    response = json_protocol.encode_result("DeleteQueue", result, "r")
    assert (response.status, response.body) == (200, b"{}")


def test_encodes_error_exactly_as_reference_2_2() -> None:
    response = json_protocol.encode_error(sqs_errors.queue_does_not_exist(), "2f0b")
    assert response.status == 400
    assert response.headers == {
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-RequestId": "2f0b",
        "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender",
    }
    assert response.body == (
        b'{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}'
    )


def test_error_status_namespace_key_and_fault_come_from_the_error() -> None:
    denied = json_protocol.encode_error(sqs_errors.access_denied("no"), "r")
    assert denied.status == 403
    assert json.loads(denied.body) == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "Message": "no",
    }
    assert denied.headers["x-amzn-query-error"] == "AccessDenied;Sender"
    internal = json_protocol.encode_error(sqs_errors.internal_failure(), "r")
    assert internal.status == 500
    assert internal.headers["x-amzn-query-error"] == "InternalFailure;Receiver"


def test_botocore_reads_legacy_code_and_modeled_shape_from_error() -> None:
    response = json_protocol.encode_error(sqs_errors.purge_queue_in_progress("q1"), "r")
    parsed = create_parser("json").parse(
        {
            "status_code": response.status,
            "headers": response.headers,
            "body": response.body,
        },
        output_shape("PurgeQueue"),
    )
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert parsed["Error"]["QueryErrorCode"] == "PurgeQueueInProgress"
    assert parsed["Error"]["Type"] == "Sender"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_null_map_values_are_dropped() -> None:
    body = b'{"QueueUrl": "u", "Attributes": {"DelaySeconds": null, "VisibilityTimeout": "5"}}'
    assert json_protocol.decode(raw_request("SetQueueAttributes", body))[1] == {
        "QueueUrl": "u",
        "Attributes": {"VisibilityTimeout": "5"},
    }


@pytest.mark.usefixtures("synthetic_model")
def test_generic_kinds_of_a_synthetic_model() -> None:
    body = b'{"Flag": true, "Nested": {"Text": "t"}, "Ratio": 1.5}'
    params = {"Flag": True, "Nested": {"Text": "t"}, "Ratio": 1.5}
    assert json_protocol.decode(raw_request("Kinds", body)) == ("Kinds", params)
    assert json_protocol.decode(raw_request("NoInput", b"{}")) == ("NoInput", {})
    error = decode_error(raw_request("Kinds", b'{"Flag": "yes"}'))
    assert error.message == "Expected a boolean for Flag, found a string."
    assert json.loads(json_protocol.encode_result("Kinds", params, "r").body) == params
