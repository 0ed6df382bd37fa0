"""A real HTTP endpoint on 127.0.0.1 for clients in other processes or languages.

It speaks both SQS protocols through the same dispatcher as the in-process
hook, so a subprocess worker, the AWS CLI or the AWS SDK for JavaScript see
the very queues the test asserts on. Queue URLs it returns point at itself.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import ClassVar

from pytest_sqsmock.transports.botocore_hook import Answer
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

MAX_BODY = 16 * 1024 * 1024  # well above SQS's 1 MiB payloads; bigger bodies are refused


class SqsServer:
    """Serve ``answer`` over HTTP on ``host``:``port`` (0: any free port) in a daemon thread."""

    def __init__(self, answer: Answer, *, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("_BoundHandler", (_Handler,), {"answer": staticmethod(answer)})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
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
        self._thread = threading.Thread(target=self._server.serve_forever, name="sqsmock-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (no port stays bound)."""
        if self._thread is None:
            raise RuntimeError("the server is not running")
        self._server.shutdown()
        self._server.server_close()
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


class _Handler(BaseHTTPRequestHandler):
    answer: ClassVar[Answer]
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self._serve()

    def do_GET(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = HttpRequest(
            method=self.command,
            url=f"http://{host}{self.path}",
            headers={name: value for name, value in self.headers.items()},
            body=body,
        )
        self._send(type(self).answer(request))

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        """Stay quiet: tests read their own output."""
