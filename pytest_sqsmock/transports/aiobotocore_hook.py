"""The in-process transport for aiobotocore: async SQS clients reach the simulation too.

aiobotocore's ``AioEndpoint`` overrides botocore's ``Endpoint._send`` with a
coroutine, so the botocore hook does not reach it. While any mock is active
(the botocore hook applies this module's :func:`patch` with its own) that
coroutine is wrapped the same way: SQS requests go to the newest mock, every
other request to aiobotocore. The answer is an ``AioAWSResponse`` whose raw
body reads asynchronously, as aiobotocore's parsers expect.

A long poll must not freeze the event loop. On the thread that drives a
virtual clock it never blocks (waiting moves virtual time), so it is answered
in place. Anywhere it could block (``clock="system"``, or a loop running in
another thread) it is answered in a daemon thread while the loop goes on.

aiobotocore is imported only when a mock starts, and only if it is installed.
``AioEndpoint._send`` is private (docs/decisions/private-endpoint-send.md): an
aiobotocore without it in the expected shape makes the mock's start fail with
``PrivateHookError``, naming the versions.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import importlib.util
import threading
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest

from pytest_sqsmock.transports import botocore_hook, loop_time, private_hooks
from pytest_sqsmock.transports.botocore_hook import Answer
from pytest_sqsmock.transports.dispatch import Dispatcher
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

_SEND = "_send"


def patch() -> Callable[[], None]:
    """Route aiobotocore's SQS requests to the newest mock; returns the undo.

    Without aiobotocore (or with one that cannot be imported) this does
    nothing and returns a no-op: no aiobotocore client can exist then.

    Raises:
        PrivateHookError: aiobotocore has no ``AioEndpoint._send`` coroutine
            (or no ``AioAWSResponse``) of the expected shape.
    """
    try:
        if importlib.util.find_spec("aiobotocore") is None:
            return _nothing
        endpoints: Any = importlib.import_module("aiobotocore.endpoint")
        requests: Any = importlib.import_module("aiobotocore.awsrequest")
    except ImportError:  # built for another botocore: its clients cannot run either
        return _nothing
    endpoint_class = private_hooks.attribute(endpoints, "AioEndpoint", type, record=private_hooks.SEND_RECORD)
    response_class = private_hooks.attribute(requests, "AioAWSResponse", type, record=private_hooks.SEND_RECORD)
    original = private_hooks.method(
        endpoint_class,
        _SEND,
        ("request",),
        record=private_hooks.SEND_RECORD,
        coroutine=True,
        called_by="_do_get_response",
    )

    async def send(endpoint: Any, request: AWSPreparedRequest) -> Any:
        answer = botocore_hook.current()
        if answer is None or not botocore_hook.is_sqs(request):
            refused = botocore_hook.refusal(request)
            if refused is not None:
                raise refused
            return await original(endpoint, request)
        response = await _answer(answer, botocore_hook.to_http_request(request))
        return response_class(request.url, response.status, response.headers, _AsyncRaw(response))

    return private_hooks.replace(endpoint_class, _SEND, send)


def _nothing() -> None:
    """Nothing was patched."""


async def _answer(answer: Answer, request: HttpRequest) -> HttpResponse:
    owner = getattr(answer, "__self__", None)
    if isinstance(owner, Dispatcher) and not owner.may_block():
        loop = _running_asyncio_loop()
        if loop is not None and _is_receive(request):
            # On the loop that drives virtual time: wait without blocking it (transports/loop_time.py).
            future: asyncio.Future[HttpResponse] = loop.create_future()
            consumer = loop_time.task_consumer()
            result: HttpResponse = await loop_time.await_long_poll(
                owner.service, consumer, future, _deliverer(loop, future, answer, request)
            )
            return result
        response = answer(request)
        # Yield like real I/O, so that a polling loop cannot starve other tasks.
        await asyncio.sleep(0)
        return response
    return await _in_thread(answer, request)


def _running_asyncio_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio, through aiobotocore's anyio backend: answered in place
        return None


def _is_receive(request: HttpRequest) -> bool:
    target = request.header("x-amz-target")
    if target is not None:
        return target.endswith(".ReceiveMessage")
    return b"Action=ReceiveMessage" in request.body


def _deliverer(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[HttpResponse], answer: Answer, request: HttpRequest
) -> Callable[[], None]:
    """Run ``answer(request)`` (in a helper thread) and hand its outcome to ``future`` on ``loop``."""

    def deliver(outcome: Callable[[], None]) -> None:
        if not future.done():  # else the caller was cancelled meanwhile
            outcome()

    def run() -> None:
        outcome: Callable[[], None]
        try:
            outcome = functools.partial(future.set_result, answer(request))
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome = functools.partial(future.set_exception, exc)
        with contextlib.suppress(RuntimeError):  # the loop closed while we waited
            loop.call_soon_threadsafe(deliver, outcome)

    return run


async def _in_thread(answer: Answer, request: HttpRequest) -> HttpResponse:
    """Answer in a daemon thread: a cancelled call leaves no executor busy or loop waiting."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # trio, through aiobotocore's anyio backend
        to_thread: Any = importlib.import_module("anyio.to_thread")
        result: HttpResponse = await to_thread.run_sync(answer, request, abandon_on_cancel=True)
        return result
    future: asyncio.Future[HttpResponse] = loop.create_future()
    run = _deliverer(loop, future, answer, request)
    threading.Thread(target=run, name="sqsmock-aiobotocore", daemon=True).start()
    return await future


class _AsyncRaw:
    """The raw body ``AioAWSResponse`` reads with ``await raw.read()``.

    ``raw_headers`` (aiohttp's spelling) is where aiobotocore before 2.20
    reads the response headers from.
    """

    def __init__(self, response: HttpResponse) -> None:
        self._body = response.body
        self._offset = 0
        self.raw_headers = tuple((name.encode(), value.encode()) for name, value in response.headers.items())

    async def read(self, amt: int | None = None) -> bytes:
        end = len(self._body) if amt is None else min(len(self._body), self._offset + amt)
        chunk = self._body[self._offset : end]
        self._offset = end
        return chunk

    def close(self) -> None:
        """Nothing to release."""
