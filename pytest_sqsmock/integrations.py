"""Clients, transports and simulations beside the API: credentials, server, responses, Lambda, faults."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.faults import Faults
from pytest_sqsmock.mock_base import MockState, as_mock
from pytest_sqsmock.service.principals import access_key_for, secret_key_for
from pytest_sqsmock.transports.server import ServerLimits, SqsServer
from pytest_sqsmock.views import QueueView

if TYPE_CHECKING:
    from responses import RequestsMock

    from pytest_sqsmock.lambda_trigger import LambdaTrigger


class Credentials(TypedDict):
    """Keyword arguments for ``boto3.client()`` / ``Session.client()``."""

    aws_access_key_id: str
    aws_secret_access_key: str


class Integrations(MockState):
    """Clients, transports and simulations beside the API: credentials, server, responses, Lambda, faults."""

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
        with self._session_lock:
            if self._boto3_session is None:
                self._boto3_session = boto3.session.Session()
            return self._boto3_session.client(
                "sqs",
                region_name=region or self.region,
                aws_access_key_id=keys["aws_access_key_id"],
                aws_secret_access_key=keys["aws_secret_access_key"],
                **kwargs,
            )

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
        if not self._active or self._exit_stack is None or self._dispatcher is None:
            raise SqsMockError("start the mock before its server")
        server = SqsServer(
            self._dispatcher.dispatch,
            host=host,
            port=port,
            strict_auth=strict_auth,
            allowed_hosts=allowed_hosts,
            limits=limits,
        ).start()
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
            as_mock(self),
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
        see :class:`pytest_sqsmock.faults.Faults`. Each activation starts without faults.
        """
        if self._faults is None:
            raise SqsMockError("this SqsMock was never started; use it as a context manager or the sqs_mock fixture")
        return self._faults
