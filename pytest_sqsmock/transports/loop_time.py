"""Long polls awaited on the event loop of the thread that drives virtual time.

Such a poll must neither block the loop (other coroutines may be about to
send) nor wait forever (nobody else moves time). So the poll waits in a
helper thread as a consumer of its own, the asyncio task that awaits it, and
the awaiting coroutine moves virtual time only once the loop is idle: no
callback is ready and no timer of the loop falls due within the poll's wait.
A producer coroutine that sends 50 ms (of loop time) later therefore wakes the
poll; a poll that nothing can answer moves time to its next event at once.

Without looptime the loop's timers run in real time, so a coroutine that
sleeps 50 ms costs 50 ms of wall time; under looptime (which fast-forwards the
loop's clock when it is idle) it costs none. Whether the loop is idle is read
from asyncio's own event loop (``_ready``, ``_scheduled``: see
docs/decisions/asyncio-idle-loop.md); on a loop without them (uvloop) the poll
moves time as soon as it parks, as on the test's thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.polling import consumers

# While a thread consumer is busy, how often the loop looks again (its end is not announced to the loop).
_BUSY_RECHECK_S = 0.005


def task_consumer() -> consumers.Consumer:
    """The consumer that is the current asyncio task."""
    task = asyncio.current_task()
    if task is None:  # not inside a task (trio): the loop's thread stands for it
        return consumers.current()
    return consumers.Consumer(f"task {task.get_name()!r}", lambda: not task.done(), awaited=False, key=task)


async def await_long_poll(
    service: Service, consumer: consumers.Consumer, answer: Awaitable[Any], run: Callable[[], None]
) -> Any:
    """Await ``answer`` (a call made by ``run`` in a helper thread), moving virtual time whenever the loop idles."""
    loop = asyncio.get_running_loop()
    parked = asyncio.Event()

    def announce_parked() -> None:  # called by the helper thread, under the simulation's lock
        loop.call_soon_threadsafe(parked.set)

    consumer.on_park = announce_parked
    outcome = asyncio.ensure_future(answer)
    context = contextvars.copy_context()
    context.run(consumers.bind, consumer)
    threading.Thread(target=context.run, args=(run,), name="sqsmock-aiobotocore", daemon=True).start()
    while not outcome.done():
        if consumer.parks == 0:  # not waiting yet: answered at once, or about to park
            waiter = asyncio.ensure_future(parked.wait())
            await asyncio.wait({outcome, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            continue
        await until_idle(loop, _remaining_wait_s(service))
        if outcome.done():
            break
        with service.lock:
            if not consumer.parked:  # answered: the helper thread is handing the answer over
                moved = None
            elif service.settled(None):
                moved = service.step_waiting_polls()
            else:
                moved = False
        if moved is None:
            await asyncio.wait({outcome})
        elif not moved:
            await asyncio.sleep(_BUSY_RECHECK_S)
    return outcome.result()


def _remaining_wait_s(service: Service) -> float:
    with service.lock:
        deadline = service.polls.next_deadline_ms()
        return 0.0 if deadline is None else max(0.0, (deadline - service.now_ms()) / 1000)


async def until_idle(loop: asyncio.AbstractEventLoop, horizon_s: float) -> None:
    """Return once no callback is ready and no timer falls due within ``horizon_s`` seconds of loop time."""
    ready: Any = getattr(loop, "_ready", None)
    scheduled: Any = getattr(loop, "_scheduled", None)
    if ready is None or scheduled is None:
        if isinstance(loop, asyncio.BaseEventLoop):  # asyncio itself changed: say so rather than guess
            raise SqsMockError(
                f"pytest_sqsmock reads asyncio's ready queue and timers to tell when the loop is idle, and this "
                f"Python ({sys.version.split()[0]}) has neither BaseEventLoop._ready nor ._scheduled; please report "
                "it (docs/decisions/asyncio-idle-loop.md)"
            )
        return  # another loop (uvloop): treated as idle, as documented
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = _IdleWatch(loop, ready, scheduled)
    await watch.wait(horizon_s)


class _IdleWatch:
    """One per loop: resolves waiters when the loop is idle (waiters must not see each other as work)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, ready: Any, scheduled: Any) -> None:
        self._loop = loop
        self._ready = ready
        self._scheduled = scheduled
        self._waiters: list[tuple[asyncio.Future[None], float]] = []
        self._handle: asyncio.Handle | None = None

    def wait(self, horizon_s: float) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append((future, horizon_s))
        self._arm(self._loop.call_soon(self._check))
        return future

    def _arm(self, handle: asyncio.Handle) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = handle

    def _check(self) -> None:
        self._handle = None
        self._waiters = [(future, horizon) for future, horizon in self._waiters if not future.done()]
        if not self._waiters:
            return
        if self._ready:  # other callbacks run first
            self._arm(self._loop.call_soon(self._check))
            return
        now = self._loop.time()
        timers = [handle.when() for handle in self._scheduled if not handle.cancelled()]
        next_check: float | None = None
        for future, horizon in self._waiters:
            due = [when for when in timers if when <= now + horizon]
            if due:
                next_check = min(due) if next_check is None else min(next_check, *due)
            else:
                future.set_result(None)
        if next_check is not None:
            self._arm(self._loop.call_at(next_check, self._check))


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _IdleWatch] = weakref.WeakKeyDictionary()
