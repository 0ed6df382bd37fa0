"""Query requests that ask for JSON (``Accept: application/json``) get SQS's JSON rendering.

Shapes from LocalStack's AWS-validated ``TestSqsQueryApi`` (``test_get_queue_attributes_json_format``,
``test_get_list_queues_fails_json_format``, ``test_get_without_query_json_format_returns_returns_xml``,
``test_get_without_query_returns_unknown_operation``) and from clients written against real SQS
(cloudyr/aws.sqs reads ``ListQueuesResult.queueUrls`` and ``ReceiveMessageResult.messages``).
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.server import SqsServer

from .raw_http import sign

ACCEPT_JSON = {"Accept": "application/json"}


def get(url: str, params: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A signed GET of ``url`` with ``params`` in the query string, over a real socket."""
    target = f"{url}?{urlencode(params)}" if params else url
    parts = urlsplit(target)
    signed = sign("GET", target, b"", dict(headers or {}))
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path, headers=signed)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture
def queue_url(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> str:
    status, _, body = get(
        sqs_mock_server.endpoint_url + "/", {"Action": "CreateQueue", "QueueName": "jobs"}, ACCEPT_JSON
    )
    assert status == 200, body
    url: str = json.loads(body)["CreateQueueResponse"]["CreateQueueResult"]["QueueUrl"]
    return url


def test_a_result_is_the_xml_layout_in_json(queue_url: str) -> None:
    status, headers, body = get(queue_url, {"Action": "GetQueueAttributes", "AttributeName.1": "All"}, ACCEPT_JSON)

    assert status == 200
    assert headers["content-type"] == "application/json"
    document: dict[str, Any] = json.loads(body)
    response = document["GetQueueAttributesResponse"]
    assert response["ResponseMetadata"] == {"RequestId": headers["x-amzn-requestid"]}
    attributes = {entry["Name"]: entry["Value"] for entry in response["GetQueueAttributesResult"]["Attributes"]}
    assert attributes["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert attributes["VisibilityTimeout"] == "30"


def test_received_messages_and_an_empty_receive(sqs_mock: SqsMock, queue_url: str) -> None:
    _, _, empty = get(queue_url, {"Action": "ReceiveMessage"}, ACCEPT_JSON)
    assert json.loads(empty)["ReceiveMessageResponse"]["ReceiveMessageResult"] == {"messages": None}

    sqs_mock.send("jobs", "hello")
    _, _, body = get(queue_url, {"Action": "ReceiveMessage", "AttributeName.1": "ApproximateReceiveCount"}, ACCEPT_JSON)
    [message] = json.loads(body)["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"]
    assert message["Body"] == "hello"
    assert message["MD5OfBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert message["Attributes"] == [{"Name": "ApproximateReceiveCount", "Value": "1"}]
    assert message["MessageAttributes"] is None
    assert sqs_mock.queue("jobs").in_flight[0].message_id == message["MessageId"]

    status, _, deleted = get(
        queue_url, {"Action": "DeleteMessage", "ReceiptHandle": message["ReceiptHandle"]}, ACCEPT_JSON
    )
    assert status == 200
    assert "DeleteMessageResult" not in json.loads(deleted)["DeleteMessageResponse"]  # no output: metadata only
    assert len(sqs_mock.queue("jobs")) == 0


def test_list_queues_names_every_member(sqs_mock_server: SqsServer, queue_url: str) -> None:
    _, _, body = get(sqs_mock_server.endpoint_url + "/", {"Action": "ListQueues"}, ACCEPT_JSON)
    assert json.loads(body)["ListQueuesResponse"]["ListQueuesResult"] == {"queueUrls": [queue_url], "NextToken": None}


def test_an_error_is_json_too(sqs_mock: SqsMock, sqs_mock_server: SqsServer, queue_url: str) -> None:
    status, headers, body = get(queue_url, {"Action": "ListQueues"}, ACCEPT_JSON)
    assert status == 400
    document = json.loads(body)
    assert document["Error"]["Code"] == "InvalidAction"
    assert document["Error"]["Message"] == "The action ListQueues is not valid for this endpoint."
    assert document["Error"]["Type"] == "Sender"
    assert document["RequestId"] == headers["x-amzn-requestid"]

    missing = f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/missing"
    status, _, body = get(missing, {"Action": "SendMessage", "MessageBody": "x"}, ACCEPT_JSON)
    assert status == 400
    assert json.loads(body)["Error"] == {
        "Type": "Sender",
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist for this wsdl version.",
        "Detail": None,
    }
    assert sqs_mock.calls.operations[-1] == "SendMessage"


@pytest.mark.parametrize("headers", [{}, ACCEPT_JSON], ids=["xml", "accept-json"])
def test_a_get_without_action_is_unknown_operation_in_xml(queue_url: str, headers: dict[str, str]) -> None:
    status, answer_headers, body = get(queue_url, {}, headers)
    assert status == 404
    assert body == b"<UnknownOperationException/>"
    assert answer_headers["content-type"] == "text/xml"


def test_without_accept_the_answer_stays_xml(queue_url: str) -> None:
    status, headers, body = get(queue_url, {"Action": "ListQueues"})
    assert status == 400
    assert headers["content-type"] == "text/xml"
    assert b"<Code>InvalidAction</Code>" in body
    assert b"<Message>The action ListQueues is not valid for this endpoint.</Message>" in body
