"""aiobotocore's async clients are served in-process, like boto3's."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiobotocore import session as aiobotocore_session

from pytest_sqsmock import SqsMock


async def drain(sqs: Any, queue_url: str) -> list[str]:
    """Code under test: receive and delete until the queue is empty."""
    bodies: list[str] = []
    while True:
        reply = await sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
        if "Messages" not in reply:
            return bodies
        for message in reply["Messages"]:
            bodies.append(message["Body"])
            await sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.asyncio
async def test_drain(sqs_mock: SqsMock) -> None:
    started = sqs_mock.now
    sqs_mock.create_queue("jobs")
    sqs_mock.send("jobs", "first")
    sqs_mock.send("jobs", "second", delay_seconds=15)

    session = aiobotocore_session.get_session()
    async with session.create_client("sqs", region_name="us-east-1") as sqs:
        url = (await sqs.get_queue_url(QueueName="jobs"))["QueueUrl"]
        # Long polls wait on the virtual clock: 15 + 20 simulated seconds, no real ones.
        assert await drain(sqs, url) == ["first", "second"]

    assert len(sqs_mock.queue("jobs")) == 0
    assert sqs_mock.now - started == timedelta(seconds=35)


async def consume(sqs: Any, queue_url: str, handled: list[str]) -> None:
    """Code under test: a consumer task that runs until cancelled; a failure leaves the message to SQS."""
    while True:
        reply = await sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
        for message in reply.get("Messages", []):
            if message["Body"] == "flaky" and "flaky" not in handled:
                handled.append("flaky")  # first attempt fails: back after the visibility timeout
                continue
            handled.append(message["Body"])
            await sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.asyncio
async def test_a_consumer_task_driven_by_run_until_async(sqs_mock: SqsMock) -> None:
    started = sqs_mock.now
    sqs_mock.create_queue("jobs", attributes={"VisibilityTimeout": "30"})
    session = aiobotocore_session.get_session()
    async with session.create_client("sqs", region_name="us-east-1") as sqs:
        url = (await sqs.get_queue_url(QueueName="jobs"))["QueueUrl"]
        handled: list[str] = []
        consumer = asyncio.create_task(consume(sqs, url, handled))
        await sqs.send_message(QueueUrl=url, MessageBody="flaky")
        await sqs.send_message(QueueUrl=url, MessageBody="fine")
        await sqs_mock.run_until_async(lambda: len(sqs_mock.queue("jobs")) == 0)
        consumer.cancel()
    assert sorted(handled) == ["fine", "flaky", "flaky"]
    assert sqs_mock.now - started == timedelta(seconds=30)  # one visibility timeout, no real seconds
