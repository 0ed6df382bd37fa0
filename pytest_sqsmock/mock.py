"""``SqsMock`` and ``mock_sqs``: activate a simulation, move its clock, look inside."""

from __future__ import annotations

import functools
import inspect
import json
import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypedDict, TypeVar, overload

from pytest_sqsmock import assertions, driving, environment
from pytest_sqsmock.clock import Clock, SystemClock, VirtualClock, to_datetime
from pytest_sqsmock.exceptions import SqsMockError, UnknownQueueError
from pytest_sqsmock.faults import Faults
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.names import (
    default_endpoint,
    queue_url,
    split_arn,
    split_queue_url,
)
from pytest_sqsmock.service.operations import OPERATIONS
from pytest_sqsmock.service.principals import (
    access_key_for,
    is_account_id,
    secret_key_for,
    sender_id_for,
)
from pytest_sqsmock.service.queue_attributes import render_attributes
from pytest_sqsmock.service.queues import dynamic_attributes
from pytest_sqsmock.transports import aiobotocore_hook, botocore_hook, retry_backoff
from pytest_sqsmock.transports.dispatch import Dispatcher, Exchange
from pytest_sqsmock.transports.server import SqsServer
from pytest_sqsmock.views import Call, CallError, CallLog, MessageView, QueueView

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"

ClockName = Literal["virtual", "system"]


class Credentials(TypedDict):
    """Keyword arguments for ``boto3.client()`` / ``Session.client()``."""

    aws_access_key_id: str
    aws_secret_access_key: str


class _Traveller(Protocol):
    """freezegun's frozen factory or time-machine's traveller: they both ``move_to``."""

    def move_to(self, destination: datetime) -> object: ...


