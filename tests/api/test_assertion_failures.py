"""assert_empty / assert_nothing_in_flight / assert_dead_lettered: when they fail, the message shows the queues.

Driven as users drive them: queues and messages through a boto3 client, the helpers on the ``sqs_mock`` fixture.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pytest_sqsmock import SqsMock, SqsMockAssertionError

from .api_support import ACCOUNT, REGION, receive
from .conftest import QueueFactory

VISIBILITY_S = 30


def dead_letter_pair(sqs: Any, max_receive_count: int = 1) -> tuple[str, str]:
    """A source queue ``jobs`` whose messages move to ``jobs-dlq`` after ``max_receive_count`` receives."""
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
    url = sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return url, dlq_url


def dead_letter(sqs: Any, sqs_mock: SqsMock, url: str, *bodies: str) -> None:
    """Send ``bodies`` and receive them until the redrive policy (max 1 receive) moves them."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert len(receive(sqs, url, MaxNumberOfMessages=10)) == len(bodies)
    sqs_mock.advance(VISIBILITY_S + 1)
    assert receive(sqs, url, MaxNumberOfMessages=10) == []  # the second receive moved them


# -- assert_empty ------------------------------------------------------------


def test_assert_empty_passes_on_an_empty_queue(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    sqs.send_message(QueueUrl=url, MessageBody="done")
    [message] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    sqs_mock.assert_empty("orders")
    sqs_mock.assert_empty(url)


def test_assert_empty_counts_delayed_and_in_flight_messages(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="taken")
    receive(sqs, url)

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_empty("orders")

    text = str(info.value)
    lines = text.splitlines()
    assert lines[0] == "expected queue 'orders' to be empty, it holds 2:"
    assert lines[1] == f"<QueueView 'orders' ({ACCOUNT}/{REGION}) visible=0 delayed=1 in_flight=1>"
    assert sorted(re.findall(r"<MessageView (\w+) '(\w+)'", text)) == [("delayed", "later"), ("in_flight", "taken")]


def test_assert_empty_lists_five_messages_then_how_many_more(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders")
    for n in range(8):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_empty(url)

    lines = str(info.value).splitlines()
    assert lines[0] == "expected queue 'orders' to be empty, it holds 8:"
    assert len([line for line in lines if line.startswith("    <MessageView visible")]) == 5
    assert lines[-1] == "    ... 3 more"


def test_assert_empty_raises_an_assertion_error(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    sqs.send_message(QueueUrl=make_queue("orders"), MessageBody="x")

    with pytest.raises(AssertionError, match="expected queue 'orders' to be empty, it holds 1"):
        sqs_mock.assert_empty("orders")


# -- assert_nothing_in_flight -----------------------------------------------


def test_assert_nothing_in_flight_passes_with_visible_and_delayed_messages(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders")
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)

    sqs_mock.assert_nothing_in_flight("orders")
    sqs_mock.assert_nothing_in_flight()


def test_assert_nothing_in_flight_on_one_queue_shows_that_queue(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders")
    sqs.send_message(QueueUrl=url, MessageBody="taken")
    receive(sqs, url)

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_nothing_in_flight("orders")

    lines = str(info.value).splitlines()
    assert lines[0] == "expected no message in flight, found some:"
    assert lines[1] == f"<QueueView 'orders' ({ACCOUNT}/{REGION}) visible=0 delayed=0 in_flight=1>"
    assert lines[2].startswith("    <MessageView in_flight 'taken' receives=1 ")


def test_assert_nothing_in_flight_everywhere_names_only_the_busy_queues(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    busy = [make_queue("alpha"), make_queue("gamma")]
    idle = make_queue("beta")
    sqs.send_message(QueueUrl=idle, MessageBody="left alone")
    for url in busy:
        sqs.send_message(QueueUrl=url, MessageBody="taken")
        receive(sqs, url)

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_nothing_in_flight()

    named = re.findall(r"^<QueueView '(\w+)'", str(info.value), flags=re.MULTILINE)
    assert sorted(named) == ["alpha", "gamma"]


def test_assert_nothing_in_flight_passes_once_the_visibility_timeout_ran_out(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("orders")
    sqs.send_message(QueueUrl=url, MessageBody="taken")
    receive(sqs, url)
    with pytest.raises(SqsMockAssertionError):
        sqs_mock.assert_nothing_in_flight()

    sqs_mock.advance(VISIBILITY_S)

    sqs_mock.assert_nothing_in_flight()


# -- assert_dead_lettered ----------------------------------------------------


def test_assert_dead_lettered_returns_the_matching_message(sqs: Any, sqs_mock: SqsMock) -> None:
    url, _ = dead_letter_pair(sqs)
    dead_letter(sqs, sqs_mock, url, json.dumps({"order": 1, "sku": "a"}), json.dumps({"order": 2, "sku": "b"}))

    by_subset = sqs_mock.assert_dead_lettered("jobs", json_subset={"order": 2})
    by_body = sqs_mock.assert_dead_lettered("jobs", body=json.dumps({"order": 1, "sku": "a"}), receives=1)

    assert json.loads(by_subset.body) == {"order": 2, "sku": "b"}
    assert json.loads(by_body.body) == {"order": 1, "sku": "a"}
    assert by_body.receive_count == 1


def test_assert_dead_lettered_without_a_redrive_policy(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    sqs.send_message(QueueUrl=make_queue("orders"), MessageBody="x")

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_dead_lettered("orders")

    lines = str(info.value).splitlines()
    assert lines[0] == "queue 'orders' has no dead-letter queue (no RedrivePolicy):"
    assert lines[1] == f"<QueueView 'orders' ({ACCOUNT}/{REGION}) visible=1 delayed=0 in_flight=0>"


def test_assert_dead_lettered_with_an_empty_dead_letter_queue(sqs: Any, sqs_mock: SqsMock) -> None:
    url, _ = dead_letter_pair(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="still here")

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_dead_lettered(url)

    lines = str(info.value).splitlines()
    assert lines[0] == "no message with any content in dead-letter queue 'jobs-dlq' of 'jobs'."
    assert lines[1] == "Dead-letter queue:"
    assert lines[2] == f"<QueueView 'jobs-dlq' ({ACCOUNT}/{REGION}) visible=0 delayed=0 in_flight=0>"
    assert lines[3] == "Source queue:"
    assert lines[4] == f"<QueueView 'jobs' ({ACCOUNT}/{REGION}) visible=1 delayed=0 in_flight=0 dlq='jobs-dlq'>"
    assert lines[5].startswith("    <MessageView visible 'still here' receives=0 ")


@pytest.mark.parametrize(
    ("criteria", "wanted"),
    [
        ({"body": "other"}, "body='other'"),
        ({"json_subset": {"order": 3}}, "json_subset={'order': 3}"),
        ({"json_subset": {"missing": None}}, "json_subset={'missing': None}"),
        ({"receives": 2}, "receives=2"),
        ({"body": '{"order": 1}', "receives": 5}, "body='{\"order\": 1}', receives=5"),
    ],
)
def test_assert_dead_lettered_names_what_no_message_matched(
    sqs: Any, sqs_mock: SqsMock, criteria: dict[str, Any], wanted: str
) -> None:
    url, _ = dead_letter_pair(sqs)
    dead_letter(sqs, sqs_mock, url, '{"order": 1}')

    with pytest.raises(SqsMockAssertionError) as info:
        sqs_mock.assert_dead_lettered("jobs", **criteria)

    lines = str(info.value).splitlines()
    assert lines[0] == f"no message with {wanted} in dead-letter queue 'jobs-dlq' of 'jobs'."
    assert lines[3].startswith("    <MessageView visible '{\"order\": 1}' receives=1 ")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"a string"', "{broken"])
def test_assert_dead_lettered_json_subset_skips_bodies_that_are_not_json_objects(
    sqs: Any, sqs_mock: SqsMock, body: str
) -> None:
    url, _ = dead_letter_pair(sqs)
    dead_letter(sqs, sqs_mock, url, body, '{"order": 7}')

    found = sqs_mock.assert_dead_lettered("jobs", json_subset={"order": 7})
    assert found.body == '{"order": 7}'
    with pytest.raises(SqsMockAssertionError, match=r"^no message with json_subset=\{'order': 8\}"):
        sqs_mock.assert_dead_lettered("jobs", json_subset={"order": 8})
