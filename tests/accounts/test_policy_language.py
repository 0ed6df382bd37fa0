"""The IAM policy language of queue policies, through boto3: elements, wildcards, conditions.

AWS sources (IAM User Guide): "IAM JSON policy elements reference" (NotPrincipal, NotAction,
NotResource, Resource wildcards), "IAM JSON policy elements: Condition operators" (every
operator, absent keys, ...IfExists, Null), "Set operators for multivalued context keys"
(ForAnyValue / ForAllValues), "AWS global condition context keys", "Policy evaluation logic".
Access denials: 403 AccessDenied with the texts observed from AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock
from pytest_sqsmock.model import settings as settings_module
from pytest_sqsmock.model.policy import parse_policy_document

OWNER = "123456789012"
PARTNER = "111122223333"
REGION = "us-east-1"
QUEUE = "shared"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{OWNER}/{QUEUE}"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{OWNER}:{QUEUE}"


def root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def denied_text(account: str, action: str, *, explicit: bool, resource: str = QUEUE_ARN) -> str:
    action = action.lower()
    reason = (
        "with an explicit deny in a resource-based policy"
        if explicit
        else f"because no resource-based policy allows the sqs:{action} action"
    )
    return f"User: {root(account)} is not authorized to perform: sqs:{action} on resource: {resource} {reason}"


@contextmanager
def expect_denied(account: str, action: str = "SendMessage", *, explicit: bool = False) -> Iterator[None]:
    """AccessDenied, 403, with AWS's text (explicit Deny or no Allow)."""
    with pytest.raises(ClientError) as info:
        yield
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("AccessDenied", denied_text(account, action, explicit=explicit))
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@contextmanager
def expect_invalid_policy() -> Iterator[None]:
    """InvalidAttributeValue, 400, ``Invalid value for the parameter Policy.`` (as AWS answers a policy it rejects)."""
    with pytest.raises(ClientError) as info:
        yield
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidAttributeValue", "Invalid value for the parameter Policy.")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.fixture(scope="module")
def session() -> boto3.session.Session:
    """One boto3 session for the module: its clients start in milliseconds."""
    return boto3.session.Session()


@pytest.fixture
def client_for(sqs_mock: SqsMock, session: boto3.session.Session) -> Callable[[str], Any]:
    def make(account: str) -> Any:
        keys = sqs_mock.credentials(account)
        return session.client("sqs", region_name=REGION, **keys)

    return make


@pytest.fixture
def owner(client_for: Callable[[str], Any]) -> Any:
    client = client_for(OWNER)
    client.create_queue(QueueName=QUEUE)
    return client


@pytest.fixture
def partner(client_for: Callable[[str], Any], owner: Any) -> Any:
    return client_for(PARTNER)


def set_policy(owner: Any, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    owner.set_queue_attributes(QueueUrl=QUEUE_URL, Attributes={"Policy": json.dumps(document)})


def allow(condition: dict[str, Any] | None = None, **elements: Any) -> dict[str, Any]:
    """An Allow statement: anyone, SendMessage, this queue, unless ``elements`` say otherwise."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": QUEUE_ARN,
    }
    statement.update(elements)
    if condition is not None:
        statement["Condition"] = condition
    return statement


def deny(condition: dict[str, Any] | None = None, **elements: Any) -> dict[str, Any]:
    return {**allow(condition, **elements), "Effect": "Deny"}


def without(statement: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in statement.items() if name not in names}


def partner_may_send(owner: Any, partner: Any, condition: dict[str, Any]) -> bool:
    """Set an Allow for SendMessage under ``condition`` and report whether the partner's send passes."""
    set_policy(owner, allow(condition))
    response: Any
    try:
        response = partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    except ClientError as error:
        response = error.response
    if "Error" not in response:
        return True
    assert (response["Error"]["Code"], response["Error"]["Message"]) == (
        "AccessDenied",
        denied_text(PARTNER, "SendMessage", explicit=False),
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return False


# --- NotAction, NotPrincipal, NotResource -------------------------------------------------------------


def test_not_action_allows_every_other_action(owner: Any, partner: Any) -> None:
    set_policy(owner, without(allow(NotAction="sqs:ReceiveMessage"), "Action"))

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    partner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"])
    with expect_denied(PARTNER, "ReceiveMessage"):
        partner.receive_message(QueueUrl=QUEUE_URL)


def test_not_action_deny_denies_every_other_action_even_to_the_owner(owner: Any) -> None:
    set_policy(owner, without(deny(NotAction=["sqs:SendMessage", "sqs:*QueueAttributes"]), "Action"))

    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    with expect_denied(OWNER, "ReceiveMessage", explicit=True):
        owner.receive_message(QueueUrl=QUEUE_URL)


def test_not_principal_deny_keeps_out_everyone_but_the_named(owner: Any, partner: Any) -> None:
    set_policy(
        owner,
        allow(Action="sqs:*"),
        without(deny(NotPrincipal={"AWS": [root(OWNER)]}, Action="sqs:*"), "Principal"),
    )

    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="owner")
    with expect_denied(PARTNER, "SendMessage", explicit=True):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="partner")


