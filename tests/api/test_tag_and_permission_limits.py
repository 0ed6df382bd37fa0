"""TagQueue and AddPermission refuse what SQS refuses, and change nothing when they do.

Spec: API Reference, TagQueue and AddPermission (Label: at most 80 alphanumeric
characters, hyphens and underscores; Actions: any action name or ``*``); Developer
Guide, "Amazon SQS queue quotas" (tag keys up to 128 characters, values up to 256).
The error texts are unverified (docs/sqs-behaviours.md lists them): checked only
where they name the offending value.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .api_support import expect_error

OWNER = "123456789012"
PARTNER = "111122223333"


def tags_of(sqs: Any, url: str) -> dict[str, str]:
    tags: dict[str, str] = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    return tags


def policy_of(sqs: Any, url: str) -> Any:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
    return json.loads(attributes["Policy"]) if "Policy" in attributes else None


# -- TagQueue ----------------------------------------------------------------


def test_tag_keys_of_128_and_values_of_256_characters_are_accepted(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"k" * 128: "v" * 256})

    assert tags_of(sqs, queue_url) == {"k" * 128: "v" * 256}


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"": "empty key"}, "Tag keys must be between 1 and 128 characters in length."),
        ({"k" * 129: "long key"}, "Tag keys must be between 1 and 128 characters in length."),
        ({"team": "v" * 257}, "Tag values must be less than 256 characters in length."),
    ],
    ids=["empty-key", "key-129", "value-257"],
)
def test_tag_queue_refuses_keys_and_values_out_of_bounds(
    sqs: Any, queue_url: str, tags: dict[str, str], message: str
) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"kept": "yes"})

    with expect_error(sqs, code="InvalidParameterValue", status=400, message=message) as info:
        sqs.tag_queue(QueueUrl=queue_url, Tags={"fine": "too", **tags})

    assert info.value.response["Error"]["Message"] == message
    assert tags_of(sqs, queue_url) == {"kept": "yes"}  # nothing of the refused call was applied


# -- AddPermission -----------------------------------------------------------


def add_permission(sqs: Any, url: str, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "QueueUrl": url,
        "Label": "PartnerSends",
        "AWSAccountIds": [PARTNER],
        "Actions": ["SendMessage"],
    }
    return sqs.add_permission(**{**params, **overrides})


@pytest.mark.parametrize("label", ["has space", "dots.are.out", "x" * 81])
def test_add_permission_refuses_a_label_sqs_does_not_allow(sqs: Any, queue_url: str, label: str) -> None:
    with expect_error(sqs, code="InvalidParameterValue", status=400) as info:
        add_permission(sqs, queue_url, Label=label)

    assert info.value.response["Error"]["Message"].startswith(f"Value {label} for parameter Label is invalid.")
    assert policy_of(sqs, queue_url) is None


def test_add_permission_accepts_a_label_of_80_allowed_characters(sqs: Any, queue_url: str) -> None:
    label = ("Ab-_9" * 16)[:80]

    add_permission(sqs, queue_url, Label=label)

    assert [statement["Sid"] for statement in policy_of(sqs, queue_url)["Statement"]] == [label]


@pytest.mark.parametrize("accounts", [["1234"], [PARTNER, "not-an-account"], []], ids=["short", "one-bad", "none"])
def test_add_permission_refuses_account_ids_that_are_not_12_digits(
    sqs: Any, queue_url: str, accounts: list[str]
) -> None:
    with expect_error(sqs, code="InvalidParameterValue", status=400) as info:
        add_permission(sqs, queue_url, AWSAccountIds=accounts)

    assert "for parameter PrincipalId is invalid" in info.value.response["Error"]["Message"]
    assert policy_of(sqs, queue_url) is None


def test_add_permission_refuses_an_empty_action_list(sqs: Any, queue_url: str) -> None:
    with expect_error(sqs, code="InvalidParameterValue", status=400) as info:
        add_permission(sqs, queue_url, Actions=[])

    assert "for parameter ActionName is invalid" in info.value.response["Error"]["Message"]
    assert policy_of(sqs, queue_url) is None


def test_add_permission_refuses_more_than_seven_actions(sqs: Any, queue_url: str) -> None:
    actions = [
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
    ]
    add_permission(sqs, queue_url, Actions=actions[:7])  # seven are fine

    with expect_error(sqs, code="OverLimit", status=403, shape="OverLimit") as info:
        add_permission(sqs, queue_url, Label="EightActions", Actions=actions)

    assert info.value.response["Error"]["Message"] == "8 Actions were found, maximum allowed is 7."
    assert [statement["Sid"] for statement in policy_of(sqs, queue_url)["Statement"]] == ["PartnerSends"]


@pytest.mark.parametrize("action", ["DeleteQueue", "SetQueueAttributes", "AddPermission", "CreateQueue"])
def test_add_permission_refuses_owner_only_actions(sqs: Any, queue_url: str, action: str) -> None:
    with expect_error(sqs, code="InvalidParameterValue", status=400) as info:
        add_permission(sqs, queue_url, Actions=["SendMessage", action])

    assert info.value.response["Error"]["Message"].startswith(f"Value SQS:{action} for parameter ActionName")
    assert policy_of(sqs, queue_url) is None


@pytest.mark.parametrize("action", ["Fly", "sendmessage", "SendMessageBatch"])
def test_add_permission_refuses_names_that_are_no_grantable_action(sqs: Any, queue_url: str, action: str) -> None:
    with expect_error(sqs, code="InvalidParameterValue", status=400) as info:
        add_permission(sqs, queue_url, Actions=[action])

    assert info.value.response["Error"]["Message"].startswith(f"Value SQS:{action} for parameter ActionName")
    assert policy_of(sqs, queue_url) is None
