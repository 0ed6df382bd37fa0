"""ReceiveMessage on FIFO queues: group order, group blocking, counters, attempt ids.

Spec: Developer Guide, "Amazon SQS short and long polling", "FIFO queue delivery logic in Amazon
SQS", "Amazon SQS FIFO queue quotas"; observed AWS behaviour.
"""

from __future__ import annotations

from typing import Any

import pytest

import pytest_sqsmock.service.operations.receive as receive_module
from pytest_sqsmock import SqsMock

from .conftest import QueueFactory
from .fifo_support import (
    bodies,
    counters,
    expect_error,
    expect_invalid,
    fifo_id_reason,
    receive,
    send_all,
)

NOT_RETRYABLE = "The receiveRequestAttemptId is not valid anymore since the receive call is not retryable."


def test_a_receive_takes_a_whole_group_first_then_fills_from_others(sqs: Any, fifo_url: str) -> None:
    send_all(
        sqs,
        fifo_url,
        ("g1", "g1-m1"),
        ("g2", "g2-m1"),
        ("g1", "g1-m2"),
        ("g1", "g1-m3"),
    )

    assert bodies(receive(sqs, fifo_url)) == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_max_number_of_messages_cuts_a_group_run(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g1", "a1"), ("g1", "a2"), ("g1", "a3"), ("g2", "b1"))

    assert bodies(receive(sqs, fifo_url, MaxNumberOfMessages=2)) == ["a1", "a2"]
    # g1 is blocked by its in-flight head: only g2 remains deliverable.
    assert bodies(receive(sqs, fifo_url)) == ["b1"]


def test_a_group_with_its_head_in_flight_delivers_nothing_new(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "first"))
    [first] = receive(sqs, fifo_url)

    send_all(sqs, fifo_url, ("g", "second"), ("other", "x"))

    assert bodies(receive(sqs, fifo_url)) == ["x"]
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(receive(sqs, fifo_url)) == ["second"]


def test_deleting_only_some_received_messages_keeps_the_group_blocked(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"))
    m1, m2 = receive(sqs, fifo_url)
    send_all(sqs, fifo_url, ("g", "m3"))

    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=m1["ReceiptHandle"])

    assert receive(sqs, fifo_url) == []
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=m2["ReceiptHandle"])
    assert bodies(receive(sqs, fifo_url)) == ["m3"]


def test_terminating_the_heads_visibility_unblocks_only_the_head(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"), ("g", "m3"))
    m1, _m2, _m3 = receive(sqs, fifo_url)

    sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=m1["ReceiptHandle"], VisibilityTimeout=0)

    # Observed AWS behaviour: the run stops at the first message still in flight.
    assert bodies(receive(sqs, fifo_url)) == ["m1"]


def test_extending_message_k_returns_exactly_the_messages_before_it(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, *[("g", f"m{i}") for i in range(5)])
    received = receive(sqs, fifo_url)
    sqs.change_message_visibility(
        QueueUrl=fifo_url,
        ReceiptHandle=received[3]["ReceiptHandle"],
        VisibilityTimeout=100,
    )

    sqs_mock.advance(30)

    assert bodies(receive(sqs, fifo_url)) == ["m0", "m1", "m2"]


def test_after_a_timeout_a_group_comes_back_in_order(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"), ("g", "m3"))
    receive(sqs, fifo_url, VisibilityTimeout=5)

    sqs_mock.advance(5)

    assert bodies(receive(sqs, fifo_url)) == ["m1", "m2", "m3"]


def test_a_group_received_with_zero_visibility_comes_after_waiting_groups(sqs: Any, fifo_url: str) -> None:
    send_all(
        sqs,
        fifo_url,
        ("g1", "g1-m1"),
        ("g1", "g1-m2"),
        ("g2", "g2-m1"),
        ("g2", "g2-m2"),
        ("g3", "g3-m1"),
    )

    assert bodies(receive(sqs, fifo_url, MaxNumberOfMessages=4, VisibilityTimeout=0)) == [
        "g1-m1",
        "g1-m2",
        "g2-m1",
        "g2-m2",
    ]
    # Observed AWS behaviour (recorded order): the untouched group first.
    assert bodies(receive(sqs, fifo_url)) == [
        "g3-m1",
        "g1-m1",
        "g1-m2",
        "g2-m1",
        "g2-m2",
    ]


def test_receive_count_grows_while_dedup_id_and_sequence_number_stay(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))

    first = receive(sqs, fifo_url, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])[0]["Attributes"]
    second = receive(sqs, fifo_url, MessageSystemAttributeNames=["All"])[0]["Attributes"]

    assert (first["ApproximateReceiveCount"], second["ApproximateReceiveCount"]) == (
        "1",
        "2",
    )
    for name in (
        "MessageDeduplicationId",
        "SequenceNumber",
        "MessageGroupId",
        "SentTimestamp",
    ):
        assert first[name] == second[name]
    assert second["MessageGroupId"] == "g"


