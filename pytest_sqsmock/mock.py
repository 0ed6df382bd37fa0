"""``SqsMock`` and ``mock_sqs``: the public face of a simulation.

``SqsMock`` holds one :class:`~pytest_sqsmock.simulation.Simulation` per
activation and delegates to it and to the modules written against it
(``seeding``, ``assertions``, ``driving``, ``lambda_trigger``); activating is
``activation``'s job. No feature lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from pytest_sqsmock import assertions, billing, driving, producers, seeding
from pytest_sqsmock.activation import Activation, Started, activate, check_options
from pytest_sqsmock.clients import Clients, Credentials, credentials_for
from pytest_sqsmock.clock import Traveller, to_datetime, to_ms
from pytest_sqsmock.decorating import decorate
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.faults.injection import Faults
from pytest_sqsmock.journal import DEFAULT_JOURNAL_LIMIT
from pytest_sqsmock.lambda_trigger import LambdaTrigger
from pytest_sqsmock.references import QueueRef
from pytest_sqsmock.simulation import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, ClockName, Simulation
from pytest_sqsmock.transports.server import ServerLimits, SqsServer
from pytest_sqsmock.views import CallLog, MessageView, QueueView

if TYPE_CHECKING:
    from responses import RequestsMock

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "ClockName", "Credentials", "SqsMock", "mock_sqs"]

F = TypeVar("F", bound=Callable[..., Any])


class SqsMock:
    """A simulated SQS that serves every botocore client while active.

    Use it as a context manager, as a decorator (functions, coroutines,
    classes), or through the ``sqs_mock`` pytest fixture. Each activation
    starts a fresh, empty simulation; its state stays readable after exit.

    Args:
        region: The default region (clients without one, and view look-ups).
        account_id: The default account (clients whose keys name none).
        clock: ``"virtual"`` (moves only by :meth:`advance`) or ``"system"``
            (the process clock, which freezegun and time-machine move).
        start: Where virtual time starts (default: the real now).
        passthrough: AWS services (``"s3"``, ``"sns"``; ``"*"``: all) whose calls may reach the network
            while the mock is active; calls to any other AWS service fail at once with
            :class:`NetworkBlockedError`.
        direct: Answer boto3/botocore clients' SQS calls at botocore's ``before-call`` event, skipping
            signing, ``before-send`` handlers and the HTTP layer: the same results, several times less
            CPU per call (README#the-direct-path). aiobotocore clients keep the full path.
        journal_limit: How many calls :attr:`calls` keeps, the latest (``None``: every call);
            older ones are dropped and counted (README#how-many-calls-the-journal-keeps).
    """

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: ClockName = "virtual",
        start: datetime | None = None,
        passthrough: Collection[str] = (),
        direct: bool = False,
        journal_limit: int | None = DEFAULT_JOURNAL_LIMIT,
    ) -> None:
        check_options(region=region, account_id=account_id, clock=clock, start=start, passthrough=passthrough)
        self.region = region
        self.account_id = account_id
        self.clock_name: ClockName = clock
        self.passthrough = frozenset(passthrough)
        self.direct = bool(direct)
        self.journal_limit = journal_limit
        # The test this mock serves (the fixture sets it): errors about leftover threads name it.
        self.test_name: str | None = None
        self._start = start
        self._simulation = self._new_simulation()
        self._started = False
        self._activation: Activation | None = None
        self._clients = Clients()

    # -- activation -----------------------------------------------------------

    def start(self) -> SqsMock:
        """Activate a fresh, empty simulation. Prefer ``with`` or the fixture."""
        if self._activation is not None:
            raise SqsMockError("this SqsMock is already active; create another with mock_sqs() to nest")
        self._simulation = self._new_simulation()
        self._activation = activate(
            self._simulation, passthrough=self.passthrough, owner=self._owner, direct=self.direct
        )
        self._started = True
        _started.push(self)
        return self

    def stop(self) -> None:
        """Deactivate; the simulation's state stays readable."""
        if self._activation is None:
            raise SqsMockError("this SqsMock is not active")
        activation, self._activation = self._activation, None
        _started.remove(self)
        activation.stop()

    @classmethod
    def current(cls) -> SqsMock:
        """The active mock that answers SQS calls now: the newest one started and not yet stopped.

        For code that did not create the mock: a function or ``unittest`` test under
        ``@mock_sqs``, or a helper called from a test that uses the ``sqs_mock`` fixture.
        Mocks serve the whole process, so every thread gets the same one.

        Raises:
            SqsMockError: no mock is active.
        """
        return _started.newest()

    @property
    def active(self) -> bool:
        """Whether the mock currently serves SQS calls."""
        return self._activation is not None

    def __enter__(self) -> SqsMock:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        """Decorate a function, coroutine function or class: each call runs in a fresh mock."""
        return decorate(target, self._fresh)

    def _fresh(self) -> SqsMock:
        return SqsMock(
            region=self.region,
            account_id=self.account_id,
            clock=self.clock_name,
            start=self._start,
            passthrough=self.passthrough,
            direct=self.direct,
            journal_limit=self.journal_limit,
        )

    def _running(self, what: str) -> Activation:
        if self._activation is None:
            raise SqsMockError(f"start the mock before {what}")
        return self._activation

    def _owner(self) -> str:
        test = "" if self.test_name is None else f" of {self.test_name}"
        return f"the sqs_mock ({self.region}, {self.account_id}){test}"

    def _new_simulation(self) -> Simulation:
        start_ms = None if self._start is None else to_ms(self._start)
        return Simulation(
            region=self.region,
            account_id=self.account_id,
            clock=self.clock_name,
            start_ms=start_ms,
            journal_limit=self.journal_limit,
        )

    @property
    def simulation(self) -> Simulation:
        """The simulation behind this mock (for tools built on pytest_sqsmock; not a stable API).

        Raises:
            SqsMockError: the mock was never started.
        """
        if not self._started:
            raise SqsMockError("this SqsMock was never started; use it as a context manager or the sqs_mock fixture")
        return self._simulation

    # -- time -----------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The simulation's current time (aware UTC)."""
        return to_datetime(self._simulation.now_ms)

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
        simulation = self.simulation
        simulation.advance_to(simulation.now_ms + round(delta * 1000))

    def travel_to(self, when: datetime) -> None:
        """Move virtual time forward to ``when`` (a naive datetime is taken as UTC).

        Raises:
            ValueError: ``when`` is before :attr:`now`.
        """
        self.simulation.travel_to(when)

    def drive(self, traveller: Traveller) -> Traveller:
        """Make application code see virtual time: ``advance()`` moves ``traveller`` too.

        Pass what ``freezegun.freeze_time(...).start()`` returns, or the
        traveller of ``time_machine.travel(...).start()``: anything with a
        ``move_to(datetime)`` method. It moves to :attr:`now` at once.
        """
        return self._simulation.follow(traveller)

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
        driving.run_until(
            self.simulation,
            condition,
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
        await driving.run_until_async(
            self.simulation, condition, within=within, max_steps=max_steps, consumers=consumers, timeout=timeout
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
        self.simulation.wait_until_parked(consumers, timeout)

    # -- looking inside -------------------------------------------------------

    def queue(self, name_or_url: QueueRef, region: str | None = None, account_id: str | None = None) -> QueueView:
        """A snapshot of one queue, by name, URL or ARN.

        Raises:
            UnknownQueueError: no such queue; the message lists the queues that exist.
        """
        return self.simulation.view(name_or_url, region, account_id)

    def queues(self, region: str | None = None, account_id: str | None = None) -> list[QueueView]:
        """Snapshots of every queue, optionally only of one region and/or account."""
        return self.simulation.views(region, account_id)

    def describe(self, *, messages_per_queue: int = 3) -> str:
        """A readable summary of every queue: counts per state and the first messages."""
        return self.simulation.describe(messages_per_queue=messages_per_queue)

    @property
    def calls(self) -> CallLog:
        """The SQS calls the mock answered, oldest first (the latest ``journal_limit``); ``.filter()`` narrows it.

        ``calls.dropped`` counts the earlier calls no longer kept; ``calls.assert_complete()`` fails if any.
        """
        return self._simulation.calls()

    @property
    def usage(self) -> billing.Usage:
        """What the SQS calls so far would be billed, per queue and operation (README#usage-and-billing)."""
        return self.simulation.usage()

    def assert_empty(self, queue: QueueRef, *, region: str | None = None, account_id: str | None = None) -> None:
        """Fail, showing the queue, unless it holds no message (visible, delayed or in flight)."""
        __tracebackhide__ = True
        assertions.assert_empty(self.simulation, queue, region=region, account_id=account_id)

    def assert_nothing_in_flight(
        self, queue: QueueRef | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> None:
        """Fail, showing the queues, if any message is in flight (in ``queue``, or anywhere)."""
        __tracebackhide__ = True
        assertions.assert_nothing_in_flight(self.simulation, queue, region=region, account_id=account_id)

    def assert_dead_lettered(
        self,
        queue: QueueRef,
        *,
        body: str | None = None,
        json_subset: Mapping[str, Any] | None = None,
        receives: int | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Fail, showing both queues, unless such a message is in ``queue``'s dead-letter queue.

        Returns:
            The matching dead-lettered message.
        """
        __tracebackhide__ = True
        return assertions.assert_dead_lettered(
            self.simulation,
            queue,
            body=body,
            json_subset=json_subset,
            receives=receives,
            region=region,
            account_id=account_id,
        )

    def reset(self) -> None:
        """Remove every queue and message and forget the calls and their usage; time stays."""
        self.simulation.reset()

    # -- set-up helpers -------------------------------------------------------

    def create_queue(
        self,
        name: str,
        *,
        region: str | None = None,
        account_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        dead_letter_queue: QueueRef | None = None,
        max_receive_count: int | None = None,
    ) -> QueueView:
        """Create a queue as CreateQueue would (same validation), without recording a call.

        Args:
            name: The queue name (``.fifo`` for FIFO queues, with ``FifoQueue`` in attributes).
            region: The region (default: the mock's).
            account_id: The owning account (default: the mock's).
            attributes: Queue attributes as CreateQueue takes them (strings).
            tags: Queue tags.
            dead_letter_queue: The dead-letter queue (name, URL, ARN or view) for a RedrivePolicy.
            max_receive_count: Receives before a message moves to ``dead_letter_queue`` (default 3).

        Raises:
            SqsError: SQS would refuse the queue.
        """
        return seeding.create_queue(
            self.simulation,
            name,
            region=region,
            account_id=account_id,
            attributes=attributes,
            tags=tags,
            dead_letter_queue=dead_letter_queue,
            max_receive_count=max_receive_count,
        )

    def send(
        self,
        queue: QueueRef,
        body: str,
        *,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        delay_seconds: int | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Send a message as SendMessage would (same validation), without recording a call.

        Raises:
            SqsError: SQS would refuse the message.
        """
        return seeding.send(
            self.simulation,
            queue,
            body,
            message_attributes=message_attributes,
            delay_seconds=delay_seconds,
            group_id=group_id,
            deduplication_id=deduplication_id,
            region=region,
            account_id=account_id,
        )

    # -- clients, transports, neighbours -------------------------------------

    def credentials(self, account_id: str | None = None) -> Credentials:
        """boto3 client keyword arguments whose calls the mock attributes to ``account_id``.

        ``boto3.client("sqs", **sqs_mock.credentials("111122223333"))``.
        """
        return credentials_for(account_id or self.account_id)

    def client(self, region: str | None = None, account_id: str | None = None, **kwargs: Any) -> Any:
        """A boto3 SQS client bound to an account and region (boto3 must be installed)."""
        return self._clients.client(region or self.region, account_id or self.account_id, **kwargs)

    def server(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_auth: bool = False,
        allowed_hosts: Iterable[str] = (),
        limits: ServerLimits | None = None,
    ) -> SqsServer:
        """A started HTTP endpoint serving this simulation to other processes and languages.

        Queue URLs it returns point at it. It stops with the mock (or call
        ``stop()`` earlier). Requests must be signed with SigV4, as SQS wants;
        those signed with a key from :meth:`credentials` are verified
        (README#security).

        Args:
            host: The address to bind (loopback by default; others warn).
            port: The port (0: any free one; read it from ``.port``/``.endpoint_url``).
            strict_auth: Refuse keys that :meth:`credentials` did not make, as AWS
                refuses keys it does not know (``InvalidClientTokenId``).
            allowed_hosts: Host names to serve besides ``localhost``, ``127.0.0.0/8``
                and ``[::1]`` (a container's name for the host, say).
            limits: Connection, time and size bounds (``ServerLimits``).
        """
        return self._running("its server").serve(
            host=host, port=port, strict_auth=strict_auth, allowed_hosts=allowed_hosts, limits=limits
        )

    def route_responses(self, requests_mock: RequestsMock | None = None) -> None:
        """Answer SQS requests that ``requests`` sends through a ``responses`` mock.

        Adds callbacks for SQS hosts (``https://sqs.<region>.amazonaws.com``,
        FIPS, dual-stack and legacy ``queue.amazonaws.com`` hosts, and so
        every queue URL on them) beside the mock's other responses; they are
        removed when this mock stops. Needs the ``responses`` extra.

        Args:
            requests_mock: The ``responses.RequestsMock`` (default: the
                module-level one ``@responses.activate`` and ``responses.add`` use).
        """
        self._running("routing responses to it").route_responses(requests_mock)

    def lambda_trigger(
        self,
        queue: QueueRef,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        batch_size: int = 10,
        maximum_batching_window: int = 0,
        report_batch_item_failures: bool = False,
        maximum_concurrency: int | None = None,
        function_name: str = "function",
        timeout: float = 3.0,
        context: Any = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> LambdaTrigger:
        """An SQS-triggered Lambda function: ``handler(event, context)`` fed from ``queue``.

        Nothing runs until ``trigger.poll()`` (one poll cycle) or ``trigger.drain()``
        (cycles until the queue is empty); see :class:`pytest_sqsmock.lambda_trigger.LambdaTrigger`.

        Args:
            queue: The source queue (name, URL, ARN or view).
            handler: The function's handler.
            batch_size: Records per invocation (1-10,000; 1-10 on FIFO; above 10 needs a window).
            maximum_batching_window: Seconds to gather records (0-300; 0 on FIFO).
            report_batch_item_failures: Honour ``{"batchItemFailures": [...]}`` responses.
            maximum_concurrency: Batches per poll cycle (2-1000; default 1).
            function_name: Names the function ARN and the default context.
            timeout: The function timeout, in virtual seconds.
            context: The ``context`` to pass (default: a fresh ``LambdaContext`` per invocation).
            region: The queue's region (default: the mock's).
            account_id: The queue's account (default: the mock's).

        Raises:
            ValueError: Lambda would refuse this event source mapping.
            UnknownQueueError: no such queue.
            SqsMockError: a batching window under ``clock="system"``.
        """
        return LambdaTrigger(
            self.simulation,
            queue,
            handler,
            batch_size=batch_size,
            maximum_batching_window=maximum_batching_window,
            report_batch_item_failures=report_batch_item_failures,
            maximum_concurrency=maximum_concurrency,
            function_name=function_name,
            timeout=timeout,
            context=context,
            region=region,
            account_id=account_id,
        )

    @property
    def faults(self) -> Faults:
        """Make SQS misbehave as it really can: errors, duplicates, reordering, empty polls, lost deletes.

        ``sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=2)``;
        see :class:`pytest_sqsmock.faults.injection.Faults`. Each activation starts without faults.
        """
        return self.simulation.faults

    @property
    def producers(self) -> producers.Producers:
        """Send the messages SNS, S3 and EventBridge deliver to SQS, timed by this mock's clock.

        ``sqs_mock.producers.sns("orders", message, topic="order-events")``; see
        :class:`pytest_sqsmock.producers.Producers`.
        """
        return producers.Producers(self.simulation)


# Mocks started and not yet stopped: SqsMock.current() is the newest.
_started: Started[SqsMock] = Started()


@overload
def mock_sqs(target: F, /) -> F: ...
@overload
def mock_sqs(
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    clock: ClockName = "virtual",
    start: datetime | None = None,
    passthrough: Collection[str] = (),
    direct: bool = False,
    journal_limit: int | None = DEFAULT_JOURNAL_LIMIT,
) -> SqsMock: ...
def mock_sqs(target: Any = None, /, **options: Any) -> Any:
    """Simulate SQS for a block, a function, a coroutine or a test class.

    ``with mock_sqs() as mock:``, ``@mock_sqs`` and ``@mock_sqs(region=...)``
    all work; each activation starts a fresh, empty simulation.
    """
    mock = SqsMock(**options)
    return mock if target is None else mock(target)
