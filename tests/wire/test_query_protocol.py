"""The query codec, checked against botocore's own query serializer and parser.

``data/sqs-query-2012-11-05.json`` is the last query-protocol SQS model botocore
shipped (1.34.22), so these tests prove we read what old botocore sends and
write what it parses, whatever botocore this suite runs with.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.model import ServiceModel
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire import query_protocol
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse
from pytest_sqsmock.wire.shapes import service_shapes

QUERY_MODEL = ServiceModel(
    json.loads((Path(__file__).parent / "data" / "sqs-query-2012-11-05.json").read_text()),
    "sqs",
)
ENDPOINT = "https://sqs.us-east-1.amazonaws.com/"
NS = "http://queue.amazonaws.com/doc/2012-11-05/"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
# List values are modeled but SQS never returns them (sending them is UnsupportedOperation).
NEVER_RETURNED = {"StringListValues", "BinaryListValues"}


def sample(shape: Any, name: str, *, output: bool) -> Any:
    """A value for every member of the shape, with characters that need escaping."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.members.items()
        return {
            member: sample(inner, member, output=output)
            for member, inner in members
            if not (output and member in NEVER_RETURNED)
        }
    if kind == "list":
        return [
            sample(shape.member, f"{name}1", output=output),
            sample(shape.member, f"{name}2", output=output),
        ]
    if kind == "map":
        return {f"{name}-k{i}": sample(shape.value, f"{name}v{i}", output=output) for i in (1, 2)}
    if kind == "integer":
        return 7
    if kind == "long":
        return 1_714_470_000_000
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\xff" + name.encode()
    return f'{name} <&> "q" \r\n é+=%'


def botocore_request(operation: str, params: dict[str, Any]) -> HttpRequest:
    serialized = QuerySerializer().serialize_to_request(params, QUERY_MODEL.operation_model(operation))
    return HttpRequest("POST", ENDPOINT, FORM, urlencode(serialized["body"]).encode())


def botocore_parse(operation: str, response: HttpResponse) -> dict[str, Any]:
    parsed: dict[str, Any] = QueryParser().parse(
        {
            "status_code": response.status,
            "headers": response.headers,
            "body": response.body,
        },
        output_shape(operation),
    )
    parsed.pop("ResponseMetadata")
    return parsed


def output_shape(operation: str) -> Any:
    return QUERY_MODEL.operation_model(operation).output_shape


def form(**params: str) -> HttpRequest:
    return HttpRequest("POST", ENDPOINT, FORM, urlencode(params).encode())


def decode_error(request: HttpRequest) -> SqsError:
    with pytest.raises(SqsError) as caught:
        query_protocol.decode(request)
    return caught.value


# --- decode -----------------------------------------------------------------


@pytest.mark.parametrize("operation", QUERY_MODEL.operation_names)
def test_decodes_every_operation_as_old_botocore_sends_it(operation: str) -> None:
    input_shape = QUERY_MODEL.operation_model(operation).input_shape
    params = sample(input_shape, operation, output=False) if input_shape else {}
    assert query_protocol.decode(botocore_request(operation, params)) == (
        operation,
        params,
    )


