"""Who the server answers, at the edges: odd Host headers, IPv6 allowed hosts, user-info targets,
credential scopes that do not match, ``Expect: 100-continue``, and misuse of the server object.

Requests are raw HTTP/1.1 over loopback, signed by botocore's own SigV4 signer.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.limits import MAX_REQUEST_BYTES, ServerLimits
from pytest_sqsmock.transports.server import SqsServer

from .raw_http import FORM, ISSUED, Reply, exchange, read_reply, sign

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
CREATE = urlencode({"Action": "CreateQueue", "QueueName": "owned", "Version": "2012-11-05"}).encode()


def error_of(reply: Reply) -> tuple[int, str, str]:
    root = ET.fromstring(reply.body)
    assert root.tag == f"{NS}ErrorResponse", reply.body
    return reply.status, root.findtext(f"{NS}Error/{NS}Code") or "", root.findtext(f"{NS}Error/{NS}Message") or ""


def request_bytes(target: str, headers: dict[str, str], body: bytes = CREATE) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {target} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def with_host(port: int, host: str, *, target: str = "/") -> Reply:
    """A signed CreateQueue naming ``host`` in its Host header."""
    signed = sign("POST", f"http://127.0.0.1:{port}/", CREATE, {"Content-Type": FORM, "Host": host})
    reply = exchange(port, request_bytes(target, signed))
    assert reply is not None
    return reply


# -- Host headers ------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["[zz::1]:{port}", "[::1", "[::1]x", "127.0.0.1:99999", "127.0.0.1:port", "bad host:{port}"],
    ids=["bad-ipv6", "unclosed-bracket", "junk-after-bracket", "port-too-big", "port-not-digits", "space"],
)
def test_a_host_header_that_names_no_host_is_refused(sqs_mock: SqsMock, sqs_mock_server: SqsServer, host: str) -> None:
    reply = with_host(sqs_mock_server.port, host.format(port=sqs_mock_server.port))

    status, code, message = error_of(reply)
    assert (status, code) == (400, "InvalidHttpRequest")
    assert "is not one this server answers for" in message
    assert sqs_mock.queues() == []


@pytest.mark.parametrize("allowed", ["[fd00::5]", "FD00::5", " fd00:0::5 "])
def test_an_ipv6_allowed_host_is_served_however_it_was_written(sqs_mock: SqsMock, allowed: str) -> None:
    server = sqs_mock.server(allowed_hosts=[allowed])

    served = with_host(server.port, f"[fd00::5]:{server.port}")
    other = with_host(server.port, f"[fd00::6]:{server.port}")

    assert served.status == 200, served.body
    assert f"<QueueUrl>http://[fd00::5]:{server.port}/us-east-1/123456789012/owned</QueueUrl>".encode() in served.body
    assert error_of(other)[:2] == (400, "InvalidHttpRequest")


@pytest.mark.parametrize("name", ["sqs.test:9324", "http://sqs.test", "bad name"])
def test_allowed_hosts_refuses_names_with_a_port_or_scheme(sqs_mock: SqsMock, name: str) -> None:
    with pytest.raises(ValueError, match="allowed_hosts takes host names or addresses without a port or scheme"):
        sqs_mock.server(allowed_hosts=[name])


@pytest.mark.parametrize("target", ["http://user@127.0.0.1:{port}/", "http:///no-host"], ids=["user-info", "no-host"])
def test_an_absolute_target_must_name_a_host_and_no_user(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer, target: str
) -> None:
    port = sqs_mock_server.port
    signed = sign("POST", f"http://127.0.0.1:{port}/", CREATE, {"Content-Type": FORM})

    reply = exchange(port, request_bytes(target.format(port=port), {**signed, "Host": f"127.0.0.1:{port}"}))

    assert reply is not None
    status, code, message = error_of(reply)
    assert (status, code) == (400, "InvalidHttpRequest")
    assert "an absolute request target must name a host and no user." in message
    assert sqs_mock.queues() == []


# -- credential scopes -------------------------------------------------------


def signed_then(port: int, edit: Callable[[str], str], *, service: str = "sqs") -> Reply:
    """CreateQueue signed with the issued key for ``service``; ``edit`` rewrites its Authorization header."""
    url = f"http://127.0.0.1:{port}/"
    request = AWSRequest(method="POST", url=url, data=CREATE, headers={"Content-Type": FORM})
    SigV4Auth(ISSUED, service, "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Authorization"] = edit(headers["Authorization"])
    reply = exchange(port, request_bytes("/", {**headers, "Host": f"127.0.0.1:{port}"}))
    assert reply is not None
    return reply


def test_a_key_scoped_to_another_service_does_not_match(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    reply = signed_then(sqs_mock_server.port, lambda header: header, service="s3")

    status, code, message = error_of(reply)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert "Credential should be scoped to correct service: 'sqs'" in message
    assert sqs_mock.queues() == []


def test_a_scope_without_the_aws4_request_terminator_does_not_match(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer
) -> None:
    reply = signed_then(sqs_mock_server.port, lambda header: header.replace("/aws4_request,", "/aws4_other,"))

    status, code, message = error_of(reply)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert "Credential should be scoped with a valid terminator: 'aws4_request'" in message
    assert sqs_mock.queues() == []


def test_a_scope_date_other_than_the_request_date_does_not_match(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    def other_day(header: str) -> str:
        credential = header.split("Credential=", 1)[1].split(",", 1)[0]
        key, _, rest = credential.split("/", 2)
        return header.replace(credential, f"{key}/19991231/{rest}")

    reply = signed_then(sqs_mock_server.port, other_day)

    status, code, message = error_of(reply)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP" in message
    assert "'19991231' != " in message
    assert sqs_mock.queues() == []


# -- Expect: 100-continue ----------------------------------------------------


def test_expect_100_continue_gets_a_continue_before_the_body(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    port = sqs_mock_server.port
    signed = sign("POST", f"http://127.0.0.1:{port}/", CREATE, {"Content-Type": FORM, "Expect": "100-continue"})
    head = request_bytes("/", {**signed, "Host": f"127.0.0.1:{port}"}, body=b"")[: -len(b"\r\n")]
    head = head.replace(b"Content-Length: 0\r\n", f"Content-Length: {len(CREATE)}\r\n".encode()) + b"\r\n"

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head)
        sock.settimeout(5)
        interim = sock.recv(64)
        sock.sendall(CREATE)
        reply = read_reply(sock)

    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
    assert reply is not None
    assert reply.status == 200, reply.body
    assert [queue.name for queue in sqs_mock.queues()] == ["owned"]


# -- the server object and its limits ----------------------------------------


def test_a_server_starts_once_and_stops_once(sqs_mock: SqsMock) -> None:
    limits = ServerLimits(max_connections=3)
    server = sqs_mock.server(limits=limits)

    assert server.limits is limits
    with pytest.raises(RuntimeError, match="the server is already running"):
        server.start()
    server.stop()
    with pytest.raises(RuntimeError, match="the server is not running"):
        server.stop()
    server.stop_quietly()  # stopped already: nothing to do


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_connections": 0}, "ServerLimits.max_connections must be at least 1, got 0"),
        ({"max_head_bytes": -1}, "ServerLimits.max_head_bytes must be at least 1, got -1"),
        ({"idle_timeout_s": 0}, "ServerLimits.idle_timeout_s must be a positive number of seconds, got 0"),
        (
            {"read_timeout_s": float("nan")},
            "ServerLimits.read_timeout_s must be a positive number of seconds, got nan",
        ),
        (
            {"body_budget_bytes": MAX_REQUEST_BYTES - 1},
            "ServerLimits.body_budget_bytes must hold at least one request of max_request_bytes",
        ),
    ],
)
def test_server_limits_refuse_bounds_that_cannot_work(limits: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        ServerLimits(**limits)  # type: ignore[arg-type]


def test_server_limits_accept_a_smaller_request_size_with_a_matching_budget() -> None:
    limits = ServerLimits(max_request_bytes=1024, body_budget_bytes=1024)

    assert (limits.max_request_bytes, limits.body_budget_bytes) == (1024, 1024)
