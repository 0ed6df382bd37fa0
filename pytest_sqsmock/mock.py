"""``SqsMock`` and ``mock_sqs``: activate a simulation, move its clock, look inside."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Collection
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar, overload

from pytest_sqsmock import environment
from pytest_sqsmock.clock import Clock, SystemClock, VirtualClock
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.faults import Faults
from pytest_sqsmock.inspection import Inspection
from pytest_sqsmock.integrations import Credentials, Integrations
from pytest_sqsmock.journal import Journal
from pytest_sqsmock.mock_base import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, ClockName, Traveller, to_ms
from pytest_sqsmock.seeding import Seeding
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.operations import OPERATIONS
from pytest_sqsmock.service.principals import is_account_id
from pytest_sqsmock.timekeeping import TimeControl
from pytest_sqsmock.transports import aiobotocore_hook, botocore_hook, retry_backoff
from pytest_sqsmock.transports.dispatch import Dispatcher

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "ClockName", "Credentials", "SqsMock", "mock_sqs"]

F = TypeVar("F", bound=Callable[..., Any])


class SqsMock(TimeControl, Inspection, Seeding, Integrations):
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
        passthrough: AWS services (``"s3"``, ``"sns"``; ``"*"``: all) whose calls may reach the
            network while the mock is active; calls to any other AWS service fail at once
            with :class:`NetworkBlockedError`.
    """

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: ClockName = "virtual",
        start: datetime | None = None,
        passthrough: Collection[str] = (),
    ) -> None:
        if not region or not isinstance(region, str):
            raise ValueError(f"region must be a region name such as 'us-east-1', got {region!r}")
        if not is_account_id(account_id):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        if clock not in ("virtual", "system"):
            raise ValueError(f"clock must be 'virtual' or 'system', got {clock!r}")
        if start is not None and clock != "virtual":
            raise ValueError("start= applies only to clock='virtual'")
        if isinstance(passthrough, str):
            raise TypeError(f"passthrough takes a list of service names, such as ['s3'], got {passthrough!r}")
        self.region = region
        self.account_id = account_id
        self.clock_name: ClockName = clock
        self._start = start
        self.passthrough = frozenset(passthrough)
        # The test this mock serves (the fixture sets it): errors about leftover threads name it.
        self.test_name: str | None = None
        self._active = False
        self._exit_stack: ExitStack | None = None
        self._dispatcher: Dispatcher | None = None
        self._service: Service | None = None
        self._clock: Clock = VirtualClock(to_ms(start)) if clock == "virtual" else SystemClock()
        self._journal = Journal()
        self._session_lock = threading.Lock()
        self._travellers: list[Traveller] = []
        self._boto3_session: Any = None
        self._faults: Faults | None = None

    # -- activation -----------------------------------------------------------

    def start(self) -> SqsMock:
        """Activate a fresh, empty simulation. Prefer ``with`` or the fixture."""
        if self._active:
            raise SqsMockError("this SqsMock is already active; create another with mock_sqs() to nest")
        self._clock = VirtualClock(to_ms(self._start)) if self.clock_name == "virtual" else SystemClock()
        self._service = Service(self._clock, OPERATIONS)
        self._journal = Journal()
        dispatcher = Dispatcher(
            self._service, default_account=self.account_id, default_region=self.region, record=self._journal.record
        )
        self._dispatcher = dispatcher
        self._faults = Faults(self._service)
        stack = ExitStack()
        stack.enter_context(environment.missing_filled_in(self.account_id, self.region))
        stack.enter_context(environment.fresh_default_boto3_session())
        botocore_hook.add_patcher(aiobotocore_hook.patch)  # async clients too, if installed
        botocore_hook.add_patcher(retry_backoff.patch)  # SQS retry back-off in virtual time
        botocore_hook.push(dispatcher.dispatch, passthrough=self.passthrough)
        stack.callback(self._unhook, dispatcher.dispatch)
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

    def _unhook(self, dispatch: Any) -> None:
        # Threads that used this mock and still run are fenced in: their next AWS call fails
        # naming this mock (and its test), instead of reaching AWS with restored real credentials.
        where = f"the sqs_mock ({self.region}, {self.account_id})"
        botocore_hook.pop(dispatch, stopped=where if self.test_name is None else f"{where} of {self.test_name}")

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
        return SqsMock(
            region=self.region,
            account_id=self.account_id,
            clock=self.clock_name,
            start=self._start,
            passthrough=self.passthrough,
        )


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
) -> SqsMock: ...
def mock_sqs(
    target: Any = None,
    /,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    clock: ClockName = "virtual",
    start: datetime | None = None,
    passthrough: Collection[str] = (),
) -> Any:
    """Simulate SQS for a block, a function, a coroutine or a test class.

    ``with mock_sqs() as mock:``, ``@mock_sqs`` and ``@mock_sqs(region=...)``
    all work; each activation starts a fresh, empty simulation.
    """
    mock = SqsMock(region=region, account_id=account_id, clock=clock, start=start, passthrough=passthrough)
    return mock if target is None else mock(target)
