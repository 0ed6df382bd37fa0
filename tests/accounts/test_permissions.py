"""Queue policies, AddPermission and RemovePermission, and who may call what.

Spec: API Reference, AddPermission / RemovePermission; Developer Guide, "Overview of managing access
in Amazon SQS" (owner-only operations); observed AWS behaviour (AccessDenied on the wire, denial texts,
GetQueueUrl without access); unverified points marked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock

OWNER = "123456789012"
PARTNER = "111122223333"
STRANGER = "444455556666"
REGION = "us-east-1"
QUEUE = "shared"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{OWNER}/{QUEUE}"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{OWNER}:{QUEUE}"
DEFAULT_POLICY_ID = f"{QUEUE_ARN}/SQSDefaultPolicy"

#: botocore < 1.34.90 speaks the query protocol: its errors carry no QueryErrorCode.
QUERY_PROTOCOL = botocore.session.get_session().get_service_model("sqs").protocol == "query"


def root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def no_policy_text(account: str, action: str) -> str:
    """Observed AWS text when no queue-policy statement allows the call."""
    return (
        f"User: {root(account)} is not authorized to perform: sqs:{action.lower()} "
        f"on resource: {QUEUE_ARN} because no resource-based policy allows the "
        f"sqs:{action.lower()} action"
    )


def explicit_deny_text(account: str, action: str) -> str:
    """Observed AWS text when a queue-policy Deny matches."""
    return (
        f"User: {root(account)} is not authorized to perform: sqs:{action.lower()} "
        f"on resource: {QUEUE_ARN} with an explicit deny in a resource-based policy"
    )


@contextmanager
def expect_access_denied(message: str | None = None) -> Iterator[None]:
    """AccessDenied 403, unmodeled (plain ClientError), QueryErrorCode AccessDeniedException (observed AWS behaviour)."""
    with pytest.raises(ClientError) as info:
        yield
    assert type(info.value) is ClientError, type(info.value)
    response = info.value.response
    error: dict[str, Any] = dict(response["Error"])
    assert error["Code"] == "AccessDenied", error
    if not QUERY_PROTOCOL:
        assert error["QueryErrorCode"] == "AccessDeniedException", error
    assert error["Type"] == "Sender", error
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    if message is not None:
        assert error["Message"] == message, error


@contextmanager
def expect_invalid_parameter_value(message: str) -> Iterator[None]:
    """InvalidParameterValue 400, not modeled in botocore."""
    with pytest.raises(ClientError) as info:
        yield
    assert type(info.value) is ClientError, type(info.value)
    error: dict[str, Any] = dict(info.value.response["Error"])
    assert error["Code"] == "InvalidParameterValue", error
    if not QUERY_PROTOCOL:
        assert error["QueryErrorCode"] == "InvalidParameterValueException", error
    assert error["Message"] == message, error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@contextmanager
def expect_hidden_queue(client: Any) -> Iterator[None]:
    """Observed AWS behaviour: GetQueueUrl the caller may not perform → NonExistentQueue, 400."""
    with pytest.raises(client.exceptions.QueueDoesNotExist) as info:
        yield
    error: dict[str, Any] = dict(info.value.response["Error"])
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue", error
    assert error["Message"] == ("The specified queue does not exist or you do not have access to it."), error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def policy_of(client: Any, url: str = QUEUE_URL) -> str | None:
    """The raw ``Policy`` attribute, ``None`` when the queue has none."""
    response = client.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    policy: str | None = response.get("Attributes", {}).get("Policy")
    return policy


def set_policy(client: Any, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    client.set_queue_attributes(QueueUrl=QUEUE_URL, Attributes={"Policy": json.dumps(document)})


def statement(
    effect: str,
    principal: Any,
    action: str | list[str],
    *,
    condition: dict[str, Any] | None = None,
    resource: str = QUEUE_ARN,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Effect": effect,
        "Principal": principal,
        "Action": action,
        "Resource": resource,
    }
    if condition is not None:
        result["Condition"] = condition
    return result


ClientFactory = Callable[..., Any]


@pytest.fixture(scope="module")
def session() -> boto3.session.Session:
    """One boto3 session for the module: its clients start in milliseconds."""
    return boto3.session.Session()


@pytest.fixture
def client_for(sqs_mock: SqsMock, session: boto3.session.Session) -> ClientFactory:
    """``client_for(account, endpoint_url=None)``: an SQS client bound to ``account``."""

    def make(account: str, endpoint_url: str | None = None) -> Any:
        keys = sqs_mock.credentials(account)
        return session.client(
            "sqs",
            region_name=REGION,
            endpoint_url=endpoint_url,
            aws_access_key_id=keys["aws_access_key_id"],
            aws_secret_access_key=keys["aws_secret_access_key"],
        )

    return make


@pytest.fixture
def owner(client_for: ClientFactory) -> Any:
    """The owning account's client, with the queue ``shared`` created."""
    client = client_for(OWNER)
    assert client.create_queue(QueueName=QUEUE)["QueueUrl"] == QUEUE_URL
    return client


