"""Message-level validation: bodies, FIFO ids, delays, batch ids and receive filters.

Facts: SQS API Reference (SendMessage, SendMessageBatch, ReceiveMessage) and
observed AWS behaviour for the error texts. Message
attribute parsing lives in `pytest_sqsmock.service.rules.message_attributes` and is
re-exported here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Final

from pytest_sqsmock.model.message_attributes import AttributeValue
from pytest_sqsmock.service.rules.message_attributes import (
    ALLOWED_CHARACTERS,
    FORBIDDEN_CHARACTER,
    message_size,
    parse_message_attributes,
    parse_system_attributes,
)
from pytest_sqsmock.sqs_errors import (
    batch_entry_ids_not_distinct,
    empty_batch_request,
    invalid_batch_entry_id,
    invalid_message_contents,
    invalid_value,
    missing_parameter,
    too_many_entries_in_batch_request,
)

__all__ = [
    "RECEIVE_SYSTEM_ATTRIBUTE_NAMES",
    "filter_message_attributes",
    "message_size",
    "parse_message_attributes",
    "parse_system_attributes",
    "select_system_attribute_names",
    "validate_batch_entry_ids",
    "validate_body",
    "validate_delay_seconds",
    "validate_fifo_id",
]

MAX_BATCH_ENTRIES: Final = 10
MAX_DELAY_S: Final = 900

RECEIVE_SYSTEM_ATTRIBUTE_NAMES: Final = frozenset(
    {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "SequenceNumber",
        "MessageDeduplicationId",
        "MessageGroupId",
        "AWSTraceHeader",
        "DeadLetterQueueSourceArn",
    }
)
"""botocore's ``MessageSystemAttributeName`` enum without ``All``."""

_FIFO_ID: Final = re.compile(f"[{re.escape(string.ascii_letters + string.digits + string.punctuation)}]{{1,128}}")
_BATCH_ENTRY_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ALL_USER_ATTRIBUTES: Final = frozenset({"All", ".*", "*"})


def validate_body(body: str) -> None:
    """Check a message body (SQS API Reference, SendMessage).

    One compiled regex search finds the first forbidden character, so a
    1 MiB body costs a single C-level scan.

    Args:
        body: The decoded body.

    Raises:
        SqsError: ``MissingParameter`` for an empty body; ``InvalidMessageContents``
            naming the first forbidden character in upper-case hex without
            leading zeros (``'#x7'``, ``'#xFFFF'``).
    """
    if not body:
        raise missing_parameter("MessageBody")
    found = FORBIDDEN_CHARACTER.search(body)
    if found is not None:
        raise invalid_message_contents(
            f"Invalid binary character '#x{ord(found.group()):X}' was found in the message body, "
            f"the set of allowed characters is {ALLOWED_CHARACTERS}."
        )


