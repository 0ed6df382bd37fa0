"""requests-based SQS code inside a ``responses`` mock reaches the simulation."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import requests
import responses

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.transports.responses_adapter import SQS_URL

ENDPOINT = "https://sqs.us-east-1.amazonaws.com/"
NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}
JSON = "application/x-amz-json-1.0"


def query(url: str, **params: str) -> requests.Response:
    return requests.post(url, data={"Version": "2012-11-05", **params}, timeout=5)


def json_call(operation: str, body: dict[str, object], url: str = ENDPOINT) -> requests.Response:
    headers = {"X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": JSON}
    return requests.post(url, data=json.dumps(body), headers=headers, timeout=5)


def text_of(response: requests.Response, path: str) -> str:
    found = ET.fromstring(response.content).find(path, NS)
    assert found is not None, response.text
    assert found.text is not None
    return found.text


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_query_protocol_round_trip(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    created = query(ENDPOINT, Action="CreateQueue", QueueName="jobs")
    assert created.status_code == 200
    url = text_of(created, ".//sqs:QueueUrl")
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"

    sent = query(url, Action="SendMessage", MessageBody="hello")  # posted to the queue URL
    message_id = text_of(sent, ".//sqs:MessageId")
    received = query(ENDPOINT, Action="ReceiveMessage", QueueUrl=url)
    assert text_of(received, ".//sqs:Message/sqs:Body") == "hello"
    assert text_of(received, ".//sqs:Message/sqs:MessageId") == message_id

    handle = text_of(received, ".//sqs:ReceiptHandle")
    assert query(url, Action="DeleteMessage", ReceiptHandle=handle).status_code == 200
    assert len(sqs_mock.queue("jobs")) == 0
    assert sqs_mock.calls.operations == [
        "CreateQueue",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
    ]


def test_query_protocol_error(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    missing = query(ENDPOINT, Action="GetQueueUrl", QueueName="missing")
    assert missing.status_code == 400
    assert text_of(missing, ".//sqs:Error/sqs:Code") == "AWS.SimpleQueueService.NonExistentQueue"


def test_json_protocol_round_trip_and_error(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    created = json_call("CreateQueue", {"QueueName": "jobs"})
    assert created.headers["Content-Type"] == JSON
    url = created.json()["QueueUrl"]
    json_call("SendMessage", {"QueueUrl": url, "MessageBody": "hello"})
    received = json_call("ReceiveMessage", {"QueueUrl": url}).json()
    assert [m["Body"] for m in received["Messages"]] == ["hello"]

    missing = json_call("GetQueueUrl", {"QueueName": "missing"})
    assert missing.status_code == 400
    assert missing.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert missing.json()["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"


def test_get_on_a_queue_url(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    url = sqs_mock.create_queue("jobs").url
    sent = requests.get(url, params={"Action": "SendMessage", "MessageBody": "via GET"}, timeout=5)
    assert sent.status_code == 200, sent.text
    assert [m.body for m in sqs_mock.queue("jobs").visible] == ["via GET"]


def test_region_comes_from_the_host(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    created = query("https://sqs.eu-west-1.amazonaws.com", Action="CreateQueue", QueueName="jobs")
    assert text_of(created, ".//sqs:QueueUrl") == ("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")
    assert sqs_mock.queue("jobs", region="eu-west-1").region == "eu-west-1"


def test_other_registered_responses_are_untouched(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, "https://api.example.com/orders", json={"orders": [1, 2]})
    sqs_mock.route_responses(rsps)
    rsps.add(responses.POST, "https://api.example.com/orders", status=201)

    assert requests.get("https://api.example.com/orders", timeout=5).json() == {"orders": [1, 2]}
    query(ENDPOINT, Action="CreateQueue", QueueName="jobs")
    assert requests.post("https://api.example.com/orders", timeout=5).status_code == 201
    assert [call.request.url for call in rsps.calls] == [
        "https://api.example.com/orders",
        ENDPOINT,
        "https://api.example.com/orders",
    ]
    # A host that only looks like AWS is not SQS: responses refuses it as usual.
    with pytest.raises(requests.ConnectionError):
        requests.get("https://s3.amazonaws.com/bucket", timeout=5)


def test_routes_are_removed_when_the_mock_stops() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, "https://api.example.com/")
        with mock_sqs() as mock:
            mock.route_responses(rsps)
            assert len(rsps.registered()) == 3
        assert [(r.method, r.url) for r in rsps.registered()] == [("GET", "https://api.example.com/")]
        with pytest.raises(requests.ConnectionError, match="doesn't match any registered mock"):
            query(ENDPOINT, Action="ListQueues")
        requests.get("https://api.example.com/", timeout=5)


def test_an_unused_route_is_not_an_unfired_expectation() -> None:
    # RequestsMock() asserts that every registered response fired; ours is gone by then.
    with responses.RequestsMock(assert_all_requests_are_fired=True), mock_sqs() as mock:
        mock.route_responses(responses.mock)


def test_the_newest_mock_answers_and_each_removes_only_its_routes() -> None:
    with responses.RequestsMock() as rsps, mock_sqs() as outer:
        outer.route_responses(rsps)
        with mock_sqs() as inner:
            inner.route_responses(rsps)
            query(ENDPOINT, Action="CreateQueue", QueueName="inner")
        assert len(rsps.registered()) == 2
        query(ENDPOINT, Action="CreateQueue", QueueName="outer")
        assert [q.name for q in inner.queues()] == ["inner"]
        assert [q.name for q in outer.queues()] == ["outer"]


def test_a_stub_of_your_own_for_an_sqs_call_wins(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    sqs_mock.route_responses(rsps)
    throttled = rsps.add(responses.POST, "https://sqs.us-east-1.amazonaws.com/", status=503)
    assert query(ENDPOINT, Action="ListQueues").status_code == 503
    rsps.remove(throttled)
    assert query(ENDPOINT, Action="ListQueues").status_code == 200
    assert sqs_mock.calls.operations == ["ListQueues"]


@responses.activate
def test_the_default_responses_mock() -> None:
    responses.add(responses.GET, "https://api.example.com/health", body="ok")
    with mock_sqs() as mock:
        mock.route_responses()
        query(ENDPOINT, Action="CreateQueue", QueueName="jobs")
        assert requests.get("https://api.example.com/health", timeout=5).text == "ok"
    assert [q.name for q in mock.queues()] == ["jobs"]


def test_routing_needs_an_active_mock() -> None:
    mock = SqsMock()
    with pytest.raises(SqsMockError, match="start the mock"):
        mock.route_responses()


@pytest.mark.parametrize(
    "url",
    [
        "https://sqs.us-east-1.amazonaws.com",
        "https://sqs.us-east-1.amazonaws.com/",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
        "https://sqs-fips.us-gov-west-1.amazonaws.com/",
        "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs",
        "https://sqs.us-east-1.api.aws/",
        "https://queue.amazonaws.com/123456789012/jobs",
        "https://eu-west-1.queue.amazonaws.com/123456789012/jobs?Action=ReceiveMessage",
        "http://sqs.us-east-1.amazonaws.com:443/",
    ],
)
def test_sqs_urls(url: str) -> None:
    assert SQS_URL.match(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/",
        "https://sqs.us-east-1.amazonaws.com.evil.example/",
        "https://example.com/https://sqs.us-east-1.amazonaws.com/",
        "https://sns.us-east-1.amazonaws.com/",
    ],
)
def test_not_sqs_urls(url: str) -> None:
    assert not SQS_URL.match(url)
