"""botocore's retry back-off for SQS calls, spent in virtual time instead of wall time.

Between attempts botocore's ``Endpoint._needs_retry`` asks the client's retry
handler (legacy or standard mode) how long to wait and calls ``time.sleep``
with it; aiobotocore's awaits ``AioEndpoint._sleep``. While any mock is active
(the botocore hook applies :func:`patch` with its own), and only for
operations of the SQS service model answered by a mock:

- ``_needs_retry`` is wrapped to note, in a context variable, the mock that
  answers (so threads and asyncio tasks never see each other's note);
- ``botocore.endpoint``'s module name ``time`` is a proxy whose ``sleep``
  hands the delay to that mock, and ``AioEndpoint._sleep`` does the same.

The mock's dispatcher decides (``Dispatcher.back_off``): under
``clock="virtual"`` the thread that drives time moves virtual time by the
delay, as its long polls do, and other threads go on at once; under
``clock="system"`` the client sleeps for real. Every other sleep, and every
other service, is untouched; retry decisions stay botocore's own. Adaptive
mode's client-side rate limiter still waits in wall time.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import botocore.endpoint
from botocore.endpoint import Endpoint

from pytest_sqsmock.transports import botocore_hook
from pytest_sqsmock.transports.dispatch import Dispatcher

_NEEDS_RETRY = "_needs_retry"
_SLEEP = "_sleep"
BackOff = Callable[[float], bool]
"""Spends a delay in seconds; False when the caller must really sleep."""

# The mock answering the SQS call whose retry is being decided, if any.
_back_off: contextvars.ContextVar[BackOff | None] = contextvars.ContextVar("pytest_sqsmock_back_off", default=None)


class _TimeForEndpoints(ModuleType):
    """``time`` as ``botocore.endpoint`` sees it: ``sleep`` asks the answering mock first."""

    def __init__(self) -> None:
        super().__init__("time")

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        back_off = _back_off.get()
        if back_off is None or not back_off(seconds):
            time.sleep(seconds)


def patch() -> Callable[[], None]:
    """Spend SQS retry back-off through the answering mock; returns the undo."""
    original_time = getattr(botocore.endpoint, "time")  # noqa: B009 - not in the stubs
    original_needs_retry = getattr(Endpoint, _NEEDS_RETRY)

    def needs_retry(endpoint: Endpoint, attempts: int, operation_model: Any, *args: Any, **kwargs: Any) -> Any:
        token = _back_off.set(back_off_for(operation_model))
        try:
            return original_needs_retry(endpoint, attempts, operation_model, *args, **kwargs)
        finally:
            _back_off.reset(token)

    setattr(botocore.endpoint, "time", _TimeForEndpoints())  # noqa: B010 - a module global, by name
    setattr(Endpoint, _NEEDS_RETRY, needs_retry)
    undo_async = _patch_aiobotocore()

    def undo() -> None:
        undo_async()
        setattr(Endpoint, _NEEDS_RETRY, original_needs_retry)
        setattr(botocore.endpoint, "time", original_time)  # noqa: B010

    return undo


def back_off_for(operation_model: Any) -> BackOff | None:
    """The ``back_off`` of the mock answering this operation, if it is SQS's and a mock answers."""
    service_model = getattr(operation_model, "service_model", None)
    if getattr(service_model, "service_name", None) != "sqs":
        return None
    owner = getattr(botocore_hook.current(), "__self__", None)
    return owner.back_off if isinstance(owner, Dispatcher) else None


def _patch_aiobotocore() -> Callable[[], None]:
    try:
        if importlib.util.find_spec("aiobotocore") is None:
            return _nothing
        module: Any = importlib.import_module("aiobotocore.endpoint")
    except ImportError:
        return _nothing
    endpoint_class = getattr(module, "AioEndpoint", None)
    original_needs_retry = None if endpoint_class is None else vars(endpoint_class).get(_NEEDS_RETRY)
    if original_needs_retry is None:  # not the aiobotocore this was written for
        return _nothing

    async def needs_retry(endpoint: Any, attempts: int, operation_model: Any, *args: Any, **kwargs: Any) -> Any:
        token = _back_off.set(back_off_for(operation_model))
        try:
            return await original_needs_retry(endpoint, attempts, operation_model, *args, **kwargs)
        finally:
            _back_off.reset(token)

    undos = [_replace(endpoint_class, _NEEDS_RETRY, needs_retry)]
    # AioEndpoint sleeps with asyncio, its httpx subclass AnyioEndpoint with anyio.
    for name in ("AioEndpoint", "AnyioEndpoint"):
        cls = getattr(module, name, None)
        original_sleep = None if cls is None else vars(cls).get(_SLEEP)
        if original_sleep is not None:
            undos.append(_replace(cls, _SLEEP, _virtual_sleep(original_sleep)))

    def undo() -> None:
        while undos:
            undos.pop()()

    return undo


def _virtual_sleep(original_sleep: Any) -> Any:
    async def sleep(endpoint: Any, seconds: float) -> None:
        back_off = _back_off.get()
        if back_off is None or not back_off(seconds):
            await original_sleep(endpoint, seconds)

    return sleep


def _replace(owner: Any, name: str, value: Any) -> Callable[[], None]:
    original = vars(owner)[name]
    setattr(owner, name, value)
    return lambda: setattr(owner, name, original)


def _nothing() -> None:
    """Nothing was patched."""
