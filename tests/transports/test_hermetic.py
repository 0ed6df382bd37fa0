"""Nothing a test does reaches real AWS: other services inside a mock, threads left running after it."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint
from botocore.stub import Stubber

from pytest_sqsmock import NetworkBlockedError, SqsMock, mock_sqs

ORIGINAL_SEND = Endpoint.__dict__["_send"]
KEYS: dict[str, Any] = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret"}


class LeftTheProcess(Exception):
    """Raised by the stand-in for botocore's real send: the request would have reached the network."""


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and stop) every request that reaches botocore's real send."""
    assert Endpoint.__dict__["_send"] is ORIGINAL_SEND, "a mock is still active"
    urls: list[str] = []

    def record(endpoint: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        urls.append(request.url)
        raise LeftTheProcess(request.url)

    monkeypatch.setattr(Endpoint, "_send", record)
    return urls


def test_a_call_to_another_aws_service_fails_at_once_naming_it_and_the_way_out(network: list[str]) -> None:
    sns = boto3.client("sns", region_name="us-east-1", **KEYS)
    with mock_sqs(), pytest.raises(NetworkBlockedError) as blocked:
        sns.list_topics()  # raised on the first attempt: botocore does not retry it, nothing waits
    message = str(blocked.value)
    assert "AWS service 'sns' (sns.us-east-1.amazonaws.com)" in message
    assert "passthrough=['sns']" in message
    assert "sqs_mock_passthrough" in message
    assert network == []


def test_passthrough_lets_named_services_and_star_lets_all_through(network: list[str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1", **KEYS)
    sns = boto3.client("sns", region_name="us-east-1", **KEYS)
    with mock_sqs(passthrough=["s3"]):
        with pytest.raises(LeftTheProcess):
            s3.list_buckets()
        with pytest.raises(NetworkBlockedError):
            sns.list_topics()
    with mock_sqs(passthrough=["*"]), pytest.raises(LeftTheProcess):
        sns.list_topics()
    assert [url.split("/")[2] for url in network] == ["s3.amazonaws.com", "sns.us-east-1.amazonaws.com"]


def test_endpoints_that_are_not_aws_are_not_refused(network: list[str]) -> None:
    local = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", **KEYS)
    with mock_sqs(), pytest.raises(LeftTheProcess):
        local.list_buckets()
    assert network == ["http://127.0.0.1:9/"]


def test_a_stubber_answering_s3_beside_the_mock_keeps_working(network: list[str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1", **KEYS)
    with mock_sqs() as mock, Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": [{"Name": "reports"}]})
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["reports"]
        mock.client().create_queue(QueueName="jobs")
    assert network == []


def test_moto_answering_s3_beside_the_mock_keeps_working(network: list[str]) -> None:
    moto = pytest.importorskip("moto")
    # moto answers every service it mocks before pytest_sqsmock sees the request: let SQS through it.
    moto_for_s3_only = moto.mock_aws(config={"core": {"passthrough": {"services": ["sqs"]}}})
    with moto_for_s3_only, mock_sqs() as mock:
        s3 = boto3.client("s3", region_name="us-east-1", **KEYS)
        s3.create_bucket(Bucket="reports")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["reports"]
        mock.client().create_queue(QueueName="jobs")
        assert mock.queue("jobs").name == "jobs"
    assert network == []


def test_a_thread_left_running_after_the_mock_stops_cannot_reach_aws(network: list[str]) -> None:
    go_on, sent = threading.Event(), threading.Event()
    outcome: list[BaseException] = []

    with mock_sqs() as mock:
        mock.test_name = "test_leaky"
        url = mock.create_queue("jobs").url
        sqs = mock.client()

        def worker() -> None:
            sqs.send_message(QueueUrl=url, MessageBody="while the mock runs")
            sent.set()
            go_on.wait(10)
            try:
                sqs.send_message(QueueUrl=url, MessageBody="after it stopped")
            except BaseException as exc:  # recorded for the test
                outcome.append(exc)

        thread = threading.Thread(target=worker, name="leaky-worker")
        thread.start()
        assert sent.wait(10)
    go_on.set()
    thread.join(10)
    [error] = outcome
    assert isinstance(error, NetworkBlockedError)
    assert "of test_leaky has stopped" in str(error)
    assert "'leaky-worker'" in str(error)
    assert network == []
    # The test's own thread is not fenced in: once the thread ended, botocore is restored untouched.
    assert Endpoint.__dict__["_send"] is not ORIGINAL_SEND  # still fenced: patched until the next stop
    with mock_sqs():
        pass
    assert Endpoint.__dict__["_send"].__name__ == "record"


def test_the_fixture_names_its_test_for_leftover_threads(sqs_mock: SqsMock) -> None:
    assert sqs_mock.test_name is not None
    assert sqs_mock.test_name.endswith("test_the_fixture_names_its_test_for_leftover_threads")


def test_passthrough_must_be_a_list_of_names() -> None:
    with pytest.raises(TypeError, match="list of service names"):
        mock_sqs(passthrough="s3")


@pytest.mark.sqs_mock(passthrough=["s3"])
def test_the_marker_sets_passthrough(sqs_mock: SqsMock) -> None:
    assert sqs_mock.passthrough == {"s3"}


def test_a_thread_started_during_the_mock_is_fenced_even_before_its_first_call(network: list[str]) -> None:
    go_on = threading.Event()
    outcome: list[BaseException] = []
    with mock_sqs() as mock:
        url = mock.create_queue("jobs").url
        sqs = mock.client()

        def late_worker() -> None:
            go_on.wait(10)
            try:
                sqs.send_message(QueueUrl=url, MessageBody="after the mock stopped")
            except BaseException as exc:  # recorded for the test
                outcome.append(exc)

        thread = threading.Thread(target=late_worker, name="late-worker")
        thread.start()
    go_on.set()
    thread.join(10)
    [error] = outcome
    assert isinstance(error, NetworkBlockedError)
    assert "'late-worker'" in str(error)
    assert network == []


def test_a_pool_thread_from_an_earlier_mock_is_served_by_the_next_one(network: list[str]) -> None:
    # A long-lived worker (a thread pool's) outlives one test's mock; the next test's mock serves it.
    jobs: list[Any] = []
    ready = threading.Event()
    done = threading.Event()
    results: list[str] = []

    def pool_thread() -> None:
        while True:
            ready.wait(10)
            ready.clear()
            job = jobs.pop()
            if job is None:
                return
            results.append(job())
            done.set()

    with mock_sqs() as first:
        first.create_queue("jobs")
        worker = threading.Thread(target=pool_thread, name="pool-thread", daemon=True)
        worker.start()
    with mock_sqs() as second:
        second.create_queue("jobs")
        client = second.client()
        jobs.append(lambda: client.send_message(QueueUrl=second.queue("jobs").url, MessageBody="x")["MessageId"])
        ready.set()
        assert done.wait(10)
        assert [m.message_id for m in second.queue("jobs").visible] == results
        jobs.append(None)
        ready.set()
    worker.join(10)
    assert network == []
