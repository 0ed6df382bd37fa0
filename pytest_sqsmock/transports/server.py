"""A real HTTP endpoint on 127.0.0.1 for clients in other processes or languages.

It speaks both SQS protocols through the same dispatcher as the in-process
hook, so a subprocess worker, the AWS CLI or the AWS SDK for JavaScript see
the very queues the test asserts on. Queue URLs it returns point at itself.

HTTP/1.1 is parsed by h11 (python-hyper's sans-IO library); each connection is
served on a thread of its own (:mod:`pytest_sqsmock.transports.connection`), so a
long poll holds only its own peer. What a peer may hold (connections, time,
bytes) is bounded by :class:`ServerLimits`; who may call at all (host names,
signatures) is decided by :mod:`pytest_sqsmock.transports.admission`. Beyond
``max_connections`` the accept loop answers SQS's 503 ``ServiceUnavailable``
itself and closes.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import selectors
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Final

import h11

from pytest_sqsmock.exceptions import SqsMockSecurityWarning
from pytest_sqsmock.transports import refusals
from pytest_sqsmock.transports.admission import Admission, normalize_allowed
from pytest_sqsmock.transports.connection import Answer, Connection, Settings
from pytest_sqsmock.transports.limits import MAX_REQUEST_BYTES, BodyBudget, ServerLimits

__all__ = ["MAX_BODY", "Answer", "ServerLimits", "SqsServer"]

MAX_BODY: Final = MAX_REQUEST_BYTES
"""The largest request body served; larger ones get a 413 (see :mod:`pytest_sqsmock.transports.limits`)."""

logger = logging.getLogger("pytest_sqsmock")
_BACKLOG: Final = 128
# Turned-away connections whose last bytes we read before closing, and for how long.
_MAX_DRAINING: Final = 256
_DRAIN_S: Final = 1.0
# Out of file descriptors: stop accepting for this long (doubling) instead of spinning.
_PAUSE_S: Final = (0.05, 1.0)
_OUT_OF_RESOURCES: Final = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class SqsServer:
    """Serve ``answer`` over HTTP on ``host``:``port`` (0: any free port) from a daemon thread.

    Args:
        answer: Turns an ``HttpRequest`` into an ``HttpResponse`` (the simulation's dispatcher).
        host: The address to bind. Anything but a loopback address warns
            (:class:`~pytest_sqsmock.exceptions.SqsMockSecurityWarning`).
        port: The port; 0 picks a free one.
        strict_auth: Refuse access keys the simulation did not issue, as AWS
            refuses keys it does not know (``InvalidClientTokenId``).
        allowed_hosts: Host names (or addresses) to serve besides loopback ones,
            for clients that reach the server by another name.
        limits: Connection, time and size bounds (:class:`ServerLimits`).
    """

    def __init__(
        self,
        answer: Answer,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_auth: bool = False,
        allowed_hosts: Iterable[str] = (),
        limits: ServerLimits | None = None,
    ) -> None:
        self._limits = limits or ServerLimits()
        allowed = normalize_allowed(allowed_hosts)
        self._listener = _listen(host, port)
        self._host, self._port = self._listener.getsockname()[:2]
        if not _is_loopback_address(self._host):
            warnings.warn(exposure_warning(self._host), SqsMockSecurityWarning, stacklevel=_outside_package())
        admission = Admission(bound=self._authority(), allowed_hosts=allowed, strict_auth=strict_auth)
        self._settings = Settings(answer, self._limits, admission, BodyBudget(self._limits.body_budget_bytes))
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._connections: set[Connection] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._port)

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return str(self._host)

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``, for ``boto3.client("sqs", endpoint_url=...)``."""
        return f"http://{self._authority()}"

    @property
    def limits(self) -> ServerLimits:
        """The bounds this server applies."""
        return self._limits

    def start(self) -> SqsServer:
        """Start serving in a background thread."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._thread = threading.Thread(target=self._accept_loop, name="sqsmock-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket (no port stays bound) and end open connections."""
        if self._thread is None:
            raise RuntimeError("the server is not running")
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")
        self._thread.join()
        self._thread = None
        for sock in (self._listener, self._wake_reader, self._wake_writer):
            sock.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # their threads see EOF, close their sockets and end
            connection.abort()

    def stop_quietly(self) -> None:
        """Stop if still running."""
        if self._thread is not None:
            self.stop()

    def __enter__(self) -> SqsServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _authority(self) -> str:
        host = str(self._host)
        return f"[{host}]:{self._port}" if ":" in host else f"{host}:{self._port}"

    # -- the accept loop -----------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._wake_reader, selectors.EVENT_READ)
        selector.register(self._listener, selectors.EVENT_READ)
        draining: dict[socket.socket, float] = {}  # turned-away sockets -> when to close them
        paused_until = 0.0
        pause = _PAUSE_S[0]
        try:
            while True:
                now = time.monotonic()
                wake_at = min([*draining.values(), paused_until or float("inf")])
                events = selector.select(None if wake_at == float("inf") else max(0.0, wake_at - now))
                for key, _ in events:
                    if key.fileobj is self._wake_reader:
                        return
                    if key.fileobj is self._listener:
                        if not self._accept(selector, draining):  # out of descriptors: pause, do not spin
                            selector.unregister(self._listener)
                            paused_until, pause = time.monotonic() + pause, min(pause * 2, _PAUSE_S[1])
                        else:
                            pause = _PAUSE_S[0]
                    else:
                        _drain(selector, draining, key.fileobj)  # type: ignore[arg-type]
                now = time.monotonic()
                if paused_until and now >= paused_until:
                    paused_until = 0.0
                    selector.register(self._listener, selectors.EVENT_READ)
                for sock in [sock for sock, until in draining.items() if until <= now]:
                    _close_drained(selector, draining, sock)
        finally:
            for sock in list(draining):
                _close_drained(selector, draining, sock)
            selector.close()

    def _accept(self, selector: selectors.BaseSelector, draining: dict[socket.socket, float]) -> bool:
        """Take one pending connection; False when the process is out of descriptors."""
        try:
            sock, address = self._listener.accept()
        except OSError as failure:
            if failure.errno in _OUT_OF_RESOURCES:
                logger.warning("pytest_sqsmock server: cannot accept connections: %s", failure)
                return False
            return True  # the peer gave up before we accepted it (ECONNABORTED ...)
        peer = "{}:{}".format(*address[:2]) if isinstance(address, tuple) else str(address)
        with self._lock:
            full = len(self._connections) >= self._limits.max_connections
        if full:
            _turn_away(sock, selector, draining)
            return True
        with contextlib.suppress(OSError):  # answers go out in one write, but never wait for a delayed ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock, peer, self._settings)
        with self._lock:
            self._connections.add(connection)
        thread = threading.Thread(target=self._serve, args=(connection,), name=f"sqsmock-server {peer}", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # the process cannot start another thread: as full as it gets
            with self._lock:
                self._connections.discard(connection)
            _turn_away(sock, selector, draining)
        return True

    def _serve(self, connection: Connection) -> None:
        try:
            connection.serve()
        finally:
            with self._lock:
                self._connections.discard(connection)


def exposure_warning(host: str) -> str:
    """What binding ``host`` (not loopback) means, for the warning and for ``serve``."""
    return (
        f"pytest_sqsmock's SQS server listens on {host}, not on a loopback address: other machines that can reach "
        "this port can call it. It checks signatures only for keys it issued, and serves only loopback host names "
        "unless you add others with allowed_hosts= / --allowed-host (README#security)."
    )


def _outside_package() -> int:
    """The ``stacklevel`` that makes a warning name the first caller outside pytest_sqsmock."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith("pytest_sqsmock."):
        frame, level = frame.f_back, level + 1
    return level


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` (IPv4 preferred for names that have both)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = sorted(infos, key=lambda info: info[0] != socket.AF_INET)[0]
    return socket.create_server(address[:2], family=family, backlog=_BACKLOG)


def _is_loopback_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _turn_away(sock: socket.socket, selector: selectors.BaseSelector, draining: dict[socket.socket, float]) -> None:
    """Answer a connection over the limit with SQS's 503, then read what it sends for a moment, then close."""
    error = refusals.service_unavailable()
    response = refusals.refusal(error)
    head = [(name.encode(), value.encode()) for name, value in response.headers.items()]
    head += [(b"Content-Length", str(len(response.body)).encode()), (b"Connection", b"close")]
    writer = h11.Connection(h11.SERVER)
    data = writer.send(
        h11.Response(status_code=error.status, headers=head, reason=HTTPStatus(error.status).phrase.encode())
    )
    try:
        sock.setblocking(False)
        sock.send((data or b"") + response.body)  # a few hundred bytes: the socket buffer takes them
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        sock.close()
        return
    if len(draining) >= _MAX_DRAINING:
        sock.close()
        return
    draining[sock] = time.monotonic() + _DRAIN_S
    selector.register(sock, selectors.EVENT_READ)


def _drain(selector: selectors.BaseSelector, draining: dict[socket.socket, float], sock: socket.socket) -> None:
    try:
        if sock.recv(64 * 1024):
            return
    except BlockingIOError:
        return
    except OSError:
        pass
    _close_drained(selector, draining, sock)


def _close_drained(selector: selectors.BaseSelector, draining: dict[socket.socket, float], sock: socket.socket) -> None:
    draining.pop(sock, None)
    with contextlib.suppress(KeyError, ValueError):
        selector.unregister(sock)
    sock.close()