def validate_fifo_id(value: str, parameter: str) -> None:
    """Check a ``MessageGroupId``, ``MessageDeduplicationId`` or ``ReceiveRequestAttemptId``.

    1-128 ASCII letters, digits and punctuation (SQS API Reference, SendMessage
    and ReceiveMessage; the text is observed AWS behaviour for the group and
    dedup ids, applied to the attempt id by analogy).

    Args:
        value: The id as sent.
        parameter: The parameter name, echoed in the message.

    Raises:
        SqsError: ``InvalidParameterValue`` ``Value <v> for parameter <P> is
            invalid. Reason: <P> can only include alphanumeric and punctuation
            characters. 1 to 128 in length.`` (two spaces for an empty value).
    """
    if not _FIFO_ID.fullmatch(value):
        raise invalid_value(
            value,
            parameter,
            f"{parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def validate_delay_seconds(value: int, fifo: bool) -> None:
    """Check SendMessage's per-message ``DelaySeconds`` (SQS API Reference, SendMessage).

    The range is checked before the queue type (order unrecorded), so a FIFO
    queue given ``-1`` or ``901`` hears about the range. ``0`` is accepted on
    FIFO queues (and does not override the queue's delay; the caller's job).

    Args:
        value: The requested delay in seconds.
        fifo: Whether the queue is a FIFO queue.

    Raises:
        SqsError: ``InvalidParameterValue`` with AWS's texts.
    """
    if not 0 <= value <= MAX_DELAY_S:
        raise invalid_value(value, "DelaySeconds", f"DelaySeconds must be >= 0 and <= {MAX_DELAY_S}.")
    if fifo and value > 0:
        # sic: "include"
        raise invalid_value(
            value,
            "DelaySeconds",
            "The request include parameter that is not valid for this queue type.",
        )


def validate_batch_entry_ids(ids: Sequence[str], operation: str) -> None:
    """Check the entry ids of a batch request (SQS API Reference, SendMessageBatch).

    Order: no entries, too many entries, then every id's format, then the
    first id that repeats while scanning in order. Counting first is
    observed AWS behaviour (batch-level checks win); format before
    distinctness is our choice where several are broken at once (unverified).

    Args:
        ids: The entries' ``Id`` values in request order.
        operation: ``SendMessageBatch``, ``DeleteMessageBatch`` or
            ``ChangeMessageVisibilityBatch`` (names the entry type in the
            EmptyBatchRequest text).

    Raises:
        SqsError: ``EmptyBatchRequest``, ``TooManyEntriesInBatchRequest``,
            ``InvalidBatchEntryId`` or ``BatchEntryIdsNotDistinct``.
    """
    if not ids:
        raise empty_batch_request(operation)
    if len(ids) > MAX_BATCH_ENTRIES:
        raise too_many_entries_in_batch_request(len(ids))
    if not all(_BATCH_ENTRY_ID.fullmatch(entry_id) for entry_id in ids):
        raise invalid_batch_entry_id()
    seen: set[str] = set()
    for entry_id in ids:
        if entry_id in seen:
            raise batch_entry_ids_not_distinct(entry_id)
        seen.add(entry_id)


def filter_message_attributes(
    attributes: Mapping[str, AttributeValue], names: Sequence[str]
) -> dict[str, AttributeValue]:
    """Apply ReceiveMessage's ``MessageAttributeNames`` (SQS API Reference, ReceiveMessage).

    ``All``, ``.*`` and ``*`` select everything; ``<prefix>.*`` selects names
    starting with ``<prefix>`` (``Hel.*`` matches ``Hello`` and ``Help.Me``);
    any other entry is an exact, case-sensitive name. Unknown or illegal
    names select nothing and raise no error.

    Args:
        attributes: The message's user attributes.
        names: ``MessageAttributeNames`` as sent (``[]`` selects none).

    Returns:
        The selected attributes, in the message's order.
    """
    if _ALL_USER_ATTRIBUTES.intersection(names):
        return dict(attributes)
    exact = {n for n in names if not n.endswith(".*")}
    prefixes = tuple(n[:-2] for n in names if n.endswith(".*"))
    return {
        name: value for name, value in attributes.items() if name in exact or (prefixes and name.startswith(prefixes))
    }


def select_system_attribute_names(
    attribute_names: Sequence[str] | None,
    message_system_attribute_names: Sequence[str] | None,
) -> frozenset[str] | None:
    """The system attributes a ReceiveMessage asks for (SQS API Reference, ReceiveMessage).

    The deprecated ``AttributeNames`` and ``MessageSystemAttributeNames`` are
    united; ``All`` in either selects every name. Unknown names are ignored,
    not refused: botocore does not enforce enums, and ``AttributeNames`` is
    modelled as a list of *queue* attribute names, so clients may legitimately
    send names such as ``Policy`` there (AWS's answer unrecorded).

    Args:
        attribute_names: ``AttributeNames`` as sent, or ``None``.
        message_system_attribute_names: ``MessageSystemAttributeNames`` as sent, or ``None``.

    Returns:
        The selected names (a subset of `RECEIVE_SYSTEM_ATTRIBUTE_NAMES`), or
        ``None`` when none were requested (no ``Attributes`` key on messages).
    """
    requested = {*(attribute_names or ()), *(message_system_attribute_names or ())}
    if not requested:
        return None
    if "All" in requested:
        return RECEIVE_SYSTEM_ATTRIBUTE_NAMES
    return frozenset(requested & RECEIVE_SYSTEM_ATTRIBUTE_NAMES)
