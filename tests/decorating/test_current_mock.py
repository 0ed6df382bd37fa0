"""``SqsMock.current()``: the active mock, for code that did not create it."""

from __future__ import annotations

import asyncio
import threading

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockError, mock_sqs


def test_without_an_active_mock_it_says_how_to_get_one() -> None:
    with pytest.raises(SqsMockError) as raised:
        SqsMock.current()
    message = str(raised.value)
    assert "no SqsMock is active" in message
    assert "@mock_sqs" in message
    assert "sqs_mock fixture" in message


def test_it_is_the_mock_a_with_block_started() -> None:
    with mock_sqs() as mock:
        assert SqsMock.current() is mock
    with pytest.raises(SqsMockError):
        SqsMock.current()


def test_nested_mocks_return_the_innermost_then_the_outer_again() -> None:
    with mock_sqs() as outer:
        with mock_sqs(region="eu-west-1") as inner:
            assert SqsMock.current() is inner
        assert SqsMock.current() is outer


def test_stopping_out_of_order_leaves_the_newest_still_running() -> None:
    first = mock_sqs().start()
    second = mock_sqs().start()
    try:
        first.stop()
        assert SqsMock.current() is second
    finally:
        second.stop()
    with pytest.raises(SqsMockError):
        SqsMock.current()


def test_a_decorated_function_reaches_its_mock_to_move_time() -> None:
    @mock_sqs
    def retried_after_the_visibility_timeout() -> int:
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="hi")
        sqs.receive_message(QueueUrl=url)
        SqsMock.current().advance(31)
        [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
        return int(message["Attributes"]["ApproximateReceiveCount"])

    assert retried_after_the_visibility_timeout() == 2


def test_a_decorated_coroutine_reaches_its_mock() -> None:
    @mock_sqs(region="ap-southeast-2")
    async def region_of_the_mock() -> str:
        await asyncio.sleep(0)
        return SqsMock.current().region

    assert asyncio.run(region_of_the_mock()) == "ap-southeast-2"


def test_other_threads_get_the_same_mock_as_their_calls_do() -> None:
    found: list[SqsMock] = []
    with mock_sqs() as mock:
        worker = threading.Thread(target=lambda: found.append(SqsMock.current()))
        worker.start()
        worker.join()
    assert found == [mock]


def test_the_fixture_is_the_current_mock(sqs_mock: SqsMock) -> None:
    assert SqsMock.current() is sqs_mock