@pytest.fixture
def partner(client_for: ClientFactory, owner: Any) -> Any:
    return client_for(PARTNER)


@pytest.fixture
def stranger(client_for: ClientFactory, owner: Any) -> Any:
    return client_for(STRANGER)


def receipt_handle(owner: Any, body: str = "m") -> str:
    """Send one message as the owner and receive it; the handle of that receive."""
    owner.send_message(QueueUrl=QUEUE_URL, MessageBody=body)
    messages = owner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)["Messages"]
    handle: str = messages[0]["ReceiptHandle"]
    return handle


# -- AddPermission: the Policy document (observed AWS behaviour) ----------------------------


def test_add_permission_writes_the_default_policy_document(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="partner-receive",
        AWSAccountIds=[PARTNER],
        Actions=["ReceiveMessage"],
    )

    expected = {
        "Version": "2008-10-17",
        "Id": DEFAULT_POLICY_ID,
        "Statement": [
            {
                "Sid": "partner-receive",
                "Effect": "Allow",
                "Principal": {"AWS": root(PARTNER)},
                "Action": "SQS:ReceiveMessage",
                "Resource": QUEUE_ARN,
            }
        ],
    }
    raw = policy_of(owner)
    assert raw is not None
    assert json.loads(raw) == expected
    # AWS returns compact JSON, keys in this order (observed AWS behaviour).
    assert raw == json.dumps(expected, separators=(",", ":"))


def test_add_permission_with_several_accounts_and_actions_uses_lists(
    owner: Any,
) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="many",
        AWSAccountIds=[PARTNER, STRANGER],
        Actions=["SendMessage", "ReceiveMessage", "DeleteMessage"],
    )

    raw = policy_of(owner)
    assert raw is not None
    assert json.loads(raw)["Statement"] == [
        {
            "Sid": "many",
            "Effect": "Allow",
            "Principal": {"AWS": [root(PARTNER), root(STRANGER)]},
            "Action": ["SQS:SendMessage", "SQS:ReceiveMessage", "SQS:DeleteMessage"],
            "Resource": QUEUE_ARN,
        }
    ]


def test_add_permission_one_account_several_actions(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="mixed",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage", "GetQueueAttributes"],
    )

    raw = policy_of(owner)
    assert raw is not None
    (only,) = json.loads(raw)["Statement"]
    assert only["Principal"] == {"AWS": root(PARTNER)}
    assert only["Action"] == ["SQS:SendMessage", "SQS:GetQueueAttributes"]


def test_add_permission_star_action_becomes_sqs_star(owner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="all", AWSAccountIds=[PARTNER], Actions=["*"])

    raw = policy_of(owner)
    assert raw is not None
    assert json.loads(raw)["Statement"][0]["Action"] == "SQS:*"


def test_add_permission_appends_statements_in_order(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="first",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="second",
        AWSAccountIds=[STRANGER],
        Actions=["ReceiveMessage"],
    )

    raw = policy_of(owner)
    assert raw is not None
    document = json.loads(raw)
    assert document["Version"] == "2008-10-17"
    assert document["Id"] == DEFAULT_POLICY_ID
    assert [s["Sid"] for s in document["Statement"]] == ["first", "second"]
    assert document["Statement"][1]["Principal"] == {"AWS": root(STRANGER)}


