from __future__ import annotations

import boto3

from pytest_sqsmock import SqsMock


def test_moto_server_becomes_sqs_mock_server(sqs_mock: SqsMock) -> None:
    server = sqs_mock.server()  # was: ThreadedMotoServer(port=5000).start()
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=server.endpoint_url)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="over HTTP")
    assert url == f"{server.endpoint_url}/us-east-1/123456789012/jobs"  # queue URLs point at the server, region first
    assert [m.body for m in sqs_mock.queue("jobs").visible] == ["over HTTP"]
