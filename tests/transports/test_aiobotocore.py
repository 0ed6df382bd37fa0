"""aiobotocore's async clients reach the simulation in-process, like boto3's."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from pytest_sqsmock import SqsMock, SqsMockError, mock_sqs

aio_session = pytest.importorskip("aiobotocore.session")
aio_endpoint = pytest.importorskip("aiobotocore.endpoint")
aio_config = pytest.importorskip("aiobotocore.config")

pytestmark = pytest.mark.asyncio


@contextlib.asynccontextmanager
async def client(service: str = "sqs", **kwargs: Any) -> AsyncIterator[Any]:
    session = aio_session.get_session()
    async with session.create_client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        **kwargs,
    ) as made:
        yield made


async def test_send_receive_delete(sqs_mock: SqsMock) -> None:
    async with client() as sqs:
        url = (await sqs.create_queue(QueueName="jobs"))["QueueUrl"]
        sent = await sqs.send_message(
            QueueUrl=url,
            MessageBody="hello",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
        )
        received = await sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MaxNumberOfMessages=10)
        [message] = received["Messages"]
        assert message["MessageId"] == sent["MessageId"]
        assert message["Body"] == "hello"
        assert message["MessageAttributes"]["kind"]["StringValue"] == "greeting"
        assert sqs_mock.queue("jobs").in_flight[0].message_id == sent["MessageId"]

        await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    assert len(sqs_mock.queue("jobs")) == 0
    assert [call.operation for call in sqs_mock.calls] == [
        "CreateQueue",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
    ]


async def test_errors_raise_the_modeled_exception(sqs_mock: SqsMock) -> None:
    async with client() as sqs:
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as missing:
            await sqs.get_queue_url(QueueName="missing")
        error = missing.value.response["Error"]
        assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
        assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

        url = (await sqs.create_queue(QueueName="jobs"))["QueueUrl"]
        with pytest.raises(ClientError) as invalid:
            await sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
        assert invalid.value.response["Error"]["Code"] == "InvalidParameterValue"


async def test_long_poll_on_the_virtual_clock_returns_at_once(
    sqs_mock: SqsMock,
) -> None:
    async with client() as sqs:
        url = (await sqs.create_queue(QueueName="jobs"))["QueueUrl"]
        before = sqs_mock.now
        started = time.monotonic()
        received = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        assert time.monotonic() - started < 5
    assert "Messages" not in received
    assert (sqs_mock.now - before).total_seconds() == pytest.approx(20, abs=0.01)


async def test_long_poll_returns_a_delayed_message_when_it_becomes_visible(
    sqs_mock: SqsMock,
) -> None:
    sqs_mock.create_queue("jobs")
    sqs_mock.send("jobs", "later", delay_seconds=7)
    before = sqs_mock.now
    async with client() as sqs:
        url = (await sqs.get_queue_url(QueueName="jobs"))["QueueUrl"]
        received = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert [m["Body"] for m in received["Messages"]] == ["later"]
    assert (sqs_mock.now - before).total_seconds() == pytest.approx(7, abs=0.01)


async def _spin(turns: int = 100) -> None:
    """Let other tasks run for a while, without sleeping on the wall clock."""
    for _ in range(turns):
        await asyncio.sleep(0)


@pytest.mark.sqs_mock(clock="system")
async def test_blocking_long_poll_leaves_the_event_loop_running(
    sqs_mock: SqsMock,
) -> None:
    async with client() as consumer, client() as producer:
        url = (await consumer.create_queue(QueueName="jobs"))["QueueUrl"]
        started = time.monotonic()
        poll = asyncio.ensure_future(consumer.receive_message(QueueUrl=url, WaitTimeSeconds=20))
        await _spin()  # the poll now waits in the simulation
        # The loop is free: these calls run while the poll waits (a frozen loop
        # would reach them only after the 20-second wait).
        assert (await producer.get_queue_url(QueueName="jobs"))["QueueUrl"] == url
        assert not poll.done()
        await producer.send_message(QueueUrl=url, MessageBody="wake up")
        received = await asyncio.wait_for(poll, timeout=10)
    assert [m["Body"] for m in received["Messages"]] == ["wake up"]
    assert time.monotonic() - started < 10


@pytest.mark.sqs_mock(clock="system")
async def test_a_cancelled_long_poll_does_not_break_the_loop(sqs_mock: SqsMock) -> None:
    async with client() as sqs:
        url = (await sqs.create_queue(QueueName="jobs"))["QueueUrl"]
        poll = asyncio.ensure_future(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
        await _spin()
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll
        assert (await sqs.get_queue_url(QueueName="jobs"))["QueueUrl"] == url


async def test_the_newest_mock_answers() -> None:
    with mock_sqs() as outer:
        async with client() as sqs:
            await sqs.create_queue(QueueName="outer-only")
            with mock_sqs() as inner:
                await sqs.create_queue(QueueName="inner-only")
                assert (await sqs.list_queues()).get("QueueUrls", []) == [
                    "https://sqs.us-east-1.amazonaws.com/123456789012/inner-only"
                ]
            # The inner mock stopped: the outer one answers again.
            assert (await sqs.list_queues()).get("QueueUrls", []) == [
                "https://sqs.us-east-1.amazonaws.com/123456789012/outer-only"
            ]
            assert [q.name for q in inner.queues()] == ["inner-only"]
            assert [q.name for q in outer.queues()] == ["outer-only"]


async def test_the_patch_is_undone_when_the_last_mock_stops() -> None:
    original = vars(aio_endpoint.AioEndpoint)["_send"]
    with mock_sqs():
        assert vars(aio_endpoint.AioEndpoint)["_send"] is not original
        with mock_sqs():
            pass
        assert vars(aio_endpoint.AioEndpoint)["_send"] is not original
    assert vars(aio_endpoint.AioEndpoint)["_send"] is original


async def test_other_services_go_to_the_network_untouched(sqs_mock: SqsMock) -> None:
    # Port 9 (discard) on loopback is closed here: the request really leaves aiobotocore.
    config = aio_config.AioConfig(retries={"max_attempts": 1}, connect_timeout=2)
    async with client("s3", endpoint_url="http://127.0.0.1:9", config=config) as s3:
        with pytest.raises(EndpointConnectionError):
            await s3.list_buckets()
    assert sqs_mock.calls == []


@mock_sqs
async def test_the_decorator_works_on_coroutines() -> None:
    async with client() as sqs:
        url = (await sqs.create_queue(QueueName="decorated"))["QueueUrl"]
        await sqs.send_message(QueueUrl=url, MessageBody="hi")
        received = await sqs.receive_message(QueueUrl=url)
    assert [m["Body"] for m in received["Messages"]] == ["hi"]


# -- long polls awaited on the virtual clock, beside other coroutines ----------------------------


async def test_a_poll_awaited_by_the_test_wakes_for_a_coroutine_that_sends_later(sqs_mock: SqsMock) -> None:
    async with client() as consumer, client() as producer:
        url = (await consumer.create_queue(QueueName="jobs"))["QueueUrl"]
        before = sqs_mock.now

        async def send_soon() -> None:
            await asyncio.sleep(0.05)  # a producer with its own pace, on the loop's clock
            await producer.send_message(QueueUrl=url, MessageBody="fifty ms later")

        sending = asyncio.ensure_future(send_soon())
        received = await consumer.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        await sending
    assert [m["Body"] for m in received["Messages"]] == ["fifty ms later"]
    assert sqs_mock.now == before  # handed over at once: no virtual time passed


async def test_consumer_tasks_move_time_only_when_the_loop_is_idle(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs", attributes={"VisibilityTimeout": "10"})
    before = sqs_mock.now
    attempts: list[float] = []

    async def consume(sqs: Any, url: str) -> None:
        while True:
            reply = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
            for message in reply.get("Messages", []):
                attempts.append((sqs_mock.now - before).total_seconds())
                if len(attempts) < 3:
                    continue  # fail: comes back after the visibility timeout
                await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                return

    async with client() as sqs:
        url = (await sqs.get_queue_url(QueueName="jobs"))["QueueUrl"]
        task = asyncio.ensure_future(consume(sqs, url))
        await _spin()
        await sqs.send_message(QueueUrl=url, MessageBody="flaky")
        await asyncio.wait_for(task, timeout=30)
    assert attempts == [0.0, 10.0, 20.0]
    assert len(sqs_mock.queue("jobs")) == 0


async def test_an_asyncio_without_the_internals_read_fails_loudly() -> None:
    from pytest_sqsmock.transports import loop_time

    changed: Any = asyncio.new_event_loop()  # stands for an asyncio whose loop no longer has a ready queue
    try:
        del changed._ready
        with pytest.raises(SqsMockError, match=r"BaseEventLoop\._ready"):
            await loop_time.until_idle(changed, 1.0)
    finally:
        changed._ready = collections.deque()
        changed.close()
