"""awsJson1_0, the protocol botocore >= 1.34.90 speaks to SQS (botocore's SQS model).

Requests name the operation in ``X-Amz-Target: AmazonSQS.<Op>`` and carry the
input structure as a JSON object; responses are the output structure as JSON.
Errors follow SQS Developer Guide, "Interpreting Amazon SQS JSON API responses"
(``__type`` plus ``x-amzn-query-error``).
"""

from __future__ import annotations

import binascii
import json
from base64 import b64decode, b64encode
from collections.abc import Mapping
from typing import Any, Final

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse
from pytest_sqsmock.wire.shapes import INT32, INT64, Shape, service_shapes

CONTENT_TYPE: Final = "application/x-amz-json-1.0"
_ENCODE: Final = json.JSONEncoder(separators=(",", ":")).encode
_RANGES: Final = {"integer": INT32, "long": INT64}
_JSON_KIND: Final = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
}
_EXPECTED: Final = {
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "boolean": "a boolean",
    "blob": "a base64 string",
    "list": "an array",
    "map": "an object",
    "structure": "an object",
}


class _Mismatch(Exception):
    """A JSON value of the wrong type; the path is filled in while unwinding."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(expected, found)
        self.expected = expected
        self.found = found
        self.path: list[str] = []


def decode(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """Read the operation and its parameters from an awsJson1_0 request.

    Args:
        request: The HTTP request; ``X-Amz-Target`` names the operation.

    Returns:
        ``(operation, params)``: params use AWS member names and Python values
        (``str``, ``int``, ``bool``, ``bytes`` for blobs, ``list``, ``dict``).
        Members the model does not know are dropped.

    Raises:
        SqsError: ``InvalidAction`` for an unknown operation,
            ``SerializationException`` for a body that is not a JSON object of
            the operation's input shape.
    """
    target = request.header("x-amz-target") or ""
    prefix, _, name = target.partition(".")
    if prefix != service_shapes().json_target_prefix or not name:
        raise sqs_errors.invalid_action(name or target)
    return name, decode_body(name, request.body)  # an unknown name: InvalidAction, naming it


def decode_body(operation: str, body: bytes) -> dict[str, Any]:
    """The parameters of ``operation`` from an awsJson1_0 request body (see :func:`decode`).

    Raises:
        SqsError: As :func:`decode`.
    """
    shape = service_shapes().operations.get(operation)
    if shape is None:
        raise sqs_errors.invalid_action(operation)
    document = _parse_body(body)
    if shape.input is None:
        return {}
    try:
        params: dict[str, Any] = _from_json(shape.input, document)
    except _Mismatch as mismatch:
        where = ".".join(reversed(mismatch.path)) or "the request body"
        message = f"Expected {mismatch.expected} for {where}, found {mismatch.found}."
        raise sqs_errors.serialization_error(message) from None
    return params


def _parse_body(body: bytes) -> dict[str, Any]:
    if not body or body.isspace():
        return {}  # botocore always sends at least "{}"; raw clients may send nothing
    try:
        text = body.decode("utf-8")  # strict: json.loads(bytes) would let encoded surrogates through
        document = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise sqs_errors.serialization_error("The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise sqs_errors.serialization_error(f"Expected an object for the request body, found {_kind(document)}.")
    return document


def _kind(value: object) -> str:
    return "null" if value is None else _JSON_KIND.get(type(value), type(value).__name__)


def _from_json(shape: Shape, value: Any) -> Any:
    kind = shape.kind
    if kind == "string":
        if type(value) is str:
            return value
    elif kind == "structure":
        if type(value) is dict:
            members = shape.members
            out: dict[str, Any] = {}
            for name, item in value.items():
                member = members.get(name)
                if member is None or item is None:
                    continue  # unknown members are ignored, null means absent
                if member.kind == "string" and type(item) is str:
                    out[name] = item  # the commonest member, without a call
                    continue
                try:
                    out[name] = _from_json(member, item)
                except _Mismatch as mismatch:
                    mismatch.path.append(name)
                    raise
            return out
    elif kind in _RANGES:
        low, high = _RANGES[kind]
        if type(value) is int and low <= value <= high:
            return value
    elif kind == "list":
        if type(value) is list:
            element = shape.member
            return [_from_list_item(element, item, index) for index, item in enumerate(value)]
    elif kind == "map":
        if type(value) is dict:
            key_shape, value_shape = shape.key, shape.value
            result: dict[Any, Any] = {}
            for key, item in value.items():
                if item is None:
                    continue
                try:
                    result[_from_json(key_shape, key)] = _from_json(value_shape, item)
                except _Mismatch as mismatch:
                    mismatch.path.append(key)
                    raise
            return result
    elif kind == "boolean":
        if type(value) is bool:
            return value
    elif kind == "blob":
        if type(value) is str:
            try:
                return b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise _Mismatch(_EXPECTED[kind], "a string that is not base64") from None
    else:
        return value  # no other types in the SQS model; pass through unchecked
    raise _Mismatch(_EXPECTED[kind], _kind(value))


def _from_list_item(shape: Shape, value: Any, index: int) -> Any:
    try:
        return _from_json(shape, value)
    except _Mismatch as mismatch:
        mismatch.path.append(str(index))
        raise


def encode_result(operation: str, result: Mapping[str, Any] | None, request_id: str) -> HttpResponse:
    """Serialise a successful result as awsJson1_0.

    Args:
        operation: The operation name (``SendMessage``).
        result: The output structure with AWS member names and Python values
            (``bytes`` for blobs); ``None`` values, empty lists and empty maps
            are left out, as AWS does.
        request_id: The request id for ``x-amzn-RequestId``.

    Returns:
        A 200 response; ``{}`` for operations without output.
    """
    output = service_shapes().operations[operation].output
    document = _to_json(output, result) if output is not None and result else {}
    return HttpResponse(200, _headers(request_id), _ENCODE(document).encode())


def _to_json(shape: Shape, value: Any) -> Any:
    kind = shape.kind
    if kind == "structure":
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None or (not item and member.kind in ("list", "map")):
                continue
            out[name] = _to_json(member, item)
        return out
    if kind == "list":
        element = shape.member
        return [_to_json(element, item) for item in value]
    if kind == "map":
        value_shape = shape.value
        if value_shape.kind == "string":
            return dict(value)
        return {key: _to_json(value_shape, item) for key, item in value.items()}
    if kind == "blob":
        return b64encode(value).decode("ascii")
    return value


def encode_error(error: SqsError, request_id: str) -> HttpResponse:
    """Serialise an error as SQS does over awsJson1_0 ("Interpreting Amazon SQS JSON API responses").

    Args:
        error: The error to send.
        request_id: The request id for ``x-amzn-RequestId``.

    Returns:
        A response with the error's status, an ``x-amzn-query-error`` header
        carrying the legacy code and fault, and a ``__type`` body.
    """
    headers = _headers(request_id)
    headers["x-amzn-query-error"] = f"{error.code};{'Sender' if error.sender_fault else 'Receiver'}"
    body = {"__type": error.type_name, error.message_key: error.message}
    return HttpResponse(error.status, headers, _ENCODE(body).encode())


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
