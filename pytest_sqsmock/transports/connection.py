"""One connection of the loopback server: HTTP/1.1 parsed by h11, under deadlines and limits.

A connection is one consumer in another process (``consumers.remote``): its
calls are answered under ``consumers.acting_as`` so that its long polls count as
parked. It runs on a thread of its own, so a long poll blocks only its peer.

For each request, in order: the head must arrive within ``request_timeout_s`` of
its first byte (and never stay silent ``read_timeout_s``); its host and target
must be ones the server answers for; a body it announces over the size limit is
refused from the headers alone; it must be signed; a large body waits for room in
the server's body budget; then the body is read (same deadline), a signature made
with an issued key is checked, and the simulation answers. Refusals are shaped as
SQS errors (:mod:`pytest_sqsmock.transports.refusals`); one made before the body
was read ends the connection.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

import h11

from pytest_sqsmock.service.polling import consumers
from pytest_sqsmock.sqs_errors import SqsError, internal_failure, unknown_operation
from pytest_sqsmock.transports import admission, refusals
from pytest_sqsmock.transports.admission import Admission
from pytest_sqsmock.transports.limits import SMALL_REQUEST_BYTES, BodyBudget, ServerLimits
from pytest_sqsmock.transports.sigv4 import Signature, SignedMessage
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

logger = logging.getLogger("pytest_sqsmock")

Answer = Callable[[HttpRequest], HttpResponse]
_CHUNK: Final = 64 * 1024
# After a refusal, how long (and how much) to read what the peer still sends before closing,
# so that our answer is not lost to a reset (the lingering close of RFC 9112 section 9.6).
_LINGER_S: Final = 1.0
_METHODS: Final = frozenset({"GET", "POST"})


@dataclass(frozen=True)
class Settings:
    """What every connection of one server shares."""

    answer: Answer
    limits: ServerLimits
    admission: Admission
    budget: BodyBudget


class _Closed(Exception):
    """The peer went away, went quiet between requests, or the server is stopping."""


class _TimedOut(Exception):
    """A request did not arrive whole in time."""


class _Refused(Exception):
    """A request turned away; ``error`` is the answer."""

    def __init__(self, error: SqsError, *, hang_up: bool) -> None:
        super().__init__(error)
        self.error = error
        self.hang_up = hang_up


class Connection:
    """Serve one accepted socket until the peer leaves, misbehaves, or the server stops."""

    def __init__(self, sock: socket.socket, peer: str, settings: Settings) -> None:
        self._sock = sock
        self._settings = settings
        self._limits = settings.limits
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=settings.limits.max_head_bytes)
        self._consumer = consumers.remote(peer, self._peer_connected)
        self._started: float | None = None  # monotonic time of the current request's first byte
        self._headers: dict[str, str] | None = None  # the current request's, for the protocol of a refusal
        self._head_only = False  # the current request is a HEAD: its answer has no body
        self._pending_signature: Signature | None = None  # to check once the body is read

    def _peer_connected(self) -> bool:
        """Whether the client is still there (asked by the simulation while this connection's poll waits)."""
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
            # Readable with nothing to read: the client hung up (a pipelined request is data, not EOF).
            return not readable or bool(self._sock.recv(1, socket.MSG_PEEK))
        except (OSError, ValueError):  # closed here, or reset by the peer
            return False

    def abort(self) -> None:
        """End the connection from another thread (the server stops): its reads see EOF."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def serve(self) -> None:
        """Answer requests until the connection ends; closes the socket."""
        try:
            while self._exchange():
                self._h11.start_next_cycle()
                self._started = time.monotonic() if self._h11.trailing_data[0] else None
                self._headers = None
                self._head_only = False
        except _Closed:
            pass
        except Exception:  # a bug of ours must not leave the socket open
            logger.exception("pytest_sqsmock server: connection failed")
        finally:
            self._sock.close()

    # -- one request ---------------------------------------------------------------------------------------------

    def _exchange(self) -> bool:
        """Read one request and answer it; whether the connection may carry another."""
        reserved = 0
        try:
            event = self._next_event()
            if isinstance(event, h11.ConnectionClosed):
                return False
            if not isinstance(event, h11.Request):
                raise _Refused(refusals.invalid_http_request(f"unexpected {type(event).__name__}."), hang_up=True)
            request, signed, wanted = self._admit(event)
            if wanted > SMALL_REQUEST_BYTES:
                if not self._settings.budget.take(wanted, self._deadline()):
                    raise _Refused(refusals.service_unavailable(), hang_up=True)
                reserved = wanted
            if self._h11.they_are_waiting_for_100_continue:
                self._send(self._h11.send(h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")))
            body = self._read_body()
            message = SignedMessage(signed.method, signed.path, signed.query, signed.headers, body)
            if self._pending_signature is not None:
                self._settings.admission.verify(message, self._pending_signature)
            request = HttpRequest(request.method, request.url, request.headers, body)
            with consumers.acting_as(self._consumer):
                response = self._answer(request)
            return self._respond(response)
        except _Refused as refused:
            return self._refuse(refused.error, hang_up=refused.hang_up)
        except SqsError as error:  # the signature check, after the body was read
            return self._refuse(error, hang_up=False)
        except h11.RemoteProtocolError as malformed:
            return self._refuse(_malformed(malformed), hang_up=True)
        except _TimedOut:
            return self._refuse(refusals.request_timeout(), hang_up=True)
        finally:
            if reserved:
                self._settings.budget.give_back(reserved)

    def _admit(self, event: h11.Request) -> tuple[HttpRequest, SignedMessage, int]:
        """Check a request's head; the request (body to come), what was signed, and the most its body may take."""
        self._pending_signature = None
        method = event.method.decode("ascii")
        self._head_only = method == "HEAD"
        raw_headers = [(name.decode("ascii"), value.decode("latin-1")) for name, value in event.headers]
        headers = admission.merged(raw_headers)
        self._headers = dict(headers)
        if (
            len(event.target) + sum(len(name) + len(value) + 4 for name, value in event.headers)
            > self._limits.max_head_bytes
        ):
            # h11 bounds a head still arriving; one that arrived whole in a single read is measured here.
            raise _Refused(_too_large_head(), hang_up=True)
        twice = admission.duplicated_singleton(raw_headers)
        if twice is not None:
            raise _Refused(
                refusals.invalid_http_request(f"the {twice!r} header is given more than once."), hang_up=True
            )
        if admission.from_a_web_page(headers):
            raise _Refused(refusals.from_a_web_page(), hang_up=True)
        try:
            target = self._settings.admission.target(event.target.decode("ascii"), headers.get("host"))
        except SqsError as error:
            raise _Refused(error, hang_up=True) from None
        length = self._announced_length(headers)
        signed = SignedMessage(method, target.path, target.query, raw_headers, b"")
        try:
            self._pending_signature = self._settings.admission.signature(signed)
        except SqsError as error:
            raise _Refused(error, hang_up=True) from None
        if method not in _METHODS:
            raise _Refused(unknown_operation(), hang_up=True)
        wanted = self._limits.max_request_bytes if length is None else length  # a chunked body may grow to the limit
        return HttpRequest(method, target.url, headers), signed, wanted

    def _announced_length(self, headers: Mapping[str, str]) -> int | None:
        """The body length the head announces (``None``: chunked); refuses framing that could smuggle."""
        length = headers.get("content-length")
        if length is not None and "transfer-encoding" in headers:
            error = refusals.invalid_http_request("a request must not carry both Content-Length and Transfer-Encoding.")
            raise _Refused(error, hang_up=True)
        if length is not None and int(length) > self._limits.max_request_bytes:
            raise _Refused(refusals.request_too_large(self._limits.max_request_bytes), hang_up=True)
        return None if "transfer-encoding" in headers else int(length or 0)

    def _read_body(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            event = self._next_event()
            if isinstance(event, h11.EndOfMessage):
                return b"".join(parts)
            if isinstance(event, h11.Data):
                size += len(event.data)
                if size > self._limits.max_request_bytes:  # only a chunked body can get here
                    raise _Refused(refusals.request_too_large(self._limits.max_request_bytes), hang_up=True)
                parts.append(bytes(event.data))
            else:  # h11 yields nothing else inside a request body
                raise _Refused(refusals.invalid_http_request("the request body ended early."), hang_up=True)

    def _answer(self, request: HttpRequest) -> HttpResponse:
        try:
            return self._settings.answer(request)
        except Exception as exc:  # the dispatcher answers every SqsError itself: this is a bug of ours
            logger.exception("pytest_sqsmock server: answering failed")
            return refusals.refusal(internal_failure(f"pytest_sqsmock internal error: {exc!r}"), self._headers)

    # -- reading -------------------------------------------------------------------------------------------------

    def _deadline(self) -> float:
        started = time.monotonic() if self._started is None else self._started
        return started + self._limits.request_timeout_s

    def _next_event(self) -> object:
        while True:
            event = self._h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            self._receive()

    def _receive(self) -> None:
        """Feed h11 what the peer sends next, within the idle timeout or the request's deadline."""
        if self._started is None:
            timeout = self._limits.idle_timeout_s
        else:
            timeout = min(self._limits.read_timeout_s, self._deadline() - time.monotonic())
            if timeout <= 0:
                raise _TimedOut
        try:
            self._sock.settimeout(timeout)
            data = self._sock.recv(_CHUNK)
        except TimeoutError:
            if self._started is None:
                raise _Closed from None  # a quiet kept-alive connection: close it, nothing to say
            raise _TimedOut from None
        except OSError:
            raise _Closed from None
        if data and self._started is None:
            self._started = time.monotonic()
        self._h11.receive_data(data)

    # -- writing -------------------------------------------------------------------------------------------------

    def _respond(self, response: HttpResponse, *, hang_up: bool = False) -> bool:
        headers = [
            (name.encode("ascii", "replace"), value.encode("latin-1", "replace"))
            for name, value in response.headers.items()
            if name.lower() != "content-length"
        ]
        headers.append((b"Content-Length", str(len(response.body)).encode()))
        if hang_up:
            headers.append((b"Connection", b"close"))
        try:
            reason = HTTPStatus(response.status).phrase.encode()
        except ValueError:
            reason = b""
        data = self._h11.send(h11.Response(status_code=response.status, headers=headers, reason=reason)) or b""
        if not self._head_only and response.body:
            data += self._h11.send(h11.Data(data=response.body)) or b""
        data += self._h11.send(h11.EndOfMessage()) or b""
        self._send(data)
        return self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE

    def _refuse(self, error: SqsError, *, hang_up: bool) -> bool:
        """Answer ``error`` if an answer can still be sent; then, when ``hang_up``, close gracefully."""
        if self._h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            try:
                keep = self._respond(refusals.refusal(error, self._headers), hang_up=hang_up)
            except h11.LocalProtocolError:  # h11 cannot frame an answer in this state
                keep = False
        else:
            keep = False
        if hang_up or not keep:
            self._linger()
            return False
        return True

    def _send(self, data: bytes) -> None:
        try:
            self._sock.settimeout(self._limits.read_timeout_s)
            self._sock.sendall(data)
        except OSError:  # TimeoutError included: a peer that does not read its answers is gone
            raise _Closed from None

    def _linger(self) -> None:
        """Stop sending, then read and drop what the peer still sends, briefly, so our answer reaches it."""
        try:
            self._sock.shutdown(socket.SHUT_WR)
            until = time.monotonic() + _LINGER_S
            sink = bytearray(_CHUNK)
            while (left := until - time.monotonic()) > 0:
                self._sock.settimeout(left)
                if not self._sock.recv_into(sink):
                    break
        except OSError:
            pass
        raise _Closed


def _malformed(problem: h11.RemoteProtocolError) -> SqsError:
    """Bytes that are not HTTP/1.1 as h11 reads it: a 4xx (h11's hint, 431 for a head too large), never a 5xx."""
    error = refusals.invalid_http_request(f"{problem}.")
    status = problem.error_status_hint if 400 <= problem.error_status_hint < 500 else 400
    return error.with_status(status)


def _too_large_head() -> SqsError:
    error = refusals.invalid_http_request("the request line and headers are too large.")
    return error.with_status(431)
