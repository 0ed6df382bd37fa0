"""Dead-letter queues and move tasks stay inside one account and one region, through boto3.

AWS sources: "Amazon SQS dead-letter queues" (Developer Guide, 2021: the DLQ must be
created with the same account, in the same region, as its sources); SetQueueAttributes,
``RedriveAllowPolicy``: ``allowAll`` admits "any source queues in this AWS account in
the same Region". AWS's error texts for a target outside that scope are not recorded:
the texts below are ours (README, "Supported operations and differences from AWS").
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .redrive_support import (
    ACCOUNT,
    REGION,
    dead_letter,
    expect_error,
    expect_invalid_parameter_value,
    receive,
)

OTHER_ACCOUNT = "111122223333"
OTHER_REGION = "eu-west-1"
OUTSIDE = "Dead-letter queue must be in the same account and region as the source queue."
DESTINATION_OUTSIDE = "The destination queue must be in the same account and region as the source queue."


def arn(name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def url(name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def redrive_to(target_arn: str, count: int = 1) -> str:
    return json.dumps({"deadLetterTargetArn": target_arn, "maxReceiveCount": count})


def refused(policy: str, reason: str = OUTSIDE) -> str:
    return f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}"


def by_queue(*source_arns: str) -> str:
    return json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": list(source_arns)})


# --- RedrivePolicy: the target must be in the source's account and region -------------------------


def test_a_dead_letter_queue_of_another_account_is_refused_on_create(sqs_mock: SqsMock) -> None:
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    theirs.create_queue(QueueName="victim-dlq")
    policy = redrive_to(arn("victim-dlq", account=OTHER_ACCOUNT))
    mine = sqs_mock.client()

    with expect_invalid_parameter_value(mine, refused(policy)):
        mine.create_queue(QueueName="orders", Attributes={"RedrivePolicy": policy})
    assert [q.name for q in sqs_mock.queues(account_id=ACCOUNT)] == []


def test_a_dead_letter_queue_of_another_account_is_refused_on_set(sqs_mock: SqsMock) -> None:
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    theirs.create_queue(QueueName="victim-dlq")
    mine = sqs_mock.client()
    source = mine.create_queue(QueueName="orders")["QueueUrl"]
    policy = redrive_to(arn("victim-dlq", account=OTHER_ACCOUNT))

    with expect_invalid_parameter_value(mine, refused(policy)):
        mine.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert "RedrivePolicy" not in sqs_mock.queue("orders").attributes


def test_another_account_s_by_queue_listing_the_source_does_not_open_it(sqs_mock: SqsMock) -> None:
    # Even a RedriveAllowPolicy naming the foreign source by its true ARN: the DLQ and
    # its sources share one account (Developer Guide).
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    theirs.create_queue(QueueName="dlq", Attributes={"RedriveAllowPolicy": by_queue(arn("orders"))})
    mine = sqs_mock.client()
    policy = redrive_to(arn("dlq", account=OTHER_ACCOUNT))

    with expect_invalid_parameter_value(mine, refused(policy)):
        mine.create_queue(QueueName="orders", Attributes={"RedrivePolicy": policy})


def test_a_missing_queue_of_another_account_is_refused_the_same_way(sqs_mock: SqsMock) -> None:
    # Checked before the lookup: whether another account has such a queue is not revealed.
    mine = sqs_mock.client()
    policy = redrive_to(arn("nothing-here", account=OTHER_ACCOUNT))

    with expect_invalid_parameter_value(mine, refused(policy)):
        mine.create_queue(QueueName="orders", Attributes={"RedrivePolicy": policy})


def test_a_dead_letter_queue_in_another_region_is_refused(sqs_mock: SqsMock) -> None:
    sqs_mock.client(region=OTHER_REGION).create_queue(QueueName="dlq")
    east = sqs_mock.client()
    source = east.create_queue(QueueName="orders")["QueueUrl"]
    policy = redrive_to(arn("dlq", region=OTHER_REGION))

    with expect_invalid_parameter_value(east, refused(policy)):
        east.create_queue(QueueName="other", Attributes={"RedrivePolicy": policy})
    with expect_invalid_parameter_value(east, refused(policy)):
        east.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})


def test_the_create_queue_helper_refuses_a_foreign_dead_letter_queue(sqs_mock: SqsMock) -> None:
    dlq = sqs_mock.create_queue("dlq", account_id=OTHER_ACCOUNT)

    with pytest.raises(Exception, match="same account and region") as info:
        sqs_mock.create_queue("orders", dead_letter_queue=dlq)
    assert (getattr(info.value, "code", None), getattr(info.value, "status", None)) == ("InvalidParameterValue", 400)
    assert str(info.value).endswith(f"Reason: {OUTSIDE}")


def test_a_foreign_queue_with_the_same_name_does_not_pass_a_by_queue_rule(sqs_mock: SqsMock) -> None:
    # A's DLQ admits A's own "orders". B's "orders" has the same name: it is not that queue.
    mine = sqs_mock.client()
    mine.create_queue(QueueName="dlq", Attributes={"RedriveAllowPolicy": by_queue(arn("orders"))})
    mine.create_queue(QueueName="orders", Attributes={"RedrivePolicy": redrive_to(arn("dlq"))})
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    policy = redrive_to(arn("dlq"))

    with expect_invalid_parameter_value(theirs, refused(policy)):
        theirs.create_queue(QueueName="orders", Attributes={"RedrivePolicy": policy})
    assert [q.name for q in sqs_mock.queues(account_id=OTHER_ACCOUNT)] == []


def test_a_by_queue_rule_naming_another_account_s_arn_refuses_the_own_queue(sqs_mock: SqsMock) -> None:
    # byQueue compares the source's true ARN: listing B's "orders" does not admit A's "orders".
    mine = sqs_mock.client()
    mine.create_queue(
        QueueName="dlq", Attributes={"RedriveAllowPolicy": by_queue(arn("orders", account=OTHER_ACCOUNT))}
    )
    policy = redrive_to(arn("dlq"))
    reason = f"The RedriveAllowPolicy of {arn('dlq')} does not allow {arn('orders')} to use it as a dead-letter queue."

    with expect_invalid_parameter_value(mine, refused(policy, reason)):
        mine.create_queue(QueueName="orders", Attributes={"RedrivePolicy": policy})


# --- Receive time: the move respects the DLQ's RedriveAllowPolicy as it is then ------------------


def _source_with_dead_letter_queue(sqs: Any) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    source = sqs.create_queue(QueueName="orders", Attributes={"RedrivePolicy": redrive_to(arn("dlq"))})["QueueUrl"]
    return source, dlq


def test_a_dead_letter_queue_that_now_denies_all_receives_no_moves(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    source, dlq = _source_with_dead_letter_queue(sqs)
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    assert [m["Body"] for m in receive(sqs, source)] == ["poison"]
    sqs.set_queue_attributes(
        QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})}
    )
    sqs_mock.advance(30)

    # Past maxReceiveCount, but the DLQ no longer admits the source: delivered again, not moved.
    assert [m["Body"] for m in receive(sqs, source)] == ["poison"]
    assert len(sqs_mock.queue("dlq")) == 0
    assert [m.receive_count for m in sqs_mock.queue("orders").messages] == [2]


def test_a_dead_letter_queue_whose_by_queue_drops_the_source_receives_no_moves(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    source, dlq = _source_with_dead_letter_queue(sqs)
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": by_queue(arn("someone-else"))})

    ids = dead_letter_attempt(sqs, sqs_mock, source)

    assert len(sqs_mock.queue("dlq")) == 0
    assert [m.message_id for m in sqs_mock.queue("orders").messages] == ids


def test_moves_resume_when_the_dead_letter_queue_admits_the_source_again(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    source, dlq = _source_with_dead_letter_queue(sqs)
    sqs.set_queue_attributes(
        QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})}
    )
    dead_letter_attempt(sqs, sqs_mock, source)

    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": by_queue(arn("orders"))})
    sqs_mock.advance(30)
    assert receive(sqs, source) == []

    assert [m.body for m in sqs_mock.queue("dlq").visible] == ["poison"]


def dead_letter_attempt(sqs: Any, sqs_mock: SqsMock, source: str) -> list[str]:
    """Send one message, receive it, and receive again past maxReceiveCount 1; the ids sent."""
    message_id: str = sqs.send_message(QueueUrl=source, MessageBody="poison")["MessageId"]
    assert len(receive(sqs, source)) == 1
    sqs_mock.advance(30)
    assert len(receive(sqs, source)) == 1  # not moved: delivered once more
    return [message_id]


# --- StartMessageMoveTask ---------------------------------------------------------------------------


def _dead_letters(sqs: Any, sqs_mock: SqsMock) -> None:
    sqs.create_queue(QueueName="orders-dlq")
    source = sqs.create_queue(QueueName="orders", Attributes={"RedrivePolicy": redrive_to(arn("orders-dlq"))})[
        "QueueUrl"
    ]
    dead_letter(sqs, sqs_mock, source, ["a", "b"])


def expect_destination_outside(sqs: Any, destination: str) -> Any:
    return expect_invalid_parameter_value(
        sqs, f"Value {destination} for parameter DestinationArn is invalid. Reason: {DESTINATION_OUTSIDE}"
    )


def test_a_move_task_into_another_account_is_refused(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    sqs_mock.client(account_id=OTHER_ACCOUNT).create_queue(QueueName="inbox")
    destination = arn("inbox", account=OTHER_ACCOUNT)

    with expect_destination_outside(sqs, destination):
        sqs.start_message_move_task(SourceArn=arn("orders-dlq"), DestinationArn=destination)
    assert len(sqs_mock.queue("orders-dlq")) == 2
    assert len(sqs_mock.queue("inbox", account_id=OTHER_ACCOUNT)) == 0


def test_a_move_task_into_another_account_is_refused_even_when_it_allows_sends(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    inbox = theirs.create_queue(QueueName="inbox")["QueueUrl"]
    theirs.add_permission(QueueUrl=inbox, Label="open", AWSAccountIds=[ACCOUNT], Actions=["*"])
    destination = arn("inbox", account=OTHER_ACCOUNT)

    with expect_destination_outside(sqs, destination):
        sqs.start_message_move_task(SourceArn=arn("orders-dlq"), DestinationArn=destination)


def test_a_move_task_to_a_missing_queue_of_another_account_reveals_nothing(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    destination = arn("no-such-queue", account=OTHER_ACCOUNT)

    with expect_destination_outside(sqs, destination):
        sqs.start_message_move_task(SourceArn=arn("orders-dlq"), DestinationArn=destination)


def test_a_move_task_into_another_region_is_refused(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    sqs_mock.client(region=OTHER_REGION).create_queue(QueueName="orders")
    destination = arn("orders", region=OTHER_REGION)

    with expect_destination_outside(sqs, destination):
        sqs.start_message_move_task(SourceArn=arn("orders-dlq"), DestinationArn=destination)
    assert len(sqs_mock.queue("orders", region=OTHER_REGION)) == 0


def _denied(caller: str, action: str, resource: str) -> str:
    return (
        f"User: arn:aws:iam::{caller}:root is not authorized to perform: sqs:{action} on resource: {resource} "
        f"because no resource-based policy allows the sqs:{action} action"
    )


def expect_access_denied(sqs: Any, message: str) -> Any:
    return expect_error(sqs, code="AccessDenied", status=403, message=message)


def test_a_caller_that_may_not_read_the_source_cannot_move_its_messages(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    dlq = url("orders-dlq")
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)

    with expect_access_denied(theirs, _denied(OTHER_ACCOUNT, "startmessagemovetask", arn("orders-dlq"))):
        theirs.start_message_move_task(SourceArn=arn("orders-dlq"))
    sqs.add_permission(QueueUrl=dlq, Label="start", AWSAccountIds=[OTHER_ACCOUNT], Actions=["StartMessageMoveTask"])
    with expect_access_denied(theirs, _denied(OTHER_ACCOUNT, "receivemessage", arn("orders-dlq"))):
        theirs.start_message_move_task(SourceArn=arn("orders-dlq"))
    sqs.add_permission(QueueUrl=dlq, Label="read", AWSAccountIds=[OTHER_ACCOUNT], Actions=["ReceiveMessage"])
    with expect_access_denied(theirs, _denied(OTHER_ACCOUNT, "deletemessage", arn("orders-dlq"))):
        theirs.start_message_move_task(SourceArn=arn("orders-dlq"))
    assert len(sqs_mock.queue("orders-dlq")) == 2


def test_a_permitted_caller_of_another_account_redrives_within_the_owner_s_account(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client()
    _dead_letters(sqs, sqs_mock)
    sqs.add_permission(
        QueueUrl=url("orders-dlq"),
        Label="operator",
        AWSAccountIds=[OTHER_ACCOUNT],
        Actions=["StartMessageMoveTask", "ReceiveMessage", "DeleteMessage", "ListMessageMoveTasks"],
    )
    theirs = sqs_mock.client(account_id=OTHER_ACCOUNT)
    sqs.create_queue(QueueName="retry")

    # The destination is the owner's: the caller needs SendMessage there as well.
    with expect_access_denied(theirs, _denied(OTHER_ACCOUNT, "sendmessage", arn("retry"))):
        theirs.start_message_move_task(SourceArn=arn("orders-dlq"), DestinationArn=arn("retry"))
    theirs.start_message_move_task(SourceArn=arn("orders-dlq"))
    sqs_mock.advance(1)

    [task] = theirs.list_message_move_tasks(SourceArn=arn("orders-dlq"))["Results"]
    assert task["Status"] == "COMPLETED"
    assert sorted(m.body for m in sqs_mock.queue("orders").visible) == ["a", "b"]
