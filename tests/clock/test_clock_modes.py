from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import freezegun
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sqsmock import SqsMock, SqsMockAssertionError, SqsMockError, mock_sqs

START = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _client(mock: SqsMock) -> Any:
    return boto3.client("sqs", region_name="us-east-1", **mock.credentials())


# -- virtual clock -----------------------------------------------------------------------------


def test_virtual_time_starts_where_asked_and_moves_only_on_advance() -> None:
    with mock_sqs(start=START) as mock:
        assert mock.now == START
        _client(mock).list_queues()
        assert mock.now == START
        mock.advance(1.5)
        mock.advance(timedelta(minutes=1))
        assert mock.now == START + timedelta(seconds=61.5)


def test_long_poll_on_an_empty_queue_moves_time_to_the_end_of_the_wait() -> None:
    with mock_sqs(start=START) as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="empty")["QueueUrl"]
        assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        assert mock.now == START + timedelta(seconds=20)


def test_long_poll_returns_at_the_first_delivery() -> None:
    with mock_sqs(start=START) as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=7)
        [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
        assert message["Body"] == "later"
        assert mock.now == START + timedelta(seconds=7)


def test_travel_to_moves_forward_and_refuses_the_past() -> None:
    with mock_sqs(start=START) as mock:
        mock.travel_to(START + timedelta(hours=2))
        assert mock.now == START + timedelta(hours=2)
        with pytest.raises(ValueError, match="backwards"):
            mock.travel_to(START)
        with pytest.raises(ValueError, match="forward"):
            mock.advance(-0.001)


def test_advance_needs_the_virtual_clock() -> None:
    with mock_sqs(clock="system") as mock, pytest.raises(SqsMockError, match="clock='virtual'"):
        mock.advance(1)


def _scenario(mock: SqsMock, sends: list[tuple[int, int]]) -> Any:
    sqs = _client(mock)
    url = sqs.create_queue(QueueName="split", Attributes={"VisibilityTimeout": "13"})["QueueUrl"]
    for delay, _ in sends:
        sqs.send_message(QueueUrl=url, MessageBody=f"d{delay}", DelaySeconds=delay)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return url


@settings(max_examples=25, deadline=None)
@given(
    sends=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 5)), min_size=1, max_size=8),
    first=st.integers(0, 90),
    second=st.integers(0, 90),
)
def test_advancing_in_two_steps_equals_one_step(sends: list[tuple[int, int]], first: int, second: int) -> None:
    def states(split: bool) -> list[tuple[str, str, int]]:
        with mock_sqs(start=START) as mock:
            _scenario(mock, sends)
            if split:
                mock.advance(first)
                mock.advance(second)
            else:
                mock.advance(first + second)
            return sorted((m.body, m.state, m.receive_count) for m in mock.queue("split").messages)

    assert states(split=True) == states(split=False)


# -- threads on the virtual clock ----------------------------------------------------------------


def _poll_in_thread(sqs: Any, url: str, wait: int) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []

    def poll() -> None:
        results.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait).get("Messages", []))

    thread = threading.Thread(target=poll)
    thread.start()
    return thread, results


def _wait_until_polling(mock: SqsMock, calls_before: int) -> None:
    # The worker's ReceiveMessage has entered the service once activity grows.
    for _ in range(2000):
        if mock.simulation.service.activity > calls_before:
            return
        threading.Event().wait(0.001)
    raise AssertionError("the worker never started polling")


def test_a_worker_thread_long_poll_wakes_when_the_test_sends() -> None:
    with mock_sqs(start=START) as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="wake")["QueueUrl"]
        before = mock.simulation.service.activity
        thread, results = _poll_in_thread(sqs, url, 20)
        _wait_until_polling(mock, before)
        sqs.send_message(QueueUrl=url, MessageBody="wake up")
        thread.join(10)
        assert not thread.is_alive()
        assert [m["Body"] for m in results[0]] == ["wake up"]
        assert mock.now == START  # the worker waited without moving virtual time


def test_a_worker_thread_long_poll_ends_when_advance_passes_its_deadline() -> None:
    with mock_sqs(start=START) as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="deadline")["QueueUrl"]
        before = mock.simulation.service.activity
        thread, results = _poll_in_thread(sqs, url, 20)
        _wait_until_polling(mock, before)
        mock.advance(19)
        thread.join(0.2)
        assert thread.is_alive()  # 19 virtual seconds: still waiting
        mock.advance(1)
        thread.join(10)
        assert not thread.is_alive()
        assert results == [[]]


def test_stopping_the_mock_releases_a_waiting_worker() -> None:
    mock = mock_sqs(start=START).start()
    sqs = _client(mock)
    url = sqs.create_queue(QueueName="released")["QueueUrl"]
    before = mock.simulation.service.activity
    thread, results = _poll_in_thread(sqs, url, 20)
    _wait_until_polling(mock, before)
    mock.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert results == [[]]


