"""FIFO deduplication: the five-minute window, content-based ids, scope, purge.

Spec: API Reference, SendMessage and PurgeQueue; Developer Guide, "Amazon SQS FIFO queue key terms";
observed AWS behaviour.
"""

from __future__ import annotations

from typing import Any

from pytest_sqsmock import SqsMock

from .conftest import QueueFactory
from .fifo_support import bodies, counters, receive


def send(sqs: Any, url: str, body: str, group: str = "g", dedup: str | None = "d") -> dict[str, Any]:
    params: dict[str, Any] = {
        "QueueUrl": url,
        "MessageBody": body,
        "MessageGroupId": group,
    }
    if dedup is not None:
        params["MessageDeduplicationId"] = dedup
    response: dict[str, Any] = sqs.send_message(**params)
    return response


def test_a_duplicate_is_accepted_with_the_original_ids_and_not_delivered(sqs: Any, fifo_url: str) -> None:
    original = send(sqs, fifo_url, "first")

    duplicate = send(sqs, fifo_url, "second")

    # unverified: the original MessageId and SequenceNumber (emulator consensus).
    assert duplicate["MessageId"] == original["MessageId"]
    assert duplicate["SequenceNumber"] == original["SequenceNumber"]
    # The digest is of what this request sent, so SDKs that check it accept the answer.
    assert duplicate["MD5OfMessageBody"] == "a9f0e61a137d86aa9db53465e0801612"
    assert counters(sqs, fifo_url) == (1, 0, 0)
    assert bodies(receive(sqs, fifo_url)) == ["first"]


def test_the_id_is_remembered_after_delete(sqs: Any, fifo_url: str) -> None:
    send(sqs, fifo_url, "first")
    [message] = receive(sqs, fifo_url)
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])

    send(sqs, fifo_url, "again")

    assert receive(sqs, fifo_url) == []


def test_the_window_is_five_minutes_from_the_first_send(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    original = send(sqs, fifo_url, "first")
    sqs_mock.advance(299.999)
    assert send(sqs, fifo_url, "dup")["MessageId"] == original["MessageId"]

    sqs_mock.advance(0.001)
    fresh = send(sqs, fifo_url, "new")

    assert fresh["MessageId"] != original["MessageId"]
    assert int(fresh["SequenceNumber"]) > int(original["SequenceNumber"])
    assert bodies(receive(sqs, fifo_url)) == ["first", "new"]


def test_duplicates_do_not_extend_the_window(sqs: Any, sqs_mock: SqsMock, fifo_url: str) -> None:
    send(sqs, fifo_url, "first")
    sqs_mock.advance(200)
    send(sqs, fifo_url, "dup")
    sqs_mock.advance(100)

    send(sqs, fifo_url, "new")

    assert bodies(receive(sqs, fifo_url)) == ["first", "new"]


def test_content_based_deduplication_uses_the_body_only(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(ContentBasedDeduplication=True)
    first = send(sqs, url, "same", dedup=None)

    again = sqs.send_message(
        QueueUrl=url,
        MessageBody="same",
        MessageGroupId="g",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    other = send(sqs, url, "different", dedup=None)

    assert again["MessageId"] == first["MessageId"]
    assert other["MessageId"] != first["MessageId"]
    assert bodies(receive(sqs, url)) == ["same", "different"]


def test_explicit_ids_beat_content_based_deduplication(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(ContentBasedDeduplication=True)

    send(sqs, url, "same", dedup="one")
    send(sqs, url, "same", dedup="two")

    assert bodies(receive(sqs, url)) == ["same", "same"]


def test_queue_scope_dedups_across_groups(sqs: Any, fifo_url: str) -> None:
    original = send(sqs, fifo_url, "a", group="g1")

    assert send(sqs, fifo_url, "b", group="g2")["MessageId"] == original["MessageId"]
    assert bodies(receive(sqs, fifo_url)) == ["a"]


def test_message_group_scope_dedups_within_a_group_only(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(DeduplicationScope="messageGroup")
    original = send(sqs, url, "a", group="g1")

    assert send(sqs, url, "b", group="g2")["MessageId"] != original["MessageId"]
    assert send(sqs, url, "c", group="g1")["MessageId"] == original["MessageId"]
    assert bodies(receive(sqs, url)) == ["a", "b"]


def test_high_throughput_mode_dedups_per_group(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")

    send(sqs, url, "a", group="g1")
    send(sqs, url, "b", group="g2")

    assert sorted(bodies(receive(sqs, url))) == ["a", "b"]


def test_changing_scope_to_message_group_later_still_dedups_across_groups(sqs: Any, fifo_url: str) -> None:
    sqs.set_queue_attributes(QueueUrl=fifo_url, Attributes={"DeduplicationScope": "messageGroup"})
    send(sqs, fifo_url, "a", group="g1", dedup="new-id")

    send(sqs, fifo_url, "b", group="g2", dedup="new-id")

    # Observed AWS behaviour: the attribute changes, the behaviour does not.
    assert sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["DeduplicationScope"])["Attributes"] == {
        "DeduplicationScope": "messageGroup"
    }
    assert bodies(receive(sqs, fifo_url)) == ["a"]


def test_changing_scope_to_queue_later_still_dedups_per_group(sqs: Any, make_fifo: QueueFactory) -> None:
    url = make_fifo(DeduplicationScope="messageGroup")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})

    send(sqs, url, "a", group="g1")
    send(sqs, url, "b", group="g2")

    assert sorted(bodies(receive(sqs, url))) == ["a", "b"]


def test_purge_clears_the_deduplication_history(sqs: Any, fifo_url: str) -> None:
    original = send(sqs, fifo_url, "first")
    sqs.purge_queue(QueueUrl=fifo_url)

    resent = send(sqs, fifo_url, "first")

    assert resent["MessageId"] != original["MessageId"]
    assert bodies(receive(sqs, fifo_url)) == ["first"]


def test_a_duplicate_inside_one_batch(sqs: Any, fifo_url: str) -> None:
    response = sqs.send_message_batch(
        QueueUrl=fifo_url,
        Entries=[
            {
                "Id": "a",
                "MessageBody": "one",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "x",
            },
            {
                "Id": "b",
                "MessageBody": "two",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "x",
            },
        ],
    )

    first, second = response["Successful"]
    assert (second["MessageId"], second["SequenceNumber"]) == (
        first["MessageId"],
        first["SequenceNumber"],
    )
    assert bodies(receive(sqs, fifo_url)) == ["one"]


def test_a_batch_duplicate_of_an_earlier_send(sqs: Any, fifo_url: str) -> None:
    original = send(sqs, fifo_url, "first", dedup="x")

    response = sqs.send_message_batch(
        QueueUrl=fifo_url,
        Entries=[
            {
                "Id": "dup",
                "MessageBody": "again",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "x",
            },
            {
                "Id": "new",
                "MessageBody": "second",
                "MessageGroupId": "g",
                "MessageDeduplicationId": "y",
            },
        ],
    )

    assert response["Successful"][0]["MessageId"] == original["MessageId"]
    assert bodies(receive(sqs, fifo_url)) == ["first", "second"]


def test_mock_send_of_a_duplicate_says_so(sqs_mock: SqsMock) -> None:
    view = sqs_mock.create_queue("dups.fifo", attributes={"FifoQueue": "true"})
    first = sqs_mock.send(view, "a", group_id="g", deduplication_id="d")

    # The original is still queued: the helper answers with it.
    assert sqs_mock.send(view, "b", group_id="g", deduplication_id="d").message_id == first.message_id
    assert [m.body for m in sqs_mock.queue("dups.fifo").messages] == ["a"]
