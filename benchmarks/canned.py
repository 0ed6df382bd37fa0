"""The botocore floor: canned, pre-encoded SQS answers at our interception point.

Every answer is encoded once, up front, so a call served from here costs only
what botocore itself costs (validate, serialise, sign, parse) plus our hook's
request copy: the floor no simulator can go below.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Final

import botocore.session
from botocore.awsrequest import AWSResponse

from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

BODY: Final = "x" * 100
QUEUE_URL: Final = "https://sqs.us-east-1.amazonaws.com/123456789012/bench"
_MD5_OF_BODY: Final = "5c4a0dd4b5e1d0a7b8c2c5d3b3a3e8ce"  # shape only; botocore never checks it
_MESSAGE_ID: Final = "6a1c4f7e-0b0d-4a3e-9a54-6f2a4f1d2b3c"
_RECEIPT: Final = "AQEB" + "a" * 180
_REQUEST_ID: Final = "00000000-0000-4000-8000-000000000000"

_RESULTS: Final[dict[str, dict[str, Any]]] = {
    "CreateQueue": {"QueueUrl": QUEUE_URL},
    "GetQueueUrl": {"QueueUrl": QUEUE_URL},
    "SendMessage": {"MessageId": _MESSAGE_ID, "MD5OfMessageBody": _MD5_OF_BODY},
    "SendMessageBatch": {
        "Successful": [
            {
                "Id": str(index),
                "MessageId": _MESSAGE_ID,
                "MD5OfMessageBody": _MD5_OF_BODY,
            }
            for index in range(10)
        ],
        "Failed": [],
    },
    "ReceiveMessage": {
        "Messages": [
            {
                "MessageId": _MESSAGE_ID,
                "ReceiptHandle": _RECEIPT,
                "MD5OfBody": _MD5_OF_BODY,
                "Body": BODY,
            }
        ]
    },
    "DeleteMessage": {},
    "DeleteQueue": {},
}


@functools.cache
def floor_supported() -> bool:
    """Whether this botocore speaks awsJson1_0 to SQS (>= 1.34.90), the only protocol canned here."""
    return str(botocore.session.get_session().get_service_model("sqs").metadata.get("protocol")) == "json"


def _encode(result: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        status=200,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-RequestId": _REQUEST_ID,
        },
        body=json.dumps(result).encode(),
    )


class CannedSqs:
    """An ``Answer`` for ``botocore_hook.push`` that replies from pre-encoded responses.

    Args:
        empty_receive: Answer ReceiveMessage with no message (an empty long poll).
    """

    def __init__(self, *, empty_receive: bool = False) -> None:
        self._responses = {f"AmazonSQS.{name}": _encode(result) for name, result in _RESULTS.items()}
        if empty_receive:
            self._responses["AmazonSQS.ReceiveMessage"] = _encode({})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; the target header names the operation (awsJson1_0)."""
        target = request.header("X-Amz-Target")
        response = self._responses.get(target or "")
        if response is None:
            raise NotImplementedError(
                f"the floor has no canned answer for {target!r}; it speaks awsJson1_0 "
                "(botocore >= 1.34.90) and only the benchmarked operations"
            )
        return response


class CannedBeforeCall:
    """A ``before-call`` handler answering with canned parsed responses: botocore's cost up to ``before-call``.

    What the direct path (``mock_sqs(direct=True)``) cannot go below: validation,
    serialisation, endpoint resolution and the events up to ``before-call``, the
    other ``before-call`` handlers (registered last, it answers where the direct path does), then
    ``after-call``. Each answer is a fresh top-level dict (callers may add to it);
    nested values are shared.
    """

    def __init__(self) -> None:
        headers: Any = {"x-amzn-requestid": _REQUEST_ID}  # AWSResponse wraps any mapping
        self._http = AWSResponse(QUEUE_URL, 200, headers, None)
        self._metadata = {
            "RequestId": _REQUEST_ID,
            "HTTPStatusCode": 200,
            "HTTPHeaders": {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": _REQUEST_ID},
            "RetryAttempts": 0,
        }

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        """Answer one call by its operation name."""
        result = _RESULTS.get(model.name)
        if result is None:
            raise NotImplementedError(f"the before-call floor has no canned answer for {model.name}")
        return self._http, {**result, "ResponseMetadata": dict(self._metadata)}
