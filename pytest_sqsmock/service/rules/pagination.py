"""``MaxResults`` / ``NextToken`` paging shared by the list operations."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from pytest_sqsmock.sqs_errors import invalid_value

MAX_PAGE = 1000


def page(items: Sequence[str], params: dict[str, Any], key: str) -> dict[str, Any]:
    """One page of ``items`` under ``key``, with ``NextToken`` when more remain.

    SQS returns at most 1,000 items; a ``NextToken`` only when ``MaxResults``
    was given and more items exist.
    """
    max_results = params.get("MaxResults")
    if max_results is not None and not 1 <= max_results <= MAX_PAGE:
        # unverified: AWS documents only the range 1-1000 (SQS API Reference, ListQueues).
        raise invalid_value(
            max_results,
            "MaxResults",
            "MaxResults must be an integer between 1 and 1000.",
        )
    start = _offset(params.get("NextToken"))
    size = MAX_PAGE if max_results is None else max_results
    chosen = list(items[start : start + size])
    result: dict[str, Any] = {key: chosen}
    if max_results is not None and start + size < len(items):
        result["NextToken"] = _token(start + size)
    return result


def _token(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: object) -> int:
    if token is None or token == "":
        return 0
    try:
        offset = json.loads(base64.b64decode(str(token), validate=True))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        raise invalid_value(token, "NextToken", "Invalid NextToken value.")
    return offset
