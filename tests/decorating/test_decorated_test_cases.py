"""``@mock_sqs`` on ``unittest.TestCase`` classes: one fresh mock per test, from setUp to tearDown.

The classes are defined inside the tests (so pytest does not collect them) and run
by unittest's own runner; the last tests run them under pytest, whose unittest
support calls ``setUpClass`` from a fixture.
"""

from __future__ import annotations

import unittest
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockError, mock_sqs


def run_tests(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def problems(result: unittest.TestResult) -> list[str]:
    return [text for _, text in result.errors + result.failures]


def queue_names() -> list[str]:
    urls = boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1] for url in urls)


def assert_no_mock_is_active() -> None:
    with pytest.raises(SqsMockError, match="no SqsMock is active"):
        SqsMock.current()


def test_set_up_the_test_and_tear_down_share_one_mock() -> None:
    seen: list[tuple[str, int, list[str]]] = []

    @mock_sqs
    class Orders(unittest.TestCase):
        def setUp(self) -> None:
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")
            seen.append(("setUp", id(SqsMock.current()), queue_names()))

        def test_sees_the_queue_set_up_made(self) -> None:
            seen.append(("test", id(SqsMock.current()), queue_names()))

        def tearDown(self) -> None:
            seen.append(("tearDown", id(SqsMock.current()), queue_names()))

    result = run_tests(Orders)

    assert problems(result) == []
    assert result.testsRun == 1
    assert [(step, names) for step, _, names in seen] == [
        ("setUp", ["orders"]),
        ("test", ["orders"]),
        ("tearDown", ["orders"]),
    ]
    assert len({mock for _, mock, _ in seen}) == 1
    assert_no_mock_is_active()


def test_each_test_gets_a_fresh_mock() -> None:
    found: list[list[str]] = []

    @mock_sqs
    class TwoTests(unittest.TestCase):
        def setUp(self) -> None:
            found.append(queue_names())  # empty each time: nothing carries from the last test
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")

        def test_one(self) -> None:
            assert queue_names() == ["jobs"]

        def test_two(self) -> None:
            assert queue_names() == ["jobs"]

    result = run_tests(TwoTests)

    assert problems(result) == []
    assert result.testsRun == 2
    assert found == [[], []]


def test_cleanups_run_inside_the_tests_mock() -> None:
    cleaned: list[list[str]] = []

    @mock_sqs
    class WithCleanup(unittest.TestCase):
        def setUp(self) -> None:
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="scratch")
            self.addCleanup(lambda: cleaned.append(queue_names()))

        def test_it(self) -> None:
            assert queue_names() == ["scratch"]

    assert problems(run_tests(WithCleanup)) == []
    assert cleaned == [["scratch"]]


def test_class_fixtures_share_a_class_mock_that_tests_do_not_see() -> None:
    seen: dict[str, Any] = {}

    @mock_sqs
    class Shared(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="class-wide")
            seen["setUpClass"] = SqsMock.current()

        def test_starts_empty(self) -> None:
            seen["test"] = (SqsMock.current(), queue_names())

        @classmethod
        def tearDownClass(cls) -> None:
            seen["tearDownClass"] = (SqsMock.current(), queue_names())

    result = run_tests(Shared)

    assert problems(result) == []
    class_mock = seen["setUpClass"]
    assert seen["tearDownClass"] == (class_mock, ["class-wide"])
    test_mock, test_queues = seen["test"]
    assert test_mock is not class_mock
    assert test_queues == []
    assert not class_mock.active
    assert_no_mock_is_active()


def test_a_failing_set_up_class_stops_its_mock() -> None:
    started: list[SqsMock] = []

    @mock_sqs
    class Broken(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            started.append(SqsMock.current())
            raise RuntimeError("no fixtures today")

        def test_never_runs(self) -> None:
            raise AssertionError("unreachable")

    result = run_tests(Broken)

    assert result.testsRun == 0
    assert len(result.errors) == 1
    assert "no fixtures today" in result.errors[0][1]
    assert len(started) == 1
    assert not started[0].active
    assert_no_mock_is_active()


def test_without_class_fixtures_no_class_mock_is_started() -> None:
    mocks: list[SqsMock] = []

    @mock_sqs
    class Plain(unittest.TestCase):
        def test_it(self) -> None:
            mocks.append(SqsMock.current())

    assert problems(run_tests(Plain)) == []
    assert "setUpClass" not in vars(Plain)
    assert "doClassCleanups" not in vars(Plain)
    assert len(mocks) == 1


def test_options_reach_every_test() -> None:
    urls: list[str] = []

    @mock_sqs(region="eu-west-1", account_id="111122223333")
    class InIreland(unittest.TestCase):
        def setUp(self) -> None:
            urls.append(boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="jobs")["QueueUrl"])

        def test_it(self) -> None:
            assert SqsMock.current().region == "eu-west-1"

    assert problems(run_tests(InIreland)) == []
    assert urls == ["https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"]


def test_a_decorated_subclass_of_a_decorated_class_runs_in_one_mock() -> None:
    depth: list[tuple[str, str]] = []

    @mock_sqs
    class Base(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            depth.append(("class", SqsMock.current().region))

        def setUp(self) -> None:
            boto3.client("sqs", region_name=SqsMock.current().region).create_queue(QueueName="jobs")

    @mock_sqs(region="eu-west-1")
    class Child(Base):
        def test_it(self) -> None:
            depth.append(("test", SqsMock.current().region))
            assert boto3.client("sqs", region_name="eu-west-1").list_queues()["QueueUrls"]

    assert problems(run_tests(Child)) == []
    assert depth == [("class", "eu-west-1"), ("test", "eu-west-1")]
    assert_no_mock_is_active()


def test_debug_runs_in_a_mock_too() -> None:
    names: list[list[str]] = []

    @mock_sqs
    class Debugged(unittest.TestCase):
        def setUp(self) -> None:
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")

        def test_it(self) -> None:
            names.append(queue_names())

    Debugged("test_it").debug()

    assert names == [["jobs"]]
    assert_no_mock_is_active()


def test_isolated_asyncio_test_case_covers_async_set_up_and_tear_down() -> None:
    seen: list[tuple[str, int, list[str]]] = []

    @mock_sqs
    class AsyncOrders(unittest.IsolatedAsyncioTestCase):
        async def asyncSetUp(self) -> None:
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")
            seen.append(("asyncSetUp", id(SqsMock.current()), queue_names()))

        async def test_it(self) -> None:
            seen.append(("test", id(SqsMock.current()), queue_names()))

        async def asyncTearDown(self) -> None:
            seen.append(("asyncTearDown", id(SqsMock.current()), queue_names()))

    result = run_tests(AsyncOrders)

    assert problems(result) == []
    assert result.testsRun == 1
    assert [step for step, _, names in seen if names == ["orders"]] == ["asyncSetUp", "test", "asyncTearDown"]
    assert len({mock for _, mock, _ in seen}) == 1


UNDER_PYTEST = """
import unittest

import boto3

from pytest_sqsmock import SqsMock, mock_sqs


def names():
    urls = boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1] for url in urls)


@mock_sqs
class TestOrders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="class-wide")

    @classmethod
    def tearDownClass(cls):
        assert names() == ["class-wide"]

    def setUp(self):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")

    def test_one(self):
        assert names() == ["orders"]
        SqsMock.current().send("orders", "hi")
        assert len(SqsMock.current().queue("orders")) == 1

    def test_two(self):
        assert names() == ["orders"]
        assert len(SqsMock.current().queue("orders")) == 0

    def tearDown(self):
        assert names() == ["orders"]


@mock_sqs
class TestAsyncOrders(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="async")

    async def test_it(self):
        assert names() == ["async"]


def test_nothing_is_left_active():
    try:
        SqsMock.current()
    except Exception as error:
        assert "no SqsMock is active" in str(error)
    else:
        raise AssertionError("a mock is still active")
"""


def test_pytest_runs_decorated_test_cases_the_same_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNDER_PYTEST)
    result = pytester.runpytest("-p", "no:asyncio", "-p", "no:randomly")
    result.assert_outcomes(passed=4)
