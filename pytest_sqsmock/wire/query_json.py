"""The query protocol's JSON answers: what SQS sends a query request that asks for JSON.

A query request (``Action=...``) with ``Accept: application/json`` gets the XML
answer's layout as a JSON document rather than XML, as AWS's query front end
renders it:

- a result is ``{"<Op>Response": {"<Op>Result": {...}, "ResponseMetadata":
  {"RequestId": "..."}}}`` (LocalStack's AWS-validated ``TestSqsQueryApi``
  ``test_get_queue_attributes_json_format``);
- maps are lists of ``{"Name": ..., "Value": ...}`` entries under the member
  name (``"Attributes": [{"Name": "QueueArn", "Value": ...}]``, same test; tags
  are ``{"Key": ..., "Value": ...}`` as in XML);
- every member of a result is present, ``null`` when it has no value: clients of
  real SQS read ``ListQueuesResult.NextToken`` without a check and test
  ``ReceiveMessageResult.messages`` for ``None`` when nothing was received;
- two members keep the names of SQS's own model rather than botocore's:
  ``ListQueuesResult.queueUrls`` and ``ReceiveMessageResult.messages``
  (independent clients written against real SQS with ``Accept:
  application/json`` read exactly these, e.g. cloudyr/aws.sqs ``R/list_queues.r``,
  ``R/messages.r``);
- an error is ``{"Error": {"Type", "Code", "Message", "Detail"}, "RequestId"}``
  with the query error's status (``Error.Code`` and ``Error.Message`` from the
  AWS-validated ``test_get_list_queues_fails_json_format``; ``Type``, ``Detail``
  and ``RequestId`` mirror the XML ``ErrorResponse`` and are not verified).

What is not verified stays as the XML answer has it (member names, numbers as
JSON numbers, booleans as JSON booleans, blobs as base64 text).
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Mapping
from typing import Any, Final

from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire import query_protocol
from pytest_sqsmock.wire.http import HttpResponse
from pytest_sqsmock.wire.shapes import Shape, service_shapes

CONTENT_TYPE: Final = "application/json"
_ENCODE: Final = json.JSONEncoder(separators=(",", ":")).encode
# (structure shape, member) -> the name SQS's JSON rendering uses, where it is not botocore's.
JSON_NAMES: Final[Mapping[tuple[str, str], str]] = {
    ("ListQueuesResult", "QueueUrls"): "queueUrls",
    ("ReceiveMessageResult", "Messages"): "messages",
}


def encode_result(operation: str, result: Mapping[str, Any] | None, request_id: str) -> HttpResponse:
    """Serialise a successful query-protocol result as JSON.

    Args:
        operation: The operation name.
        result: The output structure (AWS member names, Python values).
        request_id: The request id, in the body and ``x-amzn-RequestId``.

    Returns:
        A 200 response ``{"<Op>Response": {"<Op>Result": ..., "ResponseMetadata": ...}}``;
        operations without output have no result member.
    """
    output = service_shapes().operations[operation].output
    response: dict[str, Any] = {}
    if output is not None:
        response[f"{operation}Result"] = _structure(output, result or {})
    response["ResponseMetadata"] = {"RequestId": request_id}
    return HttpResponse(200, _headers(request_id), _ENCODE({f"{operation}Response": response}).encode())


def _structure(shape: Shape, value: Mapping[str, Any]) -> dict[str, Any]:
    return {
        JSON_NAMES.get((shape.name, name), name): _value(member, value.get(name), entry_names)
        for name, entry_names, member in _members(shape)
    }


def _members(shape: Shape) -> list[tuple[str, tuple[str, str], Shape]]:
    out = []
    for name, member in shape.members.items():
        element = query_protocol.QUERY_NAMES.get((shape.name, name), name)
        out.append((name, query_protocol.MAP_ENTRY_NAMES.get(element, ("Name", "Value")), member))
    return out


def _value(shape: Shape, value: Any, entry_names: tuple[str, str]) -> Any:
    if value is None:
        return None
    kind = shape.kind
    if kind == "structure":
        return _structure(shape, value)
    if kind == "list":
        return [_value(shape.member, item, ("Name", "Value")) for item in value] or None
    if kind == "map":
        key_name, value_name = entry_names
        entries = [
            {key_name: key, value_name: _value(shape.value, item, ("Name", "Value"))} for key, item in value.items()
        ]
        return entries or None
    if kind == "blob":
        return b64encode(value).decode("ascii")
    return value


def encode_error(error: SqsError, request_id: str) -> HttpResponse:
    """Serialise a query-protocol error as JSON (the XML ``ErrorResponse``'s layout).

    ``UnknownOperationException`` is the exception: SQS answers a request that
    names no action in XML even when it asks for JSON (LocalStack's AWS-validated
    ``test_get_without_query_json_format_returns_returns_xml``).

    Args:
        error: The error to send; its legacy ``code`` goes in ``Error.Code``.
        request_id: The request id, in the body and ``x-amzn-RequestId``.

    Returns:
        A response with the error's status.
    """
    if error.code == "UnknownOperationException":
        return query_protocol.encode_error(error, request_id)
    body = {
        "Error": {
            "Type": "Sender" if error.sender_fault else "Receiver",
            "Code": error.code,
            "Message": error.message,
            "Detail": None,
        },
        "RequestId": request_id,
    }
    return HttpResponse(error.status, _headers(request_id), _ENCODE(body).encode())


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
