"""Who the server answers: signed callers, on loopback host names; everyone else gets SQS's refusal."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock
from pytest_sqsmock.exceptions import SqsMockSecurityWarning
from pytest_sqsmock.transports import server as server_module
from pytest_sqsmock.transports.server import SqsServer

from .raw_http import (
    CLIENT_ERRORS,
    FOREIGN,
    FORM,
    ISSUED,
    Reply,
    exchange,
    in_subprocess,
    json_headers,
    post,
    presign,
    query_headers,
    sign,
)

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
CREATE = urlencode({"Action": "CreateQueue", "QueueName": "owned", "Version": "2012-11-05"}).encode()


def xml_code(body: bytes) -> str:
    root = ET.fromstring(body)
    assert root.tag == f"{NS}ErrorResponse"
    return root.findtext(f"{NS}Error/{NS}Code") or ""


@pytest.fixture
def connection(sqs_mock_server: SqsServer) -> Iterator[http.client.HTTPConnection]:
    made = http.client.HTTPConnection(sqs_mock_server.host, sqs_mock_server.port, timeout=10)
    yield made
    made.close()


# -- signatures ------------------------------------------------------------------------------------------------------


def test_an_unsigned_form_post_is_refused_as_sqs_refuses_it(
    sqs_mock: SqsMock, connection: http.client.HTTPConnection
) -> None:
    # What a web page's <form method=post> sends: no Authorization header.
    response, body = post(connection, CREATE, query_headers(), credentials=None)
    assert response.status == 403
    assert xml_code(body) == "MissingAuthenticationToken"
    assert b"<Message>Request is missing Authentication Token</Message>" in body
    assert sqs_mock.queues() == []
    assert sqs_mock.calls.operations == []


def test_an_unsigned_get_link_is_refused(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("victim")
    reply = exchange(
        sqs_mock_server.port, b"GET /?Action=DeleteQueue&QueueUrl=victim HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    assert reply is not None
    assert reply.status == 403
    assert xml_code(reply.body) == "MissingAuthenticationToken"
    assert [view.name for view in sqs_mock.queues()] == ["victim"]


def test_unsigned_json_gets_the_json_shape(connection: http.client.HTTPConnection) -> None:
    response, body = post(connection, b"{}", json_headers("ListQueues"), credentials=None)
    assert response.status == 403
    assert response.getheader("x-amzn-query-error") == "MissingAuthenticationToken;Sender"
    assert json.loads(body)["message"] == "Request is missing Authentication Token"


def test_issued_keys_are_verified(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    script = (
        CLIENT_ERRORS
        + """
good = boto3.client("sqs", endpoint_url=endpoint, region_name="eu-west-1", **keys)
url = good.create_queue(QueueName="mine")["QueueUrl"]
wrong = boto3.client("sqs", endpoint_url=endpoint, region_name="eu-west-1",
                     aws_access_key_id=keys["aws_access_key_id"], aws_secret_access_key="guessed")
