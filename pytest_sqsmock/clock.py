"""Time for the simulation: a virtual clock (the default) or the process clock.

The model never reads the wall clock; it is handed ``now_ms`` by the service,
which asks one of these clocks. Integer milliseconds are SQS's own unit.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """Where the simulation reads the time and how a long poll waits."""

    def now_ms(self) -> int:
        """The current time in epoch milliseconds."""
        ...

    def wait(self, condition: threading.Condition, deadline_ms: int) -> bool:
        """Wait on ``condition`` (held by the caller) until ``deadline_ms`` at the latest.

        Returns True when the wait ran its full course (not woken early), even
        if this clock does not show ``deadline_ms`` yet (a frozen clock).
        """
        ...


def _wall_ms() -> int:
    # Through the module so that freezegun and time-machine, which patch
    # ``time.time_ns``, move it.
    return time.time_ns() // 1_000_000


class VirtualClock:
    """A clock that moves only when told to.

    A long poll made by the thread that drives time (the one that created the
    clock: the test) never blocks: waiting simply moves virtual time to the
    deadline, so a 20-second wait costs microseconds of wall time. A long poll
    made by any other thread (a consumer running beside the test) blocks
    until a message arrives or the test's ``advance()`` passes its deadline.
    """

    # Wall-clock bound of one blocked wait, so a missed wake-up costs at most this.
    _WAKE_CHECK_S = 0.5

    def __init__(self, start_ms: int | None = None) -> None:
        self._now_ms = _wall_ms() if start_ms is None else start_ms
        self._lock = threading.Lock()
        self.driver_thread = threading.get_ident()

    def now_ms(self) -> int:
        """The current virtual time in epoch milliseconds."""
        return self._now_ms

    def advance_ms(self, delta_ms: int) -> None:
        """Move forward by ``delta_ms`` (never backwards)."""
        if delta_ms < 0:
            raise ValueError(f"cannot move time backwards (by {delta_ms} ms)")
        with self._lock:
            self._now_ms += delta_ms

    def move_to_ms(self, when_ms: int) -> None:
        """Move forward to ``when_ms``; a time in the past is an error."""
        with self._lock:
            if when_ms < self._now_ms:
                raise ValueError(f"cannot move time backwards (from {self._now_ms} ms to {when_ms} ms)")
            self._now_ms = when_ms

    def wait(self, condition: threading.Condition, deadline_ms: int) -> bool:
        """Jump to ``deadline_ms`` on the driving thread; block until woken elsewhere."""
        if threading.get_ident() == self.driver_thread:
            with self._lock:
                self._now_ms = max(self._now_ms, deadline_ms)
            return True
        condition.wait(self._WAKE_CHECK_S)
        return self._now_ms >= deadline_ms


class SystemClock:
    """The process clock, read at every call so that freezegun and time-machine move it."""

    def now_ms(self) -> int:
        """The current process time in epoch milliseconds."""
        return _wall_ms()

    def wait(self, condition: threading.Condition, deadline_ms: int) -> bool:
        """Block on ``condition`` until notified or the deadline passes (in real time).

        The wait is measured by the lock, not by this clock, so a long poll
        under a frozen freezegun clock still ends after its wait time.
        """
        remaining_ms = deadline_ms - _wall_ms()
        if remaining_ms <= 0:
            return True
        return not condition.wait(remaining_ms / 1000)


def to_datetime(epoch_ms: int) -> datetime:
    """An aware UTC datetime for an epoch-milliseconds time."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
