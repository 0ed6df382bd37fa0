"""Moving and reading the simulation's clock; driving consumers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pytest_sqsmock import driving, snapshots
from pytest_sqsmock.clock import VirtualClock, to_datetime
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.mock_base import MockState, Traveller, as_mock, to_ms


class TimeControl(MockState):
    """Moving and reading the simulation's clock; driving consumers."""

    @property
    def now(self) -> datetime:
        """The simulation's current time (aware UTC)."""
        return to_datetime(self._clock.now_ms())

    def advance(self, seconds: float | timedelta) -> None:
        """Move virtual time forward; visibility timeouts, delays and retention expire on the way.

        Args:
            seconds: How far, as seconds (``int``/``float``) or a ``timedelta``.

        Raises:
            ValueError: ``seconds`` is negative.
            SqsMockError: the mock runs on ``clock="system"``.
        """
        delta = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if delta < 0:
            raise ValueError(f"advance() moves forward only; got {seconds!r}")
        self._virtual_clock()
        service = self._require_service()
        service.advance_to(service.now_ms() + round(delta * 1000))
        self._after_time_moved()

    def travel_to(self, when: datetime) -> None:
        """Move virtual time forward to ``when`` (a naive datetime is taken as UTC).

        Raises:
            ValueError: ``when`` is before :attr:`now`.
        """
        target_ms = to_ms(when) or 0
        if target_ms < self.now_ms:
            raise ValueError(
                f"travel_to() cannot move time backwards: {when.isoformat()} is before now ({self.now.isoformat()})"
            )
        self._virtual_clock()
        self._require_service().advance_to(target_ms)
        self._after_time_moved()

    @property
    def now_ms(self) -> int:
        """The simulation's current time in epoch milliseconds (SQS's own unit)."""
        return self._clock.now_ms()

    def drive(self, traveller: Traveller) -> Traveller:
        """Make application code see virtual time: ``advance()`` moves ``traveller`` too.

        Pass what ``freezegun.freeze_time(...).start()`` returns, or the
        traveller of ``time_machine.travel(...).start()``: anything with a
        ``move_to(datetime)`` method. It moves to :attr:`now` at once.
        """
        self._virtual_clock()
        self._travellers.append(traveller)
        traveller.move_to(self.now)
        return traveller

    def run_until(
        self,
        condition: Callable[[], bool],
        *,
        step: Callable[[], object] | None = None,
        within: float | timedelta = 3600.0,
        max_steps: int = 100_000,
        consumers: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Run consumers until ``condition()`` holds, moving virtual time as needed.

        Without ``step``, consumers run in their own threads, coroutines or
        processes: time moves to the next scheduled event only once every
        consumer that has long-polled is parked in a long poll again, and at
        least ``consumers`` polls wait (default one; give the number of
        consumers in other processes). See :func:`pytest_sqsmock.driving.run_until`.

        Args:
            condition: What to wait for; checked before every move of time.
            step: One iteration of a consumer that runs in the test's thread.
            within: Virtual seconds (or a ``timedelta``) the condition has to come true.
            max_steps: Rounds at the most.
            consumers: Long polls that must be parked before time moves (0: none).
            timeout: Real seconds consumers have, each round, to park again.

        Raises:
            SqsMockAssertionError: the condition never held within ``within`` seconds of virtual time,
                or consumers did not park within ``timeout`` (the message lists each and its last call).
        """
        __tracebackhide__ = True
        self._virtual_clock()
        driving.run_until(
            self._require_service(),
            condition,
            describe=as_mock(self).describe,
            moved=self._after_time_moved,
            step=step,
            within=within,
            max_steps=max_steps,
            consumers=consumers,
            timeout=timeout,
        )

    async def run_until_async(
        self,
        condition: Callable[[], bool],
        *,
        within: float | timedelta = 3600.0,
        max_steps: int = 100_000,
        consumers: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Await :meth:`run_until` from a coroutine: consumer tasks on the same loop keep running.

        Time moves to the next scheduled event only when the event loop is idle
        (no callback ready, no timer of the loop due before that event), every
        consumer is parked, and at least ``consumers`` long polls wait (default one).

        Raises:
            SqsMockAssertionError: the condition never held within ``within`` seconds of virtual time,
                or consumers did not park within ``timeout`` (the message lists each and its last call).
        """
        __tracebackhide__ = True
        self._virtual_clock()
        await driving.run_until_async(
            self._require_service(),
            condition,
            describe=as_mock(self).describe,
            moved=self._after_time_moved,
            within=within,
            max_steps=max_steps,
            consumers=consumers,
            timeout=timeout,
        )

    def wait_until_parked(self, consumers: int = 1, *, timeout: float = 30.0) -> None:
        """Block until every consumer that has long-polled is parked in a long poll, and ``consumers`` polls wait.

        Virtual time does not move. Use it to start from a known state: say,
        before sending, so that a worker thread's poll is waiting for the message.

        Args:
            consumers: Long polls that must be waiting (from any thread, coroutine or server connection).
            timeout: Real seconds to wait before failing.

        Raises:
            SqsMockAssertionError: they did not park in time (the message lists each consumer and its last call).
        """
        __tracebackhide__ = True
        service = self._require_service()
        with service.lock:
            service.await_settled(consumers, timeout)

    def state_signature(self) -> tuple[tuple[str, int, int, int], ...]:
        """Per queue: ARN and its visible, delayed and in-flight counts (tells whether anything happened)."""
        return snapshots.state_signature(self._require_service())

    @property
    def activity(self) -> int:
        """How many SQS calls the simulation has served (also set-up helpers)."""
        return self._require_service().activity

    @property
    def next_event_ms(self) -> int | None:
        """When the next delayed or in-flight message turns visible, if any."""
        return self._require_service().next_event_ms()

    def _virtual_clock(self) -> VirtualClock:
        if not isinstance(self._clock, VirtualClock):
            raise SqsMockError(
                "advance() and travel_to() need clock='virtual'; under clock='system' move time with "
                "freezegun or time-machine (README#controlling-time)"
            )
        return self._clock

    def _after_time_moved(self) -> None:
        for traveller in self._travellers:
            traveller.move_to(self.now)