def test_blocked_unreceived_messages_count_as_visible(sqs: Any, fifo_url: str) -> None:
    # Observed AWS behaviour: 6 messages in 3 groups, one received from each of two groups.
    send_all(sqs, fifo_url, *[(f"g{i % 3}", f"m{i}") for i in range(6)])
    receive(sqs, fifo_url, MaxNumberOfMessages=1)
    receive(sqs, fifo_url, MaxNumberOfMessages=1)

    assert counters(sqs, fifo_url) == (4, 2, 0)


def test_receiving_four_of_five_leaves_one_visible(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g1", "a"), ("g1", "b"), ("g1", "c"), ("g2", "d"), ("g2", "e"))

    assert len(receive(sqs, fifo_url, MaxNumberOfMessages=4)) == 4
    assert counters(sqs, fifo_url) == (1, 4, 0)


def test_a_long_poll_is_not_woken_by_a_message_for_a_blocked_group(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "head"), ("g", "next"))
    receive(sqs, fifo_url, MaxNumberOfMessages=1, VisibilityTimeout=8)
    started = sqs_mock.now

    # The head times out after 8 s; the long poll returns then, with the whole run.
    messages = receive(sqs, fifo_url, WaitTimeSeconds=20)

    assert bodies(messages) == ["head", "next"]
    assert (sqs_mock.now - started).total_seconds() == pytest.approx(8)


def test_a_long_poll_on_a_blocked_queue_returns_empty_at_its_end(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "head"), ("g", "next"))
    receive(sqs, fifo_url, MaxNumberOfMessages=1)
    started = sqs_mock.now

    assert receive(sqs, fifo_url, WaitTimeSeconds=20) == []
    assert (sqs_mock.now - started).total_seconds() == pytest.approx(20)


