"""Code that calls SQS with ``requests`` runs inside a ``responses`` mock."""

from __future__ import annotations

import re

import requests
import responses

from pytest_sqsmock import SqsMock


def queue_names() -> list[str]:  # code under test: raw query-protocol requests
    form = {"Action": "ListQueues", "Version": "2012-11-05"}
    reply = requests.post("https://sqs.us-east-1.amazonaws.com/", data=form, timeout=5)
    reply.raise_for_status()
    return re.findall(r"<QueueUrl>[^<]*/([^/<]+)</QueueUrl>", reply.text)


@responses.activate
def test_requests_code_through_responses(sqs_mock: SqsMock) -> None:
    sqs_mock.route_responses()  # into the mock that @responses.activate started
    sqs_mock.create_queue("jobs")

    assert queue_names() == ["jobs"]
    assert sqs_mock.calls.operations == ["ListQueues"]


def test_beside_your_own_responses(sqs_mock: SqsMock) -> None:
    with responses.RequestsMock() as requests_mock:
        requests_mock.add(responses.GET, "https://api.example.com/status", json={"ok": True})
        sqs_mock.route_responses(requests_mock)
        sqs_mock.create_queue("jobs")

        assert queue_names() == ["jobs"]
        assert requests.get("https://api.example.com/status", timeout=5).json() == {"ok": True}
