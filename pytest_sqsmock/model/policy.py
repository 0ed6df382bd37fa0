"""A queue policy, parsed once into typed statements (IAM policy grammar, as SQS reads it).

Parsing here never fails: the service validates a ``Policy`` before it is
stored (service/rules/policy_attributes.py), and whatever is still malformed (settings built
directly, or elements the grammar does not allow) becomes a part that never
matches. Evaluation lives in service/access/queue_policy.py and service/access/conditions.py.
Element names and shapes: "IAM JSON policy elements reference" (Effect,
Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

_QUALIFIERS = {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}


@dataclass(frozen=True, slots=True)
class Principals:
    """A ``Principal`` or ``NotPrincipal`` element.

    Attributes:
        everyone: ``"*"`` or ``{"AWS": "*"}``.
        aws: The ``AWS`` values (account ids, IAM and STS ARNs); other kinds
            (``Service``, ``Federated``, ``CanonicalUser``) name no caller of
            the simulation and are dropped.
    """

    everyone: bool = False
    aws: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One key under one condition operator: ``{"<operator>": {"<key>": [values]}}``.

    Attributes:
        operator: The base operator as written, without a set qualifier or
            ``IfExists`` (``StringLike``); ``""`` when the block is malformed.
        qualifier: ``"ForAnyValue"``, ``"ForAllValues"`` or ``None``.
        if_exists: Whether the operator ends in ``IfExists``.
        key: The condition key, lower-cased (key names are case-insensitive).
        values: The policy's values as strings (JSON numbers and booleans as
            written); ``None`` when they are not strings, numbers or booleans.
    """

    operator: str
    qualifier: str | None
    if_exists: bool
    key: str
    values: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; for each pair of elements at most one is set (``None``: absent)."""

    effect: str | None = None
    principal: Principals | None = None
    not_principal: Principals | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[ConditionClause, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """A queue's ``Policy`` attribute: its statements, in order."""

    statements: tuple[Statement, ...] = ()


def scalar_text(value: object) -> str | None:
    """A policy value as text: strings as they are, JSON numbers and booleans as JSON writes them."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def _texts(value: object) -> tuple[str, ...] | None:
    items = value if isinstance(value, list) else [value]
    texts = tuple(text for item in items if (text := scalar_text(item)) is not None)
    return texts if len(texts) == len(items) else None


def _strings(value: object) -> tuple[str, ...]:
    # Action / Resource lists: a non-string entry matches nothing.
    items = value if isinstance(value, list) else [value]
    return tuple(item for item in items if isinstance(item, str))


def _principals(value: object) -> Principals:
    if value == "*":
        return Principals(everyone=True)
    if not isinstance(value, Mapping):
        return Principals()
    aws = _texts(value.get("AWS", [])) or ()
    return Principals(everyone="*" in aws, aws=tuple(item for item in aws if item != "*"))


def split_operator(name: str) -> tuple[str, str | None, bool]:
    """``(base, qualifier, if_exists)`` of an operator name such as ``ForAnyValue:StringLikeIfExists``."""
    qualifier = None
    prefix, colon, rest = name.partition(":")
    if colon:
        qualifier = _QUALIFIERS.get(prefix.lower(), prefix)
        name = rest
    if_exists = name.lower().endswith("ifexists")
    return (name[: -len("IfExists")] if if_exists else name), qualifier, if_exists


def _conditions(block: object) -> tuple[ConditionClause, ...]:
    if block is None:
        return ()
    malformed = (ConditionClause("", None, False, "", None),)
    if not isinstance(block, Mapping):
        return malformed
    clauses: list[ConditionClause] = []
    for operator, keys in block.items():
        if not isinstance(keys, Mapping) or not keys:
            return malformed
        base, qualifier, if_exists = split_operator(str(operator))
        for key, values in keys.items():
            clauses.append(ConditionClause(base, qualifier, if_exists, str(key).lower(), _texts(values)))
    return tuple(clauses)


def _optional(statement: Mapping[str, object], name: str) -> tuple[str, ...] | None:
    return _strings(statement[name]) if name in statement else None


def _statement(statement: Mapping[str, object]) -> Statement:
    effect = statement.get("Effect")
    return Statement(
        effect=effect if isinstance(effect, str) else None,
        principal=_principals(statement["Principal"]) if "Principal" in statement else None,
        not_principal=_principals(statement["NotPrincipal"]) if "NotPrincipal" in statement else None,
        actions=_optional(statement, "Action"),
        not_actions=_optional(statement, "NotAction"),
        resources=_optional(statement, "Resource"),
        not_resources=_optional(statement, "NotResource"),
        conditions=_conditions(statement.get("Condition")),
    )


def parse_policy_document(raw: str | None) -> Policy | None:
    """The typed form of a ``Policy`` value; ``None`` for no policy.

    Args:
        raw: The attribute as stored (``None`` or ``""``: no policy).

    Returns:
        The statements; text that is not a policy document gives a policy
        without statements.
    """
    if not raw:
        return None
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return Policy()
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return Policy()
    return Policy(tuple(_statement(s) for s in statements if isinstance(s, dict)))
