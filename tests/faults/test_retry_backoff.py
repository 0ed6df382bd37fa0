"""botocore's retry back-off for SQS calls: virtual time under the virtual clock, real sleeps otherwise."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import boto3
import botocore.endpoint
import botocore.session
import pytest
from botocore.config import Config
from botocore.endpoint import Endpoint

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports import retry_backoff


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every real ``time.sleep``, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_back_off_moves_virtual_time_on_the_driving_thread(sqs_mock: SqsMock, sleeps: list[float]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.receive_message(QueueUrl=url)  # in flight for 1 virtual second
    sqs_mock.faults.fail_next("ReceiveMessage", code="InternalFailure", times=4)
    before = sqs_mock.now

    response = sqs.receive_message(QueueUrl=url)

    assert response["ResponseMetadata"]["RetryAttempts"] == 4
    assert sleeps == []
    waited = (sqs_mock.now - before).total_seconds()
    assert 0 < waited <= 1 + 2 + 4 + 8  # standard mode: rand * 2**n per retry
    if waited >= 1:  # the message's visibility timeout ran out during the back-off
        assert response["Messages"][0]["Body"] == "a"


def test_other_threads_retry_at_once_without_moving_time(sqs_mock: SqsMock, sleeps: list[float]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=3)
    before = sqs_mock.now
    results: list[Any] = []

    worker = threading.Thread(target=lambda: results.append(sqs.send_message(QueueUrl=url, MessageBody="x")))
    worker.start()
    worker.join(timeout=30)

    assert not worker.is_alive()
    assert results[0]["ResponseMetadata"]["RetryAttempts"] == 3
    assert sqs_mock.now == before
    assert sleeps == []


@pytest.mark.sqs_mock(clock="system")
def test_system_clock_sleeps_for_real(sqs_mock: SqsMock, sleeps: list[float]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs_mock.faults.fail_next("SendMessage", code="ServiceUnavailable", times=2)

    assert sqs.send_message(QueueUrl=url, MessageBody="x")["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sleeps) == 2
    assert all(delay >= 0 for delay in sleeps)


def test_only_sqs_operations_are_spent_in_virtual_time(sqs_mock: SqsMock) -> None:
    models = botocore.session.get_session()
    sqs_operation = models.get_service_model("sqs").operation_model("SendMessage")
    s3_operation = models.get_service_model("s3").operation_model("GetObject")
    assert retry_backoff.back_off_for(sqs_operation) is not None
    assert retry_backoff.back_off_for(s3_operation) is None


def test_botocore_is_restored_when_the_mock_stops() -> None:
    original_needs_retry = vars(Endpoint)["_needs_retry"]
    with mock_sqs():
        assert getattr(botocore.endpoint, "time") is not time  # noqa: B009
    assert getattr(botocore.endpoint, "time") is time  # noqa: B009
    assert vars(Endpoint)["_needs_retry"] is original_needs_retry


def test_aiobotocore_back_off_is_virtual_too(sqs_mock: SqsMock, sleeps: list[float]) -> None:
    # Every supported aiobotocore: before 3.9.0 (no AioEndpoint._sleep) it awaits asyncio.sleep itself.
    aio_session = pytest.importorskip("aiobotocore.session")

    async def run() -> dict[str, Any]:
        session = aio_session.get_session()
        async with session.create_client("sqs", region_name="us-east-1") as sqs:
            url = (await sqs.create_queue(QueueName="q"))["QueueUrl"]
            sqs_mock.faults.fail_next("SendMessage", code="ThrottlingException", times=2)
            result: dict[str, Any] = await sqs.send_message(QueueUrl=url, MessageBody="x")
            return result

    before = sqs_mock.now
    response = asyncio.run(asyncio.wait_for(run(), timeout=30))

    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert sqs_mock.now > before
    assert sleeps == []
