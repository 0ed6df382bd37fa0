"""A successful result as botocore would have parsed it from our awsJson1_0 answer, without the round trip.

On the direct path (transports/direct_path.py) encoding a result to JSON only for
botocore to parse it back costs about a tenth of a call. For the shapes SQS outputs
(structures, lists, maps, strings, numbers, booleans, blobs) the round trip is a
plain copy that follows the client's own output shape: the encoder leaves out
``None``, empty lists and empty maps, the parser keeps only members the client's model
knows and turns base64 back into ``bytes``. An output shape with anything else (a
timestamp, a document) is not copied here: :func:`parsed` returns ``None`` and the
caller encodes and parses as the endpoint would. :func:`copies_plainly` tells which.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.model import Shape

from pytest_sqsmock.transports.dispatch import Outcome
from pytest_sqsmock.wire.json_protocol import CONTENT_TYPE

_PLAIN = frozenset({"string", "integer", "long", "boolean", "double", "float"})


def copies_plainly(shape: Shape | None) -> bool:
    """Whether :func:`parsed` can answer for results of ``shape`` (the client's output shape of an operation)."""
    return shape is None or _plain(shape, set())


def parsed(shape: Shape | None, result: Mapping[str, Any] | None) -> dict[str, Any]:
    """``result`` as botocore's JSON parser returns it for ``shape`` (no ``ResponseMetadata``).

    Only for a shape that :func:`copies_plainly`.
    """
    if shape is None or not result:
        return {}
    return _structure(shape, result)


def http_response(url: str, outcome: Outcome) -> tuple[AWSResponse, dict[str, Any]]:
    """The 200 response botocore would have received, and the ``ResponseMetadata`` its parser would fill in.

    The response's headers and body are made only if someone reads them. ``RetryAttempts`` is added later.
    """
    request_id = outcome.request_id
    # The parser lower-cases header names.
    headers = {"content-type": CONTENT_TYPE, "x-amzn-requestid": request_id}
    return _Answered(url, outcome), {"RequestId": request_id, "HTTPStatusCode": 200, "HTTPHeaders": headers}


def _plain(shape: Shape, seen: set[str]) -> bool:
    kind = shape.type_name
    if kind in _PLAIN or kind == "blob":
        return True
    if shape.name in seen:
        return True  # a recursive shape: judged where it started
    seen.add(shape.name)
    if kind == "structure":
        members: Any = shape.members  # type: ignore[attr-defined]  # StructureShape
        return all(
            _plain(member, seen) and member.serialization.get("name", name) == name for name, member in members.items()
        )
    if kind == "list":
        return _plain(shape.member, seen)  # type: ignore[attr-defined]  # ListShape
    if kind == "map":
        return _plain(shape.value, seen)  # type: ignore[attr-defined]  # MapShape
    return False


def _structure(shape: Any, value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        kind = member.type_name
        if kind in _PLAIN:
            out[name] = item
        elif not item and kind in ("list", "map"):
            continue  # the encoder leaves empty collections out
        else:
            out[name] = _copy(member, item)
    return out


def _copy(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if kind in _PLAIN:
        return value
    if kind == "blob":
        return bytes(value)
    if kind == "structure":
        return _structure(shape, value)
    if kind == "list":
        element = shape.member
        return [_copy(element, item) for item in value]
    value_shape = shape.value  # a map
    if value_shape.type_name in _PLAIN:
        return dict(value)
    return {key: _copy(value_shape, item) for key, item in value.items()}


class _Answered(AWSResponse):
    """An ``AWSResponse`` of a successful outcome: building its headers costs more than a call's answer."""

    def __init__(self, url: str, outcome: Outcome) -> None:
        # What AWSResponse.__init__ sets, less the headers it would build at once.
        self.url = url
        self.status_code = 200
        self.raw = _EncodedOnRead(outcome)
        self._content = None
        self._outcome = outcome
        self._headers: HeadersDict | None = None

    @property
    def headers(self) -> HeadersDict:
        """The headers SQS answers a success with, made on first read."""
        if self._headers is None:
            self._headers = HeadersDict({"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": self._outcome.request_id})
        return self._headers

    @headers.setter
    def headers(self, value: HeadersDict) -> None:
        self._headers = value


class _EncodedOnRead:
    """The raw body of an ``AWSResponse`` (``stream()``), encoded when first read."""

    def __init__(self, outcome: Outcome) -> None:
        self._outcome = outcome

    def stream(self, amt: int = 1024 * 64, decode_content: bool | None = None) -> Iterator[bytes]:
        yield self._outcome.encoded().body