def test_not_principal_allow_opens_to_everyone_else(client_for: Callable[[str], Any], owner: Any, partner: Any) -> None:
    set_policy(owner, without(allow(NotPrincipal={"AWS": "444455556666"}), "Principal"))
    stranger = client_for("444455556666")

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    with expect_denied("444455556666"):
        stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


def test_not_resource_covers_every_resource_but_those_named(owner: Any, partner: Any) -> None:
    set_policy(owner, without(allow(NotResource=f"arn:aws:sqs:{REGION}:{OWNER}:other"), "Resource"))
    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")

    set_policy(owner, without(allow(NotResource=QUEUE_ARN), "Resource"))
    with expect_denied(PARTNER):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


def test_not_resource_deny_applies_to_the_queue_when_it_is_not_named(owner: Any) -> None:
    set_policy(owner, without(deny(NotResource=f"arn:aws:sqs:{REGION}:{OWNER}:other"), "Resource"))

    with expect_denied(OWNER, explicit=True):
        owner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


# --- wildcards: only * and ? ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "matches"),
    [
        (f"arn:aws:sqs:{REGION}:{OWNER}:sh?red", True),
        (f"arn:aws:sqs:{REGION}:{OWNER}:s*", True),
        ("arn:aws:sqs:*", True),  # a trailing * reaches past colons (IAM "Resource" element)
        (f"arn:aws:sqs:{REGION}:{OWNER}:[s]hared", False),  # no character classes
        (f"arn:aws:sqs:{REGION}:{OWNER}:[a-z]hared", False),
        (f"arn:aws:sqs:{REGION}:{OWNER}:SHARED", False),  # case-sensitive
    ],
)
def test_resource_wildcards(owner: Any, partner: Any, resource: str, matches: bool) -> None:
    set_policy(owner, allow(Resource=resource))

    if matches:
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    else:
        with expect_denied(PARTNER):
            partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


@pytest.mark.parametrize(
    ("action", "matches"),
    [("SQS:send?essage", True), ("sqs:*Message", True), ("sqs:[s]endMessage", False), ("sqs:Send", False)],
)
def test_action_wildcards(owner: Any, partner: Any, action: str, matches: bool) -> None:
    set_policy(owner, allow(Action=action))

    if matches:
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    else:
        with expect_denied(PARTNER):
            partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


@pytest.mark.parametrize(
    ("principal", "matches"),
    [
        ({"AWS": PARTNER}, True),
        ({"AWS": root(PARTNER)}, True),
        ({"AWS": f"arn:aws:iam::{PARTNER}:role/worker"}, True),  # a caller stands for its whole account
        ({"AWS": "arn:aws:iam::*:root"}, False),  # no partial wildcards in Principal
        ({"AWS": "1111*"}, False),
        ({"Service": "sqs.amazonaws.com"}, False),
    ],
)
def test_principal_forms(owner: Any, partner: Any, principal: Any, matches: bool) -> None:
    set_policy(owner, allow(Principal=principal))

    if matches:
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")
    else:
        with expect_denied(PARTNER):
            partner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


