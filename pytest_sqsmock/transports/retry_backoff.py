"""botocore's retry back-off for SQS calls, spent in virtual time instead of wall time.

Between attempts botocore's ``Endpoint._needs_retry`` asks the client's retry
handler (legacy or standard mode) how long to wait and calls ``time.sleep``
with it; aiobotocore's awaits ``AioEndpoint._sleep`` (``asyncio.sleep`` before
aiobotocore 3.9.0). While any mock is active (the botocore hook
applies :func:`patch` with its own), and only for operations of the SQS
service model answered by a mock:

- ``_needs_retry`` is wrapped to note, in a context variable, the mock that
  answers (so threads and asyncio tasks never see each other's note);
- ``botocore.endpoint``'s module name ``time`` is a proxy whose ``sleep``
  hands the delay to that mock, and ``AioEndpoint._sleep`` (or
  ``aiobotocore.endpoint``'s module name ``asyncio``) does the same.

The mock's dispatcher decides (``Dispatcher.back_off``): under
``clock="virtual"`` the thread that drives time moves virtual time by the
delay, as its long polls do, and other threads go on at once; under
``clock="system"`` the client sleeps for real. Every other sleep, and every
other service, is untouched; retry decisions stay botocore's own. Adaptive
mode's client-side rate limiter still waits in wall time.

All of these are private: docs/decisions/private-retry-sleep.md says why the
public ``needs-retry`` event is not enough. :func:`patch` checks every one
before it replaces any, and raises ``PrivateHookError`` (naming the versions)
when one is not there in the shape it was written for.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import importlib.util
import inspect
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import botocore.endpoint
from botocore.endpoint import Endpoint

from pytest_sqsmock.transports import botocore_hook, private_hooks
from pytest_sqsmock.transports.dispatch import Dispatcher

_NEEDS_RETRY = "_needs_retry"
_SLEEP = "_sleep"
_RECORD = private_hooks.RETRY_RECORD
# The parameters every version from 1.34.50 on has; the wrappers pass on whatever follows.
_NEEDS_RETRY_PARAMETERS = ("attempts", "operation_model", "request_dict")
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


class _AsyncioForEndpoints(ModuleType):
    """``asyncio`` as an aiobotocore without ``AioEndpoint._sleep`` sees it: ``sleep`` asks the mock first."""

    def __init__(self) -> None:
        super().__init__("asyncio")

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        back_off = _back_off.get()
        if back_off is None or not back_off(delay):
            return await asyncio.sleep(delay, result)
        return result


def patch() -> Callable[[], None]:
    """Spend SQS retry back-off through the answering mock; returns the undo.

    Raises:
        PrivateHookError: botocore's (or aiobotocore's) retry loop is not the
            one this was written for; nothing is patched then.
    """
    original_needs_retry = private_hooks.method(
        Endpoint, _NEEDS_RETRY, _NEEDS_RETRY_PARAMETERS, record=_RECORD, called_by="_send_request"
    )
    private_hooks.calls(Endpoint, _NEEDS_RETRY, ("time", "sleep"), record=_RECORD)
    private_hooks.attribute(botocore.endpoint, "time", ModuleType, record=_RECORD)

    def needs_retry(endpoint: Endpoint, attempts: int, operation_model: Any, *args: Any, **kwargs: Any) -> Any:
        token = _back_off.set(back_off_for(operation_model))
        try:
            return original_needs_retry(endpoint, attempts, operation_model, *args, **kwargs)
        finally:
            _back_off.reset(token)

    undos = [_patch_aiobotocore()]  # checks aiobotocore's targets before it replaces any
    undos.append(private_hooks.replace(botocore.endpoint, "time", _TimeForEndpoints()))
    undos.append(private_hooks.replace(Endpoint, _NEEDS_RETRY, needs_retry))

    def undo() -> None:
        while undos:
            undos.pop()()

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
    except ImportError:  # built for another botocore: its clients cannot run either
        return _nothing
    endpoint_class = private_hooks.attribute(module, "AioEndpoint", type, record=_RECORD)
    original_needs_retry = private_hooks.method(
        endpoint_class,
        _NEEDS_RETRY,
        _NEEDS_RETRY_PARAMETERS,
        record=_RECORD,
        coroutine=True,
        called_by="_send_request",
    )

    async def needs_retry(endpoint: Any, attempts: int, operation_model: Any, *args: Any, **kwargs: Any) -> Any:
        token = _back_off.set(back_off_for(operation_model))
        try:
            return await original_needs_retry(endpoint, attempts, operation_model, *args, **kwargs)
        finally:
            _back_off.reset(token)

    replacements: list[tuple[Any, str, Any]] = [(endpoint_class, _NEEDS_RETRY, needs_retry)]
    code = getattr(inspect.unwrap(original_needs_retry), "__code__", None)
    if code is not None and _SLEEP not in code.co_names and {"asyncio", "sleep"} <= set(code.co_names):
        # Before aiobotocore had ``_sleep``, ``_needs_retry`` awaited ``asyncio.sleep`` itself.
        private_hooks.attribute(module, "asyncio", ModuleType, record=_RECORD)
        replacements.append((module, "asyncio", _AsyncioForEndpoints()))
    else:
        private_hooks.calls(endpoint_class, _NEEDS_RETRY, (_SLEEP,), record=_RECORD)
        # AioEndpoint sleeps with asyncio, its httpx subclass AnyioEndpoint (if any) with anyio.
        for cls in (endpoint_class, getattr(module, "AnyioEndpoint", None)):
            if isinstance(cls, type) and (cls is endpoint_class or _SLEEP in vars(cls)):
                original_sleep = private_hooks.method(cls, _SLEEP, ("sleep_amount",), record=_RECORD, coroutine=True)
                replacements.append((cls, _SLEEP, _virtual_sleep(original_sleep)))
    undos = [private_hooks.replace(owner, name, value) for owner, name, value in replacements]

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


def _nothing() -> None:
    """Nothing was patched."""
