"""The direct path's retry step: ``needs-retry`` is skipped on a success only where it could do nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.hooks import BaseEventHooks, HierarchicalEmitter
from botocore.retryhandler import RetryHandler

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports.direct_retries import RetryStep
from pytest_sqsmock.transports.private_hooks import PrivateHookError

CALLS = 4  # past the first call (full path), the first emission, and the one that learns the handlers


@pytest.fixture
def sqs_mock_direct() -> Iterator[SqsMock]:
    with mock_sqs(direct=True) as sqs_mock:
        yield sqs_mock


def after_call_contexts(client: Any) -> list[dict[str, Any]]:
    contexts: list[dict[str, Any]] = []
    client.meta.events.register("after-call.sqs.ListQueues", lambda context, **_: contexts.append(context))
    return contexts


def test_a_needs_retry_handler_of_the_tests_is_called_on_every_success(sqs_mock_direct: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    for _ in range(CALLS):
        sqs.list_queues()
    called: list[int] = []
    sqs.meta.events.register("needs-retry.sqs.ListQueues", lambda attempts, **_: called.append(attempts))
    for _ in range(CALLS):
        sqs.list_queues()
    assert called == [1] * CALLS


def test_a_success_notes_the_attempt_limit_in_the_retries_context_as_the_full_path_does() -> None:
    limits: dict[bool, list[Any]] = {}
    for direct in (False, True):
        with mock_sqs(direct=direct):
            sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"max_attempts": 7}))
            contexts = after_call_contexts(sqs)
            for _ in range(CALLS):
                sqs.list_queues()
            limits[direct] = [context["retries"].get("max") for context in contexts]
    assert limits[False] == [8] * CALLS  # legacy mode counts the first attempt too
    assert limits[True] == limits[False]


def test_debug_logging_of_the_retry_handler_still_sees_every_success(
    sqs_mock_direct: SqsMock, caplog: pytest.LogCaptureFixture
) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    for _ in range(CALLS):
        sqs.list_queues()
    with caplog.at_level(logging.DEBUG, logger="botocore.retryhandler"):
        for _ in range(CALLS):
            sqs.list_queues()
    assert [record.getMessage() for record in caplog.records].count("No retry needed.") == CALLS


def test_failures_after_quiet_successes_are_still_retried(sqs_mock_direct: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    legacy = boto3.client("sqs", region_name="us-east-1")
    for client in (sqs, legacy):
        for _ in range(CALLS):
            client.list_queues()
        sqs_mock_direct.faults.fail_next("ListQueues", code="ServiceUnavailable", times=2)
        assert client.list_queues()["ResponseMetadata"]["RetryAttempts"] == 2


class _Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1


def _legacy(checker: Any) -> RetryHandler:
    """botocore's legacy retry handler around ``checker`` (called with the attempt; falsy: no retry)."""
    return RetryHandler(checker, lambda attempts: 0.0)


def _success() -> dict[str, Any]:
    http = AWSResponse("https://sqs.us-east-1.amazonaws.com/", 200, {}, None)  # type: ignore[arg-type]
    return {"response": (http, {"ResponseMetadata": {}}), "caught_exception": None, "attempts": 1}


def after_a_success(step: RetryStep) -> Any:
    """What the direct path does after a successful attempt: skip the event, or emit it."""
    success = _success()
    event, retries = "needs-retry.sqs.ListQueues", {"attempt": 1}
    return None if step.skips(event, success["response"][0], retries) else step.delay(event, retries, **success)


def test_an_emitter_of_another_kind_is_always_emitted_to() -> None:
    class Recording(BaseEventHooks):
        def __init__(self) -> None:
            self.emitted = 0

        def emit(self, event_name: str, **kwargs: Any) -> list[tuple[Any, Any]]:
            self.emitted += 1
            return [(_legacy(lambda **_: False), None)]

    emitter = Recording()
    step = RetryStep(emitter)
    for _ in range(CALLS):
        assert after_a_success(step) is None
    assert emitter.emitted == CALLS


def test_a_handler_that_is_not_botocores_retry_handler_is_never_skipped() -> None:
    emitter = HierarchicalEmitter()
    handler = _Counting()
    emitter.register("needs-retry.sqs", handler)
    step = RetryStep(emitter)
    for _ in range(CALLS):
        after_a_success(step)
    assert handler.calls == CALLS


def test_a_botocore_whose_emitter_caches_otherwise_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def emit(self: Any, event_name: str, kwargs: Any, stop_on_response: bool = False) -> list[Any]:
        return []

    monkeypatch.setattr(HierarchicalEmitter, "_emit", emit)
    with pytest.raises(PrivateHookError, match="_emit no longer uses _lookup_cache"):
        mock_sqs(direct=True).start()


def test_botocores_legacy_retry_handler_is_skipped_on_successes_once_seen_to_do_nothing() -> None:
    checks = _Counting()
    emitter = HierarchicalEmitter()
    emitter.register("needs-retry.sqs", _legacy(checks))
    step = RetryStep(emitter)
    for _ in range(CALLS):
        assert after_a_success(step) is None
    assert checks.calls == 1
    emitter.register("needs-retry.sqs.ListQueues", other := _Counting())  # a new handler: seen afresh
    after_a_success(step)
    assert (checks.calls, other.calls) == (2, 1)