result = [url, error_of(lambda: wrong.delete_queue(QueueUrl=url))]
"""
    )
    url, error = in_subprocess(script, sqs_mock_server.endpoint_url, **sqs_mock.credentials("111122223333"))
    assert url == f"{sqs_mock_server.endpoint_url}/eu-west-1/111122223333/mine"
    code, message, status = error
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    assert [view.name for view in sqs_mock.queues(account_id="111122223333")] == ["mine"]
    assert sqs_mock.calls.operations == ["CreateQueue"]


def test_a_signature_over_other_bytes_is_refused(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    url = f"http://127.0.0.1:{sqs_mock_server.port}/"
    headers = sign("POST", url, CREATE, {"Content-Type": FORM, "Host": f"127.0.0.1:{sqs_mock_server.port}"})
    other = CREATE.replace(b"owned", b"stolen")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"POST / HTTP/1.1\r\n{head}Content-Length: {len(other)}\r\n\r\n".encode() + other
    reply = exchange(sqs_mock_server.port, request)
    assert reply is not None
    assert reply.status == 403
    assert xml_code(reply.body) == "SignatureDoesNotMatch"
    assert sqs_mock.queues() == []


def test_presigned_urls_are_verified(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("jobs")
    sqs_mock.send("jobs", "hello")
    url = presign(f"{sqs_mock_server.endpoint_url}/123456789012/jobs?Action=ReceiveMessage&Version=2012-11-05")
    target = url.split(str(sqs_mock_server.port), 1)[1]
    reply = exchange(
        sqs_mock_server.port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{sqs_mock_server.port}\r\n\r\n".encode()
    )
    assert reply is not None
    assert reply.status == 200, reply.body
    assert b"<Body>hello</Body>" in reply.body
    tampered = target.replace("Action=ReceiveMessage", "Action=PurgeQueue")
    reply = exchange(
        sqs_mock_server.port, f"GET {tampered} HTTP/1.1\r\nHost: 127.0.0.1:{sqs_mock_server.port}\r\n\r\n".encode()
    )
    assert reply is not None
    assert reply.status == 403
    assert xml_code(reply.body) == "SignatureDoesNotMatch"


def test_a_presigned_url_with_a_key_the_mock_did_not_issue_is_refused(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer
) -> None:
    # A web page can make a browser fetch any URL (an image): with a foreign key nothing could be verified.
    sqs_mock.create_queue("jobs")
    url = presign(
        f"{sqs_mock_server.endpoint_url}/123456789012/jobs?Action=DeleteQueue&Version=2012-11-05", credentials=FOREIGN
    )
    target = url.split(str(sqs_mock_server.port), 1)[1]
    reply = exchange(
        sqs_mock_server.port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{sqs_mock_server.port}\r\n\r\n".encode()
    )
    assert reply is not None
    assert reply.status == 403
    assert xml_code(reply.body) == "InvalidClientTokenId"
    assert [view.name for view in sqs_mock.queues()] == ["jobs"]


@pytest.mark.parametrize(
    "browser_header",
    ["Origin: https://pages.example", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site"],
)
def test_requests_a_browser_sends_for_a_page_are_refused_even_when_validly_signed(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer, browser_header: str
) -> None:
    sqs_mock.create_queue("jobs")
    url = presign(f"{sqs_mock_server.endpoint_url}/123456789012/jobs?Action=PurgeQueue&Version=2012-11-05")
    target = url.split(str(sqs_mock_server.port), 1)[1]
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{sqs_mock_server.port}\r\n{browser_header}\r\n\r\n"
    reply = exchange(sqs_mock_server.port, request.encode())
    assert reply is not None
    assert reply.status == 403
    assert xml_code(reply.body) == "AccessDenied"
    assert sqs_mock.calls == []


def test_a_url_typed_by_the_user_is_no_page_request(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("jobs")
    url = presign(f"{sqs_mock_server.endpoint_url}/123456789012/jobs?Action=GetQueueAttributes&Version=2012-11-05")
    target = url.split(str(sqs_mock_server.port), 1)[1]
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{sqs_mock_server.port}\r\nSec-Fetch-Site: none\r\n\r\n"
    reply = exchange(sqs_mock_server.port, request.encode())
    assert reply is not None
    assert reply.status == 200, reply.body


def test_foreign_keys_stand_for_the_default_account(connection: http.client.HTTPConnection, sqs_mock: SqsMock) -> None:
    response, body = post(connection, CREATE, query_headers(), credentials=FOREIGN)
    assert response.status == 200, body
    assert [view.account_id for view in sqs_mock.queues()] == ["123456789012"]


def test_strict_auth_refuses_foreign_keys(sqs_mock: SqsMock) -> None:
    server = sqs_mock.server(strict_auth=True)
    script = (
        CLIENT_ERRORS
        + """
