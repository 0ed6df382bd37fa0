"""Condition operators and wildcard matching of the IAM policy language, as queue policies use them.

Sources (AWS IAM User Guide): "IAM JSON policy elements: Condition operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
"IAM JSON policy elements: Condition", "Set operators for multivalued context
keys" and "IAM JSON policy elements: Resource". The rules that matter here:

- A key absent from the request context makes a condition false, except that
  a negated operator (``StringNotLike``, ``ArnNotLike``, ...) is then true,
  ``...IfExists`` is true and ``Null`` tests presence itself.
- Several values for one key are ORed; a negated operator holds only when no
  value matches. Keys and operators are ANDed (``conditions_hold``).
- ``ForAllValues`` holds when every request value matches (and when the key
  is absent); ``ForAnyValue`` when at least one does (never when absent).
- Wildcards are ``*`` (any run of characters) and ``?`` (one character) only:
  ``[a-z]`` is literal text, unlike ``fnmatch``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final

from pytest_sqsmock.model.policy import ConditionClause

Lookup = Callable[[str], "tuple[str, ...] | None"]
"""A request context: the values of a (lower-cased) condition key, ``None`` when absent."""

_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@functools.lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches ``pattern`` with IAM wildcards (``*``, ``?``; nothing else is special)."""
    return _wildcard_regex(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, value: str) -> bool:
    """``ArnLike``: each of the six colon-delimited ARN components is matched separately.

    The resource component (the sixth) may itself contain colons. Case-sensitive
    ("IAM JSON policy elements: Condition operators", Amazon Resource Name operators).
    """
    wanted, actual = pattern.split(":", 5), value.split(":", 5)
    return len(wanted) == len(actual) == 6 and all(map(wildcard_match, wanted, actual))


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text.strip()) else None


def epoch_seconds(text: str) -> float | None:
    """A date condition value: epoch seconds, or an ISO 8601 date or date-time (UTC unless an offset is given)."""
    number = _number(text)
    if number is not None:
        return number
    iso = text.strip()
    if iso[-1:] in ("Z", "z"):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _compare(
    convert: Callable[[str], float | None], test: Callable[[float, float], bool]
) -> Callable[[str, str], bool]:
    def match(actual: str, expected: str) -> bool:
        left, right = convert(actual), convert(expected)
        return left is not None and right is not None and test(left, right)

    return match


def _in_network(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual.strip()) in ipaddress.ip_network(expected.strip(), strict=False)
    except ValueError:
        return False


def _bool(actual: str, expected: str) -> bool:
    return actual.lower() == expected.lower()


@dataclass(frozen=True, slots=True)
class _Operator:
    match: Callable[[str, str], bool]
    negated: bool = False


def _ignore_case(actual: str, expected: str) -> bool:
    return actual.casefold() == expected.casefold()


def _like(actual: str, expected: str) -> bool:
    return wildcard_match(expected, actual)


def _arn(actual: str, expected: str) -> bool:
    return arn_match(expected, actual)


_EQ: Final = str.__eq__

OPERATORS: Final[dict[str, _Operator]] = {
    name.lower(): operator
    for name, operator in {
        "StringEquals": _Operator(_EQ),
        "StringNotEquals": _Operator(_EQ, negated=True),
        "StringEqualsIgnoreCase": _Operator(_ignore_case),
        "StringNotEqualsIgnoreCase": _Operator(_ignore_case, negated=True),
        "StringLike": _Operator(_like),
        "StringNotLike": _Operator(_like, negated=True),
        "NumericEquals": _Operator(_compare(_number, float.__eq__)),
        "NumericNotEquals": _Operator(_compare(_number, float.__eq__), negated=True),
        "NumericLessThan": _Operator(_compare(_number, float.__lt__)),
        "NumericLessThanEquals": _Operator(_compare(_number, float.__le__)),
        "NumericGreaterThan": _Operator(_compare(_number, float.__gt__)),
        "NumericGreaterThanEquals": _Operator(_compare(_number, float.__ge__)),
        "DateEquals": _Operator(_compare(epoch_seconds, float.__eq__)),
        "DateNotEquals": _Operator(_compare(epoch_seconds, float.__eq__), negated=True),
        "DateLessThan": _Operator(_compare(epoch_seconds, float.__lt__)),
        "DateLessThanEquals": _Operator(_compare(epoch_seconds, float.__le__)),
        "DateGreaterThan": _Operator(_compare(epoch_seconds, float.__gt__)),
        "DateGreaterThanEquals": _Operator(_compare(epoch_seconds, float.__ge__)),
        "Bool": _Operator(_bool),
        # No context key the simulation knows is binary: the base64 texts are compared.
        "BinaryEquals": _Operator(_EQ),
        "IpAddress": _Operator(_in_network),
        "NotIpAddress": _Operator(_in_network, negated=True),
        "ArnEquals": _Operator(_arn),
        "ArnLike": _Operator(_arn),
        "ArnNotEquals": _Operator(_arn, negated=True),
        "ArnNotLike": _Operator(_arn, negated=True),
    }.items()
}
"""Every operator of "IAM JSON policy elements: Condition operators", by lower-cased name."""


def is_valid(clause: ConditionClause) -> bool:
    """Whether a clause uses an operator AWS documents, in a form it allows.

    ``Null`` takes neither ``IfExists`` nor a set qualifier; the qualifiers are
    ``ForAnyValue`` and ``ForAllValues``; values are strings, numbers or booleans.
    """
    if clause.values is None or clause.qualifier not in (None, "ForAnyValue", "ForAllValues"):
        return False
    if clause.operator.lower() == "null":
        return clause.qualifier is None and not clause.if_exists
    return clause.operator.lower() in OPERATORS


def clause_holds(clause: ConditionClause, actual: tuple[str, ...] | None) -> bool:
    """Whether one condition clause holds for the request context value ``actual`` (``None``: absent)."""
    expected = clause.values
    if expected is None:
        return False
    present = bool(actual)
    if clause.operator.lower() == "null":
        wanted = {value.lower() for value in expected}
        return ("true" in wanted and not present) or ("false" in wanted and present)
    operator = OPERATORS.get(clause.operator.lower())
    if operator is None:
        return False
    if not actual:
        if clause.if_exists or clause.qualifier == "ForAllValues":
            return True
        return clause.qualifier is None and operator.negated

    def matches(value: str) -> bool:
        return any(operator.match(value, wanted) for wanted in expected)

    if clause.qualifier is None:
        return any(map(matches, actual)) != operator.negated
    each = (matches(value) != operator.negated for value in actual)
    return all(each) if clause.qualifier == "ForAllValues" else any(each)


def conditions_hold(clauses: Iterable[ConditionClause], lookup: Lookup) -> bool:
    """Whether every clause of a statement's ``Condition`` holds."""
    return all(clause_holds(clause, lookup(clause.key)) for clause in clauses)
