"""Fuzzing the server with raw HTTP on loopback: no hang, no crash, no 5xx but the overload 503, always SQS-shaped.

Hypothesis builds requests byte by byte (methods, targets, versions, headers,
bodies, encodings, line endings), some of them validly signed by botocore so
that they reach the simulation, and sends them whole, in slow pieces, or cut
short. Each answer must be SQS-shaped; after each one the server must still
serve a plain signed call; nothing may be logged as an error.

The default run takes a few seconds; ``SQSMOCK_LONG=1`` runs thousands of
examples (``tox -e reliability`` sets it).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.limits import ServerLimits
from pytest_sqsmock.transports.server import SqsServer

from .raw_http import FOREIGN, FORM, ISSUED, Reply, read_reply, sign, signed_bytes

LONG = os.environ.get("SQSMOCK_LONG") == "1"
EXAMPLES = 3_000 if LONG else 50
LIMITS = ServerLimits(
    max_connections=16,
    idle_timeout_s=0.5,
    read_timeout_s=0.1,
    request_timeout_s=0.3,
    max_request_bytes=16 * 1024,
    max_head_bytes=4 * 1024,
    body_budget_bytes=64 * 1024,
)
ANSWER_WITHIN_S = LIMITS.request_timeout_s + 2.0
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
LIST = urlencode({"Action": "ListQueues", "Version": "2012-11-05"}).encode()


@dataclass(frozen=True)
class Sent:
    """One generated exchange: the bytes, how they go out, and whether the request is whole."""

    data: bytes
    pieces: int
    pause_s: float
    whole: bool
    close_early: bool
    head: bool


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_errors() -> Iterator[_Errors]:
    handler = _Errors()
    logger = logging.getLogger("pytest_sqsmock")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    assert [record.getMessage() for record in handler.records] == []


# -- strategies --------------------------------------------------------------------------------------------------------

_bytes_text = st.binary(max_size=24)
_token = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=':()<>@,;\\"/[]?={} '),
    min_size=1,
    max_size=12,
)
_methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "CONNECT", "PATCH"]),
    _token,
    _bytes_text.map(lambda b: b.decode("latin-1")),
)
_versions = st.sampled_from(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "", "HTTP/1.1x", "http/1.1"])


def _targets(port: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "/",
                "/123456789012/fuzz",
                "/?Action=ListQueues",
                "/?Action=CreateQueue&QueueName=%FF",
                f"http://127.0.0.1:{port}/",
                f"http://localhost:{port}/123456789012/fuzz?Action=GetQueueUrl&QueueName=fuzz",
                "http://evil.example/",
                "https://127.0.0.1/",
                "*",
                "127.0.0.1:443",
                "",
                "/" + "a" * 5000,
            ]
        ),
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40).map(lambda t: "/" + t),
        _bytes_text.map(lambda b: "/" + b.decode("latin-1")),
    )


def _header_lines(port: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    host = st.sampled_from(
        [f"127.0.0.1:{port}", "localhost", "[::1]", "evil.example", "[", "", "127.0.0.1:99999", "a b"]
    )
    fixed = st.one_of(
        host.map(lambda v: ("Host", v)),
        st.sampled_from([FORM, "application/x-amz-json-1.0", "text/plain", "application/json", ""]).map(
            lambda v: ("Content-Type", v)
        ),
        st.sampled_from(["AmazonSQS.ListQueues", "AmazonSQS.CreateQueue", "AmazonSQS.Nope", "Other.Thing", ""]).map(
            lambda v: ("X-Amz-Target", v)
        ),
        st.sampled_from(["0", "5", "17", "-1", "abc", "99999999999", "1, 2", " 3 "]).map(
            lambda v: ("Content-Length", v)
        ),
        st.sampled_from(["chunked", "gzip", "chunked, gzip", "identity"]).map(lambda v: ("Transfer-Encoding", v)),
        st.sampled_from(
            [
                "AWS4-HMAC-SHA256",
                "Basic abc",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/sqs/aws4_request",
                "",
            ]
        ).map(lambda v: ("Authorization", v)),
        st.sampled_from(["100-continue", "nothing"]).map(lambda v: ("Expect", v)),
        st.sampled_from(["close", "keep-alive", "upgrade"]).map(lambda v: ("Connection", v)),
        st.tuples(_token, _bytes_text.map(lambda b: b.decode("latin-1"))),
    )
    return st.lists(fixed, max_size=7)


_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([LIST, b"{}", b'{"QueueName": "fuzz"}', b"Action=CreateQueue&QueueName=fuzz\xff", b"\xff\xfe{}"]),
    st.text(max_size=60).map(lambda t: t.encode("utf-8")),
)


@st.composite
def raw_requests(draw: st.DrawFn, port: int) -> Sent:
    """Bytes that look more or less like HTTP, sent more or less politely."""
    eol = draw(st.sampled_from(["\r\n", "\r\n", "\r\n", "\n", "\r"]))
    method = draw(_methods)
    target = draw(_targets(port))
    version = draw(_versions)
    headers = draw(_header_lines(port))
    body = draw(_bodies)
    if draw(st.booleans()):
        headers.append(("Content-Length", str(len(body))))
    head = f"{method} {target} {version}".rstrip() + eol + "".join(f"{n}: {v}{eol}" for n, v in headers) + eol
    data = head.encode("latin-1", "replace") + body
    return _delivery(draw, data, head=method == "HEAD")


@st.composite
def signed_requests(draw: st.DrawFn, port: int) -> Sent:
    """Requests botocore signs (with an issued key or a foreign one): they reach the simulation."""
    method = draw(st.sampled_from(["GET", "POST"]))
    path = draw(st.sampled_from(["/", "/123456789012/fuzz", "/123456789012/other", "/" + quote("é", safe="")]))
    params = draw(
        st.dictionaries(
            st.sampled_from(["Action", "QueueName", "QueueUrl", "MessageBody", "Attribute.1.Name", "Version", "X"]),
            st.sampled_from(
                ["ListQueues", "CreateQueue", "SendMessage", "GetQueueUrl", "fuzz", "", "é", "\x00", "a" * 90]
            ),
            max_size=4,
        )
    )
    as_json = draw(st.booleans())
    if as_json:
        operation = draw(
            st.sampled_from(["ListQueues", "CreateQueue", "SendMessage", "GetQueueUrl", "PurgeQueue", "Bogus"])
        )
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"}
        body = json.dumps(params).encode() if draw(st.booleans()) else draw(st.binary(max_size=40))
        query = ""
    else:
        headers = {"Content-Type": FORM}
        encoded = urlencode(params).encode()
        body, query = (b"", encoded.decode()) if method == "GET" else (encoded, "")
    credentials = draw(st.sampled_from([ISSUED, FOREIGN]))
    url = f"http://127.0.0.1:{port}{path}" + (f"?{query}" if query else "")
    signed = sign(method, url, body, {**headers, "Host": f"127.0.0.1:{port}"}, credentials=credentials)
    target = path + (f"?{query}" if query else "")
    lines = [f"{method} {target} HTTP/1.1", *(f"{n}: {v}" for n, v in signed.items()), f"Content-Length: {len(body)}"]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    return _delivery(draw, data, head=False, polite=True)


def _delivery(draw: st.DrawFn, data: bytes, *, head: bool, polite: bool = False) -> Sent:
    pieces = draw(st.integers(1, 4))
    pause = draw(st.sampled_from([0.0, 0.0, 0.01, 0.03]))
    cut = 0 if polite else draw(st.sampled_from([0, 0, 0, 0, 1, 2]))
    whole = cut == 0
    if not whole:
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    close_early = not whole and draw(st.integers(0, 9)) > 0  # mostly hang up; sometimes just go quiet
    return Sent(data, pieces, pause, whole, close_early, head)


# -- checks ------------------------------------------------------------------------------------------------------------


def assert_sqs_shaped(reply: Reply, *, head: bool) -> None:
    assert reply.status >= 200, reply.raw[:300]
    assert reply.status < 500 or reply.status == 503, reply.raw[:300]
    assert reply.headers.get("x-amzn-requestid"), reply.raw[:300]
    if head:
        return
    content_type = reply.headers.get("content-type", "")
    if content_type.startswith("application/x-amz-json"):
        document = json.loads(reply.body)
        assert isinstance(document, dict)
        if reply.status >= 300:
            assert "#" in document["__type"]
            assert ";" in reply.headers["x-amzn-query-error"]
            if reply.status == 503:
                assert reply.headers["x-amzn-query-error"] == "ServiceUnavailable;Receiver"
    else:
        assert content_type == "text/xml", reply.raw[:300]
        root = ET.fromstring(reply.body)
        if reply.status == 404 and root.tag == "UnknownOperationException":  # no action named: a bare element
            return
        if reply.status >= 300:
            assert root.tag == f"{NS}ErrorResponse", reply.body[:300]
            code = root.findtext(f"{NS}Error/{NS}Code")
            assert code, reply.body[:300]
            assert root.findtext(f"{NS}RequestId")
            if reply.status == 503:
                assert code == "ServiceUnavailable"


def deliver(server: SqsServer, sent: Sent) -> Reply | None:
    """Send ``sent``; the answer, or None when the server closed without one. Never waits past the bound."""
    started = time.monotonic()
    with socket.create_connection((server.host, server.port), timeout=ANSWER_WITHIN_S) as sock:
        size = max(1, -(-len(sent.data) // sent.pieces))
        try:
            for offset in range(0, len(sent.data), size):
                sock.sendall(sent.data[offset : offset + size])
                if sent.pause_s:
                    time.sleep(sent.pause_s)  # a slow client is the point here
            if sent.close_early:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server refused and hung up mid-send: what it said is still readable
        reply = read_reply(sock, ANSWER_WITHIN_S, no_body=sent.head)
    assert time.monotonic() - started < ANSWER_WITHIN_S + 1.0
    return reply


def still_serving(server: SqsServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(signed_bytes(server.port, LIST, {"Content-Type": FORM}))
        reply = read_reply(sock)
    assert reply is not None
    assert reply.status == 200, reply.raw[:300]


# -- the properties ----------------------------------------------------------------------------------------------------


@pytest.fixture
def fuzzed(sqs_mock: SqsMock) -> SqsServer:
    sqs_mock.create_queue("fuzz")
    return sqs_mock.server(limits=LIMITS)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_raw_bytes_get_sqs_shaped_answers(fuzzed: SqsServer, server_errors: _Errors, data: st.DataObject) -> None:
    sent = data.draw(st.one_of(raw_requests(fuzzed.port), signed_requests(fuzzed.port)))
    reply = deliver(fuzzed, sent)
    if reply is not None:
        assert_sqs_shaped(reply, head=sent.head)
    else:
        assert not sent.whole or not sent.data.strip(), sent  # a whole request always gets an answer
    still_serving(fuzzed)


@settings(
    max_examples=20 if LONG else 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_crowd_of_bad_clients_at_once(fuzzed: SqsServer, server_errors: _Errors, data: st.DataObject) -> None:
    # More clients than connections: each gets an answer (a 503 for some) or a clean close, in bounded time.
    crowd = data.draw(
        st.lists(st.one_of(raw_requests(fuzzed.port), signed_requests(fuzzed.port)), min_size=24, max_size=40)
    )
    with ThreadPoolExecutor(24) as pool:
        replies = list(pool.map(lambda sent: deliver(fuzzed, sent), crowd))
    for sent, reply in zip(crowd, replies, strict=True):
        if reply is not None:
            assert_sqs_shaped(reply, head=sent.head)
    still_serving(fuzzed)
