from __future__ import annotations

from datetime import datetime, timedelta, timezone

import freezegun
import pytest

from pytest_sqsmock import SqsMock


def test_advance_and_travel(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("reminders", attributes={"DelaySeconds": "60"})
    sqs_mock.send("reminders", "hi")  # delayed by the queue's DelaySeconds
    assert len(sqs_mock.queue("reminders").delayed) == 1

    sqs_mock.advance(59.5)  # seconds as int or float, or a timedelta
    assert sqs_mock.queue("reminders").visible == []
    sqs_mock.advance(timedelta(seconds=1))
    assert [m.body for m in sqs_mock.queue("reminders").visible] == ["hi"]

    sqs_mock.travel_to(sqs_mock.now + timedelta(days=5))  # past the 4-day retention
    assert len(sqs_mock.queue("reminders")) == 0


def test_time_only_moves_forward(sqs_mock: SqsMock) -> None:
    with pytest.raises(ValueError, match="advance"):
        sqs_mock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        sqs_mock.travel_to(sqs_mock.now - timedelta(seconds=1))


@pytest.mark.sqs_mock(clock="system")
def test_system_clock_follows_freezegun(sqs_mock: SqsMock) -> None:
    with freezegun.freeze_time("2030-01-01 12:00:00") as frozen:
        sqs_mock.create_queue("reminders")
        sqs_mock.send("reminders", "call back", delay_seconds=60)
        frozen.tick(61)
        [message] = sqs_mock.queue("reminders").visible
        assert message.sent_at.isoformat() == "2030-01-01T12:00:00+00:00"


def is_overdue(sent_at: datetime) -> bool:  # code under test that reads the clock itself
    return datetime.now(timezone.utc) - sent_at > timedelta(minutes=5)


def test_drive_makes_application_clocks_follow_virtual_time(sqs_mock: SqsMock) -> None:
    with freezegun.freeze_time(sqs_mock.now) as frozen:
        sqs_mock.drive(frozen)  # from now on advance() moves freezegun's clock too
        sqs_mock.create_queue("reminders")
        sent = sqs_mock.send("reminders", "call back")
        assert not is_overdue(sent.sent_at)
        sqs_mock.advance(timedelta(minutes=6))
        assert is_overdue(sent.sent_at)
        assert datetime.now(timezone.utc) == sqs_mock.now
