"""The message an EventBridge rule delivers to an SQS queue target.

Sources: Amazon EventBridge User Guide, "AWS service event metadata" / "Event structure
reference" (eb-events-structure): ``version`` ("By default, this is set to 0"), ``id`` ("A
Version 4 UUID that's generated for every event"), ``detail-type``, ``source``, ``account``,
``time``, ``region``, ``resources`` and ``detail`` ("A JSON object"); "Amazon SQS queue
target" (eb-custom-bus-target-sqs): "For a FIFO queue, set MessageGroupId", and the
deduplication ID serves "a FIFO queue without content-based deduplication".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pytest_sqsmock.ids import random_uuid
from pytest_sqsmock.producers.envelopes import Envelope, compact_json, iso_s


def eventbridge_event(
    detail: Mapping[str, Any],
    *,
    detail_type: str,
    source: str,
    now: datetime,
    region: str,
    account_id: str,
    resources: Sequence[str] = (),
    group_id: str | None = None,
    deduplication_id: str | None = None,
) -> Envelope:
    """The message an EventBridge rule with an SQS target sends for one event (no input transformer).

    The body is the whole event: ``{"version": "0", "id": <UUID>, "detail-type": ...,
    "source": ..., "account": ..., "time": "2024-05-01T12:00:00Z", "region": ...,
    "resources": [...], "detail": {...}}``.

    Args:
        detail: The event's ``detail`` object.
        detail_type: ``detail-type``, e.g. ``"Order Placed"``.
        source: ``source``, e.g. ``"com.example.orders"`` (AWS services use ``"aws.<service>"``).
        now: The event's ``time`` (to the second).
        region: The region the event came from.
        account_id: The account the event came from.
        resources: ARNs of the resources involved.
        group_id: The target's ``MessageGroupId`` (FIFO queues).
        deduplication_id: The target's ``MessageDeduplicationId`` (FIFO queues without
            content-based deduplication).

    Raises:
        ValueError: ``detail_type`` or ``source`` is empty.
    """
    if not detail_type or not source:
        raise ValueError("an EventBridge event needs a detail_type= and a source=")
    event = {
        "version": "0",
        "id": random_uuid(),
        "detail-type": detail_type,
        "source": source,
        "account": account_id,
        "time": iso_s(now),
        "region": region,
        "resources": list(resources),
        "detail": dict(detail),
    }
    return Envelope(compact_json(event), {}, group_id, deduplication_id)
