"""A long poll on a worker thread wakes for every change that makes a message receivable for it.

Every poll here runs on its own thread, as consumers do; the test thread
drives virtual time. Nothing sleeps: the test waits for the worker to park
(``wait_until_parked``) and joins it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockAssertionError, mock_sqs

from .clock_support import START

JOIN_S = 10


class Poller:
    """One long poll on a worker thread; ``result()`` joins it."""

    def __init__(self, sqs: Any, url: str, **params: Any) -> None:
        self._response: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(sqs, url, params), name="poller", daemon=True)
        self._thread.start()

    def _run(self, sqs: Any, url: str, params: dict[str, Any]) -> None:
        self._response = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], **{"WaitTimeSeconds": 20, **params})

    def result(self) -> list[dict[str, Any]]:
        self._thread.join(JOIN_S)
        assert not self._thread.is_alive(), "the long poll never returned"
        messages: list[dict[str, Any]] = self._response.get("Messages", [])
        return messages

    @property
    def waiting(self) -> bool:
        return self._thread.is_alive()


def _bodies(messages: list[dict[str, Any]]) -> list[str]:
    return [m["Body"] for m in messages]


def _received_at(message: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(message["Attributes"]["ApproximateFirstReceiveTimestamp"]) / 1000, timezone.utc)


def test_a_send_then_an_advance_past_the_deadline_still_delivers(mock: SqsMock, sqs: Any) -> None:
    # The README's threaded-consumer pattern: send during the wait, then move time on.
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    mock.advance(25)
    [message] = poller.result()
    assert message["Body"] == "hello"
    assert _received_at(message) == START  # handed over when it was sent


def test_advance_hands_over_a_delayed_message_at_the_moment_it_became_visible(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=5)
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    mock.advance(100)  # one jump well past the delay, the poll's deadline and the visibility timeout
    [message] = poller.result()
    assert _received_at(message) == START + timedelta(seconds=5)
    # Received at +5 s with a 30 s visibility timeout: visible again since +35 s.
    [view] = mock.queue("jobs").visible
    assert (view.receive_count, view.visible_at) == (1, START + timedelta(seconds=35))


def test_advance_short_of_the_deadline_keeps_the_poll_waiting(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    mock.advance(19.999)
    assert poller.waiting
    mock.wait_until_parked()  # still parked: nothing answered it
    mock.advance(0.001)
    assert poller.result() == []
    [call] = mock.calls.filter("ReceiveMessage")
    assert call.answered_at == START + timedelta(seconds=20)


def test_a_fifo_delete_that_unblocks_the_group_wakes_the_poll_at_once(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(
        QueueName="jobs.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    [first] = sqs.receive_message(QueueUrl=url)["Messages"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()  # the group is blocked by "first" in flight
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert _bodies(poller.result()) == ["second"]
    assert mock.now == START


def test_a_fifo_visibility_change_to_zero_wakes_the_poll_with_the_same_message(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(
        QueueName="jobs.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="only", MessageGroupId="g")
    [first] = sqs.receive_message(QueueUrl=url)["Messages"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    [again] = poller.result()
    assert (again["Body"], again["Attributes"]["ApproximateReceiveCount"]) == ("only", "2")


def test_a_visibility_change_to_zero_wakes_a_standard_queue_poll(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    [first] = sqs.receive_message(QueueUrl=url)["Messages"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    assert _bodies(poller.result()) == ["retry me"]


def test_a_dead_letter_arrival_wakes_a_poll_on_the_dead_letter_queue(mock: SqsMock, sqs: Any) -> None:
    mock.create_queue("jobs-dlq")
    mock.create_queue("jobs", dead_letter_queue="jobs-dlq", max_receive_count=1, attributes={"VisibilityTimeout": "0"})
    url, dlq_url = mock.queue("jobs").url, mock.queue("jobs-dlq").url
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    assert _bodies(sqs.receive_message(QueueUrl=url)["Messages"]) == ["poison"]
    poller = Poller(sqs, dlq_url)
    mock.wait_until_parked()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # the second receive moves it
    assert _bodies(poller.result()) == ["poison"]


def test_a_move_task_arrival_wakes_a_poll_on_the_destination(mock: SqsMock, sqs: Any) -> None:
    mock.create_queue("jobs-dlq")
    mock.create_queue("jobs", dead_letter_queue="jobs-dlq", max_receive_count=1)
    mock.send("jobs-dlq", "replay me")
    poller = Poller(sqs, mock.queue("jobs").url)
    mock.wait_until_parked()
    sqs.start_message_move_task(SourceArn=mock.queue("jobs-dlq").arn, DestinationArn=mock.queue("jobs").arn)
    mock.advance(20)
    [message] = poller.result()
    assert message["Body"] == "replay me"
    assert _received_at(message) < START + timedelta(seconds=20)


def test_a_visibility_timeout_running_out_wakes_the_poll_when_time_passes_it(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="again")
    sqs.receive_message(QueueUrl=url)
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    mock.advance(60)
    [message] = poller.result()
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    [call] = [c for c in mock.calls.filter("ReceiveMessage") if c.params.get("WaitTimeSeconds")]
    assert call.answered_at == START + timedelta(seconds=7)


def test_polls_on_one_queue_are_served_in_the_order_they_started_waiting(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    first = Poller(sqs, url)
    mock.wait_until_parked(1)
    second = Poller(sqs, url)
    mock.wait_until_parked(2)
    sqs.send_message(QueueUrl=url, MessageBody="one")
    assert _bodies(first.result()) == ["one"]
    assert second.waiting
    sqs.send_message(QueueUrl=url, MessageBody="two")
    assert _bodies(second.result()) == ["two"]


def test_deleting_the_queue_ends_its_polls(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    poller = Poller(sqs, url)
    mock.wait_until_parked()
    sqs.delete_queue(QueueUrl=url)
    assert poller.result() == []


def test_stopping_the_mock_releases_a_waiting_poll() -> None:
    with mock_sqs(start=START) as mock:
        sqs = boto3.client("sqs", region_name="us-east-1", **mock.credentials())
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        poller = Poller(sqs, url)
        mock.wait_until_parked()
    assert poller.result() == []


def test_a_long_poll_on_the_test_thread_waits_for_a_busy_consumer_before_moving_time(mock: SqsMock, sqs: Any) -> None:
    # A consumer thread holds a message for 0.3 s of real CPU; the test thread's own long poll
    # must not jump time (and return empty) until the consumer is parked again.
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
    replies = sqs.create_queue(QueueName="replies")["QueueUrl"]

    def consumer() -> None:
        for _ in range(2):
            for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", []):
                spin(0.3)
                sqs.send_message(QueueUrl=replies, MessageBody=f"done {message['Body']}")
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    worker = threading.Thread(target=consumer, daemon=True)
    worker.start()
    mock.wait_until_parked()
    sqs.send_message(QueueUrl=url, MessageBody="job")
    [reply] = sqs.receive_message(QueueUrl=replies, WaitTimeSeconds=20)["Messages"]
    assert reply["Body"] == "done job"
    assert mock.now == START  # the reply came before any move of time
    mock.wait_until_parked()
    mock.advance(20)  # let the consumer's second poll end
    worker.join(JOIN_S)
    assert not worker.is_alive()
    mock.assert_empty("jobs")


def spin(seconds: float) -> None:
    """Real CPU work, as a consumer does between a receive and its delete."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_wait_until_parked_fails_listing_a_consumer_that_never_parks(mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    stuck = threading.Event()

    def consumer() -> None:
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        stuck.wait(JOIN_S)

    thread = threading.Thread(target=consumer, name="stuck-consumer", daemon=True)
    thread.start()
    mock.wait_until_parked()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(SqsMockAssertionError) as failure:
        mock.wait_until_parked(timeout=0.2)
    assert "thread 'stuck-consumer': busy since GetQueueAttributes" in str(failure.value)
    stuck.set()
    thread.join(JOIN_S)
    mock.wait_until_parked(0)  # a consumer whose thread ended is not waited for


def test_a_long_poll_on_the_test_thread_fails_clearly_when_a_consumer_never_parks(
    mock: SqsMock, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pytest_sqsmock.service.core.DRIVER_SETTLE_TIMEOUT_S", 0.2)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    release = threading.Event()

    def consumer() -> None:
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        release.wait(JOIN_S)  # busy forever, as far as the simulation can tell

    thread = threading.Thread(target=consumer, name="blocked-consumer", daemon=True)
    thread.start()
    mock.wait_until_parked()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(SqsMockAssertionError, match="thread 'blocked-consumer': busy since ReceiveMessage"):
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
    assert mock.now == START
    sqs.send_message(QueueUrl=url, MessageBody="y")  # the failed poll no longer waits: nothing swallows this
    assert [m.body for m in mock.queue("jobs").visible] == ["y"]
    release.set()
    thread.join(JOIN_S)
