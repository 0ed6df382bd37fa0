"""The message an SNS topic delivers to a subscribed SQS queue.

Sources (Amazon SNS Developer Guide):

- "Fanout to Amazon SQS queues" (sns-sqs-as-subscriber): the JSON document SQS receives.
- "HTTP/HTTPS notification JSON format" (http-notification-json): each envelope field.
- "Amazon SNS raw message delivery" (sns-large-payload-raw-message-delivery): with raw
  delivery, "any Amazon SNS metadata is stripped from the published message and the message
  is sent as is".
- "Amazon SNS message attributes" (sns-message-attributes): names, the types ``String``,
  ``String.Array``, ``Number`` and ``Binary``, and at most 10 attributes to an SQS
  subscription with raw delivery ("Messages with more than 10 message attributes ... will be
  discarded").
- "Message deduplication for FIFO topics" (fifo-message-dedup): the deduplication ID "is
  included in the message that the SNS FIFO topic delivers to the subscribed SQS FIFO queues".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pytest_sqsmock.clock import to_ms
from pytest_sqsmock.ids import random_uuid
from pytest_sqsmock.model.addresses import partition
from pytest_sqsmock.producers.envelopes import Envelope, domain, iso_ms, random_bytes

ArrayItem = str | int | float | bool | None
AttributeValue = str | int | float | Decimal | bytes | Sequence[ArrayItem]
"""A published attribute: ``str`` is String, a number is Number, ``bytes`` is Binary, a list is String.Array."""

# SNS accepts at most 10 message attributes for an SQS subscription with raw delivery.
RAW_ATTRIBUTE_LIMIT = 10
# The decoded fake signature starts with this text, so nobody mistakes it for SNS's.
FAKE_SIGNATURE_PREFIX = b"pytest_sqsmock fake SNS signature: not signed by AWS. "
# Shaped like SNS's certificate URL; no such certificate exists.
FAKE_CERTIFICATE = "SimpleNotificationService-" + "0" * 32 + ".pem"
_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,256}")


def sns_topic_arn(topic: str, *, region: str, account_id: str) -> str:
    """The ARN of a topic given by name (an ARN is returned as it is)."""
    if topic.startswith("arn:"):
        return topic
    return f"arn:{partition(region)}:sns:{region}:{account_id}:{topic}"


def sns_notification(
    message: str,
    *,
    topic_arn: str,
    now: datetime,
    subject: str | None = None,
    attributes: Mapping[str, AttributeValue] | None = None,
    raw: bool = False,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    sequence_number: int | None = None,
) -> Envelope:
    """The SQS message an SNS topic delivers when ``message`` is published to it.

    Without raw delivery the body is SNS's JSON envelope (``Type`` ``"Notification"``,
    ``MessageId``, ``TopicArn``, ``Subject`` when given, ``Message``, ``Timestamp``,
    ``SignatureVersion``, ``Signature``, ``SigningCertURL``, ``UnsubscribeURL`` and
    ``MessageAttributes`` when there are any, each ``{"Type": ..., "Value": ...}`` with
    Binary values in base64 and String.Array values as their JSON text). The signature is
    fake: base64 of bytes that start with ``FAKE_SIGNATURE_PREFIX``, so signature
    verification fails, as it should. With ``raw=True`` the body is ``message`` itself and
    the attributes become SQS message attributes of the same types.

    A topic whose ARN ends in ``.fifo`` is a FIFO topic: ``group_id`` is required, the
    deduplication ID defaults to the SHA-256 of ``message`` (content-based deduplication),
    both travel to the queue, and the envelope carries a ``SequenceNumber`` and, as FIFO
    deliveries do, no signature fields.

    Args:
        message: The published message.
        topic_arn: The topic's ARN (see :func:`sns_topic_arn`).
        now: When SNS published it (``Timestamp``).
        subject: The published subject (at most 100 characters, no line breaks).
        attributes: Published message attributes; the Python type picks the SNS type.
        raw: Whether the subscription has raw message delivery.
        group_id: The message group (FIFO topics only, and required there).
        deduplication_id: The deduplication ID (FIFO topics only).
        sequence_number: The FIFO sequence number (default: from ``now``).

    Raises:
        ValueError: SNS would refuse the publish, or drop the delivery (more than 10
            attributes with raw delivery).
    """
    fifo = topic_arn.endswith(".fifo")
    _check(message, subject, fifo, group_id, deduplication_id)
    typed = {name: _typed(name, value) for name, value in (attributes or {}).items()}
    if fifo:
        deduplication_id = deduplication_id or hashlib.sha256(message.encode()).hexdigest()
    if raw:
        if len(typed) > RAW_ATTRIBUTE_LIMIT:
            raise ValueError(
                f"{len(typed)} message attributes: SNS discards messages with more than "
                f"{RAW_ATTRIBUTE_LIMIT} attributes bound for an SQS subscription with raw message delivery"
            )
        sqs_attributes = {name: _sqs_attribute(kind, value) for name, (kind, value) in typed.items()}
        return Envelope(message, sqs_attributes, group_id, deduplication_id)
    region = topic_arn.split(":")[3]
    fields: dict[str, Any] = {"Type": "Notification", "MessageId": random_uuid()}
    if fifo:
        fields["SequenceNumber"] = str(sequence_number if sequence_number is not None else _sequence(now))
    fields["TopicArn"] = topic_arn
    if subject is not None:
        fields["Subject"] = subject
    fields.update({"Message": message, "Timestamp": iso_ms(now)})
    if not fifo:
        signature = base64.b64encode(FAKE_SIGNATURE_PREFIX + random_bytes(256 - len(FAKE_SIGNATURE_PREFIX)))
        fields.update(
            {
                "SignatureVersion": "1",
                "Signature": signature.decode(),
                "SigningCertURL": f"https://sns.{region}.{domain(region)}/{FAKE_CERTIFICATE}",
            }
        )
    subscription = f"{topic_arn}:{random_uuid()}"
    fields["UnsubscribeURL"] = (
        f"https://sns.{region}.{domain(region)}/?Action=Unsubscribe&SubscriptionArn={subscription}"
    )
    if typed:
        fields["MessageAttributes"] = {
            name: {"Type": kind, "Value": value if isinstance(value, str) else base64.b64encode(value).decode()}
            for name, (kind, value) in typed.items()
        }
    return Envelope(_sns_json(fields), {}, group_id, deduplication_id)


def _check(message: str, subject: str | None, fifo: bool, group_id: str | None, deduplication_id: str | None) -> None:
    if not message:
        raise ValueError("SNS does not publish an empty message")
    if subject is not None and (
        not subject or len(subject) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in subject)
    ):
        raise ValueError(f"SNS subjects have 1 to 100 characters and no line breaks or control characters: {subject!r}")
    if fifo and not group_id:
        raise ValueError("a FIFO topic needs group_id= (SNS requires MessageGroupId on FIFO topics)")
    if not fifo and (group_id is not None or deduplication_id is not None):
        raise ValueError("group_id= and deduplication_id= apply only to FIFO topics (names ending in .fifo)")


def _typed(name: str, value: AttributeValue) -> tuple[str, str | bytes]:
    """``(SNS data type, value)`` of one published attribute.

    Raises:
        ValueError: SNS would refuse the name or the value.
    """
    folded = name.lower()
    if (
        not _NAME.fullmatch(name)
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
        or folded.startswith(("aws.", "amazon."))
    ):
        raise ValueError(
            f"SNS refuses the attribute name {name!r}: use A-Z, a-z, 0-9, '_', '-', '.' (not first, last or "
            "twice in a row), at most 256 characters, not starting with 'AWS.' or 'Amazon.'"
        )
    if isinstance(value, bool):
        raise ValueError(f"attribute {name!r}: SNS has no boolean type; pass 'true'/'false' or [True]")
    converted: str | bytes
    if isinstance(value, str):
        kind, converted = "String", value
    elif isinstance(value, (bytes, bytearray)):
        kind, converted = "Binary", bytes(value)
    elif isinstance(value, (int, float, Decimal)):
        kind, converted = "Number", _number(value)
    else:
        kind, converted = "String.Array", json.dumps(list(value), separators=(",", ":"))
    if not converted:
        raise ValueError(f"attribute {name!r}: SNS requires a non-empty value")
    return kind, converted


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return str(value) if isinstance(value, int) else repr(value)


def _sqs_attribute(kind: str, value: str | bytes) -> dict[str, Any]:
    if isinstance(value, bytes):
        return {"DataType": kind, "BinaryValue": value}
    return {"DataType": kind, "StringValue": value}


def _sequence(now: datetime) -> int:
    # SNS FIFO sequence numbers are 20-digit, increasing, non-consecutive numbers.
    return 10**19 + to_ms(now) * 1000


def _sns_json(fields: Mapping[str, Any]) -> str:
    """SNS's layout of the envelope: one field a line, ``"Name" : value``."""

    def text(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in fields.items():
        if key == "MessageAttributes":
            inner = ",\n".join(
                f"    {text(name)} : {json.dumps(attribute, separators=(',', ':'), ensure_ascii=False)}"
                for name, attribute in value.items()
            )
            rendered = "{\n" + inner + "\n  }"
        else:
            rendered = text(value)
        lines.append(f"  {text(key)} : {rendered}")
    return "{\n" + ",\n".join(lines) + "\n}"