def test_add_permission_returns_no_members(owner: Any) -> None:
    response = owner.add_permission(QueueUrl=QUEUE_URL, Label="x", AWSAccountIds=[PARTNER], Actions=["SendMessage"])

    assert set(response) == {"ResponseMetadata"}


def test_add_permission_with_an_existing_label_is_refused(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="dup",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )

    with expect_invalid_parameter_value("Value dup for parameter Label is invalid. Reason: Already exists."):
        owner.add_permission(
            QueueUrl=QUEUE_URL,
            Label="dup",
            AWSAccountIds=[STRANGER],
            Actions=["ReceiveMessage"],
        )
    raw = policy_of(owner)
    assert raw is not None
    assert len(json.loads(raw)["Statement"]) == 1


def test_remove_permission_of_an_unknown_label_is_refused(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="real",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )

    with expect_invalid_parameter_value("Value ghost for parameter Label is invalid. Reason: can't find label."):
        owner.remove_permission(QueueUrl=QUEUE_URL, Label="ghost")


def test_remove_permission_without_any_policy_is_refused(owner: Any) -> None:
    with expect_invalid_parameter_value("Value ghost for parameter Label is invalid. Reason: can't find label."):
        owner.remove_permission(QueueUrl=QUEUE_URL, Label="ghost")


def test_remove_permission_keeps_the_other_statements(owner: Any) -> None:
    for label, account in (("first", PARTNER), ("second", STRANGER)):
        owner.add_permission(
            QueueUrl=QUEUE_URL,
            Label=label,
            AWSAccountIds=[account],
            Actions=["SendMessage"],
        )

    owner.remove_permission(QueueUrl=QUEUE_URL, Label="first")

    raw = policy_of(owner)
    assert raw is not None
    document = json.loads(raw)
    assert document["Id"] == DEFAULT_POLICY_ID
    assert [s["Sid"] for s in document["Statement"]] == ["second"]


def test_removing_the_last_statement_removes_the_policy(owner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="only",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )

    owner.remove_permission(QueueUrl=QUEUE_URL, Label="only")

    assert policy_of(owner) is None
    everything = owner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"])
    assert "Policy" not in everything["Attributes"]


def test_add_permission_after_removing_everything_starts_a_new_document(
    owner: Any,
) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="old",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )
    owner.remove_permission(QueueUrl=QUEUE_URL, Label="old")

    owner.add_permission(QueueUrl=QUEUE_URL, Label="old", AWSAccountIds=[STRANGER], Actions=["*"])

    raw = policy_of(owner)
    assert raw is not None
    document = json.loads(raw)
    assert document["Id"] == DEFAULT_POLICY_ID
    assert [s["Principal"] for s in document["Statement"]] == [{"AWS": root(STRANGER)}]


# -- cross-account calls without a policy ----------------------------------------------


def test_cross_account_send_without_policy_is_denied(sqs_mock: SqsMock, partner: Any) -> None:
    with expect_access_denied(no_policy_text(PARTNER, "SendMessage")):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")

    assert len(sqs_mock.queue(QUEUE)) == 0
    (denied,) = [c for c in sqs_mock.calls if c.account_id == PARTNER]
    assert denied.error is not None
    assert (denied.error.code, denied.error.status) == ("AccessDenied", 403)


