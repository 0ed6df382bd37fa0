"""Run your real worker, unchanged, in another process against the simulation."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from pytest_sqsmock import SqsMock

if TYPE_CHECKING:
    from pytest_sqsmock.transports.server import SqsServer

# Production code: it knows nothing of the test. boto3 reads AWS_ENDPOINT_URL_SQS.
WORKER = """
import boto3
sqs = boto3.client("sqs", region_name="us-east-1")
jobs = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
results = sqs.get_queue_url(QueueName="results")["QueueUrl"]
while messages := sqs.receive_message(QueueUrl=jobs, MaxNumberOfMessages=10).get("Messages"):
    for m in messages:
        sqs.send_message(QueueUrl=results, MessageBody=m["Body"].upper())
        sqs.delete_message(QueueUrl=jobs, ReceiptHandle=m["ReceiptHandle"])
"""


def test_worker_process(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("jobs")
    sqs_mock.create_queue("results")
    for body in ["a", "b", "c"]:
        sqs_mock.send("jobs", body)

    env = {**os.environ, "AWS_ENDPOINT_URL_SQS": sqs_mock_server.endpoint_url}
    subprocess.run([sys.executable, "-c", WORKER], env=env, timeout=60, check=True)

    assert len(sqs_mock.queue("jobs")) == 0
    assert sorted(m.body for m in sqs_mock.queue("results").visible) == ["A", "B", "C"]