F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from responses import RequestsMock

    from pytest_sqsmock.lambda_trigger import LambdaTrigger


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
    """

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: ClockName = "virtual",
        start: datetime | None = None,
    ) -> None:
        if not region or not isinstance(region, str):
            raise ValueError(f"region must be a region name such as 'us-east-1', got {region!r}")
        if not is_account_id(account_id):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        if clock not in ("virtual", "system"):
            raise ValueError(f"clock must be 'virtual' or 'system', got {clock!r}")
        if start is not None and clock != "virtual":
            raise ValueError("start= applies only to clock='virtual'")
        self.region = region
        self.account_id = account_id
        self.clock_name: ClockName = clock
        self._start = start
        self._active = False
        self._exit_stack: ExitStack | None = None
        self._dispatcher: Dispatcher | None = None
        self._service: Service | None = None
        self._clock: Clock = VirtualClock(_to_ms(start)) if clock == "virtual" else SystemClock()
        self._calls: list[Call] = []
        self._pending_calls: list[Exchange] = []
        self._calls_lock = threading.Lock()
        self._travellers: list[_Traveller] = []
        self._boto3_session: Any = None
        self._faults: Faults | None = None

    # -- activation -----------------------------------------------------------

    def start(self) -> SqsMock:
        """Activate a fresh, empty simulation. Prefer ``with`` or the fixture."""
        if self._active:
            raise SqsMockError("this SqsMock is already active; create another with mock_sqs() to nest")
        self._clock = VirtualClock(_to_ms(self._start)) if self.clock_name == "virtual" else SystemClock()
        self._service = Service(self._clock, OPERATIONS)
        self._calls = []
        self._pending_calls = []
        dispatcher = Dispatcher(
            self._service, default_account=self.account_id, default_region=self.region, record=self._record
        )
        self._dispatcher = dispatcher
        self._faults = Faults(self._service)
        stack = ExitStack()
        stack.enter_context(environment.missing_filled_in(self.account_id, self.region))
        stack.enter_context(environment.fresh_default_boto3_session())
        botocore_hook.add_patcher(aiobotocore_hook.patch)  # async clients too, if installed
        botocore_hook.add_patcher(retry_backoff.patch)  # SQS retry back-off in virtual time
        botocore_hook.push(dispatcher.dispatch)
        stack.callback(botocore_hook.pop, dispatcher.dispatch)
        self._exit_stack = stack
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate; the simulation's state stays readable."""
        if not self._active or self._exit_stack is None:
            raise SqsMockError("this SqsMock is not active")
        self._active = False
        if self._service is not None:
            self._service.close()
        self._exit_stack.close()
        self._exit_stack = None

    @property
    def active(self) -> bool:
        """Whether the mock currently serves SQS calls."""
        return self._active

    def __enter__(self) -> SqsMock:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        """Decorate a function, coroutine function or class: each call runs in a fresh mock."""
        if inspect.isclass(target):
            for name, member in list(vars(target).items()):
                if name.startswith("test") and callable(member):
                    setattr(target, name, self(member))
            return target
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await target(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return target(*args, **kwargs)

        return run  # type: ignore[return-value]

    def _fresh(self) -> SqsMock:
        return SqsMock(region=self.region, account_id=self.account_id, clock=self.clock_name, start=self._start)

    # -- time -----------------------------------------------------------------

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
        self._virtual_clock().advance_ms(round(delta * 1000))
        self._after_time_moved()

    def travel_to(self, when: datetime) -> None:
        """Move virtual time forward to ``when`` (a naive datetime is taken as UTC).

        Raises:
            ValueError: ``when`` is before :attr:`now`.
        """
        target_ms = _to_ms(when) or 0
        if target_ms < self.now_ms:
            raise ValueError(
                f"travel_to() cannot move time backwards: {when.isoformat()} is before now ({self.now.isoformat()})"
            )
        self._virtual_clock().move_to_ms(target_ms)
        self._after_time_moved()

    @property
    def now_ms(self) -> int:
        """The simulation's current time in epoch milliseconds (SQS's own unit)."""
        return self._clock.now_ms()

    def drive(self, traveller: _Traveller) -> _Traveller:
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
    ) -> None:
        """Run consumers until ``condition()`` holds, moving virtual time as needed.

        See :func:`pytest_sqsmock.driving.run_until`.

        Raises:
            SqsMockAssertionError: the condition never held within ``within`` seconds of virtual time.
        """
        __tracebackhide__ = True
        driving.run_until(self, condition, step=step, within=within, max_steps=max_steps)

    def lambda_trigger(
        self,
        queue: str | QueueView,
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
        from pytest_sqsmock.lambda_trigger import LambdaTrigger

        return LambdaTrigger(
            self,
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

    def state_signature(self) -> tuple[tuple[str, int, int, int], ...]:
        """Per queue: ARN and its visible, delayed and in-flight counts (tells whether anything happened)."""
        service = self._require_service()
        with service.lock:
            service.catch_up_tasks()
            now = service.now_ms()
            signature = []
            for queue in service.registry.all_queues():
                queue.catch_up(now)
                signature.append(
                    (queue.arn, queue.counts["visible"], queue.counts["delayed"], queue.counts["in_flight"])
                )
            return tuple(signature)

    @property
    def faults(self) -> Faults:
        """Make SQS misbehave as it really can: errors, duplicates, reordering, empty polls, lost deletes.

        ``sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=2)``;
        see :class:`pytest_sqsmock.faults.Faults`. Each activation starts without faults.
        """
        if self._faults is None:
            raise SqsMockError("this SqsMock was never started; use it as a context manager or the sqs_mock fixture")
        return self._faults

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
        if self._service is not None:
            with self._service.changed:
                self._service.catch_up_tasks()
                self._service.notify()

    # -- inspecting -----------------------------------------------------------

    def queue(self, name_or_url: str, region: str | None = None, account_id: str | None = None) -> QueueView:
        """A snapshot of one queue, by name, URL or ARN.

        Raises:
            UnknownQueueError: no such queue; the message lists the queues that exist.
        """
        service = self._require_service()
        account, name, region_name = self._coordinates(name_or_url, region, account_id)
        with service.lock:
            service.catch_up_tasks()
            queue = service.registry.find(account, region_name, name)
            if queue is None:
                raise UnknownQueueError(self._unknown_queue_message(name, account, region_name))
            return self._view(queue, set())

    def queues(self, region: str | None = None, account_id: str | None = None) -> list[QueueView]:
        """Snapshots of every queue, optionally only of one region and/or account."""
        service = self._require_service()
        with service.lock:
            service.catch_up_tasks()
            return [self._view(queue, set()) for queue in service.registry.all_queues(account_id, region)]

    def describe(self, *, messages_per_queue: int = 3) -> str:
        """A readable summary of every queue: counts per state and the first messages."""
        views = self.queues()
        if not views:
            return "sqs_mock: no queues"
        lines: list[str] = []
        for view in views:
            lines.append(
                f"sqs_mock: queue {view.name!r} ({view.account_id}/{view.region}): "
                f"visible: {len(view.visible)}, delayed: {len(view.delayed)}, in_flight: {len(view.in_flight)}"
            )
            lines.extend(f"    {message!r}" for message in view.messages[:messages_per_queue])
            if len(view) > messages_per_queue:
                lines.append(f"    ... {len(view) - messages_per_queue} more")
        return "\n".join(lines)

    @property
    def calls(self) -> CallLog:
        """Every SQS call the mock answered, oldest first; ``.filter()`` narrows it."""
        with self._calls_lock:
            return CallLog(self._journal())

    def assert_empty(self, queue: str, *, region: str | None = None, account_id: str | None = None) -> None:
        """Fail, showing the queue, unless it holds no message (visible, delayed or in flight)."""
        __tracebackhide__ = True
        assertions.assert_empty(self, queue, region=region, account_id=account_id)

    def assert_nothing_in_flight(
        self, queue: str | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> None:
        """Fail, showing the queues, if any message is in flight (in ``queue``, or anywhere)."""
        __tracebackhide__ = True
        assertions.assert_nothing_in_flight(self, queue, region=region, account_id=account_id)

    def assert_dead_lettered(
        self,
        queue: str,
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
            self, queue, body=body, json_subset=json_subset, receives=receives, region=region, account_id=account_id
        )

    def reset(self) -> None:
        """Remove every queue and message and forget the calls; time stays."""
        service = self._require_service()
        with service.lock:
            service.registry.clear()
            service.move_tasks.clear()
        with self._calls_lock:
            self._calls.clear()
            self._pending_calls.clear()

    # -- set-up helpers -------------------------------------------------------

    def create_queue(
        self,
        name: str,
        *,
        region: str | None = None,
        account_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        dead_letter_queue: str | QueueView | None = None,
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
        params: dict[str, Any] = {"QueueName": name, "Attributes": dict(attributes or {})}
        if tags:
            params["tags"] = dict(tags)
        if dead_letter_queue is not None:
            target = self._arn_of(dead_letter_queue, region, account_id)
            params["Attributes"]["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": target,
                    "maxReceiveCount": 3 if max_receive_count is None else max_receive_count,
                }
            )
        elif max_receive_count is not None:
            raise ValueError("max_receive_count needs dead_letter_queue=")
        self._call("CreateQueue", params, region, account_id)
        return self.queue(name, region=region, account_id=account_id)

    def send(
        self,
        queue: str | QueueView,
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
        if isinstance(queue, QueueView):
            region, account_id, name = queue.region, queue.account_id, queue.name
        else:
            account_id, name, region = self._coordinates(queue, region, account_id)
        params: dict[str, Any] = {"QueueUrl": name, "MessageBody": body}
        optional = {
            "MessageAttributes": dict(message_attributes) if message_attributes else None,
            "DelaySeconds": delay_seconds,
            "MessageGroupId": group_id,
            "MessageDeduplicationId": deduplication_id,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        result = self._call("SendMessage", params, region, account_id)
        service = self._require_service()
        with service.lock:
            found = service.registry.find(account_id or self.account_id, region or self.region, name)
            message = None if found is None else found.messages.get(result["MessageId"])
            if message is None:  # a FIFO duplicate: nothing new was queued
                raise SqsMockError(f"message {result['MessageId']} was not queued (deduplicated?)")
            return MessageView.of(message)

    # -- clients --------------------------------------------------------------

    def server(self, *, host: str = "127.0.0.1", port: int = 0) -> SqsServer:
        """A started HTTP endpoint serving this simulation to other processes and languages.

        Queue URLs it returns point at it. It stops with the mock (or call
        ``stop()`` earlier).

        Args:
            host: The address to bind (loopback by default).
            port: The port (0: any free one; read it from ``.port``/``.endpoint_url``).
        """
        if not self._active or self._exit_stack is None or self._dispatcher is None:
            raise SqsMockError("start the mock before its server")
        server = SqsServer(self._dispatcher.dispatch, host=host, port=port).start()
        self._exit_stack.callback(server.stop_quietly)
        return server

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
        if not self._active or self._exit_stack is None or self._dispatcher is None:
            raise SqsMockError("start the mock before routing responses to it")
        from pytest_sqsmock.transports import responses_adapter

        self._exit_stack.callback(responses_adapter.route(requests_mock, self._dispatcher.dispatch))

    def credentials(self, account_id: str | None = None) -> Credentials:
        """boto3 client keyword arguments whose calls the mock attributes to ``account_id``.

        ``boto3.client("sqs", **sqs_mock.credentials("111122223333"))``.
        """
        account = account_id or self.account_id
        return {"aws_access_key_id": access_key_for(account), "aws_secret_access_key": secret_key_for(account)}

    def client(self, region: str | None = None, account_id: str | None = None, **kwargs: Any) -> Any:
        """A boto3 SQS client bound to an account and region (boto3 must be installed)."""
        import boto3

        keys = self.credentials(account_id)
        # One session per mock: loading the service model again for every client is slow.
        with self._calls_lock:
            if self._boto3_session is None:
                self._boto3_session = boto3.session.Session()
            return self._boto3_session.client(
                "sqs",
                region_name=region or self.region,
                aws_access_key_id=keys["aws_access_key_id"],
                aws_secret_access_key=keys["aws_secret_access_key"],
                **kwargs,
            )

    # -- internals ------------------------------------------------------------

    def _require_service(self) -> Service:
        if self._service is None:
            raise SqsMockError("this SqsMock was never started; use it as a context manager or the sqs_mock fixture")
        return self._service

    def _call(
        self, operation: str, params: dict[str, Any], region: str | None, account_id: str | None
    ) -> dict[str, Any]:
        account = account_id or self.account_id
        context = RequestContext(
            account_id=account,
            region=region or self.region,
            operation=operation,
            sender_id=sender_id_for(access_key_for(account), account),
        )
        return self._require_service().handle(operation, params, context)

    def _coordinates(self, name_or_url: str, region: str | None, account_id: str | None) -> tuple[str, str, str]:
        arn = split_arn(name_or_url)
        if arn is not None:
            return arn[1], arn[2], arn[0]
        parts = split_queue_url(name_or_url)
        if parts is None:
            raise UnknownQueueError(f"{name_or_url!r} is neither a queue name, URL nor ARN")
        account, name = parts
        host_region = _region_of_url(name_or_url)
        return account_id or account or self.account_id, name, region or host_region or self.region

    def _arn_of(self, queue: str | QueueView, region: str | None, account_id: str | None) -> str:
        if isinstance(queue, QueueView):
            return queue.arn
        if split_arn(queue) is not None:
            return queue
        return self.queue(queue, region=region, account_id=account_id).arn

    def _unknown_queue_message(self, name: str, account: str, region: str) -> str:
        service = self._require_service()
        here = sorted(queue.name for queue in service.registry.all_queues(account, region))
        elsewhere = sorted(
            f"{queue.account_id}/{queue.region}" for queue in service.registry.all_queues() if queue.name == name
        )
        return (
            f"no queue {name!r} in account {account}, region {region}.\n"
            f"  Queues there: {', '.join(here) or 'none'}. "
            f"Other places with a queue {name!r}: {', '.join(elsewhere) or 'none'}.\n"
            "  Pass region= / account_id= to sqs_mock.queue(); see README#regions-and-accounts"
        )

    def _view(self, queue: Queue, seen: set[str]) -> QueueView:
        service = self._require_service()
        queue.catch_up(service.now_ms())
        seen.add(queue.arn)
        dead_letter = None
        policy = queue.settings.redrive_policy
        if policy is not None and policy.dead_letter_target_arn not in seen:
            target = service.registry.find_by_arn(policy.dead_letter_target_arn)
            dead_letter = None if target is None else self._view(target, seen)
        return QueueView(
            name=queue.name,
            url=queue_url(default_endpoint(queue.region), queue.account_id, queue.name),
            arn=queue.arn,
            region=queue.region,
            account_id=queue.account_id,
            fifo=queue.settings.fifo,
            attributes=render_attributes(queue.settings, ["All"], dynamic=dynamic_attributes(queue)),
            tags=dict(queue.tags),
            dead_letter_queue=dead_letter,
            _messages=tuple(MessageView.of(message) for message in queue.in_delivery_order()),
        )

    def _record(self, exchange: Exchange) -> None:
        # On the hot path: keep the exchange; it becomes a Call when someone looks.
        with self._calls_lock:
            self._pending_calls.append(exchange)

    def _journal(self) -> list[Call]:
        """Every call so far as ``Call`` objects (the calls lock is held)."""
        for exchange in self._pending_calls:
            error = exchange.error
            self._calls.append(
                Call(
                    operation=exchange.operation,
                    params=exchange.params,
                    result=exchange.result,
                    error=None
                    if error is None
                    else CallError(error.code, error.message, error.status, exchange.injected),
                    account_id=exchange.context.account_id,
                    region=exchange.context.region,
                    time=to_datetime(exchange.time_ms),
                )
            )
        self._pending_calls.clear()
        return self._calls


@overload
def mock_sqs(target: F, /) -> F: ...
@overload
def mock_sqs(
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    clock: ClockName = "virtual",
    start: datetime | None = None,
) -> SqsMock: ...
def mock_sqs(
    target: Any = None,
    /,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    clock: ClockName = "virtual",
    start: datetime | None = None,
) -> Any:
    """Simulate SQS for a block, a function, a coroutine or a test class.

    ``with mock_sqs() as mock:``, ``@mock_sqs`` and ``@mock_sqs(region=...)``
    all work; each activation starts a fresh, empty simulation.
    """
    mock = SqsMock(region=region, account_id=account_id, clock=clock, start=start)
    return mock if target is None else mock(target)


def _to_ms(when: datetime | None) -> int | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return round(when.timestamp() * 1000)


def _region_of_url(url: str) -> str | None:
    if "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0]
    labels = host.split(".")
    return labels[1] if len(labels) >= 4 and labels[0] in ("sqs", "sqs-fips") else None