def test_access_denied_on_the_wire(partner: Any) -> None:
    # Observed AWS behaviour: 403, `x-amzn-query-error: AccessDenied;Sender`, coral __type, key `Message`.
    seen: list[Any] = []

    def capture(response: tuple[Any, Any] | None, **kwargs: Any) -> None:
        # `needs-retry` sees the raw HTTP response on every botocore (`before-parse`
        # only exists since 1.34.90's time).
        if response is not None:
            seen.append(response[0])

    partner.meta.events.register("needs-retry.sqs.ReceiveMessage", capture)
    with expect_access_denied():
        partner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)

    (wire,) = seen
    assert wire.status_code == 403
    headers = {name.lower(): value for name, value in wire.headers.items()}
    if QUERY_PROTOCOL:
        # "Interpreting Amazon SQS XML API responses": the query protocol's XML error document, `<Code>` the legacy code.
        assert headers["content-type"] == "text/xml"
        assert "x-amzn-query-error" not in headers
        namespace = "{http://queue.amazonaws.com/doc/2012-11-05/}"
        root_element = ElementTree.fromstring(wire.content)
        assert root_element.tag == f"{namespace}ErrorResponse"
        error = root_element.find(f"{namespace}Error")
        assert error is not None
        assert {child.tag.removeprefix(namespace): child.text for child in error} == {
            "Type": "Sender",
            "Code": "AccessDenied",
            "Message": no_policy_text(PARTNER, "ReceiveMessage"),
            "Detail": None,
        }
        return
    assert headers["x-amzn-query-error"] == "AccessDenied;Sender"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert json.loads(wire.content) == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "Message": no_policy_text(PARTNER, "ReceiveMessage"),
    }


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("ReceiveMessage", "ReceiveMessage"),
        ("GetQueueAttributes", "GetQueueAttributes"),
        ("PurgeQueue", "PurgeQueue"),
        ("SendMessageBatch", "SendMessage"),
        ("DeleteMessage", "DeleteMessage"),
        ("DeleteMessageBatch", "DeleteMessage"),
        ("ChangeMessageVisibility", "ChangeMessageVisibility"),
        ("ChangeMessageVisibilityBatch", "ChangeMessageVisibility"),
        ("ListDeadLetterSourceQueues", "ListDeadLetterSourceQueues"),
    ],
)
def test_every_shared_operation_is_denied_without_policy(owner: Any, partner: Any, operation: str, action: str) -> None:
    # Batch calls are checked as their base action (API Reference, AddPermission; observed AWS behaviour).
    handle = receipt_handle(owner)
    with expect_access_denied(no_policy_text(PARTNER, action)):
        call_operation(partner, operation, handle)


def call_operation(client: Any, operation: str, handle: str) -> Any:
    """Call one queue operation on ``shared`` with valid parameters."""
    calls = {
        "SendMessage": lambda: client.send_message(QueueUrl=QUEUE_URL, MessageBody="b"),
        "SendMessageBatch": lambda: client.send_message_batch(
            QueueUrl=QUEUE_URL, Entries=[{"Id": "1", "MessageBody": "b"}]
        ),
        "ReceiveMessage": lambda: client.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0),
        "DeleteMessage": lambda: client.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=handle),
        "DeleteMessageBatch": lambda: client.delete_message_batch(
            QueueUrl=QUEUE_URL, Entries=[{"Id": "1", "ReceiptHandle": handle}]
        ),
        "ChangeMessageVisibility": lambda: client.change_message_visibility(
            QueueUrl=QUEUE_URL, ReceiptHandle=handle, VisibilityTimeout=5
        ),
        "ChangeMessageVisibilityBatch": lambda: client.change_message_visibility_batch(
            QueueUrl=QUEUE_URL,
            Entries=[{"Id": "1", "ReceiptHandle": handle, "VisibilityTimeout": 5}],
        ),
        "GetQueueAttributes": lambda: client.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"]),
        "PurgeQueue": lambda: client.purge_queue(QueueUrl=QUEUE_URL),
        "ListDeadLetterSourceQueues": lambda: client.list_dead_letter_source_queues(QueueUrl=QUEUE_URL),
        "SetQueueAttributes": lambda: client.set_queue_attributes(QueueUrl=QUEUE_URL, Attributes={"DelaySeconds": "1"}),
        "TagQueue": lambda: client.tag_queue(QueueUrl=QUEUE_URL, Tags={"k": "v"}),
        "UntagQueue": lambda: client.untag_queue(QueueUrl=QUEUE_URL, TagKeys=["k"]),
        "ListQueueTags": lambda: client.list_queue_tags(QueueUrl=QUEUE_URL),
        "DeleteQueue": lambda: client.delete_queue(QueueUrl=QUEUE_URL),
        "AddPermission": lambda: client.add_permission(
            QueueUrl=QUEUE_URL,
            Label="sneaky",
            AWSAccountIds=[STRANGER],
            Actions=["SendMessage"],
        ),
        "RemovePermission": lambda: client.remove_permission(QueueUrl=QUEUE_URL, Label="open"),
    }
    return calls[operation]()


