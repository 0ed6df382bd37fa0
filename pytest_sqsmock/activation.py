"""What an active mock changes in the process, and how stopping undoes it.

Activation is kept apart from the simulation it serves: starting routes every
botocore client's SQS calls (and, on request, a server's and ``responses``'
requests) to one :class:`~pytest_sqsmock.simulation.Simulation`; stopping
undoes each change in reverse order, and the simulation stays readable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from contextlib import ExitStack
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from pytest_sqsmock import environment
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.service.access.principals import is_account_id
from pytest_sqsmock.simulation import Simulation
from pytest_sqsmock.transports import aiobotocore_hook, botocore_hook, direct_path, retry_backoff
from pytest_sqsmock.transports.server import ServerLimits, SqsServer

if TYPE_CHECKING:
    from responses import RequestsMock

T = TypeVar("T")


class Activation:
    """The changes one started mock made; :meth:`stop` undoes them."""

    def __init__(self, simulation: Simulation, stack: ExitStack) -> None:
        self.simulation = simulation
        self._stack = stack

    def serve(
        self,
        *,
        host: str,
        port: int,
        strict_auth: bool,
        allowed_hosts: Iterable[str],
        limits: ServerLimits | None,
    ) -> SqsServer:
        """Start an HTTP endpoint for the simulation; it stops when this activation does."""
        server = SqsServer(
            self.simulation.dispatcher.serve,
            host=host,
            port=port,
            strict_auth=strict_auth,
            allowed_hosts=allowed_hosts,
            limits=limits,
        ).start()
        self._stack.callback(server.stop_quietly)
        self._stack.callback(self.simulation.dispatcher.add_server(server.port))
        return server

    def route_responses(self, requests_mock: RequestsMock | None) -> None:
        """Answer SQS URLs of a ``responses`` mock until this activation stops."""
        from pytest_sqsmock.transports import responses_adapter

        self._stack.callback(responses_adapter.route(requests_mock, self.simulation.dispatcher.dispatch))

    def stop(self) -> None:
        """Release waiting long polls, then undo every change (newest first)."""
        self.simulation.close()
        self._stack.close()


def check_options(
    *, region: str, account_id: str, clock: str, start: datetime | None, passthrough: Collection[str]
) -> None:
    """Refuse options a mock cannot run with, before anything starts.

    Raises:
        ValueError: A region, account, clock or start that cannot be.
        TypeError: ``passthrough`` is one string, not a list of services.
    """
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


def activate(
    simulation: Simulation, *, passthrough: Collection[str], owner: Callable[[], str], direct: bool = False
) -> Activation:
    """Route SQS calls of every botocore client in the process to ``simulation``.

    Args:
        simulation: What answers.
        passthrough: AWS services whose calls may still reach the network (``"*"``: all).
        owner: How errors name this mock to threads left running after it stopped (asked at stop).
        direct: Answer botocore clients at ``before-call`` (transports/direct_path.py), from each
            client's second call on.
    """
    stack = ExitStack()
    with ExitStack() as undo_on_failure:
        undo_on_failure.enter_context(stack)
        stack.enter_context(environment.missing_filled_in(simulation.account_id, simulation.region))
        stack.enter_context(environment.fresh_default_boto3_session())
        botocore_hook.add_patcher(aiobotocore_hook.patch)  # async clients too, if installed
        botocore_hook.add_patcher(retry_backoff.patch)  # SQS retry back-off in virtual time
        dispatch = simulation.dispatcher.dispatch
        # Raises PrivateHookError, patching nothing, when a private hook cannot apply.
        if direct:
            direct_path.push(simulation.dispatcher, passthrough=passthrough)
        else:
            botocore_hook.push(dispatch, passthrough=passthrough)
        # Threads that used this mock and still run are fenced in: their next AWS call fails naming
        # this mock (and its test), instead of reaching AWS with restored real credentials.
        stack.callback(lambda: botocore_hook.pop(dispatch, stopped=owner()))
        undo_on_failure.pop_all()  # started: the stack stays open until stop()
    return Activation(simulation, stack)


class Started(Generic[T]):
    """Mocks started and not yet stopped, oldest first.

    Process-wide, like botocore's hook: the newest one answers every thread's SQS
    calls, so it is the one :meth:`newest` returns, whichever thread asks.
    """

    def __init__(self) -> None:
        self._mocks: list[T] = []
        self._lock = threading.Lock()

    def push(self, mock: T) -> None:
        """Record that ``mock`` started."""
        with self._lock:
            self._mocks.append(mock)

    def remove(self, mock: T) -> None:
        """Forget ``mock`` (stopped), wherever it sits: mocks may stop out of order."""
        with self._lock:
            self._mocks[:] = [other for other in self._mocks if other is not mock]

    def newest(self) -> T:
        """The mock started last of those still running.

        Raises:
            SqsMockError: none is running.
        """
        with self._lock:
            if self._mocks:
                return self._mocks[-1]
        raise SqsMockError(
            "no SqsMock is active: SqsMock.current() works only inside @mock_sqs, a `with mock_sqs()` block "
            "or a test that uses the sqs_mock fixture; see README#migrating-from-moto"
        )
