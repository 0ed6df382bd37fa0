"""The AWS CLI (v1, from PyPI) in a subprocess against the HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports.server import SqsServer

pytest.importorskip("awscli", reason="the AWS CLI comes with the awscli package")


@pytest.fixture
def aws(sqs_mock_server: SqsServer, tmp_path: Path) -> Any:
    """Run ``aws sqs ...`` against the server; returns the parsed JSON output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "config"),  # none: no profile of the developer's
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_PAGER="",
    )

    def run(*args: str, expect_failure: bool = False, keys: tuple[str, str] | None = None) -> Any:
        command = [sys.executable, "-m", "awscli", "sqs", *args]
        command += ["--endpoint-url", sqs_mock_server.endpoint_url, "--output", "json"]
        signing = env if keys is None else {**env, "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1]}
        done = subprocess.run(command, capture_output=True, text=True, env=signing, timeout=120, check=False)
        if expect_failure:
            assert done.returncode != 0, done.stdout
            return done.stderr
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    return run


def test_create_send_receive_delete(aws: Any, sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    url = aws("create-queue", "--queue-name", "jobs")["QueueUrl"]
    assert url == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/jobs"

    attributes = json.dumps({"kind": {"DataType": "String", "StringValue": "greeting"}})
    sent = aws(
        "send-message",
        "--queue-url",
        url,
        "--message-body",
        "hello from the CLI",
        "--message-attributes",
        attributes,
    )
    assert sqs_mock.queue("jobs").visible[0].message_id == sent["MessageId"]

    received = aws(
        "receive-message",
        "--queue-url",
        url,
        "--attribute-names",
        "All",
        "--message-attribute-names",
        "All",
        "--wait-time-seconds",
        "1",
    )
    [message] = received["Messages"]
    assert message["Body"] == "hello from the CLI"
    assert message["MessageAttributes"]["kind"]["StringValue"] == "greeting"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"

    aws(
        "delete-message",
        "--queue-url",
        url,
        "--receipt-handle",
        message["ReceiptHandle"],
    )
    assert len(sqs_mock.queue("jobs")) == 0
    assert (
        aws("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )


def test_errors_reach_the_cli(aws: Any, sqs_mock: SqsMock) -> None:
    stderr = aws("get-queue-url", "--queue-name", "missing", expect_failure=True)
    assert "An error occurred (AWS.SimpleQueueService.NonExistentQueue)" in stderr
    # The CLI runs on this botocore: before 1.34.90 it speaks the query protocol, where
    # SQS words NonExistentQueue for the "wsdl version" (observed AWS behaviour).
    query = botocore.session.get_session().get_service_model("sqs").protocol == "query"
    suffix = " for this wsdl version." if query else "."
    assert f"The specified queue does not exist{suffix}\n" in stderr
    assert sqs_mock.calls.operations == ["GetQueueUrl"]


def test_helpers_and_cli_share_one_simulation(aws: Any, sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "made by the test")
    url = aws("get-queue-url", "--queue-name", "orders")["QueueUrl"]
    received = aws("receive-message", "--queue-url", url)
    assert [m["Body"] for m in received["Messages"]] == ["made by the test"]
    assert len(sqs_mock.queue("orders").in_flight) == 1


def test_cli_signatures_are_verified_for_issued_keys(aws: Any, sqs_mock: SqsMock) -> None:
    keys = sqs_mock.credentials("111122223333")
    issued = (keys["aws_access_key_id"], keys["aws_secret_access_key"])
    assert aws("create-queue", "--queue-name", "mine", keys=issued)["QueueUrl"].endswith("/111122223333/mine")
    stderr = aws("list-queues", keys=(issued[0], "wrong"), expect_failure=True)
    assert "An error occurred (SignatureDoesNotMatch)" in stderr
    assert sqs_mock.calls.operations == ["CreateQueue"]