def test_in_flight_maximum_returns_nothing_silently(
    sqs: Any, make_fifo: QueueFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Developer Guide, "Amazon SQS FIFO queue quotas": 120,000 on AWS; lowered here so the test stays fast.
    monkeypatch.setattr(receive_module, "MAX_IN_FLIGHT", 3)
    url = make_fifo()
    send_all(sqs, url, *[(f"g{i}", f"m{i}") for i in range(5)])

    assert len(receive(sqs, url)) == 3
    assert receive(sqs, url) == []
    assert counters(sqs, url) == (2, 3, 0)


def test_in_flight_maximum_caps_a_receive(sqs: Any, make_fifo: QueueFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(receive_module, "MAX_IN_FLIGHT", 3)
    url = make_fifo()
    send_all(sqs, url, *[("g", f"m{i}") for i in range(5)])

    assert bodies(receive(sqs, url)) == ["m0", "m1", "m2"]


# -- ReceiveRequestAttemptId (API Reference, ReceiveMessage) ----------------------------------------------


def test_a_retry_returns_the_same_messages_and_handles(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"), ("h", "m3"))
    first = receive(sqs, fifo_url, ReceiveRequestAttemptId="attempt-1")

    again = receive(sqs, fifo_url, ReceiveRequestAttemptId="attempt-1")

    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
    assert counters(sqs, fifo_url) == (0, 3, 0)


def test_a_retry_restarts_the_visibility_timeout(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    receive(sqs, fifo_url, ReceiveRequestAttemptId="a")
    sqs_mock.advance(20)

    [message] = receive(sqs, fifo_url, ReceiveRequestAttemptId="a")
    sqs_mock.advance(20)

    assert receive(sqs, fifo_url) == []
    sqs_mock.advance(10)
    assert bodies(receive(sqs, fifo_url)) == ["m"]
    # The retry was no new receive.
    assert message["ReceiptHandle"]


def test_a_retry_does_not_count_as_a_receive(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m"))
    receive(sqs, fifo_url, ReceiveRequestAttemptId="a")

    [message] = receive(
        sqs,
        fifo_url,
        ReceiveRequestAttemptId="a",
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
    )

    assert message["Attributes"] == {"ApproximateReceiveCount": "1"}


def test_a_new_attempt_id_receives_afresh(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("h", "m2"))
    receive(sqs, fifo_url, ReceiveRequestAttemptId="a", MaxNumberOfMessages=1)

    assert bodies(receive(sqs, fifo_url, ReceiveRequestAttemptId="b")) == ["m2"]


def test_a_retry_after_a_delete_is_refused(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"), ("g", "m2"))
    m1, _ = receive(sqs, fifo_url, ReceiveRequestAttemptId="a")
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=m1["ReceiptHandle"])

    with expect_invalid(f"Value a for parameter ReceiveRequestAttemptId is invalid. Reason: {NOT_RETRYABLE}"):
        sqs.receive_message(QueueUrl=fifo_url, ReceiveRequestAttemptId="a")


def test_a_retry_after_a_visibility_change_is_refused(sqs: Any, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"))
    [m1] = receive(sqs, fifo_url, ReceiveRequestAttemptId="a")
    sqs.change_message_visibility(QueueUrl=fifo_url, ReceiptHandle=m1["ReceiptHandle"], VisibilityTimeout=60)

    with expect_invalid(f"Value a for parameter ReceiveRequestAttemptId is invalid. Reason: {NOT_RETRYABLE}"):
        sqs.receive_message(QueueUrl=fifo_url, ReceiveRequestAttemptId="a")


def test_a_retry_after_the_visibility_timeout_is_refused(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"))
    receive(sqs, fifo_url, ReceiveRequestAttemptId="a", VisibilityTimeout=10)
    sqs_mock.advance(10)

    with expect_invalid(f"Value a for parameter ReceiveRequestAttemptId is invalid. Reason: {NOT_RETRYABLE}"):
        sqs.receive_message(QueueUrl=fifo_url, ReceiveRequestAttemptId="a")


def test_an_attempt_id_is_forgotten_after_five_minutes(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send_all(sqs, fifo_url, ("g", "m1"))
    [first] = receive(sqs, fifo_url, ReceiveRequestAttemptId="a", VisibilityTimeout=10)
    sqs_mock.advance(300)

    [again] = receive(sqs, fifo_url, ReceiveRequestAttemptId="a")

    assert again["MessageId"] == first["MessageId"]
    assert again["ReceiptHandle"] != first["ReceiptHandle"]


def test_an_empty_receive_is_not_kept_for_retries(sqs: Any, fifo_url: str) -> None:
    # Our choice (AWS documents nothing here): a retry of an empty receive receives afresh.
    assert receive(sqs, fifo_url, ReceiveRequestAttemptId="a") == []
    send_all(sqs, fifo_url, ("g", "m"))

    assert bodies(receive(sqs, fifo_url, ReceiveRequestAttemptId="a")) == ["m"]


@pytest.mark.parametrize("value", ["", "with space", "x" * 129])
def test_malformed_attempt_ids_are_refused(sqs: Any, fifo_url: str, value: str) -> None:
    with expect_invalid(
        f"Value {value} for parameter ReceiveRequestAttemptId is invalid. Reason: {fifo_id_reason('ReceiveRequestAttemptId')}"
    ):
        sqs.receive_message(QueueUrl=fifo_url, ReceiveRequestAttemptId=value)


def test_receive_on_an_empty_fifo_queue(sqs: Any, fifo_url: str) -> None:
    response = sqs.receive_message(QueueUrl=fifo_url, WaitTimeSeconds=0)

    assert "Messages" not in response


def test_max_number_out_of_range_still_checked_first(sqs: Any, fifo_url: str) -> None:
    with expect_error(
        code="InvalidParameterValue",
        message="Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
    ):
        sqs.receive_message(QueueUrl=fifo_url, MaxNumberOfMessages=11, ReceiveRequestAttemptId="bad id")
