"""What a peer cannot do to the server: stall it, flood it, or smuggle a request past it.

Timeouts are made small here (fractions of a second); the defaults (``ServerLimits``)
close an idle partial request within 20 s and a trickling one within 40 s.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.limits import MAX_REQUEST_BYTES, SMALL_REQUEST_BYTES, ServerLimits
from pytest_sqsmock.transports.server import SqsServer
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

from .raw_http import FOREIGN, FORM, Reply, exchange, read_reply, sign, signed_bytes

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
LIST = urlencode({"Action": "ListQueues", "Version": "2012-11-05"}).encode()
FAST = ServerLimits(idle_timeout_s=0.4, read_timeout_s=0.3, request_timeout_s=1.0)


def code_of(reply: Reply) -> str:
    root = ET.fromstring(reply.body)
    if root.tag == "UnknownOperationException":  # SQS's bare element for a request that names no action
        return root.tag
    return root.findtext(f"{NS}Error/{NS}Code") or ""


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def fast(sqs_mock: SqsMock) -> SqsServer:
    return sqs_mock.server(limits=FAST)


def connect(server: SqsServer) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=5)


# -- the size limit ---------------------------------------------------------------------------------------------------


def test_the_size_limit_holds_every_request_sqs_accepts() -> None:
    # The largest legal payload (1 MiB of message body plus attributes), encoded the costliest ways botocore can.
    model = botocore.session.get_session().get_service_model("sqs")
    send = model.operation_model("SendMessage")
    worst_binary = b"\xff" * (1024 * 1024 - 10)  # base64 "////", then "%2F%2F%2F%2F" on the query protocol
    attributes = {"b": {"DataType": "Binary", "BinaryValue": worst_binary}}
    query = percent_encode_sequence(
        {
            "Action": "SendMessage",
            "Version": "2012-11-05",
            "QueueUrl": "http://127.0.0.1:9324/123456789012/" + "q" * 80,
            "MessageBody": "x",
            "MessageAttribute.1.Name": "b",
            "MessageAttribute.1.Value.DataType": "Binary",
            "MessageAttribute.1.Value.BinaryValue": base64.b64encode(worst_binary).decode(),
        }
    )
    assert 4 * 1024 * 1024 < len(query) < MAX_REQUEST_BYTES
    if "targetPrefix" not in model.metadata:
        return  # query-era botocore (before 1.34.90) has no JSON protocol for SQS to serialise with
    json_body = create_serializer("json").serialize_to_request(
        {"QueueUrl": "q" * 80, "MessageBody": "é" * (512 * 1024), "MessageAttributes": {}}, send
    )["body"]
    assert 3 * 1024 * 1024 <= len(json_body) < MAX_REQUEST_BYTES  # "\u00e9": six bytes for two
    assert create_serializer("json").serialize_to_request(
        {"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": attributes}, send
    )["body"]


def test_an_announced_oversize_body_is_refused_from_the_headers(fast: SqsServer) -> None:
    with connect(fast) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n".encode())
        reply = read_reply(sock)
    assert reply is not None
    assert (reply.status, code_of(reply)) == (413, "RequestEntityTooLarge")
    assert f"HTTP content length exceeded {MAX_REQUEST_BYTES} bytes.".encode() in reply.body
    assert reply.headers["connection"] == "close"


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the resident set size from /proc")
def test_eight_oversize_uploads_at_once_cost_no_memory(fast: SqsServer) -> None:
    chunk = b"x" * (64 * 1024)
    peak = baseline = rss_kib()
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.wait(0.005):
            peak = max(peak, rss_kib())

    def upload(_: int) -> int:
        with connect(fast) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 104857600\r\n\r\n")
            try:
                for _ in range(64):  # up to 4 MiB each, while the server refuses and drains
                    sock.sendall(chunk)
            except OSError:
                pass
            reply = read_reply(sock)
        return 0 if reply is None else reply.status

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(upload, range(8)))
    finally:
        stop.set()
        watcher.join()
    assert set(statuses) <= {413, 0}
    assert 413 in statuses
    assert peak - baseline < 8 * 1024, f"RSS grew by {(peak - baseline) / 1024:.1f} MiB"


# -- time --------------------------------------------------------------------------------------------------------------


def test_an_idle_partial_request_is_closed(fast: SqsServer) -> None:
    with connect(fast) as sock:
        started = time.monotonic()
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
        reply = read_reply(sock)
        elapsed = time.monotonic() - started
    assert reply is not None
    assert (reply.status, code_of(reply)) == (408, "RequestTimeout")
    assert FAST.read_timeout_s - 0.05 <= elapsed < FAST.read_timeout_s + 1.0


def test_a_trickling_head_is_cut_off_at_the_request_deadline(fast: SqsServer) -> None:
    closed_at = None
    with connect(fast) as sock:
        started = time.monotonic()
        sock.sendall(b"POST / HTTP/1.1\r\n")
        for n in range(20):  # a header line every 0.1 s: never silent long enough for the read timeout
            time.sleep(0.1)
            try:
                sock.sendall(f"X-Slow-{n}: 1\r\n".encode())
            except OSError:
                break
            sock.settimeout(0.001)
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                pass
        reply = read_reply(sock)
        closed_at = time.monotonic() - started
    assert reply is not None
    assert (reply.status, code_of(reply)) == (408, "RequestTimeout")
    assert FAST.request_timeout_s - 0.05 <= closed_at < FAST.request_timeout_s + 1.0


def test_a_trickling_body_is_cut_off_too(fast: SqsServer) -> None:
    data = signed_bytes(fast.port, LIST, {"Content-Type": FORM})
    with connect(fast) as sock:
        started = time.monotonic()
        sock.sendall(data[:-8])
        for byte in data[-8:-1]:  # a byte every 0.15 s, never the last one
            time.sleep(0.15)
            sock.sendall(bytes([byte]))
        reply = read_reply(sock)
        elapsed = time.monotonic() - started
    assert reply is not None
    assert reply.status == 408
    assert elapsed < FAST.request_timeout_s + 1.0


def test_a_quiet_kept_alive_connection_is_closed(fast: SqsServer) -> None:
    with connect(fast) as sock:
        sock.sendall(signed_bytes(fast.port, LIST, {"Content-Type": FORM}))
        reply = read_reply(sock)
        assert reply is not None
        assert reply.status == 200
        started = time.monotonic()
        sock.settimeout(5)
        assert sock.recv(1) == b""  # closed, with nothing said
        assert time.monotonic() - started < FAST.idle_timeout_s + 1.0


@pytest.mark.sqs_mock(clock="system")
def test_a_long_poll_holds_only_its_own_connection(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("jobs")
    path = "/123456789012/jobs"
    url = f"{sqs_mock_server.endpoint_url}{path}"
    receive = urlencode({"Action": "ReceiveMessage", "WaitTimeSeconds": 10, "Version": "2012-11-05"}).encode()
    send = urlencode({"Action": "SendMessage", "MessageBody": "wake up", "Version": "2012-11-05"}).encode()

    def call(body: bytes) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(sqs_mock_server.host, sqs_mock_server.port, timeout=15)
        try:
            connection.request("POST", path, body=body, headers=sign("POST", url, body, {"Content-Type": FORM}))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        poll = pool.submit(call, receive)
        sqs_mock.wait_until_parked(1, timeout=10)  # the poll waits on the server's thread for its connection
        assert call(send)[0] == 200  # served while the poll waits on its own thread
        status, body = poll.result(timeout=15)
    assert status == 200
    assert b"<Body>wake up</Body>" in body
    assert time.monotonic() - started < 10


# -- connections and the body budget ----------------------------------------------------------------------------------


def test_connections_beyond_the_limit_get_a_503(sqs_mock: SqsMock) -> None:
    server = sqs_mock.server(limits=ServerLimits(max_connections=2))
    held = [connect(server), connect(server)]
    try:
        for sock in held:  # each has been served once, so each is surely counted
            sock.sendall(signed_bytes(server.port, LIST, {"Content-Type": FORM}))
            reply = read_reply(sock)
            assert reply is not None
            assert reply.status == 200
        with connect(server) as third:
            third.sendall(signed_bytes(server.port, LIST, {"Content-Type": FORM}))
            reply = read_reply(third)
        assert reply is not None
        assert (reply.status, code_of(reply)) == (503, "ServiceUnavailable")
        assert reply.headers["x-amzn-requestid"]
    finally:
        for sock in held:
            sock.close()


def _blocking_answer(release: threading.Event, entered: threading.Event) -> Callable[[HttpRequest], HttpResponse]:
    def answer(request: HttpRequest) -> HttpResponse:
        if len(request.body) > SMALL_REQUEST_BYTES:
            entered.set()
            release.wait(10)
        return HttpResponse(200, {"Content-Type": "text/xml"}, b"<ok/>")

    return answer


def test_large_bodies_wait_for_room_then_get_a_503() -> None:
    release, entered = threading.Event(), threading.Event()
    limits = ServerLimits(max_request_bytes=256 * 1024, body_budget_bytes=256 * 1024, request_timeout_s=0.5)
    big = b"Action=ListQueues&Pad=" + b"x" * (128 * 1024)
    with SqsServer(_blocking_answer(release, entered), limits=limits) as server, ThreadPoolExecutor(1) as pool:
        first = pool.submit(exchange, server.port, signed_bytes(server.port, big, {"Content-Type": FORM}), 10)
        assert entered.wait(5)
        second = exchange(server.port, signed_bytes(server.port, big, {"Content-Type": FORM}))
        small = exchange(server.port, signed_bytes(server.port, LIST, {"Content-Type": FORM}))
        release.set()
        done = first.result(10)
    assert second is not None
    assert (second.status, code_of(second)) == (503, "ServiceUnavailable")
    assert small is not None
    assert small.status == 200
    assert done is not None
    assert done.status == 200


# -- framing: smuggling and bad bytes ---------------------------------------------------------------------------------


def _chunked(server: SqsServer, body: bytes, chunks: list[bytes]) -> bytes:
    headers = sign(
        "POST", f"http://127.0.0.1:{server.port}/", body, {"Content-Type": FORM, "Host": f"127.0.0.1:{server.port}"}
    )
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    return f"POST / HTTP/1.1\r\n{head}Transfer-Encoding: chunked\r\n\r\n".encode() + encoded


def test_a_chunked_body_is_a_body_never_a_second_request(sqs_mock: SqsMock, fast: SqsServer) -> None:
    form = urlencode({"Action": "CreateQueue", "QueueName": "legit", "Version": "2012-11-05"}).encode()
    reply = exchange(fast.port, _chunked(fast, form, [form[:10], form[10:]]))
    assert reply is not None
    assert reply.status == 200, reply.body
    inner = b"POST /?Action=CreateQueue&QueueName=smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    reply = exchange(fast.port, _chunked(fast, inner, [inner]))
    assert reply is not None
    assert reply.status == 404  # the body names no Action: nothing runs, nothing is created
    assert [view.name for view in sqs_mock.queues()] == ["legit"]


def test_a_chunked_body_over_the_limit_is_refused(sqs_mock: SqsMock) -> None:
    server = sqs_mock.server(limits=ServerLimits(max_request_bytes=1024, body_budget_bytes=1024))
    body = b"Action=ListQueues&Pad=" + b"x" * 2000
    reply = exchange(server.port, _chunked(server, body, [body[:1000], body[1000:]]))
    assert reply is not None
    assert (reply.status, code_of(reply)) == (413, "RequestEntityTooLarge")


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ("Content-Length: 17\r\nTransfer-Encoding: chunked\r\n", "both"),
        ("Content-Length: 17\r\nContent-Length: 18\r\n", "conflicting"),
        ("Content-Length: 17, 18\r\n", "conflicting"),
        ("X-Bare: a\rb\r\nContent-Length: 17\r\n", "bare CR"),
        ("Transfer-Encoding: gzip\r\n", "unsupported coding"),
        ("Content-Length: -1\r\n", "negative"),
    ],
)
def test_ambiguous_framing_is_refused(sqs_mock: SqsMock, fast: SqsServer, headers: str, why: str) -> None:
    data = f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\nAction=ListQueues".encode()
    reply = exchange(fast.port, data)
    assert reply is not None, why
    assert (reply.status, code_of(reply)) == (400, "InvalidHttpRequest"), (why, reply.body)
    assert sqs_mock.calls.operations == []


def test_identical_content_lengths_are_one(fast: SqsServer) -> None:
    data = signed_bytes(fast.port, LIST, {"Content-Type": FORM})
    data = data.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(LIST)}\r\n\r\n".encode(), 1)
    reply = exchange(fast.port, data)
    assert reply is not None
    assert reply.status == 200


def test_old_http_versions(fast: SqsServer) -> None:
    reply = exchange(fast.port, b"GET /\r\n\r\n")  # HTTP/0.9: an SQS-shaped 400, then close
    assert reply is not None
    assert (reply.status, code_of(reply)) == (400, "InvalidHttpRequest")
    url = f"http://127.0.0.1:{fast.port}/"
    headers = sign("POST", url, LIST, {"Content-Type": FORM}, credentials=FOREIGN)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    reply = exchange(fast.port, f"POST / HTTP/1.0\r\n{head}Content-Length: {len(LIST)}\r\n\r\n".encode() + LIST)
    assert reply is not None  # HTTP/1.0 without Host: served as the server's own address
    assert reply.status == 200


@pytest.mark.parametrize("end", [b"", b"\r\n\r\n"], ids=["still-arriving", "whole"])
def test_a_head_too_large_gets_a_431(fast: SqsServer, end: bytes) -> None:
    reply = exchange(fast.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20000 + end)
    assert reply is not None
    assert (reply.status, code_of(reply)) == (431, "InvalidHttpRequest")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_name_no_operation(sqs_mock: SqsMock, fast: SqsServer, method: str) -> None:
    reply = exchange(fast.port, signed_bytes(fast.port, LIST, {"Content-Type": FORM}, method=method))
    assert reply is not None
    assert reply.status == 404
    if method != "HEAD":
        assert code_of(reply) == "UnknownOperationException"
    assert sqs_mock.calls.operations == []


def test_invalid_utf8_is_an_error_in_either_protocol(sqs_mock: SqsMock, fast: SqsServer) -> None:
    query = b"Action=CreateQueue&Version=2012-11-05&QueueName=a%FFb"
    reply = exchange(fast.port, signed_bytes(fast.port, query, {"Content-Type": FORM}))
    assert reply is not None
    assert (reply.status, code_of(reply)) == (400, "InvalidParameterValue")
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"}
    reply = exchange(fast.port, signed_bytes(fast.port, b'{"QueueName": "a\xffb"}', headers))
    assert reply is not None
    assert reply.status == 400
    assert reply.headers["x-amzn-query-error"] == "SerializationException;Sender"
    assert json.loads(reply.body)["__type"].endswith("#SerializationException")
    assert sqs_mock.queues() == []


# -- file descriptors --------------------------------------------------------------------------------------------------

OUT_OF_FDS = r"""
import resource, socket, sys, time
from pytest_sqsmock import mock_sqs
from pytest_sqsmock.transports.limits import ServerLimits
with mock_sqs() as mock:
    server = mock.server(limits=ServerLimits(idle_timeout_s=30))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    import os
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 6, hard))
    clients = []
    try:
        for _ in range(50):  # bounded: until this process cannot open another socket
            clients.append(socket.create_connection((server.host, server.port), timeout=5))
    except OSError:
        pass
    time.sleep(0.2)  # the accept loop meets EMFILE here
    cpu = time.process_time()
    time.sleep(1.0)
    spent = time.process_time() - cpu
    for sock in clients:
        sock.close()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    time.sleep(1.2)  # the pause ends: pending connections are accepted again
    ok = socket.create_connection((server.host, server.port), timeout=5)
    ok.close()
    print(f"{len(clients)} {spent:.3f}")
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_running_out_of_descriptors_does_not_spin_the_accept_loop() -> None:
    done = subprocess.run([sys.executable, "-c", OUT_OF_FDS], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    clients, spent = done.stdout.split()
    assert int(clients) >= 1
    assert float(spent) < 0.5, f"the accept loop burnt {spent} s of CPU in 1 s while out of descriptors"
