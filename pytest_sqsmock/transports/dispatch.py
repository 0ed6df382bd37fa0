"""From an HTTP request to an HTTP response through the wire codec and the service.

Every transport (the botocore hook, the responses adapter, the HTTP server)
hands its requests to one ``Dispatcher``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final, NamedTuple
from urllib.parse import urlsplit

from pytest_sqsmock.clock import VirtualClock
from pytest_sqsmock.exceptions import SqsMockAssertionError
from pytest_sqsmock.model.addresses import sqs_host_region
from pytest_sqsmock.service.access.principals import account_for, sender_id_for
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.sqs_errors import SqsError, internal_failure, invalid_parameter_value
from pytest_sqsmock.transports.refusals import credential_of_another_region
from pytest_sqsmock.wire import json_protocol
from pytest_sqsmock.wire.codec import (
    DecodedRequest,
    Dialect,
    SigningScope,
    decode_request,
    detect_dialect,
    encode_error,
    encode_result,
    new_request_id,
    signing_scope,
)
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

logger = logging.getLogger("pytest_sqsmock")
_KEPT_CONTEXTS: Final = 1024


class Exchange(NamedTuple):
    """One answered call, as the journal records it (a tuple: one is made per call)."""

    operation: str
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: SqsError | None
    context: RequestContext
    time_ms: int
    injected: bool = False
    # Where the call falls in the order calls took effect, and the virtual time it ended (0, None: injected).
    sequence: int = 0
    ended_ms: int | None = None


Recorder = Callable[[Exchange], None]


class Outcome(NamedTuple):
    """How one request was answered, before it is encoded: a result, or an error (a tuple: one is made per call)."""

    protocol: Dialect
    request_id: str
    operation: str  # "" when the request did not decode (then ``error`` says why)
    result: dict[str, Any] | None
    error: SqsError | None

    def encoded(self) -> HttpResponse:
        """The HTTP response, in the request's protocol."""
        if self.error is not None:
            return encode_error(self.protocol, self.error, self.request_id)
        return encode_result(self.protocol, self.operation, self.result, self.request_id)


