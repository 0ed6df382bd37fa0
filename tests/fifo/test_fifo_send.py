"""SendMessage / SendMessageBatch on FIFO queues.

Spec: API Reference, SendMessage and SendMessageBatch (SequenceNumber, ids, batch rules);
Developer Guide, "Amazon SQS delay queues" (FIFO delay is retroactive); observed AWS behaviour.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .conftest import QueueFactory
from .fifo_support import (
    NO_DEDUP_ID,
    bodies,
    counters,
    expect_error,
    expect_invalid,
    fifo_id_reason,
    receive,
    sha256_hex,
)


def test_send_answers_with_a_20_digit_sequence_number(sqs: Any, fifo_url: str) -> None:
    response = sqs.send_message(
        QueueUrl=fifo_url,
        MessageBody="a",
        MessageGroupId="g",
        MessageDeduplicationId="1",
    )

    assert len(response["SequenceNumber"]) == 20
    assert response["SequenceNumber"].isdigit()
    assert response["MD5OfMessageBody"] == "0cc175b9c0f1b6a831c399e269772661"


def test_sequence_numbers_increase_across_groups_and_match_the_receive_attribute(sqs: Any, fifo_url: str) -> None:
    sent = [
        sqs.send_message(
            QueueUrl=fifo_url,
            MessageBody=f"m{i}",
            MessageGroupId=f"g{i % 2}",
            MessageDeduplicationId=str(i),
        )
        for i in range(6)
    ]
    numbers = [int(response["SequenceNumber"]) for response in sent]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 6

    received = receive(sqs, fifo_url, MessageSystemAttributeNames=["SequenceNumber"])
    by_id = {response["MessageId"]: response["SequenceNumber"] for response in sent}
    assert {m["MessageId"]: m["Attributes"]["SequenceNumber"] for m in received} == by_id


def test_missing_group_id_is_a_missing_parameter(sqs: Any, fifo_url: str) -> None:
    with expect_error(
        code="MissingParameter",
        message="The request must contain the parameter MessageGroupId.",
    ):
        sqs.send_message(QueueUrl=fifo_url, MessageBody="a", MessageDeduplicationId="1")


def test_missing_dedup_id_without_content_based_deduplication(sqs: Any, fifo_url: str) -> None:
    with expect_invalid(NO_DEDUP_ID):
        sqs.send_message(QueueUrl=fifo_url, MessageBody="a", MessageGroupId="g")

    assert counters(sqs, fifo_url) == (0, 0, 0)


@pytest.mark.parametrize("parameter", ["MessageGroupId", "MessageDeduplicationId"])
@pytest.mark.parametrize("value", ["", "has space", "x" * 129, "é"])
def test_malformed_group_and_dedup_ids(sqs: Any, fifo_url: str, parameter: str, value: str) -> None:
    params = {"MessageGroupId": "g", "MessageDeduplicationId": "d", parameter: value}

    with expect_invalid(f"Value {value} for parameter {parameter} is invalid. Reason: {fifo_id_reason(parameter)}"):
        sqs.send_message(QueueUrl=fifo_url, MessageBody="a", **params)


def test_ids_of_128_punctuation_characters_are_accepted(sqs: Any, fifo_url: str) -> None:
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    value = (punctuation * 5)[:128]

    sqs.send_message(
        QueueUrl=fifo_url,
        MessageBody="a",
        MessageGroupId=value,
        MessageDeduplicationId=value,
    )

    [message] = receive(sqs, fifo_url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == value
    assert message["Attributes"]["MessageDeduplicationId"] == value


def test_per_message_delay_is_refused_with_the_include_text(sqs: Any, fifo_url: str) -> None:
    # Observed AWS text, sic "include".
    with expect_invalid(
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
    ):
        sqs.send_message(
            QueueUrl=fifo_url,
            MessageBody="a",
            MessageGroupId="g",
            MessageDeduplicationId="1",
            DelaySeconds=2,
        )


def test_delay_zero_is_accepted_and_does_not_override_the_queue_delay(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    url = make_fifo(DelaySeconds=5)

    sqs.send_message(
        QueueUrl=url,
        MessageBody="a",
        MessageGroupId="g",
        MessageDeduplicationId="1",
        DelaySeconds=0,
    )

    assert counters(sqs, url) == (0, 0, 1)
    assert receive(sqs, url) == []
    sqs_mock.advance(5)
    assert bodies(receive(sqs, url)) == ["a"]


def test_dropping_the_queue_delay_releases_delayed_messages_at_once(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    url = make_fifo(DelaySeconds=10)
    sqs.send_message(
        QueueUrl=url,
        MessageBody="first",
        MessageGroupId="g",
        MessageDeduplicationId="1",
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    sqs.send_message(
        QueueUrl=url,
        MessageBody="other",
        MessageGroupId="h",
        MessageDeduplicationId="2",
    )

    # Developer Guide, "Amazon SQS delay queues": the FIFO delay is retroactive, so "first" became visible with the change.
    assert bodies(receive(sqs, url)) == ["first", "other"]


def test_a_delayed_message_ends_its_groups_run(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    sqs.send_message(
        QueueUrl=fifo_url,
        MessageBody="now",
        MessageGroupId="g",
        MessageDeduplicationId="1",
    )
    sqs.set_queue_attributes(QueueUrl=fifo_url, Attributes={"DelaySeconds": "10"})
    sqs.send_message(
        QueueUrl=fifo_url,
        MessageBody="later",
        MessageGroupId="g",
        MessageDeduplicationId="2",
    )

    [message] = receive(sqs, fifo_url)
    assert message["Body"] == "now"
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])
    assert receive(sqs, fifo_url) == []
    sqs_mock.advance(10)
    assert bodies(receive(sqs, fifo_url)) == ["later"]


def test_queue_delay_change_is_retroactive_for_delayed_messages(
    sqs: Any, sqs_mock: SqsMock, make_fifo: QueueFactory
) -> None:
    url = make_fifo(DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1")
    sqs_mock.advance(10)

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "30"})

    assert counters(sqs, url) == (0, 0, 1)
    sqs_mock.advance(19)
    assert receive(sqs, url) == []
    sqs_mock.advance(1)
    assert bodies(receive(sqs, url)) == ["a"]


def test_content_based_dedup_id_is_the_sha256_of_the_body(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(ContentBasedDeduplication=True)

    sqs.send_message(QueueUrl=url, MessageBody="hello", MessageGroupId="g")

    [message] = receive(sqs, url, MessageSystemAttributeNames=["MessageDeduplicationId"])
    assert message["Attributes"] == {"MessageDeduplicationId": sha256_hex("hello")}


def test_explicit_dedup_id_overrides_content_based(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(ContentBasedDeduplication=True)

    sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageGroupId="g",
        MessageDeduplicationId="mine",
    )

    [message] = receive(sqs, url, MessageSystemAttributeNames=["MessageDeduplicationId"])
    assert message["Attributes"] == {"MessageDeduplicationId": "mine"}


def test_content_based_deduplication_enabled_later_applies(sqs: Any, fifo_url: str) -> None:
    sqs.set_queue_attributes(QueueUrl=fifo_url, Attributes={"ContentBasedDeduplication": "true"})

    sqs.send_message(QueueUrl=fifo_url, MessageBody="a", MessageGroupId="g")

    assert bodies(receive(sqs, fifo_url)) == ["a"]


# -- batches (API Reference, SendMessageBatch) --------------------------------------------------------------


def test_batch_entries_carry_increasing_sequence_numbers_in_request_order(sqs: Any, fifo_url: str) -> None:
    entries = [
        {
            "Id": f"e{i}",
            "MessageBody": f"m{i}",
            "MessageGroupId": "g",
            "MessageDeduplicationId": str(i),
        }
        for i in range(5)
    ]

    response = sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)

    numbers = [int(entry["SequenceNumber"]) for entry in response["Successful"]]
    assert [entry["Id"] for entry in response["Successful"]] == [
        "e0",
        "e1",
        "e2",
        "e3",
        "e4",
    ]
    assert numbers == sorted(numbers)
    assert bodies(receive(sqs, fifo_url)) == ["m0", "m1", "m2", "m3", "m4"]


def test_batch_entry_without_group_id_fails_the_whole_request(sqs: Any, fifo_url: str) -> None:
    entries = [
        {
            "Id": "ok",
            "MessageBody": "a",
            "MessageGroupId": "g",
            "MessageDeduplicationId": "1",
        },
        {"Id": "bad", "MessageBody": "b", "MessageDeduplicationId": "2"},
    ]

    # Observed AWS behaviour: InvalidParameterValue, not MissingParameter, for the whole request.
    with expect_invalid("The request must contain the parameter MessageGroupId."):
        sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)

    assert counters(sqs, fifo_url) == (0, 0, 0)


def test_batch_entry_without_dedup_id_fails_the_whole_request(sqs: Any, fifo_url: str) -> None:
    entries = [
        {
            "Id": "ok",
            "MessageBody": "a",
            "MessageGroupId": "g",
            "MessageDeduplicationId": "1",
        },
        {"Id": "bad", "MessageBody": "b", "MessageGroupId": "g"},
    ]

    with expect_invalid(NO_DEDUP_ID):
        sqs.send_message_batch(QueueUrl=fifo_url, Entries=entries)

    assert counters(sqs, fifo_url) == (0, 0, 0)


def test_batch_entries_without_dedup_ids_are_fine_with_content_based_deduplication(
    sqs: Any, make_fifo: QueueFactory
) -> None:
    url = make_fifo(ContentBasedDeduplication=True)

    response = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "a", "MessageGroupId": "g"},
            {"Id": "b", "MessageBody": "b", "MessageGroupId": "g"},
        ],
    )

    assert [entry["Id"] for entry in response["Successful"]] == ["a", "b"]


def test_batch_entry_with_a_delay_fails_alone(sqs: Any, fifo_url: str) -> None:
    # Our choice: DelaySeconds is checked per entry like the other entry values (AWS documents nothing here).
    response = sqs.send_message_batch(
        QueueUrl=fifo_url,
        Entries=[
            {
                "Id": "ok",
                "MessageBody": "a",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "1",
            },
            {
                "Id": "late",
                "MessageBody": "b",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "2",
                "DelaySeconds": 3,
            },
        ],
    )

    assert [entry["Id"] for entry in response["Successful"]] == ["ok"]
    assert response["Failed"] == [
        {
            "Id": "late",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "Value 3 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.",
        }
    ]


def test_batch_entry_with_a_malformed_group_id_fails_alone(sqs: Any, fifo_url: str) -> None:
    response = sqs.send_message_batch(
        QueueUrl=fifo_url,
        Entries=[
            {
                "Id": "ok",
                "MessageBody": "a",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "1",
            },
            {
                "Id": "bad",
                "MessageBody": "b",
                "MessageGroupId": "a b",
                "MessageDeduplicationId": "2",
            },
        ],
    )

    assert [entry["Id"] for entry in response["Successful"]] == ["ok"]
    [failure] = response["Failed"]
    assert failure["Code"] == "InvalidParameterValue"
    assert (
        failure["Message"]
        == f"Value a b for parameter MessageGroupId is invalid. Reason: {fifo_id_reason('MessageGroupId')}"
    )


def test_mock_send_helper_works_for_fifo(sqs_mock: SqsMock) -> None:
    view = sqs_mock.create_queue("helper.fifo", attributes={"FifoQueue": "true"})

    sent = sqs_mock.send(view, "a", group_id="g", deduplication_id="d")

    assert (sent.group_id, sent.deduplication_id) == ("g", "d")
    assert sent.sequence_number is not None
    assert len(sent.sequence_number) == 20
    assert [m.body for m in sqs_mock.queue("helper.fifo").visible] == ["a"]
