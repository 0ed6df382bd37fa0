from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sqsmock import sqs_errors
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.wire import codec
from pytest_sqsmock.wire.codec import DecodedRequest, SigningScope
from pytest_sqsmock.wire.http import HttpRequest

QUERY_MODEL = Path(__file__).parent / "data" / "sqs-query-2012-11-05.json"
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/q1"
Service = Callable[[DecodedRequest], dict[str, Any]]


# --- detection and decoding ------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "protocol"),
    [
        ({"X-Amz-Target": "AmazonSQS.ListQueues"}, "json"),
        ({"x-amz-target": "AmazonSQS.ListQueues"}, "json"),
        ({"Content-Type": "application/x-amz-json-1.0"}, "json"),
        ({"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, "query"),
        ({}, "query"),
    ],
)
def test_detects_protocol(headers: dict[str, str], protocol: str) -> None:
    assert codec.detect_protocol(HttpRequest("POST", "https://sqs.us-east-1.amazonaws.com/", headers)) == protocol


def test_http_request_headers_are_case_insensitive_and_accept_bytes() -> None:
    request = HttpRequest(
        "POST",
        "http://h/a/b?x=1",
        {"X-Amz-Target": b"AmazonSQS.X", "Content-Type": "t"},
    )
    assert request.header("x-amz-target") == "AmazonSQS.X"
    assert request.header("CONTENT-TYPE") == "t"
    assert request.header("missing") is None
    assert (request.path, request.query_string) == ("/a/b", "x=1")


def test_decode_request_json_and_query_give_the_same_params() -> None:
    json_request = HttpRequest(
        "POST",
        "https://sqs.us-east-1.amazonaws.com/",
        {"X-Amz-Target": "AmazonSQS.ChangeMessageVisibility"},
        b'{"QueueUrl": "u", "ReceiptHandle": "h", "VisibilityTimeout": 30}',
    )
    query_request = HttpRequest(
        "POST",
        "https://sqs.us-east-1.amazonaws.com/",
        {},
        b"Action=ChangeMessageVisibility&QueueUrl=u&ReceiptHandle=h&VisibilityTimeout=30",
    )
    params = {"QueueUrl": "u", "ReceiptHandle": "h", "VisibilityTimeout": 30}
    assert codec.decode_request(json_request) == DecodedRequest("ChangeMessageVisibility", params, "json")
    assert codec.decode_request(query_request) == DecodedRequest("ChangeMessageVisibility", params, "query")


def test_queue_url_comes_from_the_path_when_absent() -> None:
    request = HttpRequest("POST", QUEUE_URL, {}, b"Action=SendMessage&MessageBody=hi")
    assert codec.decode_request(request).params == {
        "MessageBody": "hi",
        "QueueUrl": QUEUE_URL,
    }
    explicit = HttpRequest("POST", QUEUE_URL, {}, b"Action=SendMessage&MessageBody=hi&QueueUrl=other")
    assert codec.decode_request(explicit).params["QueueUrl"] == "other"
    no_queue_member = HttpRequest("POST", QUEUE_URL, {}, b"Action=GetQueueUrl&QueueName=q")
    assert codec.decode_request(no_queue_member).params == {"QueueName": "q"}


@pytest.mark.parametrize("action", ["CreateQueue", "ListQueues"])
def test_queue_less_actions_on_a_queue_url_are_invalid(action: str) -> None:
    with pytest.raises(SqsError) as caught:
        codec.decode_request(HttpRequest("POST", QUEUE_URL, {}, f"Action={action}&QueueName=q".encode()))
    assert caught.value.message == f"The action {action} is not valid for this endpoint."


def test_encoders_dispatch_on_protocol() -> None:
    assert codec.encode_result("json", "DeleteQueue", None, "r").headers["Content-Type"] == "application/x-amz-json-1.0"
    assert codec.encode_result("query", "DeleteQueue", None, "r").headers["Content-Type"] == "text/xml"
    error = sqs_errors.queue_does_not_exist()
    assert codec.encode_error("json", error, "r").body.startswith(b'{"__type"')
    assert codec.encode_error("query", error, "r").body.startswith(b"<?xml")


def test_request_ids_are_unique_uuids() -> None:
    first, second = codec.new_request_id(), codec.new_request_id()
    assert first != second
    assert len(first) == 36


# --- signing scope ------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "url", "expected"),
    [
        (
            {
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc"
            },
            "https://sqs.eu-west-1.amazonaws.com/",
            SigningScope("AKIDEXAMPLE", "eu-west-1"),
        ),
        (
            {},
            "https://sqs.us-east-2.amazonaws.com/?Action=ListQueues&X-Amz-Credential=AKID2%2F20240101%2Fus-east-2%2Fsqs%2Faws4_request",
            SigningScope("AKID2", "us-east-2"),
        ),
        ({}, "https://sqs.us-east-1.amazonaws.com/", None),
        (
            {"Authorization": "Bearer token"},
            "https://sqs.us-east-1.amazonaws.com/",
            None,
        ),
        (
            {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101"},
            "https://h/",
            None,
        ),
    ],
)
def test_signing_scope(headers: dict[str, str], url: str, expected: SigningScope | None) -> None:
    assert codec.signing_scope(HttpRequest("GET", url, headers)) == expected


def test_importing_the_wire_layer_does_not_load_the_service_model() -> None:
    code = "import sys, pytest_sqsmock.wire.codec as c, pytest_sqsmock.wire.shapes as s; sys.exit(len(s._cache))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- end to end through real botocore clients ----------------------------------


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _client(service: Service, seen: list[DecodedRequest], *, data_path: Path | None = None) -> Any:
    session = botocore.session.get_session()
    if data_path is not None:
        session.get_component("data_loader").search_paths.insert(0, str(data_path))
    client = session.create_client(
        "sqs",
        region_name="eu-west-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
    )

    def on_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        body: Any = request.body or b""
        headers: Any = request.headers
        http = HttpRequest(
            request.method,
            request.url,
            headers,
            body.encode() if isinstance(body, str) else body,
        )
        request_id = codec.new_request_id()
        protocol = codec.detect_protocol(http)
        try:
            decoded = codec.decode_request(http)
            assert codec.signing_scope(http) == SigningScope("AKIDTEST", "eu-west-1")
            seen.append(decoded)
            response = codec.encode_result(decoded.protocol, decoded.operation, service(decoded), request_id)
        except SqsError as error:
            response = codec.encode_error(protocol, error, request_id)
        raw: Any = _Raw(response.body)
        headers_out: Any = response.headers
        return AWSResponse(request.url, response.status, headers_out, raw)

    handler: Any = on_send
    client.meta.events.register("before-send.sqs", handler)
    return client


@pytest.fixture(params=["json", "query"])
def protocol(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path | None]:
    if request.param == "json":
        installed = botocore.session.get_session().get_service_model("sqs").protocol
        if installed != "json":
            pytest.skip(f"installed botocore's SQS model speaks {installed!r}: a JSON client needs botocore >= 1.34.90")
        return "json", None
    model_dir = tmp_path / "sqs" / "2012-11-05"
    model_dir.mkdir(parents=True)
    shutil.copy(QUERY_MODEL, model_dir / "service-2.json")
    return "query", tmp_path


def test_round_trip_through_botocore(protocol: tuple[str, Path | None]) -> None:
    name, data_path = protocol
    seen: list[DecodedRequest] = []
    received = {
        "MessageId": "m-1",
        "ReceiptHandle": "AQEB",
        "MD5OfBody": "6e2baaf3b97dbeef01c0043275f9a0e7",
        "Body": 'msg "quoted"\r\n',
        "Attributes": {"SentTimestamp": "1714482781123"},
        "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    }

    def service(call: DecodedRequest) -> dict[str, Any]:
        return {"Messages": [received]} if call.operation == "ReceiveMessage" else {}

    client = _client(service, seen, data_path=data_path)
    assert client.meta.service_model.protocol == name
    client.send_message(
        QueueUrl=QUEUE_URL,
        MessageBody="hi",
        DelaySeconds=3,
        MessageAttributes={"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    )
    response = client.receive_message(QueueUrl=QUEUE_URL, AttributeNames=["All"], MaxNumberOfMessages=10)
    assert response["Messages"] == [received]
    assert [(call.operation, call.protocol) for call in seen] == [
        ("SendMessage", name),
        ("ReceiveMessage", name),
    ]
    assert seen[0].params == {
        "QueueUrl": QUEUE_URL,
        "MessageBody": "hi",
        "DelaySeconds": 3,
        "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    }
    assert seen[1].params == {
        "QueueUrl": QUEUE_URL,
        "AttributeNames": ["All"],
        "MaxNumberOfMessages": 10,
    }


def test_errors_reach_botocore_with_legacy_code_and_modeled_class(
    protocol: tuple[str, Path | None],
) -> None:
    def service(call: DecodedRequest) -> dict[str, Any]:
        raise sqs_errors.queue_does_not_exist(query=call.protocol == "query")

    client = _client(service, [], data_path=protocol[1])
    with pytest.raises(ClientError) as caught:
        client.get_queue_url(QueueName="missing")
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert isinstance(caught.value, client.exceptions.QueueDoesNotExist)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_every_error_row_has_its_own_shape_and_code() -> None:
    shapes = [row.shape for row in sqs_errors.ROWS]
    codes = [row.code for row in sqs_errors.ROWS]
    assert len(set(shapes)) == len(shapes)
    assert len(set(codes)) == len(codes)
    assert all(sqs_errors.TABLE[row.shape] is row and sqs_errors.TABLE[row.code] is row for row in sqs_errors.ROWS)


def test_ids_are_version_4_uuids_unique_across_batches_and_forks() -> None:
    import multiprocessing
    import os
    import uuid
    import warnings

    from pytest_sqsmock.ids import random_uuid

    made = [random_uuid() for _ in range(1000)]  # several batches
    assert len(set(made)) == 1000
    assert all(uuid.UUID(each).version == 4 and uuid.UUID(each).variant == uuid.RFC_4122 for each in made)
    if "fork" not in multiprocessing.get_all_start_methods():
        return
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork with threads about
        pid = os.fork()
    if pid == 0:  # the child: its next ids, then out
        os.write(writer, ",".join(random_uuid() for _ in range(5)).encode())
        os._exit(0)
    os.close(writer)
    child = os.read(reader, 4096).decode().split(",")
    os.waitpid(pid, 0)
    ours = [random_uuid() for _ in range(5)]
    assert set(child).isdisjoint(ours)


def test_ids_are_topped_up_for_a_calls_messages() -> None:
    # Service.handle tops up before its lock: a SendMessageBatch under it finds its ten message ids ready.
    from pytest_sqsmock import ids

    ids._ready.clear()
    ids.top_up()
    assert len(ids._ready) >= 10
    ready = len(ids._ready)
    ids.top_up()  # enough already: nothing made
    assert len(ids._ready) == ready