class Dispatcher:
    """Answers SQS HTTP requests from one simulation."""

    def __init__(self, service: Service, *, default_account: str, default_region: str, record: Recorder) -> None:
        self._service = service
        self._default_account = default_account
        self._default_region = default_region
        self._record = record
        # Ports of this simulation's loopback servers: in-process clients pointed at one
        # (botocore's endpoint_url) are answered here, and must see the server's URLs.
        self._server_ports: set[int] = set()
        # The direct path's contexts, by (url, operation, signing scope, trace header): they repeat call after call.
        self._json_contexts: dict[tuple[str, str, SigningScope | None, str | None], RequestContext] = {}

    @property
    def service(self) -> Service:
        """The simulation this dispatcher answers from."""
        return self._service

    def dispatch(self, request: HttpRequest, *, scope: SigningScope | None = None) -> HttpResponse:
        """Answer one request exactly as SQS would.

        A request addressed to one of this simulation's servers (an in-process
        client given its ``endpoint_url``) is answered as the server answers it.
        ``scope`` stands for the signature of an unsigned request the client would
        have signed with it (the direct path, transports/direct_path.py).
        """
        return self._dispatch(request, regional_urls=self._addresses_a_server(request.url), scope=scope)

    def add_server(self, port: int) -> Callable[[], None]:
        """Note a loopback server of this simulation listening on ``port``; returns the undo."""
        self._server_ports.add(port)
        return lambda: self._server_ports.discard(port)

    def _addresses_a_server(self, url: str) -> bool:
        if not self._server_ports:
            return False
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        return port in self._server_ports and _region_of_host(url) is None

    def serve(self, request: HttpRequest) -> HttpResponse:
        """Answer one request to the loopback server: as :meth:`dispatch`, with queue URLs that carry the region.

        One server stands for every region's endpoint, so its queue URLs are
        ``http://<host>:<port>/<region>/<account>/<name>``: the same name in two
        regions gives two URLs, as on AWS. A request sent to such a URL is a request
        to that region's endpoint.
        """
        return self._dispatch(request, regional_urls=True)

    def _dispatch(
        self, request: HttpRequest, *, regional_urls: bool, scope: SigningScope | None = None
    ) -> HttpResponse:
        return self._answer(request, regional_urls=regional_urls, scope=scope).encoded()

    def answer(self, request: HttpRequest, *, scope: SigningScope | None = None) -> Outcome:
        """As :meth:`dispatch`, before the answer is encoded (the direct path hands results on as they are)."""
        return self._answer(request, regional_urls=self._addresses_a_server(request.url), scope=scope)

    def answer_json(
        self, url: str, operation: str, body: bytes, *, scope: SigningScope | None, trace_header: str | None
    ) -> Outcome | None:
        """As :meth:`answer`, for an awsJson1_0 call to an endpoint's root given by its parts (the direct path).

        The call's context is kept for the next call alike. Returns None for a
        call that needs its HTTP request read: one sent to a URL with a path (a
        queue URL) or to one of this simulation's servers.
        """
        if self._addresses_a_server(url):
            return None
        key = (url, operation, scope, trace_header)
        context = self._json_contexts.get(key)
        if context is None:
            try:
                parts = urlsplit(url)
            except ValueError:
                return None
            if parts.path not in ("", "/") or parts.query:
                return None
            context = self._context_of(url, operation, "json", None, scope, trace_header)
            if len(self._json_contexts) >= _KEPT_CONTEXTS:
                self._json_contexts.clear()
            self._json_contexts[key] = context
        request_id = new_request_id()
        try:
            params = json_protocol.decode_body(operation, body)
        except SqsError as error:
            return Outcome("json", request_id, "", None, error)
        return self._run("json", request_id, operation, params, context)

    def _answer(self, request: HttpRequest, *, regional_urls: bool, scope: SigningScope | None) -> Outcome:
        request_id = new_request_id()
        protocol = detect_dialect(request)
        try:
            decoded = decode_request(request)
            context = self._context(request, decoded, regional_urls=regional_urls, scope=scope)
        except SqsError as error:
            return Outcome(protocol, request_id, "", None, error)
        except ValueError:  # a URL that does not parse (urlsplit refuses it)
            return Outcome(protocol, request_id, "", None, invalid_parameter_value("The request URL is not valid."))
        return self._run(protocol, request_id, decoded.operation, decoded.params, context)

    def _run(
        self, protocol: Dialect, request_id: str, operation: str, params: dict[str, Any], context: RequestContext
    ) -> Outcome:
        """Answer a decoded call from the simulation (or an injected fault), and record it."""
        service = self._service
        time_ms = service.clock.now_ms()
        faults = service.faults
        if faults is not None:  # an injected error answers instead of the service (pytest_sqsmock.faults.injection)
            injected = faults.error_for(operation, params, context)
            if injected is not None:
                self._record(Exchange(operation, params, None, injected, context, time_ms, True))
                return Outcome(protocol, request_id, operation, None, injected)
        try:
            result = service.handle(operation, params, context)
        except SqsError as error:
            self._record(self._answered(operation, params, None, error, context, time_ms))
            return Outcome(protocol, request_id, operation, None, error)
        except SqsMockAssertionError:  # consumers never parked for a long poll of the test's: the test fails
            raise
        except Exception as exc:  # a bug of ours: answer like SQS, but say what broke
            logger.exception("pytest_sqsmock failed on %s", operation)
            failure = internal_failure(f"pytest_sqsmock internal error: {exc!r}")
            self._record(Exchange(operation, params, None, failure, context, time_ms))
            return Outcome(protocol, request_id, operation, None, failure)
        self._record(self._answered(operation, params, result, None, context, time_ms))
        return Outcome(protocol, request_id, operation, result, None)

    def _answered(
        self,
        operation: str,
        params: dict[str, Any],
        result: dict[str, Any] | None,
        error: SqsError | None,
        context: RequestContext,
        fallback_ms: int,
    ) -> Exchange:
        """The journal entry of a call the service answered, timed as the service saw it (under its lock)."""
        order = self._service.last_call_order()
        if order is None:  # refused before it reached the simulation (an unknown operation)
            return Exchange(operation, params, result, error, context, fallback_ms)
        started_ms, sequence, ended_ms = order
        return Exchange(operation, params, result, error, context, started_ms, False, sequence, ended_ms)

    def back_off(self, seconds: float) -> bool:
        """Spend a client's retry back-off in virtual time; False when it must really sleep.

        Under ``clock="virtual"`` the thread that drives time moves virtual time
        by ``seconds`` (as its long polls do) and any other thread goes on at
        once; under ``clock="system"`` the client sleeps as usual.
        """
        service = self._service
        if not isinstance(service.clock, VirtualClock):
            return False
        if service.on_driver_thread():
            with service.lock:
                service.advance_to(service.now_ms() + max(0, round(seconds * 1000)))
        return True

    def may_block(self) -> bool:
        """Whether a long poll answered on the calling thread may block (instead of jumping virtual time)."""
        return not (isinstance(self._service.clock, VirtualClock) and self._service.on_driver_thread())

    def _context(
        self, request: HttpRequest, decoded: DecodedRequest, *, regional_urls: bool, scope: SigningScope | None
    ) -> RequestContext:
        region = decoded.path_region if regional_urls else None
        context = self.context_for(request, decoded.operation, decoded.protocol, region=region, scope=scope)
        if regional_urls:
            return replace(context, endpoint=f"{context.endpoint}/{context.region}")
        return context

    def context_for(
        self,
        request: HttpRequest,
        operation: str,
        protocol: Any,
        *,
        region: str | None = None,
        scope: SigningScope | None = None,
    ) -> RequestContext:
        """Caller and endpoint of a request: account from the access key, region from the signature.

        ``region`` is the region of the endpoint the request was sent to when its
        URL names one (a server's regional queue URL); a signature scoped to another
        region is refused as AWS refuses a request sent to another region's host
        (``SignatureDoesNotMatch``, "Credential should be scoped to a valid region").
        """
        scope = scope or signing_scope(request)
        return self._context_of(request.url, operation, protocol, region, scope, request.header("x-amzn-trace-id"))

    def _context_of(
        self,
        url: str,
        operation: str,
        protocol: Any,
        region: str | None,
        scope: SigningScope | None,
        trace_header: str | None,
    ) -> RequestContext:
        access_key = scope.access_key_id if scope else None
        account_id = account_for(access_key, self._default_account)
        if region is not None:
            if scope is not None and scope.region != region:
                raise credential_of_another_region(scope.region)
        else:
            region = scope.region if scope else _region_of_host(url) or self._default_region
        parts = urlsplit(url)
        return RequestContext(
            account_id=account_id,
            region=region,
            operation=operation,
            protocol=protocol,
            endpoint=f"{parts.scheme}://{parts.netloc}",
            sender_id=sender_id_for(access_key, account_id),
            trace_header=trace_header,
        )


def _region_of_host(url: str) -> str | None:
    return sqs_host_region(urlsplit(url).hostname or "")
