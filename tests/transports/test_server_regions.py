"""One server, every region: queue URLs carry the region, as AWS's hosts do.

The server's queue URLs are ``http://127.0.0.1:<port>/<region>/<account>/<name>``,
so the same name in two regions gives two URLs. What SQS does with a URL of
another region is what the server does:

- a request sent to the endpoint is answered in the endpoint's region (here, the
  signature's): the queue is looked up there by account and name, whatever region
  the ``QueueUrl`` names (awspring/spring-cloud-aws#838, danvk/mapsnap#436:
  ``NonExistentQueue`` from a client of another region);
- a request sent to the queue URL itself is sent to that region's endpoint: a
  signature scoped to another region is refused with ``SignatureDoesNotMatch``,
  "Credential should be scoped to a valid region, not '<region>'. "
  (aws/aws-sdk-cpp#93, boto/boto#3688).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.server import SqsServer

from .raw_http import FORM, sign

EAST, WEST = "us-east-1", "eu-west-1"
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def client(server: SqsServer, mock: SqsMock, region: str) -> Any:
    return boto3.session.Session().client(
        "sqs", endpoint_url=server.endpoint_url, region_name=region, **mock.credentials()
    )


def post_to(url: str, params: dict[str, str], *, region: str) -> tuple[int, bytes]:
    """POST a query request to ``url`` (a queue URL) over a real socket, signed for ``region``."""
    parts = urlsplit(url)
    body = urlencode({**params, "Version": "2012-11-05"}).encode()
    headers = sign("POST", url, body, {"Content-Type": FORM}, region=region)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def error_of(body: bytes) -> tuple[str, str]:
    root = ET.fromstring(body)
    return root.findtext(f"{NS}Error/{NS}Code") or "", root.findtext(f"{NS}Error/{NS}Message") or ""


def test_the_same_name_in_two_regions_gets_two_urls(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    east, west = client(sqs_mock_server, sqs_mock, EAST), client(sqs_mock_server, sqs_mock, WEST)
    east_url = east.create_queue(QueueName="orders")["QueueUrl"]
    west_url = west.create_queue(QueueName="orders")["QueueUrl"]

    assert east_url == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/orders"
    assert west_url == f"{sqs_mock_server.endpoint_url}/eu-west-1/123456789012/orders"
    assert west.list_queues()["QueueUrls"] == [west_url]
    assert west.get_queue_url(QueueName="orders")["QueueUrl"] == west_url

    east.send_message(QueueUrl=east_url, MessageBody="to the east")
    west.send_message(QueueUrl=west_url, MessageBody="to the west")
    assert [m.body for m in sqs_mock.queue("orders", region=EAST).visible] == ["to the east"]
    assert [m.body for m in sqs_mock.queue("orders", region=WEST).visible] == ["to the west"]
    assert sqs_mock.queue(west_url).region == WEST  # a URL names its region for the test's helpers too


def test_a_client_of_another_region_does_not_find_the_queue(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    west_url = client(sqs_mock_server, sqs_mock, WEST).create_queue(QueueName="orders")["QueueUrl"]
    east = client(sqs_mock_server, sqs_mock, EAST)

    with pytest.raises(east.exceptions.QueueDoesNotExist):
        east.send_message(QueueUrl=west_url, MessageBody="lost")
    assert len(sqs_mock.queue("orders", region=WEST)) == 0


def test_the_client_region_decides_when_both_regions_have_the_name(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer
) -> None:
    # As on AWS: the queue is looked up in the endpoint's region by account and name.
    east = client(sqs_mock_server, sqs_mock, EAST)
    east.create_queue(QueueName="orders")
    west_url = client(sqs_mock_server, sqs_mock, WEST).create_queue(QueueName="orders")["QueueUrl"]

    east.send_message(QueueUrl=west_url, MessageBody="goes east")

    assert [m.body for m in sqs_mock.queue("orders", region=EAST).visible] == ["goes east"]
    assert len(sqs_mock.queue("orders", region=WEST)) == 0


def test_a_request_sent_to_a_regional_url_is_served_in_that_region(
    sqs_mock: SqsMock, sqs_mock_server: SqsServer
) -> None:
    sqs_mock.create_queue("orders", region=EAST)
    west_url = client(sqs_mock_server, sqs_mock, WEST).create_queue(QueueName="orders")["QueueUrl"]

    status, _ = post_to(west_url, {"Action": "SendMessage", "MessageBody": "posted"}, region=WEST)
    assert status == 200
    assert [m.body for m in sqs_mock.queue("orders", region=WEST).visible] == ["posted"]

    status, body = post_to(west_url, {"Action": "SendMessage", "MessageBody": "wrong scope"}, region=EAST)
    assert status == 403
    assert error_of(body) == (
        "SignatureDoesNotMatch",
        "Credential should be scoped to a valid region, not 'us-east-1'. ",
    )
    assert len(sqs_mock.queue("orders", region=EAST)) == 0
    assert len(sqs_mock.queue("orders", region=WEST)) == 1


def test_old_form_urls_take_the_region_of_the_signature(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("orders", region=EAST)
    sqs_mock.create_queue("orders", region=WEST)
    old_url = f"{sqs_mock_server.endpoint_url}/123456789012/orders"

    status, _ = post_to(old_url, {"Action": "SendMessage", "MessageBody": "by signature"}, region=WEST)
    west = client(sqs_mock_server, sqs_mock, WEST)
    west.send_message(QueueUrl=old_url, MessageBody="by client")

    assert status == 200
    assert [m.body for m in sqs_mock.queue("orders", region=WEST).visible] == ["by signature", "by client"]
    assert len(sqs_mock.queue("orders", region=EAST)) == 0


def test_the_aws_cli_in_two_regions(sqs_mock: SqsMock, sqs_mock_server: SqsServer, tmp_path: Path) -> None:
    pytest.importorskip("awscli", reason="the AWS CLI comes with the awscli package")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
    )

    def aws(region: str, *args: str) -> Any:
        command = [sys.executable, "-m", "awscli", "sqs", *args, "--region", region]
        command += ["--endpoint-url", sqs_mock_server.endpoint_url, "--output", "json"]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    east_url = aws(EAST, "create-queue", "--queue-name", "orders")["QueueUrl"]
    west_url = aws(WEST, "create-queue", "--queue-name", "orders")["QueueUrl"]
    assert east_url != west_url
    assert urlsplit(west_url).path == "/eu-west-1/123456789012/orders"

    aws(WEST, "send-message", "--queue-url", west_url, "--message-body", "from the cli")
    assert [m.body for m in sqs_mock.queue("orders", region=WEST).visible] == ["from the cli"]
    assert len(sqs_mock.queue("orders", region=EAST)) == 0
