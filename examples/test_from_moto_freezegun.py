from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import freezegun
import pytest

from pytest_sqsmock import SqsMock, mock_sqs


@freezegun.freeze_time("2030-01-01 12:00:00")
@mock_sqs(clock="system")  # the simulation reads the clock freezegun moves
def test_a_moto_style_freezegun_test() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="reminders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="call back", DelaySeconds=60)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with freezegun.freeze_time("2030-01-01 12:01:01"):
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "call back"


@pytest.mark.sqs_mock(clock="system")  # the same, for a test that uses the fixture
def test_system_clock_with_the_fixture(sqs_mock: SqsMock) -> None:
    with freezegun.freeze_time("2030-01-01 12:00:00") as frozen:
        sqs_mock.create_queue("reminders")
        sqs_mock.send("reminders", "call back", delay_seconds=60)
        frozen.tick(61)
        assert [m.body for m in sqs_mock.queue("reminders").visible] == ["call back"]


def test_or_keep_virtual_time_and_let_freezegun_follow(sqs_mock: SqsMock) -> None:
    with freezegun.freeze_time(sqs_mock.now) as frozen:
        sqs_mock.drive(frozen)  # advance() moves freezegun's clock too
        sqs_mock.create_queue("reminders")
        sqs_mock.send("reminders", "call back", delay_seconds=60)
        sqs_mock.advance(timedelta(seconds=61))
        assert [m.body for m in sqs_mock.queue("reminders").visible] == ["call back"]
        assert datetime.now(timezone.utc) == sqs_mock.now
