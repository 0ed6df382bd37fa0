"""The messages Amazon S3 sends to an SQS queue named in a bucket's notification configuration.

Source: Amazon S3 User Guide, "Event message structure" (notification-content-structure):
the ``Records`` structure; "The object key name value is URL encoded. For example, 'red
flower.jpg' becomes 'red+flower.jpg'"; the ``sequencer`` ("the event notification with the
greater sequencer hexadecimal value is the event that occurred later"); and the test message
S3 sends "when you configure an event notification on a bucket". AWS CloudFormation's
``AWS::S3::Bucket QueueConfiguration``: "FIFO queues are not allowed" as a destination.
"""

from __future__ import annotations

import base64
from datetime import datetime
from urllib.parse import quote_plus

from pytest_sqsmock.clock import to_ms
from pytest_sqsmock.model.addresses import partition
from pytest_sqsmock.producers.envelopes import Envelope, compact_json, iso_ms, random_bytes, random_hex

# The version AWS's example ObjectCreated:Put message carries; S3's page now documents 2.x
# versions up to 2.6, and advises comparing the major version only.
EVENT_VERSION = "2.1"
# Who caused the event and who owns the bucket: fixed, plainly fake IAM-style ids.
PRINCIPAL_ID = "AWS:AIDAPYTESTSQSMOCKEXAMPLE"
OWNER_ID = "A1PYTESTSQSMOCK"


def encode_key(key: str) -> str:
    """An object key as S3 writes it in an event: form-URL-encoded (space is ``+``), ``/`` kept."""
    return quote_plus(key, safe="/")


def s3_event(
    bucket: str,
    key: str,
    *,
    now: datetime,
    region: str,
    event_name: str = "ObjectCreated:Put",
    size: int = 0,
    etag: str | None = None,
    version_id: str | None = None,
    sequencer: str | None = None,
    configuration_id: str = "pytest_sqsmock",
) -> Envelope:
    """The message S3 sends to SQS for one event on one object.

    The body is ``{"Records": [record]}``: ``eventVersion`` ``"2.1"``, ``eventSource``
    ``"aws:s3"``, ``awsRegion``, ``eventTime`` (milliseconds, UTC), ``eventName``,
    ``userIdentity``, ``requestParameters``, ``responseElements`` (random request ids) and
    ``s3`` (``s3SchemaVersion`` ``"1.0"``, ``configurationId``, ``bucket`` with ``name``,
    ``ownerIdentity`` and ``arn``, and ``object`` with the URL-encoded ``key``, ``size``,
    ``eTag``, ``versionId`` when given and ``sequencer``). ``ObjectRemoved:*`` events carry
    no ``size`` or ``eTag``.

    Args:
        bucket: The bucket's name.
        key: The object key as stored (it is URL-encoded here, as S3 does).
        now: When S3 finished processing the request.
        region: The bucket's region.
        event_name: The event type without the ``s3:`` prefix of the configuration,
            e.g. ``"ObjectCreated:Put"`` or ``"ObjectRemoved:Delete"``.
        size: The object's size in bytes.
        etag: The object's ETag (default: random hex).
        version_id: The object version, for versioned buckets.
        sequencer: The event's sequencer (default: hex from ``now``, so later events sort later).
        configuration_id: The ID of the bucket's notification configuration.

    Raises:
        ValueError: ``event_name`` has the configuration's ``s3:`` prefix, or ``size`` is negative.
    """
    if event_name.startswith("s3:"):
        raise ValueError(f"event names in S3 events have no 's3:' prefix: use {event_name[3:]!r}")
    if size < 0:
        raise ValueError(f"size must be at least 0 bytes, not {size}")
    obj: dict[str, object] = {"key": encode_key(key)}
    if not event_name.startswith("ObjectRemoved:"):
        obj.update({"size": size, "eTag": etag if etag is not None else random_hex(32).lower()})
    if version_id is not None:
        obj["versionId"] = version_id
    obj["sequencer"] = sequencer if sequencer is not None else f"{to_ms(now) * 1000:018X}"
    record = {
        "eventVersion": EVENT_VERSION,
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": iso_ms(now),
        "eventName": event_name,
        "userIdentity": {"principalId": PRINCIPAL_ID},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": random_hex(16), "x-amz-id-2": _host_id()},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": OWNER_ID},
                "arn": f"arn:{partition(region)}:s3:::{bucket}",
            },
            "object": obj,
        },
    }
    return Envelope(compact_json({"Records": [record]}))


def s3_test_event(bucket: str, *, now: datetime) -> Envelope:
    """The test message S3 sends when a notification configuration is put on ``bucket``.

    ``{"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": ..., "Bucket": ...,
    "RequestId": ..., "HostId": ...}``: no ``Records``, so a consumer must skip it.
    """
    return Envelope(
        compact_json(
            {
                "Service": "Amazon S3",
                "Event": "s3:TestEvent",
                "Time": iso_ms(now),
                "Bucket": bucket,
                "RequestId": random_hex(16),
                "HostId": _host_id(),
            }
        )
    )


def _host_id() -> str:
    return base64.b64encode(random_bytes(48)).decode()
