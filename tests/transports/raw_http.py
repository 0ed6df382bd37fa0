"""Raw HTTP for server tests: requests signed by botocore's own SigV4 signer, and byte-level exchanges."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_sqsmock.service.access.principals import access_key_for, secret_key_for

ACCOUNT = "123456789012"
ISSUED = Credentials(access_key_for(ACCOUNT), secret_key_for(ACCOUNT))
"""The default account's key, as ``sqs_mock.credentials()`` issues it: the server verifies it."""
FOREIGN = Credentials("AKIDEXAMPLE", "secret")
"""A key the simulation did not issue: accepted unverified, unless ``strict_auth``."""
FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON = "application/x-amz-json-1.0"


def sign(
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    credentials: Credentials = ISSUED,
    region: str = "us-east-1",
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` and ``Authorization``, as botocore signs them."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(credentials, "sqs", region).add_auth(request)
    return dict(request.headers.items())


def presign(url: str, *, credentials: Credentials = ISSUED, region: str = "us-east-1") -> str:
    """A presigned GET URL (``X-Amz-Signature`` in the query), as botocore makes one."""
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(credentials, "sqs", region, expires=300).add_auth(request)
    return str(request.url)


def post(
    connection: http.client.HTTPConnection,
    body: bytes,
    headers: dict[str, str],
    path: str = "/",
    *,
    credentials: Credentials | None = ISSUED,
) -> tuple[http.client.HTTPResponse, bytes]:
    """POST ``body`` over ``connection`` (signed unless ``credentials`` is None); the response and its body."""
    if credentials is not None:
        url = f"http://{connection.host}:{connection.port}{path}"
        headers = sign("POST", url, body, headers, credentials=credentials)
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def query_headers() -> dict[str, str]:
    return {"Content-Type": FORM}


def json_headers(operation: str) -> dict[str, str]:
    return {"Content-Type": JSON, "X-Amz-Target": f"AmazonSQS.{operation}"}


def signed_bytes(port: int, body: bytes, headers: dict[str, str], *, path: str = "/", method: str = "POST") -> bytes:
    """A whole signed HTTP/1.1 request, as bytes (Host ``127.0.0.1:<port>``)."""
    url = f"http://127.0.0.1:{port}{path}"
    signed = sign(method, url, body, {**headers, "Host": f"127.0.0.1:{port}"})
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in signed.items())]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Reply:
    """What came back on a raw connection."""

    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool = False
    raw: bytes = field(default=b"", repr=False)


def read_reply(sock: socket.socket, timeout: float = 5.0, *, no_body: bool = False) -> Reply | None:
    """Read one response (``None`` when the server closed without answering); bounded by ``timeout``.

    ``no_body``: the answer to a HEAD request, whose Content-Length announces no bytes to come.
    """
    sock.settimeout(timeout)
    received = b""
    until = time.monotonic() + timeout
    closed = False
    while time.monotonic() < until:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        received += chunk
        while received.startswith(b"HTTP/1.1 1") and b"\r\n\r\n" in received:  # 100 Continue: not the answer
            received = received.partition(b"\r\n\r\n")[2]
        head, separator, rest = received.partition(b"\r\n\r\n")
        if separator:
            headers = _headers(head)
            length = headers.get("content-length", "0")
            if no_body or len(rest) >= (int(length) if length.isdigit() else 0):
                return _reply(head, rest, closed=False, raw=received)
    if not received:
        return None
    head, _, rest = received.partition(b"\r\n\r\n")
    return _reply(head, rest, closed=closed, raw=received)


def exchange(port: int, data: bytes, timeout: float = 5.0) -> Reply | None:
    """Send raw bytes on a fresh connection and read one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_reply(sock, timeout)


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}


def _reply(head: bytes, rest: bytes, *, closed: bool, raw: bytes) -> Reply:
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    headers = _headers(head)
    length = int(headers.get("content-length", len(rest)))
    return Reply(status, headers, rest[:length], closed, raw)


def in_subprocess(script: str, endpoint_url: str, **keys: str) -> Any:
    """Run ``script`` (Python, with ``endpoint``, ``boto3`` and ``ClientError`` in scope) in a fresh process.

    boto3 clients in the test's own process are answered in process by the mock,
    server or not; one in another process reaches the server over HTTP. The
    script assigns ``result``, which comes back through JSON.
    """
    prelude = (
        "import json, sys, boto3\n"
        "from botocore.exceptions import ClientError\n"
        "endpoint, keys = sys.argv[1], json.loads(sys.argv[2])\n"
    )
    code = prelude + script + "\nprint(json.dumps(result))\n"
    done = subprocess.run(
        [sys.executable, "-c", code, endpoint_url, json.dumps(keys)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


CLIENT_ERRORS = """
def error_of(call):
    try:
        call()
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["Error"]["Message"],
                error.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None
"""
