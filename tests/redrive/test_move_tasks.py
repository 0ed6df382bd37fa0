"""StartMessageMoveTask / CancelMessageMoveTask / ListMessageMoveTasks through boto3.

Spec: API Reference, StartMessageMoveTask / ListMessageMoveTasks (statuses, fields); observed AWS
behaviour (errors, TaskHandle, ListMessageMoveTasks JSON); unverified texts marked. Moves run in virtual time.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from pytest_sqsmock import SqsMock

from .redrive_support import (
    NO_SOURCE,
    arn_of,
    client,
    dead_letter,
    epoch_ms,
    expect_invalid_parameter_value,
    expect_resource_not_found,
    make_queue,
    only_task,
    receive,
    redrive,
    tasks,
    url_of,
    visible_count,
    with_dead_letters,
)

# --- The task handle (observed AWS behaviour) ----------------------------------------------------


def test_task_handle_is_base64_json_of_task_id_and_source_arn(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 1)

    handle = sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))["TaskHandle"]

    document = json.loads(base64.b64decode(handle))
    assert set(document) == {"taskId", "sourceArn"}
    assert document["sourceArn"] == arn_of("orders-dlq")
    assert str(uuid.UUID(document["taskId"])) == document["taskId"]


# --- Moving messages -----------------------------------------------------------------------------


def test_without_destination_messages_return_to_their_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    source = with_dead_letters(sqs, sqs_mock, 3)

    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))
    sqs_mock.advance(1)

    assert visible_count(sqs, url_of("orders-dlq")) == 0
    assert sorted(m["Body"] for m in receive(sqs, source, MaxNumberOfMessages=10)) == [
        "m0",
        "m1",
        "m2",
    ]
    assert only_task(sqs)["Status"] == "COMPLETED"


def test_several_sources_each_get_their_own_messages_back(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "shared-dlq")
    first = make_queue(sqs, "first", RedrivePolicy=redrive("shared-dlq"))
    second = make_queue(sqs, "second", RedrivePolicy=redrive("shared-dlq"))
    dead_letter(sqs, sqs_mock, first, ["a1", "a2"])
    dead_letter(sqs, sqs_mock, second, ["b1"])

    sqs.start_message_move_task(SourceArn=arn_of("shared-dlq"))
    sqs_mock.advance(1)

    assert sorted(m["Body"] for m in receive(sqs, first, MaxNumberOfMessages=10)) == [
        "a1",
        "a2",
    ]
    assert [m["Body"] for m in receive(sqs, second, MaxNumberOfMessages=10)] == ["b1"]


def test_destination_arn_sends_every_message_there(sqs_mock: SqsMock) -> None:
    sqs = client()
    source = with_dead_letters(sqs, sqs_mock, 2)
    destination = make_queue(sqs, "replay")

    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), DestinationArn=arn_of("replay"))
    sqs_mock.advance(1)

    assert sorted(m["Body"] for m in receive(sqs, destination, MaxNumberOfMessages=10)) == ["m0", "m1"]
    assert receive(sqs, source) == []
    assert only_task(sqs)["DestinationArn"] == arn_of("replay")


def test_oldest_message_moves_first(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 0)
    destination = make_queue(sqs, "replay")
    for body in ["first", "second", "third"]:
        sqs_mock.send("orders-dlq", body)
        sqs_mock.advance(1)

    sqs.start_message_move_task(
        SourceArn=arn_of("orders-dlq"),
        DestinationArn=arn_of("replay"),
        MaxNumberOfMessagesPerSecond=1,
    )
    arrived = []
    for _ in range(3):
        sqs_mock.advance(1)
        arrived += [m.body for m in sqs_mock.queue("replay").visible]
        while receive(sqs, destination):
            pass

    assert arrived == ["first", "second", "third"]


def test_redriven_messages_are_new_messages(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "orders-dlq")
    source = make_queue(sqs, "orders", RedrivePolicy=redrive("orders-dlq"), MessageRetentionPeriod=60)
    attributes = {"Kind": {"DataType": "String", "StringValue": "order"}}
    [original_id] = dead_letter(sqs, sqs_mock, source, ["poison"], MessageAttributes=attributes)
    sqs_mock.advance(45)

    started = epoch_ms(sqs_mock)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))
    # 106 s after the send: the message is kept only because the redrive restarted retention.
    sqs_mock.advance(31)

    [message] = receive(sqs, source, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
    assert message["MessageId"] != original_id
    assert message["Body"] == "poison"
    assert message["MessageAttributes"] == attributes
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    # The first move at the default 500 messages/s falls due 2 ms after the start.
    assert message["Attributes"]["SentTimestamp"] == str(started + 2)
    assert "DeadLetterQueueSourceArn" not in message["Attributes"]


def test_a_redriven_message_gets_max_receive_count_fresh_receives(
    sqs_mock: SqsMock,
) -> None:
    sqs = client()
    source = with_dead_letters(sqs, sqs_mock, 1)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))
    sqs_mock.advance(1)

    assert [m["Body"] for m in receive(sqs, source)] == ["m0"]  # not bounced straight back
    sqs_mock.advance(30)
    assert receive(sqs, source) == []
    assert visible_count(sqs, url_of("orders-dlq")) == 1


def test_views_see_moves_without_any_api_call(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 4)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=2)

    sqs_mock.advance(1)

    assert [len(view.visible) for view in sqs_mock.queues()] == [2, 2]
    assert len(sqs_mock.queue("orders").visible) == 2


# --- Rate in virtual time -----------------------------------------------------------------------


def test_max_number_of_messages_per_second_paces_the_moves(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 4)

    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)
    progress = [(only_task(sqs)["ApproximateNumberOfMessagesMoved"], only_task(sqs)["Status"])]
    for _ in range(4):
        sqs_mock.advance(1)
        task = only_task(sqs)
        progress.append((task["ApproximateNumberOfMessagesMoved"], task["Status"]))

    assert progress == [
        (0, "RUNNING"),
        (1, "RUNNING"),
        (2, "RUNNING"),
        (3, "RUNNING"),
        (4, "COMPLETED"),
    ]


def test_default_rate_moves_500_messages_a_second(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 0)
    make_queue(sqs, "replay")
    for i in range(700):
        sqs_mock.send("orders-dlq", f"m{i}")

    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), DestinationArn=arn_of("replay"))
    sqs_mock.advance(1)

    assert (
        only_task(sqs)["ApproximateNumberOfMessagesMoved"],
        only_task(sqs)["Status"],
    ) == (500, "RUNNING")
    sqs_mock.advance(1)
    assert (
        only_task(sqs)["ApproximateNumberOfMessagesMoved"],
        only_task(sqs)["Status"],
    ) == (700, "COMPLETED")
    assert visible_count(sqs, url_of("replay")) == 700


# --- ListMessageMoveTasks (API Reference, ListMessageMoveTasks; observed AWS behaviour) ----------


def test_running_task_entry_has_handle_and_no_unset_fields(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 3)
    started = epoch_ms(sqs_mock)

    handle = sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))["TaskHandle"]

    assert only_task(sqs) == {
        "TaskHandle": handle,
        "Status": "RUNNING",
        "SourceArn": arn_of("orders-dlq"),
        "ApproximateNumberOfMessagesMoved": 0,
        "ApproximateNumberOfMessagesToMove": 3,
        "StartedTimestamp": started,
    }


def test_completed_task_entry_has_given_fields_and_no_handle(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 3)
    make_queue(sqs, "replay")
    started = epoch_ms(sqs_mock)

    sqs.start_message_move_task(
        SourceArn=arn_of("orders-dlq"),
        DestinationArn=arn_of("replay"),
        MaxNumberOfMessagesPerSecond=10,
    )
    sqs_mock.advance(1)

    assert only_task(sqs) == {
        "Status": "COMPLETED",
        "SourceArn": arn_of("orders-dlq"),
        "DestinationArn": arn_of("replay"),
        "MaxNumberOfMessagesPerSecond": 10,
        "ApproximateNumberOfMessagesMoved": 3,
        "ApproximateNumberOfMessagesToMove": 3,
        "StartedTimestamp": started,
    }


def test_messages_to_move_is_a_snapshot_at_the_start(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 2)
    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), MaxNumberOfMessagesPerSecond=1)

    sqs_mock.send("orders-dlq", "late")
    sqs_mock.advance(5)

    task = only_task(sqs)
    assert (
        task["ApproximateNumberOfMessagesToMove"],
        task["ApproximateNumberOfMessagesMoved"],
    ) == (2, 2)
    assert [m.body for m in sqs_mock.queue("orders-dlq").visible] == ["late"]


def test_an_empty_dead_letter_queue_completes_at_once(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 0)

    sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"))

    task = only_task(sqs)
    assert (task["Status"], task["ApproximateNumberOfMessagesToMove"]) == (
        "COMPLETED",
        0,
    )


def test_list_is_newest_first_one_by_default_at_most_ten(sqs_mock: SqsMock) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 0)
    for count in range(1, 13):
        for _ in range(count):
            sqs_mock.send("orders-dlq", "x")
        sqs.start_message_move_task(SourceArn=arn_of("orders-dlq"), DestinationArn=arn_of("orders"))
        sqs_mock.advance(1)

    assert [t["ApproximateNumberOfMessagesToMove"] for t in tasks(sqs)] == [12]
    assert [t["ApproximateNumberOfMessagesToMove"] for t in tasks(sqs, MaxResults=3)] == [12, 11, 10]
    assert [t["ApproximateNumberOfMessagesToMove"] for t in tasks(sqs, MaxResults=10)] == list(range(12, 2, -1))


@pytest.mark.parametrize("max_results", [0, 11])
def test_list_max_results_outside_1_to_10_is_rejected(sqs_mock: SqsMock, max_results: int) -> None:
    sqs = client()
    with_dead_letters(sqs, sqs_mock, 0)

    # Text unverified (AWS documents only the limit 10); worded like ReceiveMessage's range errors.
    with expect_invalid_parameter_value(
        sqs,
        f"Value {max_results} for parameter MaxResults is invalid. Reason: Must be between 1 and 10, if provided.",
    ):
        sqs.list_message_move_tasks(SourceArn=arn_of("orders-dlq"), MaxResults=max_results)


def test_list_of_a_queue_without_tasks_has_no_results(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "plain")

    assert tasks(sqs, "plain") == []


def test_list_of_a_missing_source(sqs_mock: SqsMock) -> None:
    sqs = client()

    with expect_resource_not_found(sqs, NO_SOURCE):
        sqs.list_message_move_tasks(SourceArn=arn_of("nowhere"))


# --- FIFO ----------------------------------------------------------------------------------------


def test_fifo_dead_letter_queue_redrives_to_its_fifo_source(sqs_mock: SqsMock) -> None:
    sqs = client()
    make_queue(sqs, "jobs-dlq.fifo")
    source = make_queue(sqs, "jobs.fifo", RedrivePolicy=redrive("jobs-dlq.fifo"))
    sent = [
        sqs.send_message(
            QueueUrl=source,
            MessageBody=body,
            MessageGroupId="g",
            MessageDeduplicationId=body,
        )
        for body in ["a", "b"]
    ]
    for _ in sent:
        receive(sqs, source)
        sqs_mock.advance(30)
    receive(sqs, source)
    assert [m.body for m in sqs_mock.queue("jobs-dlq.fifo").messages] == ["a", "b"]

    sqs.start_message_move_task(SourceArn=arn_of("jobs-dlq.fifo"))
    sqs_mock.advance(1)

    received = receive(sqs, source, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    assert [m["Body"] for m in received] == ["a", "b"]
    assert {m["Attributes"]["MessageGroupId"] for m in received} == {"g"}
    assert {m["MessageId"] for m in received}.isdisjoint(s["MessageId"] for s in sent)
    assert int(received[0]["Attributes"]["SequenceNumber"]) < int(received[1]["Attributes"]["SequenceNumber"])
