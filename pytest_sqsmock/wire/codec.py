"""One façade over both protocols: detect, decode, encode.

Transports call :func:`decode_request`, hand ``(operation, params)`` to the
service, then call :func:`encode_result` or :func:`encode_error` with the
protocol the request came in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.ids import random_uuid
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire import json_protocol, query_json, query_protocol
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse
from pytest_sqsmock.wire.shapes import service_shapes

Protocol = Literal["json", "query"]
Dialect = Literal["json", "query", "query-json"]
"""How to answer: awsJson1_0, query/XML, or query rendered as JSON (``Accept: application/json``)."""

# Operations AWS refuses when a query request is sent to a queue URL (observed AWS behaviour).
_NOT_ON_QUEUE_URL: Final = frozenset({"CreateQueue", "ListQueues"})
_CREDENTIAL: Final = re.compile(r"Credential=([^,\s]+)")


@dataclass(frozen=True, slots=True)
class DecodedRequest:
    """An SQS call read off the wire.

    Attributes:
        operation: The AWS operation name (``SendMessage``).
        params: The input with AWS member names and Python values.
        protocol: The protocol the request used; answer in the same one.
        path_region: The region of the queue URL the request was sent to, when
            that URL carries one (a server's ``/<region>/<account>/<name>``).
    """

    operation: str
    params: dict[str, Any]
    protocol: Protocol
    path_region: str | None = None


class SigningScope(NamedTuple):
    """Who signed a request and for which region (from SigV4); a tuple, so hashing it costs no Python call.

    Attributes:
        access_key_id: The access key id of the credential.
        region: The region of the credential scope.
    """

    access_key_id: str
    region: str


def detect_protocol(request: HttpRequest) -> Protocol:
    """Tell which protocol a request speaks.

    Args:
        request: The HTTP request.

    Returns:
        ``"json"`` when ``X-Amz-Target`` starts with ``AmazonSQS.`` or the
        content type is ``application/x-amz-json-1.0``; ``"query"`` otherwise.
    """
    target = request.header("x-amz-target")
    if target is not None and target.startswith("AmazonSQS."):
        return "json"
    content_type = request.header("content-type") or ""
    return "json" if content_type.lower().startswith(json_protocol.CONTENT_TYPE) else "query"


def detect_dialect(request: HttpRequest) -> Dialect:
    """Tell how to answer a request: its protocol, and for query whether it asks for JSON.

    Args:
        request: The HTTP request.

    Returns:
        ``"query-json"`` for a query request whose ``Accept`` header names
        ``application/json``; else the request's protocol.
    """
    protocol = detect_protocol(request)
    if protocol == "query" and "application/json" in (request.header("accept") or "").lower():
        return "query-json"
    return protocol


def decode_request(request: HttpRequest) -> DecodedRequest:
    """Decode an SQS request of either protocol.

    A request sent to a queue URL (``/<account>/<name>``, or a server's
    ``/<region>/<account>/<name>``) without a ``QueueUrl`` parameter gets that
    URL as ``QueueUrl``, as AWS does.

    Args:
        request: The HTTP request.

    Returns:
        The operation, its params and the protocol.

    Raises:
        SqsError: The request cannot be decoded (unknown action, malformed
            body, values of the wrong type); encode it with :func:`encode_error`.
    """
    protocol = detect_protocol(request)
    if protocol == "json":
        operation, params = json_protocol.decode(request)
    else:
        operation, params = query_protocol.decode(request)
    queue_url, path_region = _queue_url_of_path(request.url)
    if queue_url is not None:
        if protocol == "query" and operation in _NOT_ON_QUEUE_URL:
            raise sqs_errors.invalid_action(operation)
        if "QueueUrl" not in params:
            input_shape = service_shapes().operations[operation].input
            if input_shape is not None and "QueueUrl" in input_shape.members:
                params["QueueUrl"] = queue_url
    return DecodedRequest(operation, params, protocol, path_region)


def _queue_url_of_path(url: str) -> tuple[str | None, str | None]:
    """The queue URL a request was sent to, and the region that URL carries.

    ``/<account>/<name>`` on any host, or ``/<region>/<account>/<name>`` (the
    loopback server's regional form); ``(None, None)`` for other paths.
    """
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) not in (2, 3):
        return None, None
    region = segments[0] if len(segments) == 3 else None
    return f"{parts.scheme}://{parts.netloc}/{'/'.join(segments)}", region


def encode_result(
    protocol: Dialect,
    operation: str,
    result: Mapping[str, Any] | None,
    request_id: str,
) -> HttpResponse:
    """Encode a successful result in the request's protocol.

    Args:
        protocol: ``"json"``, ``"query"`` or ``"query-json"`` (:func:`detect_dialect`).
        operation: The operation name.
        result: The output structure (AWS member names, Python values, ``bytes``
            for blobs), or ``None`` for operations without output.
        request_id: The request id to report.

    Returns:
        The HTTP response.
    """
    if protocol == "json":
        return json_protocol.encode_result(operation, result, request_id)
    if protocol == "query-json":
        return query_json.encode_result(operation, result, request_id)
    return query_protocol.encode_result(operation, result, request_id)


def encode_error(protocol: Dialect, error: SqsError, request_id: str) -> HttpResponse:
    """Encode an error in the request's protocol, exactly as SQS does.

    Args:
        protocol: ``"json"``, ``"query"`` or ``"query-json"``.
        error: The error.
        request_id: The request id to report.

    Returns:
        The HTTP response.
    """
    if protocol == "json":
        return json_protocol.encode_error(error, request_id)
    if protocol == "query-json":
        return query_json.encode_error(error, request_id)
    return query_protocol.encode_error(error, request_id)


def new_request_id() -> str:
    """A fresh request id in UUID form, like AWS's."""
    return random_uuid()


def signing_scope(request: HttpRequest) -> SigningScope | None:
    """The access key id and region a request was signed with (SigV4).

    Reads ``Credential=AKID/<date>/<region>/sqs/aws4_request`` from the
    ``Authorization`` header, or ``X-Amz-Credential`` from a presigned URL.

    Args:
        request: The HTTP request.

    Returns:
        The signing scope, or ``None`` for unsigned requests and other schemes.
    """
    credential: str | None = None
    authorization = request.header("authorization")
    if authorization is not None:
        match = _CREDENTIAL.search(authorization)
        credential = match.group(1) if match else None
    elif "X-Amz-Credential" in request.url:
        credential = dict(parse_qsl(request.query_string)).get("X-Amz-Credential")
    if not credential:
        return None
    return _scope_of(credential)


@functools.lru_cache(maxsize=256)
def _scope_of(credential: str) -> SigningScope | None:
    # The credential (key/date/region/service/aws4_request) repeats call after call.
    parts = credential.split("/")
    if len(parts) < 5 or not parts[0] or not parts[-3]:
        return None
    return SigningScope("/".join(parts[:-4]), parts[-3])