def test_owner_is_not_affected_by_permissions_for_others(owner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["SendMessage"])

    handle = receipt_handle(owner, "own")
    owner.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=handle)
    owner.tag_queue(QueueUrl=QUEUE_URL, Tags={"k": "v"})
    owner.set_queue_attributes(QueueUrl=QUEUE_URL, Attributes={"DelaySeconds": "0"})


# -- cross-account calls after AddPermission ------------------------------------------


def test_add_permission_lets_the_partner_send(sqs_mock: SqsMock, owner: Any, partner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["SendMessage"])

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="from partner")

    assert [m.body for m in sqs_mock.queue(QUEUE).visible] == ["from partner"]
    assert sqs_mock.calls[-1].account_id == PARTNER


def test_add_permission_grants_exactly_the_granted_actions(owner: Any, partner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["SendMessage"])

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="ok")
    with expect_access_denied(no_policy_text(PARTNER, "ReceiveMessage")):
        partner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)
    with expect_access_denied(no_policy_text(PARTNER, "GetQueueAttributes")):
        partner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"])


def test_permission_for_one_account_does_not_open_the_queue_to_others(owner: Any, partner: Any, stranger: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["*"])

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="ok")
    with expect_access_denied(no_policy_text(STRANGER, "SendMessage")):
        stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="no")


@pytest.mark.parametrize(
    ("granted", "operation"),
    [
        ("SendMessage", "SendMessage"),
        ("SendMessage", "SendMessageBatch"),
        ("ReceiveMessage", "ReceiveMessage"),
        ("DeleteMessage", "DeleteMessage"),
        ("DeleteMessage", "DeleteMessageBatch"),
        ("ChangeMessageVisibility", "ChangeMessageVisibility"),
        ("ChangeMessageVisibility", "ChangeMessageVisibilityBatch"),
        ("GetQueueAttributes", "GetQueueAttributes"),
        ("PurgeQueue", "PurgeQueue"),
        ("ListDeadLetterSourceQueues", "ListDeadLetterSourceQueues"),
        ("*", "SendMessageBatch"),
        ("*", "DeleteMessageBatch"),
    ],
)
def test_granted_action_allows_it_and_its_batch_variant(owner: Any, partner: Any, granted: str, operation: str) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=[granted])
    handle = receipt_handle(owner)

    response = call_operation(partner, operation, handle)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Failed" not in response


def test_remove_permission_revokes_access(owner: Any, partner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["SendMessage"])
    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="while allowed")

    owner.remove_permission(QueueUrl=QUEUE_URL, Label="p")

    with expect_access_denied(no_policy_text(PARTNER, "SendMessage")):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="after")


def test_partner_receives_and_deletes_what_the_owner_sent(sqs_mock: SqsMock, owner: Any, partner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="consumer",
        AWSAccountIds=[PARTNER],
        Actions=["ReceiveMessage", "DeleteMessage"],
    )
    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="work")

    (message,) = partner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)["Messages"]
    partner.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])

    assert message["Body"] == "work"
    assert len(sqs_mock.queue(QUEUE)) == 0


# -- owner-only operations (Developer Guide, "Overview of managing access in Amazon SQS") -------

OWNER_ONLY = [
    "SetQueueAttributes",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
    "DeleteQueue",
    "AddPermission",
    "RemovePermission",
]


