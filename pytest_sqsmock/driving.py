"""Driving consumers on the virtual clock until something holds, without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from pytest_sqsmock.exceptions import SqsMockAssertionError

if TYPE_CHECKING:
    from pytest_sqsmock.mock import SqsMock

# Wall-clock pause that counts as "consumer threads are idle" (no SQS call made).
QUIET_S = 0.01
# Wall-clock bound on one wait for busy consumer threads (say, short polling in a loop).
BUSY_S = 0.2
# Virtual step when nothing is scheduled to happen.
IDLE_STEP_S = 1.0


def run_until(
    mock: SqsMock,
    condition: Callable[[], bool],
    *,
    step: Callable[[], object] | None = None,
    within: float | timedelta = 3600.0,
    max_steps: int = 100_000,
) -> None:
    """Run consumers until ``condition()`` holds, moving virtual time as needed.

    With ``step``, the consumer runs in this thread: ``step()`` is called
    (say, one poll-process-delete iteration) until the condition holds.
    Without ``step``, consumers run in their own threads and get wall time
    until they go quiet. Whenever a round changes neither the time nor any
    queue, time jumps to the next scheduled event (a message turning visible,
    a move) or by one second.

    Raises:
        SqsMockAssertionError: ``condition`` did not hold within ``within``
            seconds of virtual time (or ``max_steps``); the message shows every queue.
    """
    __tracebackhide__ = True
    budget_ms = round((within.total_seconds() if isinstance(within, timedelta) else within) * 1000)
    deadline_ms = mock.now_ms + budget_ms
    for _ in range(max_steps):
        if condition():
            return
        if mock.now_ms >= deadline_ms:
            break
        before = (mock.now_ms, mock.state_signature())
        if step is not None:
            step()
        else:
            _let_threads_work(mock)
        if (mock.now_ms, mock.state_signature()) == before and not condition():
            _jump(mock, deadline_ms)
    raise SqsMockAssertionError(
        f"condition still false after {(mock.now_ms - deadline_ms + budget_ms) / 1000:g} s of virtual time"
        f" (limit {budget_ms / 1000:g} s).\n{mock.describe()}"
    )


def _let_threads_work(mock: SqsMock) -> None:
    """Give consumer threads wall time until they make no call for ``QUIET_S`` (at most ``BUSY_S``)."""
    started = time.monotonic()
    seen = mock.activity
    while time.monotonic() - started < BUSY_S:
        time.sleep(QUIET_S)
        if mock.activity == seen:
            return
        seen = mock.activity


def _jump(mock: SqsMock, deadline_ms: int) -> None:
    next_event = mock.next_event_ms
    now = mock.now_ms
    target = now + round(IDLE_STEP_S * 1000) if next_event is None or next_event <= now else next_event
    mock.advance(max(0, min(target, deadline_ms) - now) / 1000)
