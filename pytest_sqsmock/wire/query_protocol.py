"""The legacy query protocol: form parameters in, XML out (botocore's query-protocol SQS model).

botocore before 1.34.90, old SDKs and raw HTTP clients send
``Action=<Op>&Version=2012-11-05&...`` with lists and maps flattened under
1-based indexes (``Attribute.1.Name``). Decoding yields the same params dicts as
the JSON protocol. The current botocore model no longer names the flattened
elements, so :data:`QUERY_NAMES` lists them; everything else comes from the
model's shapes.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode, b64encode
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse
from pytest_sqsmock.wire.shapes import INT32, INT64, Shape, service_shapes

CONTENT_TYPE: Final = "text/xml"

# (structure shape, member) -> element name of each flattened item, from the
# last query-protocol botocore model (botocore 1.34.22, sqs/2012-11-05/service-2.json).
QUERY_NAMES: Final[Mapping[tuple[str, str], str]] = {
    ("AddPermissionRequest", "AWSAccountIds"): "AWSAccountId",
    ("AddPermissionRequest", "Actions"): "ActionName",
    (
        "ChangeMessageVisibilityBatchRequest",
        "Entries",
    ): "ChangeMessageVisibilityBatchRequestEntry",
    (
        "ChangeMessageVisibilityBatchResult",
        "Successful",
    ): "ChangeMessageVisibilityBatchResultEntry",
    ("ChangeMessageVisibilityBatchResult", "Failed"): "BatchResultErrorEntry",
    ("CreateQueueRequest", "Attributes"): "Attribute",
    ("CreateQueueRequest", "tags"): "Tag",
    ("DeleteMessageBatchRequest", "Entries"): "DeleteMessageBatchRequestEntry",
    ("DeleteMessageBatchResult", "Successful"): "DeleteMessageBatchResultEntry",
    ("DeleteMessageBatchResult", "Failed"): "BatchResultErrorEntry",
    ("GetQueueAttributesRequest", "AttributeNames"): "AttributeName",
    ("GetQueueAttributesResult", "Attributes"): "Attribute",
    ("ListDeadLetterSourceQueuesResult", "queueUrls"): "QueueUrl",
    ("ListMessageMoveTasksResult", "Results"): "ListMessageMoveTasksResultEntry",
    ("ListQueueTagsResult", "Tags"): "Tag",
    ("ListQueuesResult", "QueueUrls"): "QueueUrl",
    ("Message", "Attributes"): "Attribute",
    ("Message", "MessageAttributes"): "MessageAttribute",
    ("MessageAttributeValue", "StringListValues"): "StringListValue",
    ("MessageAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("MessageSystemAttributeValue", "StringListValues"): "StringListValue",
    ("MessageSystemAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("ReceiveMessageRequest", "AttributeNames"): "AttributeName",
    (
        "ReceiveMessageRequest",
        "MessageSystemAttributeNames",
    ): "MessageSystemAttributeName",
    ("ReceiveMessageRequest", "MessageAttributeNames"): "MessageAttributeName",
    ("ReceiveMessageResult", "Messages"): "Message",
    ("SendMessageBatchRequest", "Entries"): "SendMessageBatchRequestEntry",
    ("SendMessageBatchRequestEntry", "MessageAttributes"): "MessageAttribute",
    (
        "SendMessageBatchRequestEntry",
        "MessageSystemAttributes",
    ): "MessageSystemAttribute",
    ("SendMessageBatchResult", "Successful"): "SendMessageBatchResultEntry",
    ("SendMessageBatchResult", "Failed"): "BatchResultErrorEntry",
    ("SendMessageRequest", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SetQueueAttributesRequest", "Attributes"): "Attribute",
    ("TagQueueRequest", "Tags"): "Tag",
    ("UntagQueueRequest", "TagKeys"): "TagKey",
}
# Flattened map item -> (key element, value element); every other map uses Name/Value.
MAP_ENTRY_NAMES: Final[Mapping[str, tuple[str, str]]] = {"Tag": ("Key", "Value")}
_NAME_VALUE: Final = ("Name", "Value")

# One member of a structure: (member name, query/XML name, shape, map key name, map value name).
_Plan = tuple[tuple[str, str, Shape, str, str], ...]
_plans: dict[Shape, _Plan] = {}

_INTEGER = re.compile(r"[+-]?[0-9]+")
_RANGES: Final = {"integer": INT32, "long": INT64}
_SCALARS: Final = frozenset({"string", "integer", "long", "boolean", "blob"})


def _plan(shape: Shape) -> _Plan:
    plan = _plans.get(shape)
    if plan is None:
        entries = []
        for name, member in shape.members.items():
            query_name = QUERY_NAMES.get((shape.name, name), name)
            key_name, value_name = MAP_ENTRY_NAMES.get(query_name, _NAME_VALUE)
            entries.append((name, query_name, member, key_name, value_name))
        plan = _plans[shape] = tuple(entries)
    return plan


def decode(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """Read the operation and its parameters from a query-protocol request.

    Parameters come from the URL query string, and for ``POST`` also from the
    form-encoded body (which wins on a clash).

    Args:
        request: The HTTP request.

    Returns:
        ``(operation, params)`` with the same member names and Python values as
        the JSON protocol; parameters the model does not know are dropped.

    Raises:
        SqsError: ``UnknownOperationException`` without ``Action``,
            ``InvalidAction`` for an unknown one;
            ``InvalidParameterValue`` for a value that does not fit its type, or
            a query string or body that is not valid UTF-8.
    """
    flat = _form(request.query_string, "query string")
    if request.method.upper() != "GET" and request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8("body") from None
        flat.update(_form(body, "body"))
    action = flat.pop("Action", None)
    flat.pop("Version", None)
    if not action:
        raise sqs_errors.unknown_operation()
    operation = service_shapes().operations.get(action)
    if operation is None:
        raise sqs_errors.invalid_action(action)
    if operation.input is None:
        return operation.name, {}
    return operation.name, _decode_structure(operation.input, "", flat, _children(flat))


def _form(text: str, where: str) -> dict[str, str]:
    """Form-encoded parameters, percent-escapes decoded as UTF-8 strictly: never a silent U+FFFD."""
    try:
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise _not_utf8(where) from None


def _not_utf8(where: str) -> SqsError:
    # AWS's text for this is not recorded; the code is SQS's generic validation error.
    return sqs_errors.invalid_parameter_value(f"The request {where} is not valid UTF-8.")


def _children(flat: dict[str, str]) -> dict[str, set[str]]:
    """Dotted prefix -> the next name segments under it (``"Tag.1"`` -> ``{"Key", "Value"}``)."""
    children: dict[str, set[str]] = {}
    for key in flat:
        dot = key.find(".")
        while dot >= 0:
            after = key.find(".", dot + 1)
            segment = key[dot + 1 : after] if after >= 0 else key[dot + 1 :]
            children.setdefault(key[:dot], set()).add(segment)
            dot = after
    return children


def _decode_structure(shape: Shape, prefix: str, flat: dict[str, str], children: dict[str, set[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, query_name, member, key_name, value_name in _plan(shape):
        key = prefix + query_name
        kind = member.kind
        if kind in _SCALARS:
            raw = flat.get(key)
            if raw is not None:
                out[name] = _scalar(member, raw, key)
        elif kind == "list" or kind == "map":
            # Indexes are ASCII digits ("²".isdigit() too); absurdly long ones are ignored.
            indexes = sorted(
                int(part) for part in children.get(key, ()) if part.isascii() and part.isdigit() and len(part) <= 9
            )
            if indexes:
                out[name] = _decode_collection(member, key, indexes, key_name, value_name, flat, children)
            elif flat.get(prefix + name) == "":
                # botocore sends a bare "Entries=" for an empty list
                out[name] = [] if kind == "list" else {}
        elif kind == "structure":
            if key in children:
                out[name] = _decode_structure(member, key + ".", flat, children)
        elif key in flat:
            out[name] = flat[key]
    return out


def _decode_collection(
    shape: Shape,
    key: str,
    indexes: list[int],
    key_name: str,
    value_name: str,
    flat: dict[str, str],
    children: dict[str, set[str]],
) -> Any:
    # Items missing their value (``Tag.1.Key`` without ``Tag.1.Value``) are dropped,
    # as JSON nulls are.
    if shape.kind == "list":
        items = [_decode_value(shape.member, f"{key}.{index}", flat, children) for index in indexes]
        return [item for item in items if item is not None]
    entries: dict[Any, Any] = {}
    for index in indexes:
        entry = f"{key}.{index}."
        map_key = _decode_value(shape.key, entry + key_name, flat, children)
        value = _decode_value(shape.value, entry + value_name, flat, children)
        if map_key is not None and value is not None:
            entries[map_key] = value
    return entries


def _decode_value(shape: Shape, key: str, flat: dict[str, str], children: dict[str, set[str]]) -> Any:
    if shape.kind in _SCALARS:
        raw = flat.get(key)
        return None if raw is None else _scalar(shape, raw, key)
    if shape.kind == "structure":
        return _decode_structure(shape, key + ".", flat, children)
    return flat.get(key)  # nested lists/maps do not occur in SQS


def _scalar(shape: Shape, raw: str, key: str) -> Any:
    kind = shape.kind
    if kind == "string":
        return raw
    if kind in _RANGES:
        low, high = _RANGES[kind]
        if len(raw) <= 21 and _INTEGER.fullmatch(raw) and low <= int(raw) <= high:
            return int(raw)
        raise sqs_errors.invalid_value(raw, key, "Must be an integer.")
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise sqs_errors.invalid_value(raw, key, "Must be true or false.")
    try:
        return b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise sqs_errors.invalid_value(raw, key, "Must be base64-encoded.") from None


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Escape text for an XML text node as SQS does (``"`` and carriage returns too).

    Args:
        text: Any text.

    Returns:
        The escaped text.
    """
    escaped = (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#xD;")
    )
    # XML 1.0 cannot carry control characters or lone surrogates, even as
    # references; they reach us only when echoed from bad input, so a
    # replacement character keeps the document well-formed.
    return _NOT_XML.sub("\ufffd", escaped)