def test_decodes_reference_encodings() -> None:
    request = form(
        Action="SendMessage",
        Version="2012-11-05",
        QueueUrl="u",
        MessageBody="b",
        DelaySeconds="5",
        **{
            "MessageAttribute.1.Name": "a",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "x",
            "MessageAttribute.2.Name": "bin",
            "MessageAttribute.2.Value.DataType": "Binary",
            "MessageAttribute.2.Value.BinaryValue": "AAE=",
        },
    )
    assert query_protocol.decode(request) == (
        "SendMessage",
        {
            "QueueUrl": "u",
            "MessageBody": "b",
            "DelaySeconds": 5,
            "MessageAttributes": {
                "a": {"DataType": "String", "StringValue": "x"},
                "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
        },
    )


def test_decodes_names_missing_from_the_old_model() -> None:
    request = form(Action="ReceiveMessage", QueueUrl="u", **{"MessageSystemAttributeName.1": "All"})
    assert query_protocol.decode(request)[1] == {
        "QueueUrl": "u",
        "MessageSystemAttributeNames": ["All"],
    }


def test_indexes_are_ordered_numerically_not_as_text() -> None:
    items = {f"TagKey.{i}": f"k{i}" for i in (10, 2, 1)}
    assert query_protocol.decode(form(Action="UntagQueue", QueueUrl="u", **items))[1]["TagKeys"] == ["k1", "k2", "k10"]


def test_items_without_a_value_are_dropped() -> None:
    params = {
        "Tag.1.Key": "k",
        "Tag.2.Key": "k2",
        "Tag.2.Value": "v2",
        "TagKey.1.x": "?",
    }
    assert query_protocol.decode(form(Action="TagQueue", QueueUrl="u", **params))[1] == {
        "QueueUrl": "u",
        "Tags": {"k2": "v2"},
    }
    untag = form(Action="UntagQueue", QueueUrl="u", **{"TagKey.1.x": "?", "TagKey.2": "a"})
    assert query_protocol.decode(untag)[1] == {"QueueUrl": "u", "TagKeys": ["a"]}


def test_empty_list_encoding_is_an_empty_list() -> None:
    assert query_protocol.decode(botocore_request("SendMessageBatch", {"QueueUrl": "u", "Entries": []}))[1] == {
        "QueueUrl": "u",
        "Entries": [],
    }


def test_get_reads_the_query_string_and_ignores_unknown_parameters() -> None:
    request = HttpRequest(
        "GET",
        f"{ENDPOINT}?Action=ListQueues&QueueNamePrefix=a%20b&Foo=1&MaxResults=3",
        {},
    )
    assert query_protocol.decode(request) == (
        "ListQueues",
        {"QueueNamePrefix": "a b", "MaxResults": 3},
    )


def test_body_wins_over_the_query_string() -> None:
    request = HttpRequest(
        "POST",
        f"{ENDPOINT}?Action=ListQueues&QueueNamePrefix=url",
        FORM,
        b"QueueNamePrefix=body",
    )
    assert query_protocol.decode(request) == ("ListQueues", {"QueueNamePrefix": "body"})


@pytest.mark.parametrize("value", ["abc", "1.5", "", "99999999999", "1" * 5000])
def test_bad_integer_is_invalid_parameter_value(value: str) -> None:
    error = decode_error(form(Action="SendMessage", QueueUrl="u", MessageBody="b", DelaySeconds=value))
    assert (error.code, error.status) == ("InvalidParameterValue", 400)
    assert "DelaySeconds" in error.message


def test_bad_base64_is_invalid_parameter_value() -> None:
    params = {
        "MessageAttribute.1.Name": "a",
        "MessageAttribute.1.Value.BinaryValue": "%%%",
    }
    error = decode_error(form(Action="SendMessage", **params))
    assert error.code == "InvalidParameterValue"
    assert "MessageAttribute.1.Value.BinaryValue" in error.message


def test_unknown_action_is_invalid_action() -> None:
    error = decode_error(form(Action="FooBar"))
    assert (error.code, error.message) == (
        "InvalidAction",
        "The action FooBar is not valid for this endpoint.",
    )


def test_missing_action_is_unknown_operation() -> None:
    error = decode_error(HttpRequest("GET", "https://sqs.us-east-1.amazonaws.com/123456789012/q", {}))
    assert (error.code, error.status) == ("UnknownOperationException", 404)


# --- encode -----------------------------------------------------------------


@pytest.mark.parametrize("operation", QUERY_MODEL.operation_names)
def test_encodes_every_operation_so_old_botocore_parses_it(operation: str) -> None:
    output_shape = QUERY_MODEL.operation_model(operation).output_shape
    result = sample(output_shape, operation, output=True) if output_shape else None
    response = query_protocol.encode_result(operation, result, "rid")
    assert response.status == 200
    assert response.headers == {"Content-Type": "text/xml", "x-amzn-RequestId": "rid"}
    assert botocore_parse(operation, response) == (result or {})


def test_every_list_and_map_member_has_a_query_name() -> None:
    missing = []
    for operation in service_shapes().operations.values():
        stack = [shape for shape in (operation.input, operation.output) if shape is not None]
        seen = set()
        while stack:
            shape = stack.pop()
            if shape.name in seen:
                continue
            seen.add(shape.name)
            for name, member in shape.members.items():
                if member.kind in ("list", "map") and (shape.name, name) not in query_protocol.QUERY_NAMES:
                    missing.append((shape.name, name))
                stack += [s for s in (member, member.member, member.value) if s.kind == "structure"]
    assert missing == []


def test_receive_message_matches_the_reference_layout() -> None:
    message = {
        "MessageId": "5fea",
        "ReceiptHandle": "AQEB",
        "MD5OfBody": "6e2baaf3b97dbeef01c0043275f9a0e7",
        "Body": "msg",
        "Attributes": {"SenderId": "AIDA", "SentTimestamp": "1714482781123"},
        "MD5OfMessageAttributes": "ae7155c6026991b6d54b11589678bf9c",
        "MessageAttributes": {"Foo": {"StringValue": "Bar", "DataType": "String"}},
    }
    body = query_protocol.encode_result("ReceiveMessage", {"Messages": [message]}, "r").body.decode()
    assert body == (
        f'<ReceiveMessageResponse xmlns="{NS}"><ReceiveMessageResult><Message>'
        "<MessageId>5fea</MessageId><ReceiptHandle>AQEB</ReceiptHandle>"
        "<MD5OfBody>6e2baaf3b97dbeef01c0043275f9a0e7</MD5OfBody><Body>msg</Body>"
        "<Attribute><Name>SenderId</Name><Value>AIDA</Value></Attribute>"
        "<Attribute><Name>SentTimestamp</Name><Value>1714482781123</Value></Attribute>"
        "<MD5OfMessageAttributes>ae7155c6026991b6d54b11589678bf9c</MD5OfMessageAttributes>"
        "<MessageAttribute><Name>Foo</Name><Value><StringValue>Bar</StringValue><DataType>String</DataType></Value>"
        "</MessageAttribute></Message></ReceiveMessageResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ReceiveMessageResponse>"
    )


def test_batch_failure_entry_layout() -> None:
    failed = {
        "Id": "big-1",
        "SenderFault": True,
        "Code": "InvalidParameterValue",
        "Message": "m",
    }
    body = query_protocol.encode_result("SendMessageBatch", {"Successful": [], "Failed": [failed]}, "r").body.decode()
    assert (
        "<SendMessageBatchResult><BatchResultErrorEntry><Id>big-1</Id><SenderFault>true</SenderFault>"
        "<Code>InvalidParameterValue</Code><Message>m</Message></BatchResultErrorEntry></SendMessageBatchResult>"
    ) in body


def test_tags_use_key_and_value() -> None:
    body = query_protocol.encode_result("ListQueueTags", {"Tags": {"k": "v"}}, "r").body.decode()
    assert "<ListQueueTagsResult><Tag><Key>k</Key><Value>v</Value></Tag></ListQueueTagsResult>" in body


@pytest.mark.parametrize("result", [None, {}, {"Messages": []}])
def test_empty_result_is_a_self_closed_element(result: dict[str, Any] | None) -> None:
    body = query_protocol.encode_result("ReceiveMessage", result, "r").body.decode()
    assert body == (
        f'<ReceiveMessageResponse xmlns="{NS}"><ReceiveMessageResult/>'
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ReceiveMessageResponse>"
    )


def test_operation_without_output_has_only_metadata() -> None:
    body = query_protocol.encode_result("DeleteQueue", {}, "r").body.decode()
    assert body == (
        f'<DeleteQueueResponse xmlns="{NS}"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>'
        "</DeleteQueueResponse>"
    )


def test_escapes_quotes_and_carriage_returns_like_sqs() -> None:
    body = '<a href="x">&amp;\r\n'
    encoded = query_protocol.encode_result("ReceiveMessage", {"Messages": [{"Body": body}]}, "r").body.decode()
    assert "<Body>&lt;a href=&quot;x&quot;&gt;&amp;amp;&#xD;\n</Body>" in encoded
    assert ET.fromstring(encoded).findtext(f".//{{{NS}}}Body") == body


def test_encodes_error_as_reference_2_3() -> None:
    response = query_protocol.encode_error(sqs_errors.empty_batch_request("DeleteMessageBatch"), "d26e")
    assert response.status == 400
    assert response.headers == {"Content-Type": "text/xml", "x-amzn-RequestId": "d26e"}
    assert response.body.decode() == (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{NS}"><Error>'
        "<Type>Sender</Type><Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>"
        "<Message>There should be at least one DeleteMessageBatchRequestEntry in the request.</Message>"
        "<Detail/></Error><RequestId>d26e</RequestId></ErrorResponse>"
    )


def test_botocore_parses_errors_with_legacy_code() -> None:
    response = query_protocol.encode_error(sqs_errors.queue_does_not_exist(query=True), "r")
    parsed = QueryParser().parse(
        {
            "status_code": response.status,
            "headers": response.headers,
            "body": response.body,
        },
        output_shape("GetQueueUrl"),
    )
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist for this wsdl version.",
        "Detail": None,
    }


def test_receiver_fault_and_escaped_message() -> None:
    body = query_protocol.encode_error(SqsError("X", "X", 'a "b" <c>', 500, sender_fault=False), "r").body.decode()
    assert "<Type>Receiver</Type><Code>X</Code><Message>a &quot;b&quot; &lt;c&gt;</Message>" in body


@pytest.mark.usefixtures("synthetic_model")
def test_generic_kinds_of_a_synthetic_model() -> None:
    request = form(Action="Kinds", Flag="TRUE", **{"Nested.Text": "t"}, Ratio="1.5")
    params = {"Flag": True, "Nested": {"Text": "t"}, "Ratio": "1.5"}
    assert query_protocol.decode(request) == ("Kinds", params)
    assert query_protocol.decode(form(Action="NoInput")) == ("NoInput", {})
    assert decode_error(form(Action="Kinds", Flag="maybe")).code == "InvalidParameterValue"
    body = query_protocol.encode_result("Kinds", {"Flag": False, "Ratio": 1.5}, "r").body
    assert b"<KindsResult><Flag>false</Flag><Ratio>1.5</Ratio></KindsResult>" in body
