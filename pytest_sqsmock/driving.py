"""Driving consumers on the virtual clock until something holds, without sleeping.

Virtual time moves here only when the simulation knows that every consumer
is parked in a long poll (service/polling/consumers.py), never because a consumer
was quiet for a while: the same test gives the same result on an idle
machine and on a loaded one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta

from pytest_sqsmock.exceptions import SqsMockAssertionError
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.polling.consumers import ConsumersBusy
from pytest_sqsmock.simulation import Simulation
from pytest_sqsmock.transports import loop_time

# While a consumer thread is busy, how often an awaiting run_until looks again.
_BUSY_RECHECK_S = 0.005
# freezegun replaces time.monotonic while it runs; the consumers' budget is real time.
_real_monotonic = time.monotonic

# Virtual step when nothing is scheduled to happen.
IDLE_STEP_MS = 1000


def run_until(
    simulation: Simulation,
    condition: Callable[[], bool],
    *,
    step: Callable[[], object] | None = None,
    within: float | timedelta = 3600.0,
    max_steps: int = 100_000,
    consumers: int | None = None,
    timeout: float = 30.0,
) -> None:
    """Run consumers until ``condition()`` holds, moving virtual time as needed.

    With ``step``, the consumer runs in this thread: ``step()`` is called
    (say, one poll-process-delete iteration) until the condition holds, and
    time jumps to the next scheduled event whenever a step changes nothing.

    Without ``step``, consumers run in their own threads, coroutines or
    processes. Time jumps to the next scheduled event only once every known
    consumer is parked in a long poll and at least ``consumers`` long polls
    wait (default: one).

    Args:
        simulation: The simulation.
        condition: Checked before every move of time, without the simulation's lock.
        step: One iteration of a consumer that runs in this thread.
        within: Virtual seconds the condition has to come true.
        max_steps: Rounds at the most.
        consumers: How many long polls must be parked before time moves (0: none).
        timeout: Real seconds consumers have, each round, to park.

    Raises:
        SqsMockAssertionError: ``condition`` did not hold within ``within``
            seconds of virtual time (or ``max_steps``); the message shows every queue.
        ConsumersBusy: consumers did not park within ``timeout`` real seconds.
    """
    __tracebackhide__ = True
    simulation.require_virtual_clock("run_until()")
    service = simulation.service
    budget_ms = round((within.total_seconds() if isinstance(within, timedelta) else within) * 1000)
    deadline_ms = service.now_ms() + budget_ms
    expected = 1 if consumers is None else consumers
    for _ in range(max_steps):
        if condition():
            return
        if service.now_ms() >= deadline_ms:
            break
        if step is not None:
            before = (service.now_ms(), simulation.state_signature())
            step()
            if (service.now_ms(), simulation.state_signature()) != before or condition():
                continue
            with service.lock:
                _jump(service, deadline_ms)
        else:
            with service.lock:
                service.await_settled(expected, timeout)
            if condition():
                return
            with service.lock:
                # A consumer may have been handed something meanwhile: then look again first.
                if not service.settled(expected):
                    continue
                _jump(service, deadline_ms)
        simulation.time_moved()
    raise SqsMockAssertionError(
        f"condition still false after {(service.now_ms() - deadline_ms + budget_ms) / 1000:g} s of virtual time"
        f" (limit {budget_ms / 1000:g} s).\n{simulation.describe()}"
    )


async def run_until_async(
    simulation: Simulation,
    condition: Callable[[], bool],
    *,
    within: float | timedelta = 3600.0,
    max_steps: int = 100_000,
    consumers: int | None = None,
    timeout: float = 30.0,
) -> None:
    """:func:`run_until` for coroutines: the loop runs while it waits.

    Time moves only when the event loop is idle (no callback ready, no timer
    due before the next event: transports/loop_time.py), every consumer
    thread is parked, and at least ``consumers`` long polls wait (default one).

    Raises:
        SqsMockAssertionError: ``condition`` did not hold within ``within`` seconds of virtual time.
        ConsumersBusy: consumers did not park within ``timeout`` real seconds.
    """
    __tracebackhide__ = True
    simulation.require_virtual_clock("run_until_async()")
    service = simulation.service
    loop = asyncio.get_running_loop()
    budget_ms = round((within.total_seconds() if isinstance(within, timedelta) else within) * 1000)
    deadline_ms = service.now_ms() + budget_ms
    expected = 1 if consumers is None else consumers
    busy_since: float | None = None
    for _ in range(max_steps):
        if condition():
            return
        now = service.now_ms()
        if now >= deadline_ms:
            break
        next_event = service.next_event_ms()
        horizon_ms = deadline_ms if next_event is None else min(max(next_event, now), deadline_ms)
        await loop_time.until_idle(loop, (horizon_ms - now) / 1000)
        if condition():
            return
        with service.lock:
            settled = service.settled(expected)
            if settled:
                _jump(service, deadline_ms)
        if settled:
            busy_since = None
            simulation.time_moved()
            continue
        busy_since = _real_monotonic() if busy_since is None else busy_since
        if _real_monotonic() - busy_since > timeout:
            with service.lock:
                raise ConsumersBusy(service.consumers.describe(), expected, timeout)
        await asyncio.sleep(_BUSY_RECHECK_S)
    raise SqsMockAssertionError(
        f"condition still false after {(service.now_ms() - deadline_ms + budget_ms) / 1000:g} s of virtual time"
        f" (limit {budget_ms / 1000:g} s).\n{simulation.describe()}"
    )


def _jump(service: Service, deadline_ms: int) -> None:
    """Move to the next scheduled event (lock held), or one idle step when nothing is scheduled."""
    now = service.now_ms()
    next_event = service.next_event_ms()
    target = now + IDLE_STEP_MS if next_event is None or next_event <= now else next_event
    service.advance_to(max(now, min(target, deadline_ms)))
