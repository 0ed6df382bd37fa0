"""The HTTP server transport: real clients over loopback, both protocols, clean stops."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports.server import MAX_BODY, SqsServer

from .raw_http import JSON, json_headers, post, query_headers


def client(server: SqsServer, mock: SqsMock, **kwargs: Any) -> Any:
    return boto3.session.Session().client(
        "sqs",
        endpoint_url=server.endpoint_url,
        region_name=mock.region,
        **mock.credentials(),
        **kwargs,
    )


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def connection(sqs_mock_server: SqsServer) -> Iterator[http.client.HTTPConnection]:
    made = http.client.HTTPConnection(sqs_mock_server.host, sqs_mock_server.port, timeout=10)
    yield made
    made.close()


def test_boto3_against_the_endpoint(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs = client(sqs_mock_server, sqs_mock)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert url == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/jobs"
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "hello"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="missing")
    assert sqs_mock.queue("jobs").in_flight[0].body == "hello"


def test_queue_urls_point_at_the_server(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs = client(sqs_mock_server, sqs_mock)
    sqs.create_queue(QueueName="a")
    sqs_mock.create_queue("b")  # made by the helper: the server still names itself
    assert sqs.list_queues()["QueueUrls"] == [
        f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/a",
        f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/b",
    ]
    assert urlsplit(sqs.get_queue_url(QueueName="b")["QueueUrl"]).port == sqs_mock_server.port


def test_query_protocol_and_keep_alive(sqs_mock: SqsMock, connection: http.client.HTTPConnection) -> None:
    form = urlencode({"Action": "CreateQueue", "QueueName": "jobs", "Version": "2012-11-05"})
    response, body = post(connection, form.encode(), query_headers())
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/xml")
    assert b"<QueueUrl>http://127.0.0.1:" in body
    first_socket = connection.sock
    assert first_socket is not None

    send = urlencode({"Action": "SendMessage", "MessageBody": "hi", "Version": "2012-11-05"})
    response, body = post(connection, send.encode(), query_headers(), path="/123456789012/jobs")
    assert response.status == 200, body
    assert connection.sock is first_socket  # the same connection served both requests
    assert [m.body for m in sqs_mock.queue("jobs").visible] == ["hi"]


def test_json_protocol_and_errors(connection: http.client.HTTPConnection) -> None:
    response, body = post(connection, b'{"QueueName": "jobs"}', json_headers("CreateQueue"))
    assert response.status == 200
    assert response.getheader("Content-Type") == JSON
    assert json.loads(body)["QueueUrl"].endswith("/123456789012/jobs")

    response, body = post(connection, b'{"QueueName": "nope"}', json_headers("GetQueueUrl"))
    assert response.status == 400
    assert response.getheader("x-amzn-query-error") == ("AWS.SimpleQueueService.NonExistentQueue;Sender")
    assert json.loads(body)["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"


def test_oversized_bodies_are_refused(connection: http.client.HTTPConnection) -> None:
    connection.putrequest("POST", "/")
    connection.putheader("Content-Length", str(MAX_BODY + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert b"<Code>RequestEntityTooLarge</Code>" in response.read()


def test_concurrent_clients(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    url = client(sqs_mock_server, sqs_mock).create_queue(QueueName="jobs")["QueueUrl"]

    def produce(worker: int) -> None:
        sqs = client(sqs_mock_server, sqs_mock)
        for n in range(20):
            sqs.send_message(QueueUrl=url, MessageBody=f"{worker}-{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(produce, range(8)))
    bodies = {m.body for m in sqs_mock.queue("jobs").messages}
    assert bodies == {f"{w}-{n}" for w in range(8) for n in range(20)}


@pytest.mark.sqs_mock(clock="system")
def test_a_long_poll_does_not_hold_up_other_clients(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    producer = client(sqs_mock_server, sqs_mock)
    url = producer.create_queue(QueueName="jobs")["QueueUrl"]
    consumer = client(sqs_mock_server, sqs_mock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        poll = pool.submit(consumer.receive_message, QueueUrl=url, WaitTimeSeconds=20)
        assert producer.list_queues()["QueueUrls"] == [url]  # served while the poll waits
        producer.send_message(QueueUrl=url, MessageBody="wake up")
        received = poll.result(timeout=15)
    assert [m["Body"] for m in received["Messages"]] == ["wake up"]
    assert time.monotonic() - started < 15


def test_stop_closes_the_port_and_open_connections() -> None:
    with mock_sqs() as mock:
        server = mock.server()
        idle = http.client.HTTPConnection(server.host, server.port, timeout=10)
        post(idle, b"{}", json_headers("ListQueues"))
        server.stop()
        assert idle.sock is not None
        assert idle.sock.recv(1) == b""  # the server closed the kept-alive connection
        idle.close()
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection((server.host, server.port), timeout=5),
        ):
            pass


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts file descriptors in /proc")
def test_start_and_stop_fifty_times_leaks_nothing() -> None:
    with mock_sqs() as mock:
        server = mock.server()  # warm up: imports, the first thread pool, ...
        server.stop()
        for thread in threading.enumerate():  # connections of earlier tests' servers still winding down
            if thread.name.startswith("sqsmock-server "):
                thread.join(timeout=10)
        fds, threads = open_fds(), set(threading.enumerate())
        ports = set()
        for _ in range(50):
            server = mock.server()
            ports.add(server.port)
            connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
            response, _ = post(connection, b"{}", json_headers("ListQueues"))
            assert response.status == 200
            server.stop()  # while the client still holds its end open
            connection.close()
        for thread in set(threading.enumerate()) - threads:
            thread.join(timeout=10)  # handler threads end once their connections close
        assert set(threading.enumerate()) == threads
        assert open_fds() == fds
        assert len(ports) > 1


def test_a_worker_in_a_python_subprocess(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    worker = """
import sys, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
print(url)
for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20)["Messages"]:
    sqs.send_message(QueueUrl=url.replace("jobs", "done"), MessageBody=m["Body"].upper())
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
"""
    sqs_mock.create_queue("jobs")
    sqs_mock.create_queue("done")
    sqs_mock.send("jobs", "hello")
    done = subprocess.run(
        [sys.executable, "-c", worker, sqs_mock_server.endpoint_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/jobs"
    assert len(sqs_mock.queue("jobs")) == 0
    assert [m.body for m in sqs_mock.queue("done").visible] == ["HELLO"]


def test_serve_from_the_command_line() -> None:
    command = [sys.executable, "-u", "-m", "pytest_sqsmock", "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as serve:
        try:
            assert serve.stdout is not None
            line = serve.stdout.readline()  # bounded: the first line comes at once, or EOF
            assert line.startswith("pytest_sqsmock: SQS on http://127.0.0.1:"), line
            endpoint = line.split()[3]
            sqs = boto3.client(
                "sqs",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="AKIDEXAMPLE",
                aws_secret_access_key="secret",
            )
            assert sqs.create_queue(QueueName="dev")["QueueUrl"] == f"{endpoint}/us-east-1/123456789012/dev"
        finally:
            serve.send_signal(2)  # Ctrl-C
            _, stderr = serve.communicate(timeout=30)
    assert serve.returncode == 0, stderr


def test_serve_on_a_port_in_use_says_so_in_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pytest_sqsmock", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"pytest_sqsmock: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(pick another with --port, or --port 0 for any free one)"
    ]
