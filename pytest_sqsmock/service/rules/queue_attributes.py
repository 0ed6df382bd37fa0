"""Queue names and queue attributes: CreateQueue, SetQueueAttributes, GetQueueAttributes.

One table (`pytest_sqsmock.service.rules.queue_attribute_specs.SPECS`) describes every
settable attribute: how its value is parsed into `QueueSettings` fields, how
it is compared for an idempotent CreateQueue and how GetQueueAttributes
renders it. Facts: SQS API Reference (CreateQueue, SetQueueAttributes,
GetQueueAttributes) and observed AWS behaviour for the error texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Final

from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.service.rules.policy_attributes import DeadLetterResolver
from pytest_sqsmock.service.rules.queue_attribute_specs import SPECS, AttributeRequest, Changes
from pytest_sqsmock.sqs_errors import (
    invalid_attribute_name,
    invalid_parameter_value,
    unknown_attribute,
)

__all__ = [
    "ALL_ATTRIBUTE_NAMES",
    "DYNAMIC_ATTRIBUTE_NAMES",
    "DeadLetterResolver",
    "apply_set_attributes",
    "first_difference",
    "parse_create_attributes",
    "render_attributes",
    "validate_queue_name",
]

ALL_ATTRIBUTE_NAMES: Final = (
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
)
"""Every name GetQueueAttributes accepts: botocore's ``QueueAttributeName`` enum, in its order."""

DYNAMIC_ATTRIBUTE_NAMES: Final = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
    }
)
"""Read-only names whose values the caller computes (``dynamic`` of `render_attributes`)."""

_STANDARD_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_SSE_CONFLICT: Final = (
    "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
)


