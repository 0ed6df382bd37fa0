"""RedriveAllowPolicy: which source queues may name a queue as their dead-letter queue, through boto3.

Spec: API Reference, SetQueueAttributes (attribute format; allowAll / denyAll /
byQueue); refusal texts unverified (AWS-style ``Value … for parameter
RedrivePolicy is invalid. Reason: …``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .redrive_support import (
    arn_of,
    client,
    dead_letter,
    expect_invalid_parameter_value,
    make_queue,
    redrive,
    url_of,
)


def allow(permission: str, *sources: str) -> str:
    document: dict[str, Any] = {"redrivePermission": permission}
    if permission == "byQueue":
        document["sourceQueueArns"] = [arn_of(source) for source in sources]
    return json.dumps(document)


def refused(source: str, dlq: str, policy: str) -> str:
    # unverified: AWS's refusal text was never observed.
    return (
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: "
        f"The RedriveAllowPolicy of {arn_of(dlq)} does not allow {arn_of(source)} to use it as a dead-letter queue."
    )


def test_without_a_policy_any_source_may_use_the_queue(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")

    make_queue(sqs, "source", RedrivePolicy=redrive("dlq"))

    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url_of("source")]


def test_allow_all_admits_every_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "dlq", RedriveAllowPolicy=allow("allowAll"))

    make_queue(sqs, "one", RedrivePolicy=redrive("dlq"))
    make_queue(sqs, "two", RedrivePolicy=redrive("dlq"))

    assert len(sqs.list_dead_letter_source_queues(QueueUrl=url_of("dlq"))["queueUrls"]) == 2


def test_deny_all_refuses_create_queue(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "dlq", RedriveAllowPolicy=allow("denyAll"))
    policy = redrive("dlq")

    with expect_invalid_parameter_value(sqs, refused("source", "dlq", policy)):
        make_queue(sqs, "source", RedrivePolicy=policy)
    assert [view.name for view in sqs_mock.queues()] == ["dlq"]


def test_deny_all_refuses_set_queue_attributes(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "dlq", RedriveAllowPolicy=allow("denyAll"))
    source = make_queue(sqs, "source")
    policy = redrive("dlq", 5)

    with expect_invalid_parameter_value(sqs, refused("source", "dlq", policy)):
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]


def test_by_queue_admits_only_the_listed_sources(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "dlq", RedriveAllowPolicy=allow("byQueue", "trusted"))
    policy = redrive("dlq")

    make_queue(sqs, "trusted", RedrivePolicy=policy)
    with expect_invalid_parameter_value(sqs, refused("stranger", "dlq", policy)):
        make_queue(sqs, "stranger", RedrivePolicy=policy)

    assert sqs.list_dead_letter_source_queues(QueueUrl=url_of("dlq"))["queueUrls"] == [url_of("trusted")]


def test_by_queue_may_name_a_source_before_it_exists(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "dlq", RedriveAllowPolicy=allow("byQueue", "later"))

    source = make_queue(sqs, "later", RedrivePolicy=redrive("dlq"))
    dead_letter(sqs, sqs_mock, source, ["x"])

    assert [m.body for m in sqs_mock.queue("dlq").visible] == ["x"]


def test_a_policy_set_later_applies_to_new_sources(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq")
    make_queue(sqs, "first", RedrivePolicy=redrive("dlq"))

    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": allow("byQueue", "first")})

    policy = redrive("dlq")
    with expect_invalid_parameter_value(sqs, refused("second", "dlq", policy)):
        make_queue(sqs, "second", RedrivePolicy=policy)


def test_the_create_queue_helper_is_refused_like_the_api(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("dlq", attributes={"RedriveAllowPolicy": allow("denyAll")})

    with pytest.raises(Exception, match="does not allow") as info:
        sqs_mock.create_queue("source", dead_letter_queue="dlq")
    assert getattr(info.value, "code", None) == "InvalidParameterValue"


def test_policy_is_returned_by_get_queue_attributes(sqs_mock: SqsMock) -> None:
    sqs = client()
    dlq = make_queue(sqs, "dlq", RedriveAllowPolicy=allow("byQueue", "a", "b"))

    returned = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])["Attributes"]

    assert json.loads(returned["RedriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [arn_of("a"), arn_of("b")],
    }


def test_by_queue_accepts_ten_sources_and_refuses_eleven(sqs_mock: SqsMock) -> None:
    sqs = client()
    ten = allow("byQueue", *[f"s{i}" for i in range(10)])
    eleven = allow("byQueue", *[f"s{i}" for i in range(11)])

    make_queue(sqs, "ten", RedriveAllowPolicy=ten)
    # Text unverified; the 10-ARN limit is documented (API Reference, SetQueueAttributes).
    with expect_invalid_parameter_value(
        sqs,
        f"Value {eleven} for parameter RedriveAllowPolicy is invalid. Reason: You can specify up to 10 source queue ARNs.",
    ):
        make_queue(sqs, "eleven", RedriveAllowPolicy=eleven)
