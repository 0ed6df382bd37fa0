"""SigV4 verification against botocore's own signer: what it signs, we verify; what changes, we refuse."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sqsmock.transports import sigv4
from pytest_sqsmock.transports.sigv4 import MalformedSignature, SignedMessage

SECRET = "sqsmock-secret-123456789012"
KEYS = Credentials("AKIA123456789012SQSM", SECRET)


def message_of(request: AWSRequest, body: bytes | None = None) -> SignedMessage:
    """The request as the server receives it: raw path and query, lower-case header names."""
    parts = urlsplit(str(request.url))
    headers = [(str(name).lower(), _text(value)) for name, value in request.headers.items()]
    if not any(name == "host" for name, _ in headers):
        headers.append(("host", str(parts.netloc)))
    data: Any = request.body if body is None else body
    return SignedMessage(str(request.method), str(parts.path) or "/", str(parts.query), headers, bytes(data or b""))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def signed(method: str = "POST", url: str = "http://127.0.0.1:9324/", body: bytes = b"", **headers: str) -> AWSRequest:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(KEYS, "sqs", "eu-west-1").add_auth(request)
    return request


def check(message: SignedMessage, secret: str = SECRET) -> bool:
    signature = sigv4.read_signature(message)
    assert signature is not None
    return sigv4.verify(message, signature, secret)


def test_aws_documented_vector_get_vanilla() -> None:
    # AWS's SigV4 test suite, "get-vanilla": the published signature for this request and key.
    message = SignedMessage(
        "GET",
        "/",
        "",
        [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
        b"",
    )
    signature = sigv4.Signature(
        "AKIDEXAMPLE",
        "20150830",
        "us-east-1",
        "service",
        "aws4_request",
        ("host", "x-amz-date"),
        "0" * 64,
        "20150830T123600Z",
        False,
    )
    key = sigv4.signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service")
    string = sigv4.string_to_sign(message, signature, hashlib.sha256(b"").hexdigest())
    assert hmac.new(key, string.encode(), hashlib.sha256).hexdigest() == (
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


@pytest.mark.parametrize("query", ["b=2&a=~%20x&a=1", "b=2&a=%7E%20x&a=1"])
def test_canonical_request_is_botocores(query: str) -> None:
    url = f"http://127.0.0.1:9324/123456789012/jobs?{query}"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "X-Custom": "  two   spaces  "}
    request = signed(url=url, body=b"Action=SendMessage&MessageBody=hi", **headers)
    message = message_of(request)
    signature = sigv4.read_signature(message)
    assert signature is not None
    unsigned = AWSRequest(method="POST", url=url, data=b"Action=SendMessage&MessageBody=hi", headers=headers)
    unsigned.headers["X-Amz-Date"] = signature.timestamp
    unsigned.context["timestamp"] = signature.timestamp
    expected = SigV4Auth(KEYS, "sqs", "eu-west-1").canonical_request(unsigned)
    body_hash = hashlib.sha256(message.body).hexdigest()
    # botocore signs the query as written: our canonical form where that is canonical already.
    if "%7E" not in query:
        assert sigv4.canonical_request(message, signature, body_hash) == expected
    assert sigv4.verify(message, signature, SECRET)


def test_a_botocore_signature_verifies_and_nothing_else_does() -> None:
    request = signed(
        body=b'{"QueueName": "jobs"}',
        **{"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"},
    )
    message = message_of(request)
    assert check(message)
    assert not check(message, secret="another secret")
    assert not check(message_of(request, body=b'{"QueueName": "jobz"}'))
    tampered = SignedMessage(
        message.method,
        message.path,
        message.query,
        [(n, "AmazonSQS.DeleteQueue" if n == "x-amz-target" else v) for n, v in message.headers],
        message.body,
    )
    assert not check(tampered)
    moved = SignedMessage(message.method, "/123456789012/jobs", message.query, message.headers, message.body)
    assert not check(moved)
    other_host = SignedMessage(
        message.method,
        message.path,
        message.query,
        [(n, "localhost:9324" if n == "host" else v) for n, v in message.headers],
        message.body,
    )
    assert not check(other_host)


def test_presigned_urls_verify() -> None:
    request = AWSRequest(
        method="GET", url="http://127.0.0.1:9324/123456789012/jobs?Action=ReceiveMessage&WaitTimeSeconds=20"
    )
    SigV4QueryAuth(KEYS, "sqs", "us-east-1", expires=60).add_auth(request)
    message = message_of(request)
    signature = sigv4.read_signature(message)
    assert signature is not None
    assert signature.presigned
    assert signature.region == "us-east-1"
    assert sigv4.verify(message, signature, SECRET)
    tampered = SignedMessage(
        "GET", message.path, message.query.replace("WaitTimeSeconds=20", "WaitTimeSeconds=1"), message.headers, b""
    )
    assert not sigv4.verify(tampered, signature, SECRET)


def test_unsigned_requests_have_no_signature() -> None:
    assert sigv4.read_signature(SignedMessage("POST", "/", "Action=ListQueues", [("host", "x")], b"")) is None
    # A credential alone (no X-Amz-Signature) is not a signature either.
    assert sigv4.read_signature(SignedMessage("GET", "/", "X-Amz-Credential=AKIA%2F1", [("host", "x")], b"")) is None


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        ("Basic dXNlcjpwYXNz", "Unsupported AWS 'algorithm'"),
        ("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request", "requires 'Signature' parameter"),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=" + "0" * 64,
            "Credential should be of the form",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=A/1/r/sqs/aws4_request, SignedHeaders=Host, Signature=" + "0" * 64,
            "SignedHeaders",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=A/1/r/sqs/aws4_request, SignedHeaders=host, Signature=xyz",
            "Signature should be",
        ),
        # A second Credential hidden anywhere would let two readers see two keys: refused.
        (
            "AWS4-HMAC-SHA256 SignedHeaders=host;Credential=AKIA111111111111SQSM/1/r/sqs/aws4_request, "
            "Credential=AKIDEXAMPLE/1/r/sqs/aws4_request, Signature=" + "0" * 64,
            "SignedHeaders should list",
        ),
        (
            "AWS4-HMAC-SHA256 XCredential=AKIA111111111111SQSM/1/r/sqs/aws4_request, "
            "Credential=AKIDEXAMPLE/1/r/sqs/aws4_request, SignedHeaders=host, Signature=" + "0" * 64,
            "format is not valid",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=A/1/r/sqs/aws4_request, Credential=B/1/r/sqs/aws4_request, "
            "SignedHeaders=host, Signature=" + "0" * 64,
            "format is not valid",
        ),
    ],
)
def test_malformed_signatures_are_named(authorization: str, fragment: str) -> None:
    headers = [("host", "127.0.0.1"), ("x-amz-date", "20240101T000000Z"), ("authorization", authorization)]
    with pytest.raises(MalformedSignature) as raised:
        sigv4.read_signature(SignedMessage("POST", "/", "", headers, b""))
    assert fragment in str(raised.value)


def test_presigned_parameters_must_all_be_there_once() -> None:
    with pytest.raises(MalformedSignature, match="must include 'X-Amz-Credential'"):
        sigv4.read_signature(SignedMessage("GET", "/", "X-Amz-Signature=" + "0" * 64, [], b""))
    query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F1%2Fr%2Fsqs%2Faws4_request&X-Amz-Credential=B"
    with pytest.raises(MalformedSignature, match="only once"):
        sigv4.read_signature(SignedMessage("GET", "/", query + "&X-Amz-Signature=x", [], b""))


def test_canonical_uri_and_query_follow_the_documented_rules() -> None:
    assert sigv4.canonical_uri("") == "/"
    assert sigv4.canonical_uri("/a/./b/../c//d/") == "/a/c/d/"
    assert sigv4.canonical_uri("/a%20b") == "/a%2520b"  # every segment encoded twice (not S3)
    assert sigv4.canonical_query("b=2&a=%7e&a=1&c") == "a=1&a=~&b=2&c="
    assert sigv4.canonical_query("k=a+b") == "k=a%2Bb"
    assert sigv4.canonical_header_value(["  a   b ", "c"]) == "a b,c"


_header_values = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20).map(
    lambda text: text.replace(" ", "")
)
_segments = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/?#"), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(
    segments=st.lists(_segments, max_size=3),
    params=st.lists(st.tuples(_segments, st.text(max_size=8)), max_size=4),
    headers=st.dictionaries(
        st.sampled_from(["x-amz-meta", "x-custom", "content-type", "x-amz-target"]), _header_values, max_size=3
    ),
    body=st.binary(max_size=64),
    method=st.sampled_from(["GET", "POST"]),
)
def test_whatever_botocore_signs_verifies(
    segments: list[str], params: list[tuple[str, str]], headers: dict[str, str], body: bytes, method: str
) -> None:
    from urllib.parse import quote, urlencode

    path = "/" + "/".join(quote(segment, safe="") for segment in segments)
    url = f"http://127.0.0.1:9324{path}" + (f"?{urlencode(params, quote_via=quote)}" if params else "")
    request = signed(method, url, body, **headers)
    message = message_of(request)
    assert check(message)
    assert not check(message_of(request, body=body + b"x"))
