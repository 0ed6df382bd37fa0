"""Time for the simulation: a virtual clock (the default) or the process clock.

The model never reads the wall clock; it is handed ``now_ms`` by the service,
which asks one of these clocks. Integer milliseconds are SQS's own unit.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """Where the simulation reads the time."""

    def now_ms(self) -> int:
        """The current time in epoch milliseconds."""
        ...


def _wall_ms() -> int:
    # Through the module so that freezegun and time-machine, which patch
    # ``time.time_ns``, move it.
    return time.time_ns() // 1_000_000


class VirtualClock:
    """A clock that moves only when told to.

    The simulation moves it under its lock (``Service.advance_to``), so a
    call never sees it move halfway through.
    """

    def __init__(self, start_ms: int | None = None) -> None:
        self._now_ms = _wall_ms() if start_ms is None else start_ms

    def now_ms(self) -> int:
        """The current virtual time in epoch milliseconds."""
        return self._now_ms

    def move_to_ms(self, when_ms: int) -> None:
        """Move forward to ``when_ms``; a time in the past is an error."""
        if when_ms < self._now_ms:
            raise ValueError(f"cannot move time backwards (from {self._now_ms} ms to {when_ms} ms)")
        self._now_ms = when_ms


class SystemClock:
    """The process clock, read at every call so that freezegun and time-machine move it."""

    def now_ms(self) -> int:
        """The current process time in epoch milliseconds."""
        return _wall_ms()


class Traveller(Protocol):
    """freezegun's frozen factory or time-machine's traveller: they both ``move_to``."""

    def move_to(self, destination: datetime) -> object:
        """Jump to ``destination``."""
        ...


def to_datetime(epoch_ms: int) -> datetime:
    """An aware UTC datetime for an epoch-milliseconds time."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)


def to_ms(when: datetime) -> int:
    """Epoch milliseconds of a datetime (naive means UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return round(when.timestamp() * 1000)
