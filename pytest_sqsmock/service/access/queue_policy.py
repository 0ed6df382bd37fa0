"""Who may call what on a queue: the queue policy, decided as SQS decides it.

The simulation has no IAM: a caller of the owning account is allowed unless
the queue policy denies it explicitly; a caller of another account needs a
policy statement that allows it, and never reaches owner-only operations.
An explicit Deny always wins ("Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

A caller stands for its whole account: it matches a ``Principal`` naming the
account (id or root ARN) or any IAM/STS principal of it. Statements are
matched on ``Principal``/``NotPrincipal``, ``Action``/``NotAction`` (case-
insensitive), ``Resource``/``NotResource`` and ``Condition`` (service/access/conditions.py),
with IAM's ``*`` and ``?`` wildcards only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.model.policy import Principals, Statement
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.access.conditions import Lookup, conditions_hold, wildcard_match
from pytest_sqsmock.sqs_errors import SqsError, access_denied

# Operations only the owner can call (SQS Developer Guide, "Overview of managing access in Amazon SQS").
OWNER_ONLY: Final = frozenset(
    {
        "CreateQueue",
        "ListQueues",
        "DeleteQueue",
        "SetQueueAttributes",
        "AddPermission",
        "RemovePermission",
        "TagQueue",
        "UntagQueue",
        "ListQueueTags",
    }
)
# Batch calls are authorised as their single-message action.
_BASE_ACTION: Final = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
# An IAM or STS principal of an account: arn:<partition>:iam::<account>:... or arn:<partition>:sts::<account>:...
_PRINCIPAL_ARN: Final = re.compile(r"arn:aws(?:-[a-z]+)*:(?:iam|sts)::([0-9]{12}):.+")


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal making a request.

    Attributes:
        account_id: The caller's account.
        secure_transport: Whether the request came over HTTPS (``aws:SecureTransport``).
        now_ms: The simulation's time when known (``aws:CurrentTime``,
            ``aws:EpochTime``); ``None`` leaves those keys out of the request context.
    """

    account_id: str
    secure_transport: bool = True
    now_ms: int | None = None

    @property
    def arn(self) -> str:
        """The caller's principal ARN (the account root: the simulation has no IAM users)."""
        return f"arn:aws:iam::{self.account_id}:root"


def check(queue: Queue, operation: str, caller: Caller) -> None:
    """Raise SQS's AccessDenied unless ``caller`` may call ``operation`` on ``queue``.

    ``operation`` is an API operation (batch operations count as their base
    action) or an action that an operation needs besides its own, such as
    ``ReceiveMessage`` for a message move task.
    """
    same_account = caller.account_id == queue.account_id
    policy = queue.settings.policy
    if same_account and policy is None:
        return
    action = "sqs:" + _BASE_ACTION.get(operation, operation)
    statements = () if policy is None else policy.statements
    lookup = request_context(queue, caller)
    if any(_applies(statement, "Deny", action, queue.arn, caller, lookup) for statement in statements):
        raise _denied(caller, action, queue.arn, "with an explicit deny in a resource-based policy")
    if same_account:
        return
    no_allow = "because no resource-based policy allows the " + action.lower() + " action"
    if operation in OWNER_ONLY:
        raise _denied(caller, action, queue.arn, no_allow)
    if not any(_applies(statement, "Allow", action, queue.arn, caller, lookup) for statement in statements):
        raise _denied(caller, action, queue.arn, no_allow)


def allows(queue: Queue, operation: str, caller: Caller) -> bool:
    """Whether ``check`` would let the call through."""
    try:
        check(queue, operation, caller)
    except SqsError:
        return False
    return True


def request_context(queue: Queue, caller: Caller) -> Lookup:
    """The condition keys the simulation knows for a call on ``queue``; other keys are absent.

    Global keys ("AWS global condition context keys",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
    ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:PrincipalType``
    (``Account``), ``aws:PrincipalIsAWSService`` (``false``),
    ``aws:SecureTransport``, ``aws:RequestedRegion``, ``aws:ResourceAccount``,
    ``aws:ResourceTag/<key>``, and ``aws:CurrentTime`` / ``aws:EpochTime`` from
    the simulation's clock. Absent, because no call of the simulation carries
    them: ``aws:SourceIp``, ``aws:UserAgent``, ``aws:SourceArn``,
    ``aws:SourceAccount``, ``aws:PrincipalOrgID``, ``aws:PrincipalTag/*``,
    ``aws:MultiFactorAuth*``, ``aws:RequestTag/*``, ``aws:TagKeys`` and others.
    """
    known: dict[str, tuple[str, ...]] = {
        "aws:principalaccount": (caller.account_id,),
        "aws:principalarn": (caller.arn,),
        "aws:principaltype": ("Account",),
        "aws:principalisawsservice": ("false",),
        "aws:securetransport": ("true" if caller.secure_transport else "false",),
        "aws:requestedregion": (queue.region,),
        "aws:resourceaccount": (queue.account_id,),
    }
    if caller.now_ms is not None:
        known["aws:currenttime"] = (to_datetime(caller.now_ms).strftime("%Y-%m-%dT%H:%M:%SZ"),)
        known["aws:epochtime"] = (str(caller.now_ms // 1000),)

    def lookup(key: str) -> tuple[str, ...] | None:
        if key.startswith("aws:resourcetag/"):
            wanted = key.removeprefix("aws:resourcetag/")
            return next(((value,) for tag, value in queue.tags.items() if tag.lower() == wanted), None)
        return known.get(key)

    return lookup


def _denied(caller: Caller, action: str, resource: str, reason: str) -> SqsError:
    # Wording as AWS sends it (observed AWS behaviour): actions lower-case.
    return access_denied(
        f"User: {caller.arn} is not authorized to perform: {action.lower()} on resource: {resource} {reason}"
    )


def _names(principals: Principals, caller: Caller) -> bool:
    """Whether a Principal element names the caller (its account, or any principal of it)."""
    if principals.everyone:
        return True
    for value in principals.aws:
        if value == caller.account_id:
            return True
        match = _PRINCIPAL_ARN.fullmatch(value)
        if match is not None and match.group(1) == caller.account_id:
            return True
    return False


def _any_match(patterns: tuple[str, ...], value: str, *, ignore_case: bool = False) -> bool:
    return any(wildcard_match(pattern, value, ignore_case=ignore_case) for pattern in patterns)


def _element_matches(
    positive: tuple[str, ...] | None,
    negative: tuple[str, ...] | None,
    test: Callable[[tuple[str, ...]], bool],
    *,
    absent: bool,
) -> bool:
    # An element and its Not- form: exactly one is expected; neither gives ``absent``.
    if positive is not None:
        return test(positive)
    if negative is not None:
        return not test(negative)
    return absent


def _applies(statement: Statement, effect: str, action: str, resource: str, caller: Caller, lookup: Lookup) -> bool:
    if statement.effect != effect:
        return False
    if statement.principal is not None:
        if not _names(statement.principal, caller):
            return False
    elif statement.not_principal is None or _names(statement.not_principal, caller):
        # A statement without Principal or NotPrincipal names nobody.
        return False
    if not _element_matches(
        statement.actions,
        statement.not_actions,
        lambda patterns: _any_match(patterns, action, ignore_case=True),
        absent=False,
    ):
        return False
    # A statement without Resource or NotResource covers the queue (it can name no other).
    if not _element_matches(
        statement.resources,
        statement.not_resources,
        lambda patterns: _any_match(patterns, resource),
        absent=True,
    ):
        return False
    return conditions_hold(statement.conditions, lookup)
