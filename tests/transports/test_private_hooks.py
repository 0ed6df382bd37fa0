"""The private botocore/aiobotocore hooks fail loudly, naming the versions, when they cannot apply.

And the facts that keep them private (docs/decisions/private-*.md) are pinned here:
when one of these tests fails, botocore changed, and a hook may be retired.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import io
import os
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
import botocore.endpoint
import botocore.handlers
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from pytest_sqsmock import NetworkBlockedError, SqsMockError, mock_sqs
from pytest_sqsmock.transports import botocore_hook, private_hooks, retry_backoff
from pytest_sqsmock.transports.private_hooks import PrivateHookError


def _originals() -> list[tuple[Any, str, Any]]:
    """Every attribute a hook replaces, as botocore and aiobotocore define it (read at collection)."""
    owners: list[Any] = [Endpoint, botocore.endpoint]
    try:
        module = importlib.import_module("aiobotocore.endpoint")
    except ImportError:
        pass
    else:
        owners += [module, *(vars(module).get(name) for name in ("AioEndpoint", "AnyioEndpoint"))]
    names = ("_send", "_needs_retry", "_sleep", "time", "asyncio")
    return [
        (owner, name, vars(owner)[name])
        for owner in owners
        if owner is not None
        for name in names
        if name in vars(owner)
    ]


ORIGINALS = _originals()
KEYS: dict[str, Any] = {
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "secret",
    "region_name": "us-east-1",
}
SEND_RECORD = "docs/decisions/private-endpoint-send.md"
RETRY_RECORD = "docs/decisions/private-retry-sleep.md"


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore as if no mock had run, and a start that fails leaves nothing monkeypatch does not restore.

    A thread an earlier test left running keeps the hooks applied (it is fenced in); this
    test sees botocore's own methods and an empty hook stack meanwhile, and the real send
    is replaced by one that refuses, so nothing reaches the network either way.
    """
    for owner, name, value in ORIGINALS:
        monkeypatch.setattr(owner, name, value)

    def refuse(endpoint: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        raise NetworkBlockedError(f"test_private_hooks: no network ({request.url})")

    monkeypatch.setattr(Endpoint, "_send", refuse)
    for state in ("_stack", "_passthrough", "_callers", "_owners", "_elders", "_fences", "_undos"):
        monkeypatch.setattr(botocore_hook, state, [])
    monkeypatch.setattr(botocore_hook, "_original_send", None)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def start_fails() -> str:
    """Start a mock, expecting the loud failure; returns its message after checking nothing stayed patched."""
    before = patched_state()
    with pytest.raises(PrivateHookError) as failure, mock_sqs():
        pytest.fail("the mock started")
    assert isinstance(failure.value, SqsMockError)
    assert patched_state() == before
    message = str(failure.value)
    assert f"botocore {botocore.__version__}, aiobotocore " in message
    return message


def patched_state() -> list[Any]:
    """Every attribute a hook may replace, as it is now."""
    owners: list[Any] = [Endpoint, botocore.endpoint]
    if _has_aiobotocore():
        module = importlib.import_module("aiobotocore.endpoint")
        owners += [module, *(vars(module).get(name) for name in ("AioEndpoint", "AnyioEndpoint"))]
    names = ("_send", "_needs_retry", "_sleep", "time", "asyncio")
    return [vars(owner).get(name) for owner in owners if owner is not None for name in names]


def aio_endpoint() -> Any:
    return pytest.importorskip("aiobotocore.endpoint").AioEndpoint


def aiobotocore_version() -> str:
    return importlib.metadata.version("aiobotocore")


# -- botocore -------------------------------------------------------------------------


def test_a_botocore_without_endpoint_send_fails_at_start_naming_version_and_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(Endpoint, "_send")
    message = start_fails()
    assert "botocore.endpoint.Endpoint._send does not exist" in message
    assert SEND_RECORD in message


def test_an_endpoint_send_with_another_signature_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def send(self: Endpoint, request: AWSPreparedRequest, stream: bool) -> AWSResponse:
        raise AssertionError("never called")

    monkeypatch.setattr(Endpoint, "_send", send)
    message = start_fails()
    assert "Endpoint._send has the signature (self, request, stream), not (self, request, ...)" in message


def test_an_endpoint_send_that_botocore_no_longer_calls_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def do_get_response(self: Endpoint, request: Any, operation_model: Any, context: Any) -> Any:
        return self.http_session.send(request)

    monkeypatch.setattr(Endpoint, "_do_get_response", do_get_response)
    assert "Endpoint._do_get_response no longer uses _send" in start_fails()


def test_a_botocore_without_needs_retry_fails_naming_the_retry_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(Endpoint, "_needs_retry")
    message = start_fails()
    assert "Endpoint._needs_retry does not exist" in message
    assert RETRY_RECORD in message


def test_a_back_off_that_no_longer_sleeps_through_the_module_time_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_retry(self: Endpoint, attempts: int, operation_model: Any, request_dict: Any, **kwargs: Any) -> bool:
        return False

    monkeypatch.setattr(Endpoint, "_needs_retry", needs_retry)
    assert "Endpoint._needs_retry no longer uses time, sleep" in start_fails()


def test_a_botocore_endpoint_module_without_time_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(botocore.endpoint, "time")
    assert "botocore.endpoint.time does not exist" in start_fails()


def test_a_failing_patcher_leaves_nothing_patched() -> None:
    # aiobotocore's hooks apply before retry's: break the last one, so that the others are undone.
    with pytest.MonkeyPatch.context() as broken:
        broken.setattr(Endpoint, "_needs_retry", lambda self, attempts: False)
        message = start_fails()
    assert "has the signature (self, attempts), not (self, attempts, operation_model, request_dict, ...)" in message
    before = patched_state()
    with mock_sqs():  # once botocore is whole again, a mock starts
        assert patched_state() != before
    assert patched_state() == before


def _has_aiobotocore() -> bool:
    try:
        importlib.import_module("aiobotocore.endpoint")
    except ImportError:
        return False
    return True


# -- aiobotocore ----------------------------------------------------------------------


def test_an_aiobotocore_without_send_fails_naming_both_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = aio_endpoint()
    monkeypatch.delattr(endpoint, "_send")  # then botocore's synchronous Endpoint._send is inherited
    message = start_fails()
    assert f"aiobotocore {aiobotocore_version()}" in message
    assert "aiobotocore.endpoint.AioEndpoint._send is not a coroutine function" in message
    assert SEND_RECORD in message
    assert vars(endpoint).get("_send") is None


def test_an_aiobotocore_without_needs_retry_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = aio_endpoint()
    monkeypatch.delattr(endpoint, "_needs_retry")
    message = start_fails()
    assert "AioEndpoint._needs_retry is not a coroutine function" in message
    assert RETRY_RECORD in message
    assert vars(endpoint)["_send"].__name__ == "_send"  # its send hook, applied first, was undone


def test_an_aiobotocore_whose_back_off_sleeps_elsewhere_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    async def needs_retry(self: Any, attempts: int, operation_model: Any, request_dict: Any, **kwargs: Any) -> bool:
        return False

    monkeypatch.setattr(aio_endpoint(), "_needs_retry", needs_retry)
    assert "AioEndpoint._needs_retry no longer uses _sleep" in start_fails()


def test_an_aiobotocore_module_without_its_endpoint_class_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    module = pytest.importorskip("aiobotocore.endpoint")
    monkeypatch.delattr(module, "AioEndpoint")
    assert "aiobotocore.endpoint.AioEndpoint does not exist" in start_fails()


def test_an_aiobotocore_before_endpoint_sleep_gets_its_asyncio_sleep_virtualised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # aiobotocore before 3.9.0: _needs_retry awaits asyncio.sleep itself; there is no _sleep.
    async def send_request(self: Any, request_dict: Any, operation_model: Any) -> None:
        await self._needs_retry(1, operation_model, request_dict)

    async def needs_retry(self: Any, attempts: int, operation_model: Any, request_dict: Any) -> bool:
        await asyncio.sleep(0.25)
        return True

    module: Any = types.ModuleType("aiobotocore.endpoint")
    module.AioEndpoint = type("AioEndpoint", (), {"_send_request": send_request, "_needs_retry": needs_retry})
    module.asyncio = asyncio
    monkeypatch.setattr(importlib, "import_module", lambda name: module)
    slept: list[float] = []

    async def record(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return result

    undo = retry_backoff._patch_aiobotocore()
    proxy = module.asyncio
    assert proxy is not asyncio
    assert proxy.Event is asyncio.Event
    monkeypatch.setattr(asyncio, "sleep", record)
    assert asyncio.run(proxy.sleep(0.5, "real")) == "real"  # no SQS retry being decided: a real sleep
    token = retry_backoff._back_off.set(lambda seconds: True)
    try:
        assert asyncio.run(proxy.sleep(8, "virtual")) == "virtual"
    finally:
        retry_backoff._back_off.reset(token)
    assert slept == [0.5]
    undo()
    assert module.asyncio is asyncio


def test_an_anyio_endpoint_that_inherits_its_sleep_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    async def send_request(self: Any, request_dict: Any, operation_model: Any) -> None:
        await self._needs_retry(1, operation_model, request_dict)

    async def needs_retry(self: Any, attempts: int, operation_model: Any, request_dict: Any) -> bool:
        await self._sleep(0)
        return False

    async def sleep(self: Any, sleep_amount: float) -> None:
        """Never awaited here."""

    base = type("AioEndpoint", (), {"_send_request": send_request, "_needs_retry": needs_retry, "_sleep": sleep})
    anyio_endpoint = type("AnyioEndpoint", (base,), {})
    fake = types.SimpleNamespace(AioEndpoint=base, AnyioEndpoint=anyio_endpoint)
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)

    undo = retry_backoff._patch_aiobotocore()
    assert vars(base)["_sleep"] is not sleep
    assert "_sleep" not in vars(anyio_endpoint)
    undo()
    assert vars(base)["_sleep"] is sleep


# -- the checks themselves --------------------------------------------------------------


def test_an_inherited_method_is_replaced_on_the_class_and_removed_again() -> None:
    base = type("Base", (), {"_send": lambda self, request: None})
    child = type("Child", (base,), {})
    undo = private_hooks.replace(child, "_send", "wrapped")
    assert vars(child)["_send"] == "wrapped"
    undo()
    assert "_send" not in vars(child)
    assert "_send" in vars(base)


def test_a_method_taking_any_arguments_passes_and_one_without_a_signature_fails() -> None:
    owner = type("Owner", (), {"_any": lambda *args: None, "_builtin": len, "_missing": None})
    assert private_hooks.method(owner, "_any", ("request",), record="r.md") is vars(owner)["_any"]
    with pytest.raises(PrivateHookError, match=r"Owner\._builtin has the signature"):
        private_hooks.method(owner, "_builtin", ("request",), record="r.md")
    with pytest.raises(PrivateHookError, match=r"_missing does not exist"):
        private_hooks.calls(owner, "_missing", ("_send",), record="r.md")


def test_the_versions_say_when_aiobotocore_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        if name == "aiobotocore":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert private_hooks.versions() == f"botocore {botocore.__version__}, aiobotocore (not installed)"


def test_every_record_named_in_an_error_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    for record in (private_hooks.SEND_RECORD, private_hooks.RETRY_RECORD):
        text = (root / record).read_text()
        assert "**How to retire it.**" in text, record


# -- why the hooks stay private (docs/decisions/private-endpoint-send.md) ------------------


class _Raw(io.BytesIO):
    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def test_botocore_calls_every_before_send_handler_even_after_one_answered() -> None:
    # So a before-send handler of ours could not let an earlier one (moto, a client's own) answer
    # alone: it would serve the call a second time, or refuse a call another mock already answered.
    seen: list[str] = []
    sqs = boto3.session.Session().client("sqs", **KEYS)
    query = sqs.meta.service_model.protocol == "query"

    def answer(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse:
        headers: Any = {"Content-Type": "text/xml" if query else "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 200, headers, _Raw(_LIST_QUEUES_XML if query else b"{}"))

    def later(request: AWSPreparedRequest, event_name: str, **kwargs: Any) -> None:
        seen.append(event_name)

    handler: Any = answer
    sqs.meta.events.register("before-send.sqs.ListQueues", handler)
    sqs.meta.events.register_last("before-send.sqs", later)
    assert sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert seen == ["before-send.sqs.ListQueues"]


def test_builtin_handlers_do_not_reach_a_client_made_before_they_were_added() -> None:
    seen: list[str] = []

    def ours(event_name: str, **kwargs: Any) -> None:
        seen.append(event_name)

    entry = ("before-send.sqs", ours, botocore.handlers.REGISTER_LAST)
    early = boto3.session.Session().client("sqs", endpoint_url="http://127.0.0.1:9", **KEYS)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)
    try:
        late = boto3.session.Session().client("sqs", endpoint_url="http://127.0.0.1:9", **KEYS)
        late.meta.events.emit("before-send.sqs.ListQueues", request=None)
        early.meta.events.emit("before-send.sqs.ListQueues", request=None)
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove(entry)
    assert seen == ["before-send.sqs.ListQueues"]  # the late client's only


_LIST_QUEUES_XML = (
    b'<ListQueuesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ListQueuesResult/>'
    b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListQueuesResponse>"
)


def test_a_failed_start_leaves_the_aws_environment_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    # The start fills in credentials and a region before it applies the hooks: a failure undoes that too.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Endpoint, "_needs_retry", lambda self, attempts: False)
    with pytest.raises(PrivateHookError), mock_sqs():
        pytest.fail("the mock started")
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ
