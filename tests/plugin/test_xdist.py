"""Under pytest-xdist every worker gets its own simulations and server ports."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("xdist", reason="needs pytest-xdist")

SUITE = """
import json
import os

import boto3
import pytest


@pytest.mark.parametrize("n", range(8))
def test_isolated(sqs_mock, sqs_mock_server, n):
    # Every test uses the same queue name: only its own message may be there.
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="shared-name")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=str(n))
    assert [m.body for m in sqs_mock.queue("shared-name").visible] == [str(n)]

    # ... and through this worker's own server.
    remote = boto3.client("sqs", endpoint_url=sqs_mock_server.endpoint_url, region_name="us-east-1")
    remote_url = remote.get_queue_url(QueueName="shared-name")["QueueUrl"]
    assert remote_url == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/shared-name"
    [message] = remote.receive_message(QueueUrl=remote_url)["Messages"]
    assert message["Body"] == str(n)
    assert [c.operation for c in sqs_mock.calls] == [
        "CreateQueue", "SendMessage", "GetQueueUrl", "ReceiveMessage"
    ]

    record = {"worker": os.environ["PYTEST_XDIST_WORKER"], "pid": os.getpid(), "n": n,
              "port": sqs_mock_server.port}
    with open(os.environ["SQSMOCK_XDIST_RECORD"], "a") as out:
        out.write(json.dumps(record) + "\\n")


@pytest.mark.sqs_mock(region="eu-west-1", account_id="111122223333")
def test_marker_options_stay_with_their_test(sqs_mock):
    url = sqs_mock.client().create_queue(QueueName="shared-name")["QueueUrl"]
    assert url == "https://sqs.eu-west-1.amazonaws.com/111122223333/shared-name"
    assert [q.region for q in sqs_mock.queues()] == ["eu-west-1"]
"""


def test_workers_have_isolated_mocks(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    record = pytester.path / "record.jsonl"
    monkeypatch.setenv("SQSMOCK_XDIST_RECORD", str(record))
    pytester.makepyfile(test_parallel=SUITE)

    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=9)
    records = [json.loads(line) for line in record.read_text().splitlines()]
    assert sorted(r["n"] for r in records) == list(range(8))
    assert {r["worker"] for r in records} == {"gw0", "gw1"}
    assert len({r["pid"] for r in records}) == 2