def encode_result(operation: str, result: Mapping[str, Any] | None, request_id: str) -> HttpResponse:
    """Serialise a successful result as query-protocol XML.

    Args:
        operation: The operation name.
        result: The output structure (AWS member names, Python values);
            ``None`` values and empty collections are left out.
        request_id: The request id, in the body and ``x-amzn-RequestId``.

    Returns:
        A 200 response with ``<OpResponse><OpResult>…</OpResult>…``; operations
        without output have no result element, empty results are ``<OpResult/>``.
    """
    model = service_shapes()
    output = model.operations[operation].output
    parts = [f'<{operation}Response xmlns="{model.xml_namespace}">']
    if output is not None:
        inner: list[str] = []
        if result:
            _encode_structure(output, result, inner)
        if inner:
            parts.append(f"<{operation}Result>")
            parts += inner
            parts.append(f"</{operation}Result>")
        else:
            parts.append(f"<{operation}Result/>")
    parts.append(
        f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata></{operation}Response>"
    )
    return HttpResponse(200, _headers(request_id), "".join(parts).encode())


def _encode_structure(shape: Shape, value: Mapping[str, Any], out: list[str]) -> None:
    for name, element, member, key_name, value_name in _plan(shape):
        item = value.get(name)
        if item is None:
            continue
        kind = member.kind
        if kind == "list":
            for entry in item:
                out.append(f"<{element}>")
                _encode_value(member.member, entry, out)
                out.append(f"</{element}>")
        elif kind == "map":
            for key, entry in item.items():
                out.append(f"<{element}><{key_name}>{escape(key)}</{key_name}><{value_name}>")
                _encode_value(member.value, entry, out)
                out.append(f"</{value_name}></{element}>")
        else:
            out.append(f"<{element}>")
            _encode_value(member, item, out)
            out.append(f"</{element}>")