def validate_queue_name(name: str, fifo: bool) -> None:
    """Check a queue name for CreateQueue (SQS API Reference, CreateQueue).

    Args:
        name: The requested name; case-sensitive, 1-80 characters.
        fifo: Whether a FIFO queue is being created (``FifoQueue=true``); its
            name must end in ``.fifo``, which counts toward the 80.

    Raises:
        SqsError: ``InvalidParameterValue`` with AWS's text for the queue type;
            a standard name ending in ``.fifo`` is simply an invalid standard name.
    """
    if fifo and not _FIFO_NAME.fullmatch(name):
        raise invalid_parameter_value(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
            "must end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not _STANDARD_NAME.fullmatch(name):
        raise invalid_parameter_value(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def _apply(current: QueueSettings, attributes: Mapping[str, str], request: AttributeRequest) -> QueueSettings:
    # Names first (unknown, read-only and FIFO-only-on-standard names), then
    # values in request order, then the rules that span attributes.
    for name in attributes:
        spec = SPECS.get(name)
        if spec is None:
            # Read-only names (QueueArn, Approximate*, timestamps) and "All" are
            # unknown on create/set too (unverified: LocalStack's behaviour; AWS
            # documents only the settable names).
            raise unknown_attribute(name)
        if spec.on_standard is not None and not request.fifo:
            raise spec.on_standard(name)
    changes: Changes = {}
    for name, raw in attributes.items():
        changes.update(SPECS[name].parse(name, raw, request))
    kms_key = changes.get("kms_master_key_id")
    if kms_key is not None and changes.get("sqs_managed_sse_enabled") is True:
        raise invalid_attribute_name(_SSE_CONFLICT)
    if kms_key is not None:
        # Setting a KMS key turns SqsManagedSseEnabled to false (observed AWS behaviour).
        changes["sqs_managed_sse_enabled"] = False
    elif changes.get("sqs_managed_sse_enabled") is True:
        # Switching an SSE-KMS queue to SSE-SQS drops the key (unverified: the
        # two are exclusive, observed AWS behaviour).
        changes["kms_master_key_id"] = None
    return replace(current, **changes)


def parse_create_attributes(
    attributes: Mapping[str, str],
    *,
    queue_arn: str,
    resolve_dead_letter: DeadLetterResolver,
) -> QueueSettings:
    """Validate CreateQueue's name and ``Attributes`` and build the new queue's settings.

    The queue is FIFO when ``FifoQueue`` reads true; the name is then checked
    against that type (a ``.fifo`` name without ``FifoQueue=true`` is an
    invalid standard name). ``FifoQueue=false`` makes a standard queue, on
    which the name ``FifoQueue`` is unknown (observed AWS behaviour).

    Args:
        attributes: The request's ``Attributes`` map (string values).
        queue_arn: The ARN the new queue will have (its name, account and region).
        resolve_dead_letter: Looks a RedrivePolicy target ARN up.

    Returns:
        The settings of the queue to create (defaults for absent attributes).

    Raises:
        SqsError: ``InvalidParameterValue`` for the name or a RedrivePolicy,
            ``InvalidAttributeName`` for unknown or inapplicable names,
            ``InvalidAttributeValue`` for bad values, ``OverLimit`` for
            oversized policies.
    """
    fifo = attributes.get("FifoQueue", "").lower() == "true"
    validate_queue_name(queue_arn.rsplit(":", 1)[-1], fifo)
    return _apply(
        QueueSettings(fifo=fifo),
        attributes,
        AttributeRequest(fifo, queue_arn, resolve_dead_letter),
    )


def apply_set_attributes(
    current: QueueSettings,
    attributes: Mapping[str, str],
    *,
    queue_arn: str,
    resolve_dead_letter: DeadLetterResolver,
) -> QueueSettings:
    """Validate SetQueueAttributes' ``Attributes`` and return the changed settings.

    Same rules as CreateQueue; ``FifoQueue`` is unknown on a standard queue, a
    no-op as ``true`` on a FIFO queue and refused as ``false`` (observed AWS behaviour).
    Nothing changes unless every attribute is valid.

    Args:
        current: The queue's settings now.
        attributes: The request's ``Attributes`` map.
        queue_arn: The queue's ARN.
        resolve_dead_letter: Looks a RedrivePolicy target ARN up.

    Returns:
        The new settings.

    Raises:
        SqsError: As `parse_create_attributes`.
    """
    return _apply(
        current,
        attributes,
        AttributeRequest(current.fifo, queue_arn, resolve_dead_letter),
    )


def first_difference(
    current: QueueSettings,
    requested: Mapping[str, str],
    *,
    queue_arn: str,
    resolve_dead_letter: DeadLetterResolver,
) -> str | None:
    """The attribute that makes a CreateQueue of an existing name fail, if any.

    The request is validated as a CreateQueue first, then each requested
    attribute's normalised value (``"030"`` equals ``30``, ``"TRUE"`` equals
    true, policies compare as parsed JSON) is compared with the queue's
    current value (observed AWS behaviour). When several differ, the first in
    request order is named (unverified: AWS's choice was never observed).

    Args:
        current: The existing queue's settings.
        requested: CreateQueue's ``Attributes``.
        queue_arn: The queue's ARN.
        resolve_dead_letter: Looks a RedrivePolicy target ARN up.

    Returns:
        The name to report in ``QueueAlreadyExists``, or ``None`` when all match.

    Raises:
        SqsError: As `parse_create_attributes`, for an invalid request.
    """
    wanted = parse_create_attributes(requested, queue_arn=queue_arn, resolve_dead_letter=resolve_dead_letter)
    for name in requested:
        spec = SPECS[name]
        if spec.value(wanted) != spec.value(current):
            return name
    return None


def render_attributes(
    settings: QueueSettings,
    requested: Iterable[str],
    *,
    dynamic: Mapping[str, str],
) -> dict[str, str]:
    """GetQueueAttributes' ``Attributes`` map.

    ``All`` expands to every applicable attribute (SQS API Reference,
    GetQueueAttributes). Names that do not apply to the queue (Kms* without a
    key, unset policies, FIFO-only names on a standard queue) are left out
    without error (observed AWS behaviour; FIFO-only names on a standard queue:
    unverified).

    Args:
        settings: The queue's settings.
        requested: ``AttributeNames`` as sent (may repeat, may contain ``All``).
        dynamic: Values of `DYNAMIC_ATTRIBUTE_NAMES` computed by the caller;
            a name missing here is left out.

    Returns:
        Attribute name to string value (booleans lower-case), in request order,
        or botocore's enum order for ``All``.

    Raises:
        SqsError: ``InvalidAttributeName`` ``Unknown Attribute <Name>.`` for a
            name outside `ALL_ATTRIBUTE_NAMES`.
    """
    names = list(requested)
    for name in names:
        if name not in ALL_ATTRIBUTE_NAMES:
            raise unknown_attribute(name)
    if "All" in names:
        names = list(ALL_ATTRIBUTE_NAMES[1:])
    result: dict[str, str] = {}
    for name in names:
        spec = SPECS.get(name)
        if spec is None:
            value = dynamic.get(name)
        elif spec.on_standard is not None and not settings.fifo:
            value = None
        else:
            value = spec.render(settings)
        if value is not None:
            result[name] = value
    return result
