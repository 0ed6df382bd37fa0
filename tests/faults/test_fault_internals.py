"""The pieces under ``sqs_mock.faults``: model hooks, handles, and the retry patch's checks."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import time
import types
from typing import Any

import botocore.endpoint
import pytest

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.transports import retry_backoff
from pytest_sqsmock.transports.private_hooks import PrivateHookError


def make_queue(*, fifo: bool) -> Queue:
    name = "q.fifo" if fifo else "q"
    return Queue(
        name=name,
        account_id="123456789012",
        region="us-east-1",
        arn=f"arn:aws:sqs:us-east-1:123456789012:{name}",
        settings=QueueSettings(fifo=fifo),
        now_ms=0,
    )


def make_message(n: int) -> Message:
    return Message(
        message_id=f"m{n}",
        body=str(n),
        md5_of_body="",
        sender_id="s",
        sent_at_ms=0,
        enqueued_at_ms=0,
        size=1,
    )


def test_a_fifo_queue_refuses_an_order_key() -> None:
    with pytest.raises(ValueError, match="FIFO"):
        make_queue(fifo=True).set_order_key(lambda seq: -seq)


def test_an_order_key_reorders_visible_messages_only() -> None:
    queue = make_queue(fifo=False)
    for n in range(4):
        queue.add(make_message(n), delay_s=0, now_ms=0)
    [first] = queue.receive(now_ms=0, limit=1, visibility_timeout_s=30)

    queue.set_order_key(lambda seq: -seq)

    assert [m.body for m in queue.receive(now_ms=0, limit=10, visibility_timeout_s=30)] == ["3", "2", "1"]
    assert first.state == "in_flight"


def test_a_redelivery_with_no_visibility_timeout_stays_visible() -> None:
    queue = make_queue(fifo=False)
    message = make_message(0)
    queue.add(message, delay_s=0, now_ms=0)
    queue.receive(now_ms=0, limit=1, visibility_timeout_s=30)

    again = queue.redeliver(message, now_ms=5, visibility_timeout_s=0)

    assert again is message
    assert (message.state, message.receive_count) == ("visible", 2)


def test_handles_describe_themselves(sqs_mock: SqsMock) -> None:
    fault = sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", queue="orders")
    sqs_mock.faults.lose_deletes("orders", probability=0.5, seed=3)
    assert repr(fault) == "<Fault SendMessage -> RequestThrottled on 'orders': fired 0, active>"
    assert repr(sqs_mock.faults) == (
        "<Faults active=[<Fault SendMessage -> RequestThrottled on 'orders': fired 0, active>, "
        "<Fault lost_delete('orders', probability=0.5, seed=3): fired 0, active>]>"
    )
    fault.cancel()
    assert repr(fault).endswith("fired 0, done>")


def test_queues_by_view_and_arn_match_their_account_and_region(sqs_mock: SqsMock) -> None:
    here = sqs_mock.create_queue("orders")
    elsewhere = sqs_mock.create_queue("orders", region="eu-west-1")
    sqs_mock.send(here, "a")
    sqs_mock.send(elsewhere, "b")
    by_view = sqs_mock.faults.empty_receives(elsewhere, times=5)
    by_arn = sqs_mock.faults.empty_receives(here.arn, times=5)

    for region in ("us-east-1", "eu-west-1", "eu-west-1"):
        sqs_mock.client(region=region).receive_message(QueueUrl="orders", WaitTimeSeconds=0)

    assert (by_arn.fired, by_view.fired) == (1, 2)


def test_the_time_proxy_passes_everything_else_through() -> None:
    with mock_sqs():
        proxy = botocore.endpoint.time  # type: ignore[attr-defined]
        assert proxy.monotonic is time.monotonic


def test_without_aiobotocore_nothing_is_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    undo = retry_backoff._patch_aiobotocore()
    assert undo is retry_backoff._nothing
    undo()


def test_an_aiobotocore_that_cannot_be_imported_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", fail)
    assert retry_backoff._patch_aiobotocore() is retry_backoff._nothing


def test_an_unknown_aiobotocore_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib, "import_module", lambda name: types.SimpleNamespace(AioEndpoint=object))
    with pytest.raises(PrivateHookError, match=r"aiobotocore .*\._needs_retry does not exist"):
        retry_backoff._patch_aiobotocore()


def test_an_aiobotocore_without_anyio_endpoint_gets_its_sleep_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    async def send_request(self: Any, request_dict: Any, operation_model: Any) -> None:
        await self._needs_retry(1, operation_model, request_dict)

    async def needs_retry(self: Any, attempts: int, operation_model: Any, request_dict: Any) -> bool:
        await self._sleep(0)
        return False

    async def sleep(endpoint: Any, sleep_amount: float) -> None:
        slept.append(sleep_amount)

    slept: list[float] = []
    members = {"_send_request": send_request, "_needs_retry": needs_retry, "_sleep": sleep}
    endpoint = type("AioEndpoint", (), members)
    monkeypatch.setattr(importlib, "import_module", lambda name: types.SimpleNamespace(AioEndpoint=endpoint))

    undo = retry_backoff._patch_aiobotocore()
    assert vars(endpoint)["_sleep"] is not sleep
    asyncio.run(vars(endpoint)["_sleep"](None, 0.25))  # no SQS retry being decided: a real sleep
    assert slept == [0.25]
    undo()
    assert vars(endpoint)["_sleep"] is sleep
    assert vars(endpoint)["_needs_retry"] is needs_retry
