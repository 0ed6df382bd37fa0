from __future__ import annotations

import pytest

FAILS_WITH_ONE_MESSAGE_IN_FLIGHT = """
import boto3

def test_fails(sqs_mock):
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"order": 1}')
    sqs.receive_message(QueueUrl=url)
    assert False, "the consumer should have deleted it"
"""


def test_a_failed_test_reports_every_queue(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILS_WITH_ONE_MESSAGE_IN_FLIGHT)
    result = pytester.runpytest("-p", "no:asyncio")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- sqs_mock -*",
            "sqs_mock: queue 'orders' (123456789012/us-east-1): visible: 0, delayed: 0, in_flight: 1",
            "*<MessageView in_flight '{\"order\": 1}' receives=1*",
        ]
    )


def test_the_report_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsqs_mock_report = false\n")
    pytester.makepyfile(FAILS_WITH_ONE_MESSAGE_IN_FLIGHT)
    result = pytester.runpytest("-p", "no:asyncio")
    result.assert_outcomes(failed=1)
    result.stdout.no_fnmatch_line("*sqs_mock: queue*")


def test_passing_tests_get_no_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_passes(sqs_mock):
            sqs_mock.create_queue("orders")
        """
    )
    result = pytester.runpytest("-p", "no:asyncio", "-rA")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*sqs_mock: queue*")
