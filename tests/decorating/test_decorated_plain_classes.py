"""``@mock_sqs`` on pytest-style classes: setup_method, the test and teardown_method share one mock."""

from __future__ import annotations

import pytest

PLAIN_CLASSES = """
import boto3
import pytest

from pytest_sqsmock import SqsMock, mock_sqs

LOG = []


def names():
    urls = boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1] for url in urls)


@mock_sqs
class TestWithSetupMethod:
    def setup_method(self, method):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName=method.__name__)
        LOG.append(("setup", id(SqsMock.current())))

    def test_one(self):
        LOG.append(("test", id(SqsMock.current())))
        assert names() == ["test_one"]

    def test_two(self):
        assert names() == ["test_two"]

    def teardown_method(self):
        LOG.append(("teardown", id(SqsMock.current())))
        assert len(names()) == 1


@mock_sqs
class TestWithoutSetupMethod:
    def test_one(self):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="one")
        assert names() == ["one"]

    def test_two(self):
        assert names() == []

    @staticmethod
    def test_static():
        assert names() == []
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="static")

    def helper_not_a_test(self):
        return SqsMock.current()


@mock_sqs
class TestSetupWithoutTeardown:
    def setup_method(self):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")

    def test_it(self):
        assert names() == ["jobs"]


@mock_sqs
class TestFailingSetup:
    def setup_method(self):
        raise RuntimeError("set-up broke")

    def test_it(self):
        pass


def test_zz_after_the_classes():
    one_mock = [mock for step, mock in LOG]
    assert [step for step, _ in LOG] == ["setup", "test", "teardown", "setup", "teardown"]
    assert one_mock[0] == one_mock[1] == one_mock[2] != one_mock[3]
    with pytest.raises(Exception, match="no SqsMock is active"):
        SqsMock.current()
    with pytest.raises(Exception, match="no SqsMock is active"):
        TestWithoutSetupMethod().helper_not_a_test()
"""


def test_setup_method_test_and_teardown_method_share_a_fresh_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PLAIN_CLASSES)
    result = pytester.runpytest("-p", "no:asyncio", "-p", "no:randomly")
    result.assert_outcomes(passed=7, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of TestFailingSetup.test_it*", "E*RuntimeError: set-up broke"])