def test_run_until_drives_a_threaded_consumer_through_retries_to_the_dead_letter_queue() -> None:
    with mock_sqs(start=START) as mock:
        mock.create_queue("jobs-dlq")
        jobs = mock.create_queue("jobs", dead_letter_queue="jobs-dlq", max_receive_count=3)
        sqs = _client(mock)
        stop = threading.Event()

        def consume() -> None:
            while not stop.is_set():
                for message in sqs.receive_message(QueueUrl=jobs.url, WaitTimeSeconds=20).get("Messages", []):
                    if message["Body"] != "poison":
                        sqs.delete_message(QueueUrl=jobs.url, ReceiptHandle=message["ReceiptHandle"])

        worker = threading.Thread(target=consume)
        worker.start()
        try:
            mock.send("jobs", "fine")
            mock.send("jobs", "poison")
            mock.run_until(lambda: len(mock.queue("jobs-dlq")) == 1, within=600)
        finally:
            stop.set()
            mock.advance(20)
            worker.join(10)
        moved = mock.assert_dead_lettered("jobs", body="poison", receives=3)
        assert moved.body == "poison"
        mock.assert_empty("jobs")
        # Three visibility timeouts of 30 s had to pass, and no more than a few polls' worth.
        assert timedelta(seconds=60) <= mock.now - START <= timedelta(seconds=200)


def test_run_until_fails_with_the_queues_when_the_condition_never_holds() -> None:
    with mock_sqs(start=START) as mock:
        mock.create_queue("stuck")
        mock.send("stuck", "forever")
        with pytest.raises(SqsMockAssertionError) as failure:
            mock.run_until(lambda: len(mock.queue("stuck")) == 0, step=lambda: None, within=30)
        assert "30 s" in str(failure.value)
        assert "queue 'stuck'" in str(failure.value)
        assert mock.now == START + timedelta(seconds=30)


# -- the system clock follows freezegun and time-machine -----------------------------------------


def test_system_clock_follows_freezegun() -> None:
    with freezegun.freeze_time("2031-05-01 12:00:00") as frozen, mock_sqs(clock="system") as mock:
        assert mock.now == datetime(2031, 5, 1, 12, tzinfo=timezone.utc)
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="frozen")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")
        sqs.receive_message(QueueUrl=url)
        assert len(mock.queue("frozen").in_flight) == 1
        frozen.tick(timedelta(seconds=31))
        assert len(mock.queue("frozen").visible) == 1


def test_system_clock_follows_time_machine() -> None:
    when = datetime(2032, 1, 1, tzinfo=timezone.utc)
    with time_machine.travel(when, tick=False) as traveller, mock_sqs(clock="system") as mock:
        assert mock.now == when
        mock.create_queue("travel")
        mock.send("travel", "m", delay_seconds=60)
        assert len(mock.queue("travel").delayed) == 1
        traveller.shift(timedelta(seconds=60))
        assert len(mock.queue("travel").visible) == 1


def test_system_clock_long_poll_blocks_for_real_and_wakes_on_arrival() -> None:
    with mock_sqs(clock="system") as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="real")["QueueUrl"]
        before = mock.simulation.service.activity
        thread, results = _poll_in_thread(sqs, url, 20)
        _wait_until_polling(mock, before)
        thread.join(0.05)
        assert thread.is_alive()  # really waiting
        sqs.send_message(QueueUrl=url, MessageBody="arrived")
        thread.join(10)
        assert [m["Body"] for m in results[0]] == ["arrived"]


def test_system_clock_long_poll_under_frozen_time_still_ends() -> None:
    with freezegun.freeze_time("2031-05-01"), mock_sqs(clock="system") as mock:
        sqs = _client(mock)
        url = sqs.create_queue(QueueName="frozen-wait")["QueueUrl"]
        # The wait is measured by the lock, not the frozen clock: 1 s later it returns empty.
        assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


# -- application code sees virtual time ----------------------------------------------------------


def test_drive_moves_freezegun_with_advance() -> None:
    with mock_sqs(start=START) as mock, freezegun.freeze_time("2000-01-01") as frozen:
        mock.drive(frozen)
        assert datetime.now(timezone.utc) == START
        mock.advance(90)
        assert datetime.now(timezone.utc) == START + timedelta(seconds=90)
        mock.travel_to(START + timedelta(days=1))
        assert datetime.now(timezone.utc) == START + timedelta(days=1)


def test_drive_moves_time_machine_with_advance() -> None:
    with mock_sqs(start=START) as mock, time_machine.travel(0, tick=False) as traveller:
        mock.drive(traveller)
        assert datetime.now(timezone.utc) == START
        mock.advance(timedelta(hours=1))
        assert datetime.now(timezone.utc) == START + timedelta(hours=1)


@pytest.mark.sqs_mock(clock="system")
def test_marker_selects_the_system_clock(sqs_mock: SqsMock) -> None:
    with pytest.raises(SqsMockError):
        sqs_mock.advance(1)