# --- condition operators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        # String operators; several values of one key are ORed.
        ({"StringEquals": {"aws:PrincipalAccount": ["999999999999", PARTNER]}}, True),
        ({"StringEquals": {"aws:principalaccount": PARTNER}}, True),  # key names are case-insensitive
        ({"StringNotEquals": {"aws:PrincipalAccount": [OWNER, "999999999999"]}}, True),
        ({"StringNotEquals": {"aws:PrincipalAccount": [OWNER, PARTNER]}}, False),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalType": "ACCOUNT"}}, True),
        ({"StringNotEqualsIgnoreCase": {"aws:PrincipalType": "ACCOUNT"}}, False),
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::1111*"}}, True),
        ({"StringLike": {"aws:PrincipalAccount": "1111?2223333"}}, True),
        ({"StringLike": {"aws:PrincipalAccount": "[0-9]*"}}, False),  # no character classes
        ({"StringNotLike": {"aws:PrincipalArn": "*:root"}}, False),
        # ARN operators match the six components one by one.
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, True),
        ({"ArnEquals": {"aws:PrincipalArn": root(PARTNER)}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}, False),  # five components
        ({"ArnNotLike": {"aws:PrincipalArn": f"arn:*:iam::{PARTNER}:*"}}, False),
        ({"ArnNotEquals": {"aws:PrincipalArn": root(OWNER)}}, True),
        # Bool.
        ({"Bool": {"aws:SecureTransport": "TRUE"}}, True),
        ({"Bool": {"aws:PrincipalIsAWSService": True}}, False),
        # Several operators and keys are ANDed.
        (
            {
                "StringEquals": {"aws:PrincipalAccount": PARTNER, "aws:ResourceAccount": OWNER},
                "Bool": {"aws:SecureTransport": "true"},
            },
            True,
        ),
        ({"StringEquals": {"aws:PrincipalAccount": PARTNER, "aws:RequestedRegion": "eu-west-1"}}, False),
        ({"StringEquals": {"aws:RequestedRegion": REGION, "aws:PrincipalType": "Account"}}, True),
    ],
)
def test_condition_operators(owner: Any, partner: Any, condition: dict[str, Any], holds: bool) -> None:
    assert partner_may_send(owner, partner, condition) is holds


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"NumericEquals": {"aws:ResourceTag/limit": "5"}}, True),
        ({"NumericNotEquals": {"aws:ResourceTag/limit": 5}}, False),
        ({"NumericLessThan": {"aws:ResourceTag/limit": "10"}}, True),
        ({"NumericLessThanEquals": {"aws:ResourceTag/limit": "5.0"}}, True),
        ({"NumericGreaterThan": {"aws:ResourceTag/limit": "5"}}, False),
        ({"NumericGreaterThanEquals": {"aws:ResourceTag/limit": "-1"}}, True),
        ({"NumericEquals": {"aws:ResourceTag/name": "5"}}, False),  # not a number
        ({"DateLessThan": {"aws:ResourceTag/expires": "2031-01-01T00:00:00Z"}}, True),
        ({"DateGreaterThan": {"aws:ResourceTag/expires": "2031-01-01"}}, False),
        ({"DateEquals": {"aws:ResourceTag/expires": "1893456000"}}, True),  # epoch seconds
        ({"DateNotEquals": {"aws:ResourceTag/expires": "2030-01-01T01:00:00+01:00"}}, False),
        ({"DateGreaterThanEquals": {"aws:ResourceTag/expires": "2030-01-01T00:00:00Z"}}, True),
        ({"DateLessThanEquals": {"aws:ResourceTag/expires": "2029-12-31T23:59:59Z"}}, False),
        ({"IpAddress": {"aws:ResourceTag/ip": "10.0.0.0/8"}}, True),
        ({"IpAddress": {"aws:ResourceTag/ip": ["192.168.0.0/16", "10.1.2.3"]}}, True),
        ({"NotIpAddress": {"aws:ResourceTag/ip": "10.0.0.0/8"}}, False),
        ({"BinaryEquals": {"aws:ResourceTag/name": "orders"}}, True),
        ({"StringEquals": {"aws:ResourceTag/NAME": "orders"}}, True),
        ({"StringEquals": {"aws:ResourceTag/missing": "orders"}}, False),
    ],
)
def test_numeric_date_ip_and_binary_operators_on_queue_tags(
    owner: Any, partner: Any, condition: dict[str, Any], holds: bool
) -> None:
    owner.tag_queue(
        QueueUrl=QUEUE_URL,
        Tags={"limit": "5", "expires": "2030-01-01T00:00:00Z", "ip": "10.1.2.3", "name": "orders"},
    )
    assert partner_may_send(owner, partner, condition) is holds


# --- keys the request does not carry ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        # Absent key: the condition is false ...
        ({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}, False),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"ArnLike": {"aws:SourceArn": "*"}}, False),
        # ... except that a negated operator is true (IAM "Condition operators"),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*"}}, True),
        # ... ...IfExists is true,
        ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, True),
        ({"StringEqualsIfExists": {"aws:PrincipalAccount": "999999999999"}}, False),  # present: checked
        # ... and Null tests presence.
        ({"Null": {"aws:SourceIp": "true"}}, True),
        ({"Null": {"aws:SourceIp": "false"}}, False),
        ({"Null": {"aws:PrincipalAccount": "false"}}, True),
        ({"Null": {"aws:PrincipalAccount": "true"}}, False),
        # Set operators: ForAllValues holds for an absent key, ForAnyValue does not.
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, True),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, False),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalAccount": [PARTNER, "x"]}}, True),
        ({"ForAllValues:StringLike": {"aws:PrincipalAccount": ["9*"]}}, False),
        ({"ForAnyValue:StringNotEquals": {"aws:PrincipalAccount": OWNER}}, True),
    ],
)
def test_absent_keys_and_set_operators(owner: Any, partner: Any, condition: dict[str, Any], holds: bool) -> None:
    assert partner_may_send(owner, partner, condition) is holds


