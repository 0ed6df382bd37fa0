"""Wildcards, ARN matching, dates and the typed policy form (the boto3-level rules: tests/accounts).

AWS sources: IAM User Guide, "IAM JSON policy elements: Condition operators" and
"IAM JSON policy elements: Resource".
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_sqsmock.model.policy import ConditionClause, parse_policy_document, split_operator
from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.service.access.conditions import arn_match, clause_holds, epoch_seconds, is_valid, wildcard_match


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("a*c", "abbbc", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a.c", "abc", False),  # regex characters are literal
        ("a+", "aa", False),
        ("[ab]", "a", False),  # no character classes, unlike fnmatch
        ("[ab]", "[ab]", True),
        ("*", "", True),
        ("a*", "a:b:c", True),
    ],
)
def test_wildcard_match(pattern: str, value: str, matches: bool) -> None:
    assert wildcard_match(pattern, value) is matches


def test_wildcard_match_ignores_case_on_request() -> None:
    assert wildcard_match("SQS:Send*", "sqs:sendmessage", ignore_case=True)
    assert not wildcard_match("SQS:Send*", "sqs:sendmessage")


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:sqs:*:*:orders", "arn:aws:sqs:us-east-1:123456789012:orders", True),
        ("arn:aws:sqs:*:*:orders", "arn:aws:sqs:us-east-1:123456789012:orders-dlq", False),
        ("arn:aws:sns:*:*:t:*", "arn:aws:sns:us-east-1:1:t:sub-1", True),  # colons in the resource part
        ("arn:aws:sqs:*", "arn:aws:sqs:us-east-1:123456789012:orders", False),  # too few components
        ("arn:aws:*:us-east-1:123456789012:orders", "arn:aws:sqs:us-east-1:123456789012:orders", True),
    ],
)
def test_arn_match_is_component_by_component(pattern: str, value: str, matches: bool) -> None:
    assert arn_match(pattern, value) is matches


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2030-01-01T00:00:00Z", 1893456000),
        ("2030-01-01", 1893456000),
        ("2030-01-01T01:00:00+01:00", 1893456000),
        ("1893456000", 1893456000),
        ("1893456000.5", 1893456000.5),
        ("yesterday", None),
    ],
)
def test_epoch_seconds(text: str, seconds: float | None) -> None:
    assert epoch_seconds(text) == seconds


def test_split_operator() -> None:
    assert split_operator("ForAllValues:StringLikeIfExists") == ("StringLike", "ForAllValues", True)
    assert split_operator("forAnyValue:ArnEquals") == ("ArnEquals", "ForAnyValue", False)
    assert split_operator("Null") == ("Null", None, False)


def clause(operator: str, *values: str) -> ConditionClause:
    base, qualifier, if_exists = split_operator(operator)
    return ConditionClause(base, qualifier, if_exists, "k", values)


@pytest.mark.parametrize(
    ("operator", "actual", "holds"),
    [
        ("StringEquals", ("a", "b"), True),  # any request value may match
        ("StringNotEquals", ("a", "z"), False),
        ("ForAllValues:StringEquals", ("a", "z"), False),
        ("ForAllValues:StringEquals", ("a", "b"), True),
        ("ForAnyValue:StringEquals", ("z", "b"), True),
        ("ForAllValues:StringNotEquals", ("y", "z"), True),
        ("ForAnyValue:StringNotEquals", ("a", "b"), False),
        ("ForAllValues:StringEquals", None, True),
        ("ForAllValues:StringEquals", (), True),
        ("ForAnyValue:StringNotEquals", None, False),
        ("StringNotEqualsIfExists", None, True),
        ("StringNotEqualsIfExists", ("a",), False),
    ],
)
def test_clause_semantics(operator: str, actual: tuple[str, ...] | None, holds: bool) -> None:
    assert clause_holds(clause(operator, "a", "b"), actual) is holds


def test_unknown_operators_never_hold_and_are_not_valid() -> None:
    unknown = clause("StringEqualz", "a")
    assert not clause_holds(unknown, ("a",))
    assert not is_valid(unknown)
    assert is_valid(clause("ForAnyValue:IpAddress", "10.0.0.0/8"))
    assert not is_valid(clause("NullIfExists", "true"))
    assert not is_valid(ConditionClause("StringEquals", None, False, "k", None))


def test_settings_keep_the_parsed_policy_beside_the_raw_text() -> None:
    raw = '{"Statement": {"Effect": "Deny", "Principal": "*", "NotAction": "sqs:Send*"}}'
    settings = QueueSettings(policy_raw=raw)

    assert settings.policy is not None
    [statement] = settings.policy.statements
    assert (statement.effect, statement.not_actions, statement.actions) == ("Deny", ("sqs:Send*",), None)
    assert replace(settings, delay_s=5).policy == settings.policy
    assert replace(settings, policy_raw=None).policy is None
    assert settings == replace(settings, policy_raw=raw)


@pytest.mark.parametrize("raw", ["not json", "[]", '{"Statement": 5}'])
def test_text_that_is_no_policy_parses_to_no_statements(raw: str) -> None:
    policy = parse_policy_document(raw)
    assert policy is not None
    assert policy.statements == ()
