"""The botocore transport: which requests the mock answers, and what it leaves alone.

Spec: docs/architecture.md ("One call, end to end") and README "What never leaves the process".
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint
from botocore.stub import Stubber

from pytest_sqsmock import SqsMock, SqsMockError, mock_sqs

REGION = "us-east-1"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # a key that names no account: the default one
SECRET_KEY = "x"

#: botocore's own method, captured at import (collection), when no mock is active.
ORIGINAL_SEND = Endpoint.__dict__["_send"]


class NetworkCall(Exception):
    """Raised by the stand-in for botocore's real send: the request left botocore."""


class _Raw(io.BytesIO):
    """A raw body botocore can stream, like urllib3's response."""

    def stream(self, amt: int = 65536, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def canned_list_queues(request: AWSPreparedRequest, queue_urls: list[str]) -> AWSResponse:
    """A 200 ListQueues answer to ``request``, in the protocol the client speaks.

    awsJson1_0 for botocore >= 1.34.90; the query protocol's XML before (Developer Guide, "Interpreting Amazon SQS XML API responses").
    """
    if "X-Amz-Target" not in request.headers:
        urls = "".join(f"<QueueUrl>{url}</QueueUrl>" for url in queue_urls)
        xml = (
            '<ListQueuesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
            f"<ListQueuesResult>{urls}</ListQueuesResult>"
            "<ResponseMetadata><RequestId>canned</RequestId></ResponseMetadata>"
            "</ListQueuesResponse>"
        )
        xml_headers: Any = {"Content-Type": "text/xml", "x-amzn-RequestId": "canned"}
        return AWSResponse(request.url, 200, xml_headers, _Raw(xml.encode()))
    headers: Any = {
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-RequestId": "canned",
    }
    body = json.dumps({"QueueUrls": queue_urls}).encode()
    return AWSResponse(request.url, 200, headers, _Raw(body))


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace botocore's real send with a recorder that never touches the network.

    Install it before a mock starts: the mock then wraps the recorder, and every
    request the mock passes through lands here (hosts, in order).
    """
    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND, "a mock is still active"
    hosts: list[str] = []

    def record(endpoint: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        hosts.append(request.url.split("://", 1)[1].split("/", 1)[0])
        raise NetworkCall(request.url)

    monkeypatch.setattr(Endpoint, "_send", record)
    return hosts


@pytest.fixture
def no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS_* variables and no config/credentials files: nothing configured at all."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    missing = tmp_path / "missing"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(missing))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
    return missing


def sqs_client(**kwargs: Any) -> Any:
    """An SQS client with explicit (unknown) keys and region: independent of the environment."""
    return boto3.session.Session().client(
        "sqs",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        **kwargs,
    )


def queue_names(client: Any) -> list[str]:
    return sorted(url.rsplit("/", 1)[1] for url in client.list_queues().get("QueueUrls", []))


# -- which clients are intercepted ------------------------------------------------------


def test_client_created_before_the_mock_starts_is_intercepted(
    network: list[str],
) -> None:
    early = sqs_client()

    with mock_sqs() as mock:
        url = early.create_queue(QueueName="early")["QueueUrl"]
        early.send_message(QueueUrl=url, MessageBody="hi")

    assert url == f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/early"
    assert [m.body for m in mock.queue("early").visible] == ["hi"]
    assert network == []


def test_boto3_default_session_client_is_intercepted(network: list[str]) -> None:
    early = boto3.client(
        "sqs",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )

    with mock_sqs() as mock:
        late = boto3.client(
            "sqs",
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        early.create_queue(QueueName="from-early")
        late.create_queue(QueueName="from-late")

    assert sorted(q.name for q in mock.queues()) == ["from-early", "from-late"]
    assert network == []


def test_boto3_resource_is_intercepted(network: list[str]) -> None:
    with mock_sqs() as mock:
        queue = boto3.resource(
            "sqs",
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        ).create_queue(QueueName="res")
        queue.send_message(MessageBody="via resource")

    assert [m.body for m in mock.queue("res").visible] == ["via resource"]
    assert network == []


def test_client_that_outlives_a_mock_meets_a_fresh_simulation_next_time(
    network: list[str],
) -> None:
    sqs = sqs_client()
    with mock_sqs():
        sqs.create_queue(QueueName="first-run")

    with mock_sqs() as second:
        assert queue_names(sqs) == []
        sqs.create_queue(QueueName="second-run")

    assert [q.name for q in second.queues()] == ["second-run"]
    assert network == []


# -- nothing stays patched ---------------------------------------------------------------


def test_nothing_stays_patched_after_the_mock_exits() -> None:
    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND
    assert ORIGINAL_SEND.__module__ == "botocore.endpoint"

    with mock_sqs():
        assert Endpoint.__dict__["_send"] is not ORIGINAL_SEND

    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND
    assert getattr(Endpoint, "_send") is ORIGINAL_SEND  # noqa: B009 - private, not in the stubs


def test_nothing_stays_patched_after_an_exception_in_the_block() -> None:
    with pytest.raises(RuntimeError, match="boom"), mock_sqs():
        raise RuntimeError("boom")

    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND


def test_nothing_stays_patched_after_a_decorated_function() -> None:
    @mock_sqs
    def uses_sqs() -> list[str]:
        sqs = sqs_client()
        sqs.create_queue(QueueName="decorated")
        return queue_names(sqs)

    assert uses_sqs() == ["decorated"]
    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND


def test_sqs_calls_reach_the_network_again_after_exit(network: list[str]) -> None:
    sqs = sqs_client()
    with mock_sqs():
        sqs.list_queues()
    assert network == []

    with pytest.raises(NetworkCall):
        sqs.list_queues()

    assert network == [f"sqs.{REGION}.amazonaws.com"]


def test_stopped_mock_keeps_its_state_readable(network: list[str]) -> None:
    with mock_sqs() as mock:
        sqs_client().create_queue(QueueName="kept")

    assert not mock.active
    assert [q.name for q in mock.queues()] == ["kept"]
    assert [c.operation for c in mock.calls] == ["CreateQueue"]


# -- other services and other botocore handlers -----------------------------------------


@pytest.mark.parametrize(
    ("service", "call", "host"),
    [
        (
            "sts",
            lambda client: client.get_caller_identity(),
            "sts.us-east-1.amazonaws.com",
        ),
        ("s3", lambda client: client.list_buckets(), "s3.amazonaws.com"),
    ],
    ids=["sts", "s3"],
)
def test_other_services_go_to_the_original_send_when_let_through(
    network: list[str], service: Any, call: Any, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Older botocore (1.34.50 here) defaults sts_regional_endpoints to "legacy": sts.amazonaws.com.
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "regional")
    client = boto3.session.Session().client(
        service,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )

    with mock_sqs(passthrough=[service]) as mock:
        with pytest.raises(NetworkCall):
            call(client)
        sqs_client().list_queues()

    assert network == [host]
    assert [c.operation for c in mock.calls] == ["ListQueues"]


def test_before_send_handler_of_another_service_still_answers_first(
    network: list[str],
) -> None:
    sts = boto3.session.Session().client(
        "sts",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    xml = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetCallerIdentityResult><Arn>arn:aws:iam::999988887777:user/me</Arn>"
        "<UserId>AIDAEXAMPLE</UserId><Account>999988887777</Account>"
        "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId>"
        "</ResponseMetadata></GetCallerIdentityResponse>"
    )

    def answer(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse:
        headers: Any = {"Content-Type": "text/xml"}
        return AWSResponse(request.url, 200, headers, _Raw(xml.encode()))

    sts.meta.events.register("before-send.sts.GetCallerIdentity", answer)
    with mock_sqs():
        identity = sts.get_caller_identity()

    assert identity["Account"] == "999988887777"
    assert network == []


def test_stubber_on_another_service_is_untouched(network: list[str]) -> None:
    s3 = boto3.session.Session().client(
        "s3",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )

    with mock_sqs(), Stubber(s3) as stubber:
        stubber.add_response("list_buckets", {"Buckets": [{"Name": "stubbed"}]})
        buckets = s3.list_buckets()["Buckets"]
        stubber.assert_no_pending_responses()

    assert [b["Name"] for b in buckets] == ["stubbed"]
    assert network == []


def test_stubber_on_an_sqs_client_wins_over_the_mock() -> None:
    with mock_sqs() as mock:
        sqs = sqs_client()
        sqs.create_queue(QueueName="real")
        with Stubber(sqs) as stubber:
            stubber.add_response("list_queues", {"QueueUrls": ["https://stubbed/1/q"]})
            stubber.add_client_error(
                "send_message",
                service_error_code="AWS.SimpleQueueService.NonExistentQueue",
                http_status_code=400,
            )
            stubbed = sqs.list_queues()["QueueUrls"]
            with pytest.raises(sqs.exceptions.ClientError) as info:
                sqs.send_message(QueueUrl="real", MessageBody="never sent")
            stubber.assert_no_pending_responses()
        after = sqs.list_queues()["QueueUrls"]

    assert stubbed == ["https://stubbed/1/q"]
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert after == [f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/real"]
    assert [c.operation for c in mock.calls] == ["CreateQueue", "ListQueues"]
    assert len(mock.queue("real")) == 0


def test_before_send_handler_on_an_sqs_client_wins_over_the_mock() -> None:
    sqs = sqs_client()

    def answer(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse:
        return canned_list_queues(request, ["https://handler/1/q"])

    sqs.meta.events.register("before-send.sqs.ListQueues", answer)
    with mock_sqs() as mock:
        listed = sqs.list_queues()["QueueUrls"]
        sqs.create_queue(QueueName="served-by-mock")

    assert listed == ["https://handler/1/q"]
    assert [c.operation for c in mock.calls] == ["CreateQueue"]


# -- nesting and restarting --------------------------------------------------------------


def test_nested_mock_is_fresh_and_the_outer_resumes(network: list[str]) -> None:
    sqs = sqs_client()
    with mock_sqs() as outer:
        sqs.create_queue(QueueName="outer-queue")

        with mock_sqs() as inner:
            assert queue_names(sqs) == []
            sqs.create_queue(QueueName="inner-queue")
            assert queue_names(sqs) == ["inner-queue"]

        assert queue_names(sqs) == ["outer-queue"]
        sqs.send_message(QueueUrl="outer-queue", MessageBody="after the inner one")

    assert [q.name for q in outer.queues()] == ["outer-queue"]
    assert [q.name for q in inner.queues()] == ["inner-queue"]
    assert [m.body for m in outer.queue("outer-queue").visible] == ["after the inner one"]
    assert [c.operation for c in outer.calls] == [
        "CreateQueue",
        "ListQueues",
        "SendMessage",
    ]
    assert [c.operation for c in inner.calls] == [
        "ListQueues",
        "CreateQueue",
        "ListQueues",
    ]
    assert network == []


def test_nested_mock_uses_its_own_defaults() -> None:
    sqs = sqs_client()  # an unknown key: the active mock's default account
    with mock_sqs(account_id=ACCOUNT) as outer:
        with mock_sqs(account_id=OTHER_ACCOUNT):
            inner_url = sqs.create_queue(QueueName="q")["QueueUrl"]
        outer_url = sqs.create_queue(QueueName="q")["QueueUrl"]

    assert inner_url == f"https://sqs.{REGION}.amazonaws.com/{OTHER_ACCOUNT}/q"
    assert outer_url == f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q"
    assert outer.queue("q").account_id == ACCOUNT


def test_nested_mocks_restore_botocore_after_the_last_exits() -> None:
    with mock_sqs(), mock_sqs():
        pass

    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND


def is_active(mock: SqsMock) -> bool:
    """``mock.active``, read afresh (mypy would keep an earlier narrowing)."""
    return mock.active


def test_starting_the_same_mock_twice_raises() -> None:
    mock = mock_sqs()
    with mock:
        with pytest.raises(SqsMockError, match="already active"):
            mock.start()
        with pytest.raises(SqsMockError, match="already active"):
            mock.__enter__()
        assert is_active(mock)

    assert not is_active(mock)
    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND


def test_starting_the_fixture_s_mock_again_raises(sqs_mock: SqsMock) -> None:
    with pytest.raises(SqsMockError, match="already active"):
        sqs_mock.start()
    assert sqs_mock.active


def test_stopping_an_inactive_mock_raises() -> None:
    mock = mock_sqs()
    with pytest.raises(SqsMockError, match="not active"):
        mock.stop()


def test_a_restarted_mock_is_a_fresh_simulation() -> None:
    mock = mock_sqs()
    sqs = sqs_client()
    with mock:
        sqs.create_queue(QueueName="before")

    with mock:
        assert queue_names(sqs) == []
        assert mock.queues() == []
        assert mock.calls[0].operation == "ListQueues"


# -- the environment ---------------------------------------------------------------------


def test_works_with_no_aws_configuration_at_all(no_aws_environment: Path) -> None:
    with mock_sqs(region="eu-central-1", account_id=OTHER_ACCOUNT) as mock:
        sqs = boto3.session.Session().client("sqs")
        url = sqs.create_queue(QueueName="bare")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="no config needed")

    assert url == f"https://sqs.eu-central-1.amazonaws.com/{OTHER_ACCOUNT}/bare"
    assert [m.body for m in mock.queue("bare").visible] == ["no config needed"]


def test_environment_is_restored_after_exit(no_aws_environment: Path) -> None:
    before = dict(os.environ)

    with mock_sqs(region="eu-central-1"):
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
        assert os.environ["AWS_ACCESS_KEY_ID"]
        assert os.environ["AWS_SECRET_ACCESS_KEY"]

    assert dict(os.environ) == before
    assert not {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    } & set(os.environ)


def test_configured_environment_is_left_as_it_is(no_aws_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "configured")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    before = dict(os.environ)

    with mock_sqs(region="eu-central-1") as mock:
        assert dict(os.environ) == before
        url = boto3.session.Session().client("sqs").create_queue(QueueName="q")["QueueUrl"]

    assert dict(os.environ) == before
    # The configured region is the endpoint's; the unknown key is the default account.
    assert url == f"https://sqs.ap-southeast-2.amazonaws.com/{ACCOUNT}/q"
    assert mock.queue("q", region="ap-southeast-2").account_id == ACCOUNT


def test_environment_is_restored_after_nested_mocks(no_aws_environment: Path) -> None:
    before = dict(os.environ)

    with mock_sqs(region="eu-central-1"):
        with mock_sqs(region="eu-west-2"):
            pass
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"

    assert dict(os.environ) == before


def test_boto3_default_session_follows_each_mock_s_account(
    no_aws_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # boto3.client() without keys uses the default session, which caches the
    # credentials it resolved first. Each mock (and each test with the fixture and
    # a different marker account) must still see its own default account.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    with mock_sqs(account_id=ACCOUNT):
        first = boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    with mock_sqs(account_id=OTHER_ACCOUNT):
        second = boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"]

    assert first == f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q"
    assert second == f"https://sqs.{REGION}.amazonaws.com/{OTHER_ACCOUNT}/q"


# -- threads -----------------------------------------------------------------------------

THREADS = 8
ROUNDS = 200


def test_one_mock_serves_many_threads_at_once(sqs_mock: SqsMock) -> None:
    session = boto3.session.Session()
    keys = sqs_mock.credentials()
    clients = [
        session.client(
            "sqs",
            region_name=REGION,
            aws_access_key_id=keys["aws_access_key_id"],
            aws_secret_access_key=keys["aws_secret_access_key"],
        )
        for _ in range(THREADS)
    ]
    url = clients[0].create_queue(QueueName="busy")["QueueUrl"]
    received: list[list[str]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        sqs = clients[index]
        try:
            start.wait()
            for round_ in range(ROUNDS):
                sqs.send_message(QueueUrl=url, MessageBody=f"{index}-{round_}")
                response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
                for message in response.get("Messages", []):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    received[index].append(message["Body"])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []

    leftovers = []
    while (
        messages := clients[0]
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        .get("Messages", [])
    ):
        for message in messages:
            clients[0].delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            leftovers.append(message["Body"])

    delivered = [body for bodies in received for body in bodies] + leftovers
    sent = {f"{i}-{r}" for i in range(THREADS) for r in range(ROUNDS)}
    assert len(delivered) == len(sent)
    assert set(delivered) == sent
    assert len(sqs_mock.queue("busy")) == 0
    operations = [c.operation for c in sqs_mock.calls]
    assert operations.count("SendMessage") == THREADS * ROUNDS
    assert operations.count("DeleteMessage") == THREADS * ROUNDS
    assert all(c.error is None for c in sqs_mock.calls)