@pytest.mark.parametrize("operation", OWNER_ONLY)
def test_owner_only_operation_is_denied_cross_account_even_with_an_open_policy(
    sqs_mock: SqsMock, owner: Any, partner: Any, operation: str
) -> None:
    set_policy(
        owner,
        {"Sid": "open", **statement("Allow", "*", "sqs:*")},
    )
    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="the policy works")

    with expect_access_denied(no_policy_text(PARTNER, operation)):
        call_operation(partner, operation, "unused")

    view = sqs_mock.queue(QUEUE)
    assert view.tags == {}
    assert "Policy" in view.attributes


@pytest.mark.parametrize("operation", OWNER_ONLY)
def test_owner_only_operation_is_denied_even_with_add_permission_star(owner: Any, partner: Any, operation: str) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="open", AWSAccountIds=[PARTNER], Actions=["*"])

    with expect_access_denied(no_policy_text(PARTNER, operation)):
        call_operation(partner, operation, "unused")


# -- explicit Deny and Principal "*" (IAM User Guide, "Policy evaluation logic") -----------------


def test_explicit_deny_denies_even_the_owner(owner: Any) -> None:
    set_policy(owner, statement("Deny", "*", "sqs:SendMessage"))

    with expect_access_denied(explicit_deny_text(OWNER, "SendMessage")):
        owner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")
    with expect_access_denied(explicit_deny_text(OWNER, "SendMessage")):
        owner.send_message_batch(QueueUrl=QUEUE_URL, Entries=[{"Id": "1", "MessageBody": "x"}])
    # Actions the Deny does not name stay open to the owner.
    owner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)
    owner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"])


def test_explicit_deny_of_the_owner_s_account_root(owner: Any) -> None:
    set_policy(owner, statement("Deny", {"AWS": root(OWNER)}, "sqs:ReceiveMessage"))

    with expect_access_denied(explicit_deny_text(OWNER, "ReceiveMessage")):
        owner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)
    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="still fine")


def test_explicit_deny_wins_over_an_allow(owner: Any, partner: Any, stranger: Any) -> None:
    set_policy(
        owner,
        statement("Allow", "*", "sqs:*"),
        statement("Deny", {"AWS": root(PARTNER)}, "sqs:SendMessage"),
    )

    with expect_access_denied(explicit_deny_text(PARTNER, "SendMessage")):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")
    stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="y")
    partner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)


def test_deny_wins_over_add_permission(owner: Any, partner: Any) -> None:
    owner.add_permission(QueueUrl=QUEUE_URL, Label="p", AWSAccountIds=[PARTNER], Actions=["SendMessage"])
    raw = policy_of(owner)
    assert raw is not None
    document = json.loads(raw)
    document["Statement"].append({"Sid": "no", **statement("Deny", {"AWS": PARTNER}, "sqs:SendMessage")})
    owner.set_queue_attributes(QueueUrl=QUEUE_URL, Attributes={"Policy": json.dumps(document)})

    with expect_access_denied(explicit_deny_text(PARTNER, "SendMessage")):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}], ids=["star", "aws-star"])
def test_principal_star_allow_lets_any_account_send(
    sqs_mock: SqsMock, owner: Any, partner: Any, stranger: Any, principal: Any
) -> None:
    set_policy(owner, statement("Allow", principal, "sqs:SendMessage"))

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="partner")
    stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="stranger")

    assert sorted(m.body for m in sqs_mock.queue(QUEUE).visible) == [
        "partner",
        "stranger",
    ]
    with expect_access_denied(no_policy_text(STRANGER, "ReceiveMessage")):
        stranger.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)


def test_policy_actions_match_case_insensitively_and_by_wildcard(owner: Any, partner: Any) -> None:
    set_policy(owner, statement("Allow", {"AWS": PARTNER}, ["SQS:send*", "sqs:get*"]))

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")
    partner.send_message_batch(QueueUrl=QUEUE_URL, Entries=[{"Id": "1", "MessageBody": "y"}])
    partner.get_queue_attributes(QueueUrl=QUEUE_URL, AttributeNames=["All"])
    with expect_access_denied(no_policy_text(PARTNER, "ReceiveMessage")):
        partner.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=0)


