"""Who may call what on a queue: the queue policy, decided as SQS decides it.

The simulation has no IAM: a caller of the owning account is allowed unless
the queue policy denies it explicitly; a caller of another account needs a
policy statement that allows it, and never reaches owner-only operations.
An explicit Deny always wins (reference §14).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.errors import SqsError, access_denied

# Operations only the owner can call (reference §4, "Owner-only").
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


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal making a request."""

    account_id: str
    secure_transport: bool = True

    @property
    def arn(self) -> str:
        """The caller's principal ARN (the account root: the simulation has no IAM users)."""
        return f"arn:aws:iam::{self.account_id}:root"


def check(queue: Queue, operation: str, caller: Caller) -> None:
    """Raise SQS's AccessDenied unless ``caller`` may call ``operation`` on ``queue``."""
    same_account = caller.account_id == queue.account_id
    if same_account and queue.settings.policy_raw is None:
        return
    action = "sqs:" + _BASE_ACTION.get(operation, operation)
    statements = _statements(queue.settings.policy_raw)
    if any(_applies(statement, "Deny", action, queue.arn, caller) for statement in statements):
        raise _denied(caller, action, queue.arn, "with an explicit deny in a resource-based policy")
    if same_account:
        return
    if operation in OWNER_ONLY:
        raise _denied(
            caller, action, queue.arn, "because no resource-based policy allows the " + action.lower() + " action"
        )
    if not any(_applies(statement, "Allow", action, queue.arn, caller) for statement in statements):
        raise _denied(
            caller, action, queue.arn, "because no resource-based policy allows the " + action.lower() + " action"
        )


def allows(queue: Queue, operation: str, caller: Caller) -> bool:
    """Whether ``check`` would let the call through."""
    try:
        check(queue, operation, caller)
    except SqsError:
        return False
    return True


def _denied(caller: Caller, action: str, resource: str, reason: str) -> SqsError:
    # Wording measured from AWS in 2026 (reference §2.2, §14): actions lower-case.
    return access_denied(
        f"User: {caller.arn} is not authorized to perform: {action.lower()} on resource: {resource} {reason}"
    )


def _statements(policy_raw: str | None) -> list[Mapping[str, Any]]:
    if not policy_raw:
        return []
    try:
        document = json.loads(policy_raw)
    except (ValueError, RecursionError):
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    return [statement for statement in statements if isinstance(statement, dict)]


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def _matches(patterns: Iterable[str], value: str, *, case_sensitive: bool = True) -> bool:
    for pattern in patterns:
        if case_sensitive and fnmatch.fnmatchcase(value, pattern):
            return True
        if not case_sensitive and fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    candidates = _values(principal.get("AWS")) if isinstance(principal, dict) else _values(principal)
    for candidate in candidates:
        if candidate == "*" or candidate == caller.account_id:
            return True
        if candidate.startswith(f"arn:aws:iam::{caller.account_id}:"):
            return True
    return False


def _applies(statement: Mapping[str, Any], effect: str, action: str, resource: str, caller: Caller) -> bool:
    if statement.get("Effect") != effect:
        return False
    if "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], caller):
            return False
    elif not _principal_matches(statement.get("Principal"), caller):
        return False
    if "NotAction" in statement:
        if _matches(_values(statement["NotAction"]), action, case_sensitive=False):
            return False
    elif not _matches(_values(statement.get("Action")), action, case_sensitive=False):
        return False
    resources = _values(statement.get("Resource", "*"))
    if not _matches(resources, resource):
        return False
    return _conditions_hold(statement.get("Condition"), caller)


def _context_value(key: str, caller: Caller) -> list[str] | None:
    """The request context keys the simulation knows; ``None`` when absent."""
    known = {
        "aws:principalaccount": [caller.account_id],
        "aws:principalarn": [caller.arn],
        "aws:securetransport": ["true" if caller.secure_transport else "false"],
    }
    return known.get(key.lower())


def _conditions_hold(conditions: Any, caller: Caller) -> bool:
    """Evaluate a Condition block; keys the simulation cannot know make it fail (as absent keys do)."""
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, block in conditions.items():
        if not isinstance(block, dict):
            return False
        base = operator.removesuffix("IfExists")
        for key, expected in block.items():
            actual = _context_value(key, caller)
            if actual is None:
                if operator.endswith("IfExists") or base == "Null":
                    continue
                return False
            if not _operator_holds(base, actual, _values(expected)):
                return False
    return True


_EQUALITY: Final[dict[str, Callable[[str, str], bool]]] = {
    "StringEquals": str.__eq__,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": fnmatch.fnmatchcase,
    "ArnEquals": str.__eq__,
    "ArnLike": fnmatch.fnmatchcase,
    "Bool": lambda actual, expected: actual.lower() == expected.lower(),
}
_NEGATED: Final = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _operator_holds(operator: str, actual: list[str], expected: list[str]) -> bool:
    """One condition operator; operators the simulation does not know never hold."""
    negated = operator in _NEGATED
    test = _EQUALITY.get(_NEGATED.get(operator, operator))
    if test is None:
        return False
    found = any(test(a, e) for a in actual for e in expected)
    return not found if negated else found
