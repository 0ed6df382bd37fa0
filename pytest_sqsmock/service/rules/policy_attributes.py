"""The JSON-valued queue attributes: ``Policy``, ``RedrivePolicy``, ``RedriveAllowPolicy``.

Texts and codes are AWS's as observed (sources at each). Where AWS's wording was
never observed, the text is composed from the SQS API Reference
(SetQueueAttributes) and marked ``# unverified``.

A dead-letter queue and its sources share one account and one region
("Amazon SQS dead-letter queues", Developer Guide 2021: "You must use the same
AWS account to create the dead-letter queue and the other queues that send
messages to the dead-letter queue. Also, dead-letter queues must reside in the
same region"); ``RedriveAllowPolicy`` ``allowAll`` admits "any source queues in
this AWS account in the same Region" (SetQueueAttributes, API Reference).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Final

from pytest_sqsmock.model.addresses import split_arn
from pytest_sqsmock.model.policy import parse_policy_document
from pytest_sqsmock.model.settings import (
    QueueSettings,
    RedriveAllowPolicy,
    RedrivePermission,
    RedrivePolicy,
)
from pytest_sqsmock.service.access.conditions import is_valid
from pytest_sqsmock.service.rules.params import decimal_int
from pytest_sqsmock.sqs_errors import (
    SqsError,
    invalid_attribute_value,
    invalid_value,
    over_limit,
)

DeadLetterResolver = Callable[[str], "QueueSettings | None"]
"""Looks a dead-letter queue ARN up: its settings, or ``None`` when no such queue exists."""

SQS_ARN: Final = re.compile(r"arn:aws(?:-[a-z]+)*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,80}")
"""A syntactically valid SQS queue ARN (partitions ``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""

MAX_POLICY_STATEMENTS: Final = 20
MAX_POLICY_ACTIONS: Final = 7
MAX_RECEIVE_COUNT: Final = 1000
MAX_SOURCE_QUEUE_ARNS: Final = 10

OUTSIDE_SOURCE_SCOPE: Final = "Dead-letter queue must be in the same account and region as the source queue."
"""Our reason for a dead-letter target in another account or region (AWS's text is unrecorded)."""

# Elements of which a statement may carry one form only (IAM JSON policy elements reference).
_EXCLUSIVE: Final = (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource"))

_PERMISSIONS: Final[dict[str, RedrivePermission]] = {
    "allowAll": "allowAll",
    "denyAll": "denyAll",
    "byQueue": "byQueue",
}


def _json_object(raw: str) -> dict[str, object] | None:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None
    return document if isinstance(document, dict) else None


def parse_policy(raw: str) -> str | None:
    """Validate a ``Policy`` attribute value.

    Args:
        raw: The value as sent; ``""`` means "no policy" (observed AWS behaviour).

    Returns:
        The policy text, stored verbatim, or ``None`` for ``""``.

    Raises:
        SqsError: ``InvalidAttributeValue`` ``Invalid value for the parameter
            Policy.`` when the value is not a JSON object with a ``Statement``
            object or list of objects, when a statement has both forms of an
            element (``Action`` and ``NotAction``, ...), or when a
            ``Condition`` is not an object of operators AWS documents, each
            mapping keys to strings, numbers, booleans or lists of them;
            ``OverLimit`` (403) for more than 20 statements or more than 7
            actions in one statement (SQS Developer Guide, "Amazon SQS policy
            quotas"; texts observed AWS behaviour).
    """
    if raw == "":
        return None
    document = _json_object(raw)
    statements = None if document is None else document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    # unverified: AWS's text for syntactically malformed JSON; we answer it like
    # a policy SQS rejects (observed AWS behaviour,
    # https://github.com/hashicorp/terraform-provider-aws/pull/42209). Effect, Principal and the element
    # value types are not checked: what does not fit matches nobody.
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise invalid_attribute_value("Invalid value for the parameter Policy.")
    # Undocumented which conditions SQS refuses: we refuse those we could not
    # evaluate, rather than let them open or close access silently.
    parsed = parse_policy_document(raw)
    clauses = [] if parsed is None else [c for statement in parsed.statements for c in statement.conditions]
    if not all(is_valid(clause) for clause in clauses) or any(
        one in statement and other in statement for statement in statements for one, other in _EXCLUSIVE
    ):
        raise invalid_attribute_value("Invalid value for the parameter Policy.")
    if len(statements) > MAX_POLICY_STATEMENTS:
        raise over_limit(
            f"{len(statements)} statements were found in the submitted policy, max allowed is {MAX_POLICY_STATEMENTS}"
        )
    for statement in statements:
        actions = statement.get("Action", statement.get("NotAction", []))
        count = 1 if isinstance(actions, str) else len(actions) if isinstance(actions, list) else 0
        if count > MAX_POLICY_ACTIONS:
            raise over_limit(
                f"{count} actions were found in a statement from the submitted policy, max allowed is {MAX_POLICY_ACTIONS}"
            )
    return raw


def _max_receive_count(value: object) -> int | None:
    # Accepted as a JSON number or a numeric string (observed AWS behaviour).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value):
        return decimal_int(value)
    return None


def _echo(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def parse_redrive_policy(
    raw: str,
    *,
    fifo: bool,
    source_arn: str,
    resolve_dead_letter: DeadLetterResolver,
) -> RedrivePolicy | None:
    """Validate a ``RedrivePolicy`` attribute value.

    Checks run in this order: JSON object, mandatory ``maxReceiveCount`` then
    ``deadLetterTargetArn`` (AWS names ``maxReceiveCount`` when both are
    missing), ARN syntax (before any lookup), ``maxReceiveCount`` range, the
    target's account and region (before the lookup, so another account's
    queues are neither found nor revealed), the target's existence, its queue
    type, and finally its ``RedriveAllowPolicy``.

    Args:
        raw: The value as sent; ``""`` removes the policy.
        fifo: Whether the source queue is a FIFO queue.
        source_arn: The source queue's ARN (its account and region decide).
        resolve_dead_letter: Looks the target ARN up.

    Returns:
        The parsed policy, or ``None`` for ``""``.

    Raises:
        SqsError: ``InvalidParameterValue`` ``Value <raw> for parameter
            RedrivePolicy is invalid. Reason: <reason>`` (observed AWS behaviour).
    """
    if raw == "":
        return None

    def fail(reason: str) -> SqsError:
        return invalid_value(raw, "RedrivePolicy", reason)

    document = _json_object(raw)
    if document is None:
        raise fail("Redrive policy is not a valid JSON map.")  # unverified
    for key in ("maxReceiveCount", "deadLetterTargetArn"):
        if key not in document:
            raise fail(f"Redrive policy does not contain mandatory attribute: {key}.")
    arn = document["deadLetterTargetArn"]
    if not isinstance(arn, str) or not SQS_ARN.fullmatch(arn):
        raise fail("Invalid value for deadLetterTargetArn.")
    count = _max_receive_count(document["maxReceiveCount"])
    if count is None or not 1 <= count <= MAX_RECEIVE_COUNT:
        # unverified: LocalStack's wording; AWS documents only the range (1-1000 in the console).
        raise fail(
            f"Invalid value for maxReceiveCount: {_echo(document['maxReceiveCount'])}, "
            f"valid values are from 1 to {MAX_RECEIVE_COUNT} both inclusive."
        )
    if not same_account_and_region(arn, source_arn):
        # unverified: AWS's answer to a target in another account or region is not recorded.
        raise fail(OUTSIDE_SOURCE_SCOPE)
    target = resolve_dead_letter(arn)
    if target is None:
        # Observed AWS behaviour (https://github.com/serverless/serverless/issues/5215);
        # the report cuts the text off after "exist": the period is our guess.
        raise fail("Dead letter target does not exist.")
    if target.fifo != fifo:
        # sic, two periods (observed AWS behaviour, https://github.com/byu-oit/handel/issues/253).
        raise fail("Dead-letter queue must be same type of queue as the source..")
    if not allows_source(target.redrive_allow_policy, source_arn=source_arn, dead_letter_arn=arn):
        # unverified: AWS documents the rule (SQS API Reference, SetQueueAttributes), not the text.
        raise fail(f"The RedriveAllowPolicy of {arn} does not allow {source_arn} to use it as a dead-letter queue.")
    return RedrivePolicy(dead_letter_target_arn=arn, max_receive_count=count)


def same_account_and_region(arn: str, other_arn: str) -> bool:
    """Whether two queue ARNs name the same account and region (and so the same partition)."""
    one, other = split_arn(arn), split_arn(other_arn)
    return one is not None and other is not None and one[:2] == other[:2]


def allows_source(policy: RedriveAllowPolicy | None, *, source_arn: str, dead_letter_arn: str) -> bool:
    """Whether a dead-letter queue with ``policy`` accepts ``source_arn`` as a source.

    Only queues of the dead-letter queue's account and region ever qualify;
    among them ``allowAll`` (also ``None``) admits all, ``denyAll`` none and
    ``byQueue`` those whose true ARN it lists.

    Args:
        policy: The dead-letter queue's RedriveAllowPolicy; ``None`` behaves as ``allowAll``.
        source_arn: The ARN of the queue that wants to redrive into it.
        dead_letter_arn: The dead-letter queue's ARN.

    Returns:
        ``True`` when the source may use the queue as its dead-letter queue.
    """
    if not same_account_and_region(source_arn, dead_letter_arn):
        return False
    if policy is None or policy.permission == "allowAll":
        return True
    return policy.permission == "byQueue" and source_arn in policy.source_queue_arns


def render_redrive_policy(policy: RedrivePolicy) -> str:
    """``RedrivePolicy`` as GetQueueAttributes returns it.

    Compact JSON with ``maxReceiveCount`` as a number, as in the AWS CLI's
    ``get-queue-attributes`` example output (aws/aws-cli
    ``awscli/examples/sqs/get-queue-attributes.rst``).

    Args:
        policy: The parsed policy.

    Returns:
        ``{"deadLetterTargetArn":"<arn>","maxReceiveCount":<n>}``.
    """
    return json.dumps(
        {
            "deadLetterTargetArn": policy.dead_letter_target_arn,
            "maxReceiveCount": policy.max_receive_count,
        },
        separators=(",", ":"),
    )


def parse_redrive_allow_policy(raw: str) -> RedriveAllowPolicy | None:
    """Validate a ``RedriveAllowPolicy`` attribute value.

    The error code mirrors RedrivePolicy's (``InvalidParameterValue`` in the
    ``Value <raw> for parameter RedriveAllowPolicy is invalid. Reason: ...``
    form); the reasons use the SQS API Reference's wording (SetQueueAttributes).
    All unverified. ``byQueue`` without ``sourceQueueArns`` is accepted and
    admits no source.

    Args:
        raw: The value as sent; ``""`` removes the policy.

    Returns:
        The parsed policy, or ``None`` for ``""``.

    Raises:
        SqsError: ``InvalidParameterValue`` for a malformed policy.
    """
    if raw == "":
        return None

    def fail(reason: str) -> SqsError:
        return invalid_value(raw, "RedriveAllowPolicy", reason)

    document = _json_object(raw)
    if document is None:
        raise fail("Redrive allow policy is not a valid JSON map.")
    if "redrivePermission" not in document:
        raise fail("Redrive allow policy does not contain mandatory attribute: redrivePermission.")
    permission = _PERMISSIONS.get(_echo(document["redrivePermission"]))
    if permission is None:
        raise fail("Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.")
    arns = document.get("sourceQueueArns")
    if permission != "byQueue":
        if arns is not None:
            raise fail("You can specify sourceQueueArns only when redrivePermission is set to byQueue.")
        return RedriveAllowPolicy(permission=permission)
    if arns is None:
        arns = []
    if not isinstance(arns, list) or not all(isinstance(a, str) and SQS_ARN.fullmatch(a) for a in arns):
        raise fail("Invalid value for sourceQueueArns.")
    if len(arns) > MAX_SOURCE_QUEUE_ARNS:
        raise fail(f"You can specify up to {MAX_SOURCE_QUEUE_ARNS} source queue ARNs.")
    return RedriveAllowPolicy(permission="byQueue", source_queue_arns=tuple(str(a) for a in arns))


def render_redrive_allow_policy(policy: RedriveAllowPolicy) -> str:
    """``RedriveAllowPolicy`` as GetQueueAttributes returns it.

    Re-serialised compactly like RedrivePolicy (by analogy; unverified).

    Args:
        policy: The parsed policy.

    Returns:
        ``{"redrivePermission":"<p>"}``, plus ``"sourceQueueArns":[...]`` for ``byQueue``.
    """
    document: dict[str, object] = {"redrivePermission": policy.permission}
    if policy.permission == "byQueue":
        document["sourceQueueArns"] = list(policy.source_queue_arns)
    return json.dumps(document, separators=(",", ":"))
