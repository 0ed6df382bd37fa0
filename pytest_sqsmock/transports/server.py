"""A real HTTP endpoint on 127.0.0.1 for clients in other processes or languages.

It speaks both SQS protocols through the same dispatcher as the in-process
hook, so a subprocess worker, the AWS CLI or the AWS SDK for JavaScript see
the very queues the test asserts on. Queue URLs it returns point at itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import socket
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pytest_sqsmock.service import consumers, errors
from pytest_sqsmock.transports.botocore_hook import Answer
from pytest_sqsmock.wire.codec import detect_protocol, encode_error, new_request_id
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

MAX_BODY = 16 * 1024 * 1024  # well above SQS's 1 MiB payloads; bigger bodies are refused
logger = logging.getLogger("pytest_sqsmock")
# How often the serving thread checks for a stop: the most a stop() waits.
_POLL_INTERVAL_S = 0.02


class SqsServer:
    """Serve ``answer`` over HTTP on ``host``:``port`` (0: any free port) in a daemon thread."""

    def __init__(self, answer: Answer, *, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("_BoundHandler", (_Handler,), {"answer": staticmethod(answer)})
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return str(self._server.server_address[0])

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``, for ``boto3.client("sqs", endpoint_url=...)``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> SqsServer:
        """Start serving in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL_S},
            name="sqsmock-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (no port stays bound)."""
        if self._thread is None:
            raise RuntimeError("the server is not running")
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join()
        self._thread = None

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


class _Server(ThreadingHTTPServer):
    """Threads per connection; knows its open connections so that a stop closes them."""

    daemon_threads = True  # a long poll in progress must not hold up the process
    request_queue_size = 64  # many clients may connect at once

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections: their handlers see EOF, close them and exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (or a stop) while its request was answered is not news.
        logger.debug("pytest_sqsmock server: connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    answer: ClassVar[Answer]
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body would wait
    # for the client's delayed ACK (40 ms on Linux) on every call.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # the name http.server calls
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        headers = dict(self.headers.items())
        host = _host(self.headers.get("Host"), self.server.server_address)
        length = _content_length(self.headers.get("Content-Length"))
        if host is None or length is None or length > MAX_BODY:
            # Nothing sensible to answer, or a body that cannot (or need not) be read: refuse, then hang up.
            self.close_connection = True
            url = f"http://127.0.0.1{self.path}"  # only its path and headers matter for an error
            self._send(_refusal(HttpRequest(self.command, url, headers), host=host, length=length))
            return
        body = self.rfile.read(length) if length else b""
        url = f"http://{host}{self.path}"
        # Each connection is one consumer in another process: its long polls count as parked consumers.
        with consumers.acting_as(self._consumer):
            self._send(type(self).answer(HttpRequest(method=self.command, url=url, headers=headers, body=body)))

    @functools.cached_property
    def _consumer(self) -> consumers.Consumer:
        return consumers.remote("{}:{}".format(*self.client_address[:2]))

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:  # http.server's signature
        """Stay quiet: tests read their own output."""


def _content_length(value: str | None) -> int | None:
    """The body length a request announces; ``None`` when it is not a length at all."""
    if value is None or value.strip() == "":
        return 0
    stripped = value.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else None


def _host(value: str | None, bound: Any) -> str | None:
    """The Host header when it is a usable host[:port] (the server's address when absent); else ``None``."""
    if not value:
        return "{}:{}".format(*bound[:2])
    try:
        _ = urlsplit(f"http://{value}/").port  # raises on "[" or a port that is not a number
    except ValueError:
        return None
    return value


def _refusal(request: HttpRequest, *, host: str | None, length: int | None) -> HttpResponse:
    """An SQS-shaped error for a request the server will not read or cannot place."""
    if host is None:
        error = errors.invalid_parameter_value("The Host header of the request is not valid.")
    elif length is None:
        error = errors.invalid_parameter_value("The Content-Length header of the request is not a valid length.")
    else:
        error = replace(
            errors.invalid_parameter_value(f"The request body is longer than {MAX_BODY} bytes."), status=413
        )
    return encode_error(detect_protocol(request), error, new_request_id())
