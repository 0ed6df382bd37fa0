"""Who consumes: the threads, coroutines and server connections that long-poll.

Virtual time moves on its own (``run_until``, a long poll on the thread that
drives time) only when every consumer the simulation knows is *parked*:
waiting in a long poll, or gone. A consumer becomes known the first time it
long-polls, and it is busy from the moment one of its polls is answered
until it parks again, so a consumer that spends seconds of real time between
a receive and its delete never sees virtual time move under it.

Three kinds of consumer, each with its own identity:

- a thread of this process (the default): known by its ``Thread`` object,
  gone when the thread ends;
- a coroutine (aiobotocore): known by its asyncio task, gone when the task
  is done;
- a connection to the loopback server: another process, whose busy spells the
  simulation cannot see. Its pending long polls count as parked consumers,
  and a test names how many such consumers it runs (``consumers=`` of
  ``run_until``).

Transports name the consumer of the call they carry with :func:`acting_as`;
everything here runs under the simulation's lock.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pytest_sqsmock.exceptions import SqsMockAssertionError


@dataclass(eq=False)
class Consumer:
    """One consumer and what it is doing.

    Attributes:
        label: How errors name it ("thread 'worker-1'").
        alive: Whether it can still call (its thread runs, its task is not done).
        awaited: Whether time waits for it to park (False for other processes).
        parked: Whether it waits in a long poll now.
        doing: Its last call, for the error that lists busy consumers.
    """

    label: str
    alive: Callable[[], bool]
    awaited: bool = True
    parked: bool = False
    doing: str = "nothing yet"
    key: object = field(default=None, repr=False)
    # How many times it parked, and who to tell when it does (an event loop waiting on it).
    parks: int = 0
    on_park: Callable[[], None] | None = field(default=None, repr=False)


class ConsumersBusy(SqsMockAssertionError):
    """Consumers did not all park in a long poll in time, so virtual time could not move."""

    def __init__(self, described: str, expected: int | None, timeout_s: float) -> None:
        wanted = "" if expected is None else f" with at least {expected} long poll(s) parked"
        super().__init__(
            f"virtual time cannot move: consumers were not all parked in a long poll{wanted} after "
            f"{timeout_s:g} s of real time.\nConsumers:\n{described}\n"
            "A consumer that never long-polls (short polls in a loop, or is blocked elsewhere) keeps time still: "
            "give it WaitTimeSeconds, drive it with run_until(step=...), or pass consumers= (README#consumers-and-the-rules-of-time)"
        )


_acting_as: contextvars.ContextVar[Consumer | None] = contextvars.ContextVar("pytest_sqsmock_consumer", default=None)


@contextmanager
def acting_as(consumer: Consumer) -> Iterator[None]:
    """Attribute the calls made inside the block to ``consumer`` (transports use this)."""
    token = _acting_as.set(consumer)
    try:
        yield
    finally:
        _acting_as.reset(token)


def bind(consumer: Consumer) -> None:
    """Attribute the calls of the current context to ``consumer`` (for ``Context.run`` in a helper thread)."""
    _acting_as.set(consumer)


def current() -> Consumer:
    """The consumer making the current call: the one a transport named, else this thread."""
    named = _acting_as.get()
    if named is not None:
        return named
    thread = threading.current_thread()
    return Consumer(f"thread {thread.name!r}", thread.is_alive, key=thread)


def remote(peer: str, connected: Callable[[], bool] = lambda: True) -> Consumer:
    """A consumer in another process, behind one server connection (``connected``: its peer is still there)."""
    return Consumer(f"server connection from {peer}", connected, awaited=False)


class Consumers:
    """The consumers one simulation knows, and whether they are all parked."""

    def __init__(self) -> None:
        # The thread that drives time (the test's) is never learnt: it is not waited for.
        self._known: dict[object, Consumer] = {}
        self.parked = 0

    def learn(self, consumer: Consumer) -> Consumer:
        """The known consumer for ``consumer`` (the same thread or connection is one consumer)."""
        key = _key_of(consumer)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = consumer
        return known

    @property
    def known(self) -> bool:
        """Whether any consumer is known."""
        return bool(self._known)

    def park(self, consumer: Consumer, doing: str) -> None:
        """``consumer`` waits in a long poll."""
        if not consumer.parked:
            consumer.parked = True
            consumer.parks += 1
            self.parked += 1
        consumer.doing = doing
        if consumer.on_park is not None:
            consumer.on_park()

    def unpark(self, consumer: Consumer, doing: str) -> None:
        """``consumer``'s long poll was answered: it is busy until it parks again."""
        if consumer.parked:
            consumer.parked = False
            self.parked -= 1
        consumer.doing = doing
        if not consumer.awaited:  # a server connection is only known while it waits
            self._known.pop(_key_of(consumer), None)

    def note(self, consumer: Consumer, doing: str) -> None:
        """Record a known consumer's latest call, for diagnostics."""
        known = self._known.get(_key_of(consumer))
        if known is not None:
            known.doing = doing

    def busy(self) -> list[Consumer]:
        """Known consumers that time must wait for: alive, awaited and not parked."""
        gone = [key for key, consumer in self._known.items() if not consumer.alive()]
        for key in gone:
            consumer = self._known.pop(key)
            if consumer.parked:  # its poll is ended by the simulation; keep the count true meanwhile
                consumer.parked = False
                self.parked -= 1
        return [c for c in self._known.values() if c.awaited and not c.parked]

    def settled(self, expected: int | None) -> bool:
        """Whether time may move: no known consumer is busy and at least ``expected`` polls are parked."""
        if self.busy():
            return False
        return expected is None or self.parked >= expected

    def describe(self) -> str:
        """One line per known consumer: what it is doing."""
        self.busy()
        if not self._known:
            return "  (no consumer has long-polled yet)"
        return "\n".join(
            f"  {c.label}: {'parked in' if c.parked else 'busy since'} {c.doing}" for c in self._known.values()
        )


def _key_of(consumer: Consumer) -> object:
    """What identifies a consumer: its thread or task, else the consumer object itself (a connection)."""
    return consumer if consumer.key is None else consumer.key
