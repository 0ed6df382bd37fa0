"""The table of settable queue attributes (SQS API Reference, SetQueueAttributes).

Each `AttributeSpec` says how a raw attribute string becomes `QueueSettings`
field changes (raising AWS's error), how the current value is normalised for
an idempotent CreateQueue, and how GetQueueAttributes renders it. Used by
`pytest_sqsmock.service.rules.queue_attributes`; no other module should need it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.service.rules.params import decimal_int
from pytest_sqsmock.service.rules.policy_attributes import (
    DeadLetterResolver,
    parse_policy,
    parse_redrive_allow_policy,
    parse_redrive_policy,
    render_redrive_allow_policy,
    render_redrive_policy,
)
from pytest_sqsmock.sqs_errors import (
    SqsError,
    invalid_attribute_name,
    invalid_attribute_value,
    unknown_attribute,
)

# Field name to new value. Any, because the table picks the fields at run time
# and `dataclasses.replace` checks each keyword against its field's type.
Changes = dict[str, Any]

_INTEGER: Final = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class AttributeRequest:
    """What parsing an attribute may need besides its value."""

    fifo: bool
    queue_arn: str
    resolve_dead_letter: DeadLetterResolver


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """One settable attribute.

    Attributes:
        parse: ``(name, raw, request)`` to field changes; raises AWS's error.
        value: The normalised current value an idempotent CreateQueue compares.
        render: GetQueueAttributes' string, or ``None`` when it does not apply.
        on_standard: For FIFO-only attributes, the error (given the name) that
            a standard queue answers; ``None`` for attributes of every queue.
    """

    parse: Callable[[str, str, AttributeRequest], Changes]
    value: Callable[[QueueSettings], object]
    render: Callable[[QueueSettings], str | None]
    on_standard: Callable[[str], SqsError] | None = None


def invalid(name: str) -> SqsError:
    """``InvalidAttributeValue`` ``Invalid value for the parameter <name>.``.

    AWS's wording for a rejected Policy (observed AWS behaviour,
    https://github.com/hashicorp/terraform-provider-aws/pull/42209); moto and
    other emulators use it for every attribute; AWS's text for out-of-range
    numbers and malformed booleans is unverified.

    Args:
        name: The attribute name.

    Returns:
        The error to raise.
    """
    return invalid_attribute_value(f"Invalid value for the parameter {name}.")


def _parse_bool(name: str, raw: str) -> bool:
    # AWS documents no case rule: like Java's Boolean.parseBoolean any case of
    # true/false is read, but anything else is refused instead of read as false.
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise invalid(name)
    return lowered == "true"


def _field(field: str) -> Callable[[QueueSettings], object]:
    return lambda settings: getattr(settings, field)


def _integer(
    field: str,
    low: int,
    high: int,
    *,
    shown: Callable[[QueueSettings], bool] | None = None,
) -> AttributeSpec:
    # A sign and leading zeros read as a number would ("030" == 30, so an
    # idempotent CreateQueue with "030" matches 30); anything else is invalid.
    def parse(name: str, raw: str, _request: AttributeRequest) -> Changes:
        value = decimal_int(raw) if _INTEGER.fullmatch(raw) else None
        if value is None or not low <= value <= high:
            raise invalid(name)
        return {field: value}

    def render(settings: QueueSettings) -> str | None:
        visible = shown is None or shown(settings)
        return str(getattr(settings, field)) if visible else None

    return AttributeSpec(parse, _field(field), render)


def _boolean(field: str, *, on_standard: Callable[[str], SqsError] | None = None) -> AttributeSpec:
    def parse(name: str, raw: str, _request: AttributeRequest) -> Changes:
        return {field: _parse_bool(name, raw)}

    def render(settings: QueueSettings) -> str | None:
        return "true" if getattr(settings, field) else "false"

    return AttributeSpec(parse, _field(field), render, on_standard)


def _only_when_fifo(name: str) -> SqsError:
    return invalid_attribute_name(f"You can specify the {name} only when FifoQueue is set to true.")


def _choice(field: str, choices: tuple[str, ...]) -> AttributeSpec:
    # FIFO-only enums; values are case-sensitive, as documented.
    def parse(name: str, raw: str, _request: AttributeRequest) -> Changes:
        if raw not in choices:
            raise invalid(name)
        return {field: raw}

    def render(settings: QueueSettings) -> str | None:
        return str(getattr(settings, field))

    return AttributeSpec(parse, _field(field), render, _only_when_fifo)


def _parse_fifo_queue(name: str, raw: str, _request: AttributeRequest) -> Changes:
    # Reached only on FIFO queues: on standard ones FifoQueue is unknown.
    if not _parse_bool(name, raw):
        raise invalid_attribute_value(
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
        )
    return {"fifo": True}


def _parse_policy(_name: str, raw: str, _request: AttributeRequest) -> Changes:
    return {"policy_raw": parse_policy(raw)}


def _policy_value(settings: QueueSettings) -> object:
    # Compared as parsed JSON: whitespace and key order are no difference
    # (our choice; AWS documents nothing here).
    return None if settings.policy_raw is None else json.loads(settings.policy_raw)


def _parse_redrive(_name: str, raw: str, request: AttributeRequest) -> Changes:
    policy = parse_redrive_policy(
        raw,
        fifo=request.fifo,
        source_arn=request.queue_arn,
        resolve_dead_letter=request.resolve_dead_letter,
    )
    return {"redrive_policy": policy, "redrive_policy_raw": raw or None}


def _render_redrive(settings: QueueSettings) -> str | None:
    policy = settings.redrive_policy
    return None if policy is None else render_redrive_policy(policy)


def _parse_redrive_allow(_name: str, raw: str, _request: AttributeRequest) -> Changes:
    return {
        "redrive_allow_policy": parse_redrive_allow_policy(raw),
        "redrive_allow_policy_raw": raw or None,
    }


def _render_redrive_allow(settings: QueueSettings) -> str | None:
    policy = settings.redrive_allow_policy
    return None if policy is None else render_redrive_allow_policy(policy)


def _parse_kms_key(_name: str, raw: str, _request: AttributeRequest) -> Changes:
    # Not checked against KMS: AWS accepted "testKeyId" (observed AWS behaviour).
    return {"kms_master_key_id": raw or None}


def _has_kms_key(settings: QueueSettings) -> bool:
    return settings.kms_master_key_id is not None


SPECS: Final[Mapping[str, AttributeSpec]] = {
    "DelaySeconds": _integer("delay_s", 0, 900),
    "MaximumMessageSize": _integer("maximum_message_size", 1_024, 1_048_576),
    "MessageRetentionPeriod": _integer("retention_s", 60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": _integer("receive_wait_s", 0, 20),
    "VisibilityTimeout": _integer("visibility_timeout_s", 0, 43_200),
    "Policy": AttributeSpec(_parse_policy, _policy_value, lambda s: s.policy_raw),
    "RedrivePolicy": AttributeSpec(_parse_redrive, _field("redrive_policy"), _render_redrive),
    "RedriveAllowPolicy": AttributeSpec(_parse_redrive_allow, _field("redrive_allow_policy"), _render_redrive_allow),
    "KmsMasterKeyId": AttributeSpec(_parse_kms_key, _field("kms_master_key_id"), lambda s: s.kms_master_key_id),
    "KmsDataKeyReusePeriodSeconds": _integer("kms_data_key_reuse_period_s", 60, 86_400, shown=_has_kms_key),
    "SqsManagedSseEnabled": _boolean("sqs_managed_sse_enabled"),
    "FifoQueue": AttributeSpec(_parse_fifo_queue, _field("fifo"), lambda s: "true", unknown_attribute),
    "ContentBasedDeduplication": _boolean("content_based_deduplication", on_standard=unknown_attribute),
    "DeduplicationScope": _choice("deduplication_scope", ("queue", "messageGroup")),
    "FifoThroughputLimit": _choice("fifo_throughput_limit", ("perQueue", "perMessageGroupId")),
}
"""Every attribute CreateQueue and SetQueueAttributes accept, by AWS name."""
