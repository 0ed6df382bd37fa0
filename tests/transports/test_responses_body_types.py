"""requests code that posts its body as bytes or as an iterable of chunks reaches the simulation too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import responses

from pytest_sqsmock import SqsMock

ENDPOINT = "https://sqs.us-east-1.amazonaws.com/"
HEADERS = {"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"}


@pytest.fixture
def rsps(sqs_mock: SqsMock) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        sqs_mock.route_responses(mock)
        yield mock


def test_a_bytes_body(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    body = json.dumps({"QueueName": "from-bytes"}).encode()

    reply = requests.post(ENDPOINT, data=body, headers=HEADERS, timeout=5)

    assert reply.status_code == 200, reply.text
    assert reply.json()["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/from-bytes"
    assert [view.name for view in sqs_mock.queues()] == ["from-bytes"]


def test_a_body_of_chunks(sqs_mock: SqsMock, rsps: responses.RequestsMock) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"QueueName": '
        yield b'"from-chunks"}'

    reply = requests.post(ENDPOINT, data=chunks(), headers=HEADERS, timeout=5)

    assert reply.status_code == 200, reply.text
    assert reply.json()["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/from-chunks"
    assert [view.name for view in sqs_mock.queues()] == ["from-chunks"]