foreign = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
issued = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", **keys)
result = [error_of(foreign.list_queues), issued.list_queues().get("QueueUrls")]
"""
    )
    error, listed = in_subprocess(script, server.endpoint_url, **sqs_mock.credentials())
    assert error == ["InvalidClientTokenId", "The security token included in the request is invalid.", 403]
    assert listed is None
    assert sqs_mock.calls.operations == ["ListQueues"]


def test_strict_auth_from_the_command_line() -> None:
    command = [sys.executable, "-u", "-m", "pytest_sqsmock", "serve", "--port", "0", "--strict-auth"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as serve:
        try:
            assert serve.stdout is not None
            endpoint = serve.stdout.readline().split()[3]
            sqs = boto3.client(
                "sqs",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="AKIDEXAMPLE",
                aws_secret_access_key="x",
            )
            with pytest.raises(ClientError, match="InvalidClientTokenId"):
                sqs.list_queues()
        finally:
            serve.send_signal(2)
            serve.communicate(timeout=30)


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        ("Basic dXNlcjpwYXNz", 400, "IncompleteSignature"),
        (
            f"AWS4-HMAC-SHA256 Credential={ISSUED.access_key}/20240101/us-east-1/sqs/aws4_request",
            400,
            "IncompleteSignature",
        ),
        # A second Credential, hidden where a loose reader would find it first, must not choose the account.
        (
            "AWS4-HMAC-SHA256 SignedHeaders=host;Credential=AKIA111111111111SQSM/20240101/us-east-1/sqs/aws4_request, "
            "Credential=AKIDEXAMPLE/20240101/us-east-1/sqs/aws4_request, Signature=" + "0" * 64,
            400,
            "IncompleteSignature",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={ISSUED.access_key}/20240101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=x-amz-date, Signature=" + "0" * 64,
            400,
            "IncompleteSignature",  # an issued key must sign the Host
        ),
    ],
)
def test_malformed_signatures(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer, authorization: str, status: int, code: str
) -> None:
    request = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Date: 20240101T000000Z\r\nAuthorization: {authorization}\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: {len(CREATE)}\r\n\r\n"
    ).encode() + CREATE
    reply = exchange(sqs_mock_server.port, request)
    assert reply is not None
    assert (reply.status, xml_code(reply.body)) == (status, code)
    assert sqs_mock.queues(account_id="111111111111") == []
    assert sqs_mock.queues() == []


def test_two_authorization_headers_are_refused(sqs_mock_server: SqsServer) -> None:
    url = f"http://127.0.0.1:{sqs_mock_server.port}/"
    headers = sign("POST", url, CREATE, {"Content-Type": FORM, "Host": f"127.0.0.1:{sqs_mock_server.port}"})
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    extra = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/sqs/aws4_request\r\n"
    request = f"POST / HTTP/1.1\r\n{head}{extra}Content-Length: {len(CREATE)}\r\n\r\n".encode() + CREATE
    reply = exchange(sqs_mock_server.port, request)
    assert reply is not None
    assert (reply.status, xml_code(reply.body)) == (400, "InvalidHttpRequest")


# -- hosts and targets -----------------------------------------------------------------------------------------------


def raw(port: int, host: str | None, *, target: str = "/", credentials: Any = ISSUED, body: bytes = CREATE) -> Reply:
    url = f"http://{host or f'127.0.0.1:{port}'}{target if target.startswith('/') else '/'}"
    headers = {"Content-Type": FORM, **({"Host": host} if host is not None else {})}
    signed = sign("POST", url, body, headers, credentials=credentials)
    head = "".join(f"{name}: {value}\r\n" for name, value in signed.items())
    reply = exchange(port, f"POST {target} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert reply is not None
    return reply


@pytest.mark.parametrize("host", ["evil.example:{port}", "attacker.test", "127.0.0.1.nip.io:{port}", "0.0.0.0:{port}"])
def test_other_hosts_are_refused_and_never_copied(sqs_mock: SqsMock, sqs_mock_server: SqsServer, host: str) -> None:
    reply = raw(sqs_mock_server.port, host.format(port=sqs_mock_server.port))
    assert reply.status == 400
    assert xml_code(reply.body) == "InvalidHttpRequest"
    assert b"allowed_hosts" in reply.body
    assert sqs_mock.queues() == []


@pytest.mark.parametrize(
    "host", ["localhost:{port}", "LOCALHOST:{port}", "127.0.0.2:{port}", "[::1]:{port}", "127.0.0.1"]
)
def test_loopback_names_are_served_and_kept_in_urls(sqs_mock_server: SqsServer, host: str) -> None:
    name = host.format(port=sqs_mock_server.port)
    reply = raw(sqs_mock_server.port, name)
    assert reply.status == 200, reply.body
    assert f"<QueueUrl>http://{name}/us-east-1/123456789012/owned</QueueUrl>".encode() in reply.body


def test_allowed_hosts_are_served(sqs_mock: SqsMock) -> None:
    server = sqs_mock.server(allowed_hosts=["host.docker.internal"])
    reply = raw(server.port, f"host.docker.internal:{server.port}")
    assert reply.status == 200, reply.body
    assert f"http://host.docker.internal:{server.port}/us-east-1/123456789012/owned".encode() in reply.body
    with pytest.raises(ValueError, match="without a port"):
        sqs_mock.server(allowed_hosts=["host.docker.internal:9324"])


def test_absolute_form_targets(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    port = sqs_mock_server.port
    reply = raw(port, f"127.0.0.1:{port}", target=f"http://localhost:{port}/")
    assert reply.status == 200, reply.body
    assert f"<QueueUrl>http://localhost:{port}/us-east-1/123456789012/owned</QueueUrl>".encode() in reply.body
    for target in (f"http://evil.example:{port}/", "https://127.0.0.1/", "*", "127.0.0.1:443", "relative/path"):
        refused = raw(port, f"127.0.0.1:{port}", target=target)
        assert (refused.status, xml_code(refused.body)) == (400, "InvalidHttpRequest"), target
    assert [view.name for view in sqs_mock.queues()] == ["owned"]


def test_binding_a_non_loopback_address_warns(monkeypatch: pytest.MonkeyPatch, sqs_mock: SqsMock) -> None:
    # Bound to loopback all the same: the test only pretends the address is public.
    monkeypatch.setattr(server_module, "_is_loopback_address", lambda host: False)
    with pytest.warns(SqsMockSecurityWarning, match="not on a loopback address") as caught:
        sqs_mock.server()
    assert caught[0].filename == __file__  # names the caller, not our modules
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monkeypatch.undo()
        sqs_mock.server()  # loopback: silent


def test_serve_says_so_on_stderr() -> None:
    script = (
        "import pytest_sqsmock.transports.server as s; s._is_loopback_address = lambda host: False\n"
        "from pytest_sqsmock.__main__ import main; main(['serve', '--port', '0'])"
    )
    with subprocess.Popen(
        [sys.executable, "-u", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as serve:
        try:
            assert serve.stderr is not None
            line = serve.stderr.readline()
        finally:
            serve.send_signal(2)
            serve.communicate(timeout=30)
    assert line.startswith(
        "pytest_sqsmock: WARNING: pytest_sqsmock's SQS server listens on 127.0.0.1, not on a loopback"
    )


def test_issued_secrets_cannot_be_derived_from_the_account_and_are_url_safe() -> None:
    from pytest_sqsmock.service.access.principals import secret_key_for

    secret = secret_key_for("123456789012")
    assert "123456789012" not in secret
    assert len(secret) == 40
    assert all(c in "0123456789abcdef" for c in secret)  # safe unquoted in sqs://KEY:SECRET@host broker URLs
    assert secret_key_for("111122223333") != secret
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pytest_sqsmock.service.access.principals import secret_key_for as s; print(s('123456789012'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert other_process.stdout.strip() != secret  # drawn at random in every process