def test_a_deny_unless_from_a_vpc_endpoint_denies_every_simulated_call(owner: Any) -> None:
    # No simulated call carries aws:SourceVpce, so StringNotEquals holds, as for an AWS call from outside the VPC.
    set_policy(owner, deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, Action="sqs:*"))

    with expect_denied(OWNER, "SendMessage", explicit=True):
        owner.send_message(QueueUrl=QUEUE_URL, MessageBody="m")


# --- aws:CurrentTime and aws:EpochTime follow the virtual clock ------------------------------------


def _iso(sqs_mock: SqsMock, seconds: float) -> str:
    return (sqs_mock.now + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_current_time_conditions_follow_the_virtual_clock(sqs_mock: SqsMock, owner: Any, partner: Any) -> None:
    # Until a minute from now, the partner may list the queue's move tasks.
    set_policy(
        owner,
        allow(
            {"DateLessThan": {"aws:CurrentTime": _iso(sqs_mock, 60)}},
            Action="sqs:ListMessageMoveTasks",
        ),
    )

    partner.list_message_move_tasks(SourceArn=QUEUE_ARN)
    sqs_mock.advance(61)
    with expect_denied(PARTNER, "ListMessageMoveTasks"):
        partner.list_message_move_tasks(SourceArn=QUEUE_ARN)


def test_epoch_time_conditions_follow_the_virtual_clock(sqs_mock: SqsMock, owner: Any, partner: Any) -> None:
    opens_at = int(sqs_mock.now.timestamp()) + 3600
    set_policy(
        owner,
        allow({"NumericGreaterThanEquals": {"aws:EpochTime": opens_at}}, Action="sqs:GetQueueUrl"),
        allow({"DateGreaterThanEquals": {"aws:EpochTime": str(opens_at)}}, Action="sqs:ListMessageMoveTasks"),
    )

    with pytest.raises(partner.exceptions.QueueDoesNotExist):
        partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)
    with expect_denied(PARTNER, "ListMessageMoveTasks"):
        partner.list_message_move_tasks(SourceArn=QUEUE_ARN)
    sqs_mock.advance(3600)
    assert partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)["QueueUrl"] == QUEUE_URL
    partner.list_message_move_tasks(SourceArn=QUEUE_ARN)


def test_a_send_window_in_current_time_follows_the_virtual_clock(sqs_mock: SqsMock, owner: Any, partner: Any) -> None:
    condition = {"DateLessThan": {"aws:CurrentTime": _iso(sqs_mock, 60)}}
    assert partner_may_send(owner, partner, condition)
    sqs_mock.advance(61)
    assert not partner_may_send(owner, partner, condition)


# --- policies SQS cannot evaluate are refused -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        allow({"StringEqualz": {"aws:PrincipalAccount": PARTNER}}),
        allow({"NullIfExists": {"aws:SourceIp": "true"}}),
        allow({"ForAnyValue:Null": {"aws:SourceIp": "true"}}),
        allow({"ForSomeValues:StringEquals": {"aws:PrincipalAccount": PARTNER}}),
        allow({"StringEquals": {"aws:PrincipalAccount": {"nested": "object"}}}),
        allow({"StringEquals": "aws:PrincipalAccount"}),
        allow(NotAction="sqs:ReceiveMessage"),
        allow(NotPrincipal="*"),
        allow(NotResource=QUEUE_ARN),
    ],
    ids=[
        "unknown-operator",
        "null-if-exists",
        "null-with-set-operator",
        "unknown-set-operator",
        "object-value",
        "block-not-an-object",
        "action-and-not-action",
        "principal-and-not-principal",
        "resource-and-not-resource",
    ],
)
def test_policy_the_simulation_cannot_evaluate_is_refused(owner: Any, statement: dict[str, Any]) -> None:
    with expect_invalid_policy():
        set_policy(owner, statement)
    response = owner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["Policy"])
    assert "Policy" not in response.get("Attributes", {})


def test_operator_names_are_read_in_any_case(owner: Any, partner: Any) -> None:
    assert partner_may_send(owner, partner, {"stringequals": {"aws:PrincipalAccount": PARTNER}})


def test_a_policy_is_parsed_once_when_set_not_on_every_call(
    owner: Any, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[str | None] = []
    real = parse_policy_document

    def counting(raw: str | None) -> Any:
        parses.append(raw)
        return real(raw)

    monkeypatch.setattr(settings_module, "parse_policy_document", counting)
    set_policy(owner, allow(Principal={"AWS": PARTNER}, Action="sqs:SendMessage"))
    parsed_when_set = len(parses)

    for n in range(20):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody=str(n))
    owner.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10)

    assert parsed_when_set >= 1
    assert len(parses) == parsed_when_set