def test_policy_statement_for_another_resource_does_not_apply(owner: Any, partner: Any) -> None:
    set_policy(
        owner,
        statement(
            "Allow",
            "*",
            "sqs:SendMessage",
            resource=f"arn:aws:sqs:{REGION}:{OWNER}:other",
        ),
    )

    with expect_access_denied(no_policy_text(PARTNER, "SendMessage")):
        partner.send_message(QueueUrl=QUEUE_URL, MessageBody="x")


# -- GetQueueUrl without access (observed AWS behaviour) ------------------------------------


def test_get_queue_url_without_access_is_non_existent_queue(partner: Any) -> None:
    with expect_hidden_queue(partner):
        partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)


def test_get_queue_url_needs_the_get_queue_url_action(owner: Any, partner: Any) -> None:
    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="send",
        AWSAccountIds=[PARTNER],
        Actions=["SendMessage"],
    )
    with expect_hidden_queue(partner):
        partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)

    owner.add_permission(
        QueueUrl=QUEUE_URL,
        Label="find",
        AWSAccountIds=[PARTNER],
        Actions=["GetQueueUrl"],
    )
    found = partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)
    assert found["QueueUrl"] == QUEUE_URL


def test_get_queue_url_denied_by_an_explicit_deny_is_non_existent_queue(owner: Any, partner: Any) -> None:
    set_policy(
        owner,
        statement("Allow", "*", "sqs:*"),
        statement("Deny", {"AWS": PARTNER}, "sqs:GetQueueUrl"),
    )

    with expect_hidden_queue(partner):
        partner.get_queue_url(QueueName=QUEUE, QueueOwnerAWSAccountId=OWNER)


# -- conditions -------------------------------------------------------------------------


def test_condition_on_principal_account(owner: Any, partner: Any, stranger: Any) -> None:
    set_policy(
        owner,
        statement(
            "Allow",
            "*",
            "sqs:SendMessage",
            condition={"StringEquals": {"aws:PrincipalAccount": PARTNER}},
        ),
    )

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="ok")
    with expect_access_denied(no_policy_text(STRANGER, "SendMessage")):
        stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="no")


def test_deny_unless_principal_account_keeps_others_out(owner: Any, partner: Any, stranger: Any) -> None:
    set_policy(
        owner,
        statement("Allow", "*", "sqs:SendMessage"),
        statement(
            "Deny",
            "*",
            "sqs:SendMessage",
            condition={"StringNotEquals": {"aws:PrincipalAccount": [OWNER, PARTNER]}},
        ),
    )

    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="owner")
    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="partner")
    with expect_access_denied(explicit_deny_text(STRANGER, "SendMessage")):
        stranger.send_message(QueueUrl=QUEUE_URL, MessageBody="no")


def test_deny_insecure_transport(sqs_mock: SqsMock, client_for: ClientFactory, owner: Any) -> None:
    # The usual "HTTPS only" statement: Deny when aws:SecureTransport is false.
    set_policy(
        owner,
        statement(
            "Deny",
            "*",
            "sqs:*",
            condition={"Bool": {"aws:SecureTransport": "false"}},
        ),
    )
    insecure = client_for(OWNER, f"http://sqs.{REGION}.amazonaws.com")

    owner.send_message(QueueUrl=QUEUE_URL, MessageBody="over https")
    with expect_access_denied(explicit_deny_text(OWNER, "SendMessage")):
        insecure.send_message(QueueUrl=QUEUE_URL, MessageBody="over http")
    assert [m.body for m in sqs_mock.queue(QUEUE).visible] == ["over https"]


def test_allow_only_over_secure_transport(client_for: ClientFactory, owner: Any, partner: Any) -> None:
    set_policy(
        owner,
        statement(
            "Allow",
            "*",
            "sqs:SendMessage",
            condition={"Bool": {"aws:SecureTransport": "true"}},
        ),
    )
    insecure_partner = client_for(PARTNER, f"http://sqs.{REGION}.amazonaws.com")

    partner.send_message(QueueUrl=QUEUE_URL, MessageBody="over https")
    with expect_access_denied(no_policy_text(PARTNER, "SendMessage")):
        insecure_partner.send_message(QueueUrl=QUEUE_URL, MessageBody="over http")
