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
    (say, one poll-process-delete iteration) until the condition holds; when
    a step changes nothing, time jumps to the next scheduled event. Without
    ``step``, consumers run in their own threads: whenever they go quiet, time
    jumps to the next event (a message turning visible) or by one second.

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
        activity = mock.activity
        started_ms = mock.now_ms
        if step is not None:
            step()
            progressed = mock.activity != activity or mock.now_ms != started_ms
        else:
            progressed = _wait_for_quiet(mock, activity)
        if not progressed and not condition():
            _jump(mock, deadline_ms)
    raise SqsMockAssertionError(
        f"condition still false after {(mock.now_ms - deadline_ms + budget_ms) / 1000:g} s of virtual time"
        f" (limit {budget_ms / 1000:g} s).\n{mock.describe()}"
    )


def _wait_for_quiet(mock: SqsMock, activity: int) -> bool:
    """Let consumer threads work until they make no call for ``QUIET_S``; True if they made any."""
    seen = activity
    while True:
        time.sleep(QUIET_S)
        if mock.activity == seen:
            return seen != activity
        seen = mock.activity


def _jump(mock: SqsMock, deadline_ms: int) -> None:
    next_event = mock.next_event_ms
    now = mock.now_ms
    target = now + round(IDLE_STEP_S * 1000) if next_event is None or next_event <= now else next_event
    mock.advance(max(0, min(target, deadline_ms) - now) / 1000)
