"""What an AWS producer hands to SQS: a body, message attributes and, for FIFO queues, group and dedup ids."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

_random = random.Random()


@dataclass(frozen=True)
class Envelope:
    """One SQS message exactly as an AWS producer sends it.

    Attributes:
        body: The message body a consumer receives.
        message_attributes: SQS message attributes in boto3's shape
            (``{"name": {"DataType": "String", "StringValue": "..."}}``); empty for most producers.
        group_id: The ``MessageGroupId`` the producer sets (FIFO queues only).
        deduplication_id: The ``MessageDeduplicationId`` the producer sets (FIFO queues only).
    """

    body: str
    message_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.body)


def iso_ms(when: datetime) -> str:
    """``2024-05-01T12:00:00.123Z``: UTC with milliseconds, as SNS and S3 write times."""
    utc = when.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_s(when: datetime) -> str:
    """``2024-05-01T12:00:00Z``: UTC to the second, as EventBridge writes ``time``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_hex(digits: int) -> str:
    """``digits`` random upper-case hex digits (request ids, ETags)."""
    return f"{_random.getrandbits(4 * digits):0{digits}X}"


def random_bytes(count: int) -> bytes:
    """``count`` random bytes (host ids, fake signatures)."""
    return _random.getrandbits(8 * count).to_bytes(count, "big")


def compact_json(document: Any) -> str:
    """JSON without spaces, as S3 and EventBridge deliver it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def domain(region: str) -> str:
    """The AWS DNS suffix of a region's endpoints."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
