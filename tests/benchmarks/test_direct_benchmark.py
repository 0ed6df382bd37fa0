"""The direct path's benchmark runs: four sides, both workloads, once each. No timing assertions."""

from __future__ import annotations

import pytest

from benchmarks import direct
from benchmarks.canned import floor_supported
from benchmarks.sides import open_side


@pytest.mark.skipif(not floor_supported(), reason="the floors answer awsJson1_0 only (botocore >= 1.34.90)")
def test_the_direct_benchmark_prints_both_clocks_and_the_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert direct.main(["--smoke"]) == 0

    printed = capsys.readouterr().out
    assert "CPU time" in printed
    assert "Wall time" in printed
    assert printed.count("direct/callfloor") == 3  # two headers and the goal
    assert printed.count("SendMessage") == 2
    assert printed.count("Receive+Delete, 20") == 2


@pytest.mark.skipif(not floor_supported(), reason="the floors answer awsJson1_0 only (botocore >= 1.34.90)")
def test_the_before_call_floor_answers_without_any_mock() -> None:
    with open_side("callfloor") as side:
        url = side.create_queue("bench")
        response = side.client.receive_message(QueueUrl=url)
    assert response["Messages"][0]["Body"] == "x" * 100
    assert response["ResponseMetadata"]["RetryAttempts"] == 0


def test_the_direct_side_answers_from_the_simulation() -> None:
    with open_side("direct") as side:
        url = side.create_queue("bench")
        side.client.send_message(QueueUrl=url, MessageBody="hello")
        [message] = side.client.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "hello"
