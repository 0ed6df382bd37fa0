from __future__ import annotations

import subprocess
import sys

from pytest_sqsmock import SqsMock, SqsServer

WORKER = """
import sys, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1])
url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
    print(m["Body"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
"""


def test_worker_in_another_process(sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    sqs_mock.create_queue("jobs")
    sqs_mock.send("jobs", "hello from the test")

    worker = [sys.executable, "-c", WORKER, sqs_mock_server.endpoint_url]
    done = subprocess.run(worker, capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.splitlines() == ["hello from the test"]
    assert len(sqs_mock.queue("jobs")) == 0
    assert sqs_mock.calls.operations == [
        "GetQueueUrl",
        "ReceiveMessage",
        "DeleteMessage",
    ]