def _encode_value(shape: Shape, value: Any, out: list[str]) -> None:
    kind = shape.kind
    if kind == "string":
        out.append(escape(value))
    elif kind == "structure":
        _encode_structure(shape, value, out)
    elif kind == "boolean":
        out.append("true" if value else "false")
    elif kind == "blob":
        out.append(b64encode(value).decode("ascii"))
    else:
        out.append(escape(str(value)))


def encode_error(error: SqsError, request_id: str) -> HttpResponse:
    """Serialise an error as query-protocol XML ("Interpreting Amazon SQS XML API responses").

    Args:
        error: The error to send; its legacy ``code`` goes in ``<Code>``.
        request_id: The request id, in the body and ``x-amzn-RequestId``.

    Returns:
        A response with the error's status and an ``<ErrorResponse>`` body;
        ``UnknownOperationException`` (a request naming no action) is the bare
        element ``<UnknownOperationException/>``, as SQS sends it (LocalStack's
        AWS-validated ``TestSqsQueryApi.test_get_without_query_returns_unknown_operation``).
    """
    if error.code == "UnknownOperationException":
        return HttpResponse(error.status, _headers(request_id), b"<UnknownOperationException/>")
    fault = "Sender" if error.sender_fault else "Receiver"
    body = (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{service_shapes().xml_namespace}"><Error>'
        f"<Type>{fault}</Type><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"<Detail/></Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    )
    return HttpResponse(error.status, _headers(request_id), body.encode())


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
