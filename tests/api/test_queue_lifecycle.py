"""CreateQueue, GetQueueUrl, ListQueues, DeleteQueue and PurgeQueue through boto3.

Spec: API Reference, CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue; observed AWS
behaviour; botocore's SQS model.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sqsmock import SqsMock

from .api_support import (
    counters,
    expect_error,
    expect_invalid_parameter_value,
    expect_no_such_queue,
    receive,
    url_of,
)
from .conftest import QueueFactory

BAD_NAME_TEXT = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"


# --- CreateQueue: names (API Reference, CreateQueue) -----------------------------------------


@pytest.mark.parametrize(
    "name",
    ["a", "x" * 80, "Orders_v2-blue", "0123456789", "-_-"],
    ids=["one-char", "80-chars", "mixed", "digits", "punctuation-only"],
)
def test_create_queue_accepts_valid_names_and_returns_the_queue_url(sqs: Any, name: str) -> None:
    response = sqs.create_queue(QueueName=name)

    assert response["QueueUrl"] == url_of(name)


@pytest.mark.parametrize(
    "name",
    [
        "x" * 81,
        "has space",
        "dot.name",
        "bang!",
        "slash/name",
        "caf\u00e9",
        "orders.fifo",
    ],
    ids=[
        "81-chars",
        "space",
        "dot",
        "bang",
        "slash",
        "non-ascii",
        "fifo-suffix-on-standard",
    ],
)
def test_create_queue_rejects_invalid_standard_names(sqs: Any, name: str) -> None:
    # Observed AWS behaviour: a bad standard name, including `.fifo` without FifoQueue=true.
    with expect_invalid_parameter_value(sqs, BAD_NAME_TEXT):
        sqs.create_queue(QueueName=name)

    assert "QueueUrls" not in sqs.list_queues()


def test_queue_names_are_case_sensitive(sqs: Any) -> None:
    lower = sqs.create_queue(QueueName="orders")["QueueUrl"]
    upper = sqs.create_queue(QueueName="Orders")["QueueUrl"]
    sqs.send_message(QueueUrl=lower, MessageBody="for lower")

    assert lower != upper
    assert sorted(sqs.list_queues()["QueueUrls"]) == sorted([url_of("orders"), url_of("Orders")])
    assert counters(sqs, upper) == (0, 0, 0)
    assert counters(sqs, lower) == (1, 0, 0)


# --- CreateQueue: idempotency (API Reference, CreateQueue) -----------------------------------------------------


def test_create_queue_twice_without_attributes_returns_the_same_url(sqs: Any) -> None:
    first = sqs.create_queue(QueueName="twice")["QueueUrl"]
    second = sqs.create_queue(QueueName="twice")["QueueUrl"]

    assert first == second == url_of("twice")
    assert sqs.list_queues()["QueueUrls"] == [first]


def test_create_queue_without_attributes_returns_a_queue_with_non_default_attributes(
    sqs: Any, make_queue: QueueFactory
) -> None:
    url = make_queue("custom", VisibilityTimeout=60, DelaySeconds=5)

    assert sqs.create_queue(QueueName="custom")["QueueUrl"] == url


def test_create_queue_with_matching_subset_of_attributes_returns_the_url(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("subset", VisibilityTimeout=60, DelaySeconds=5)

    assert sqs.create_queue(QueueName="subset", Attributes={"VisibilityTimeout": "60"})["QueueUrl"] == url
    # A default value that the queue still has also matches.
    assert sqs.create_queue(QueueName="subset", Attributes={"MessageRetentionPeriod": "345600"})["QueueUrl"] == url


def test_create_queue_with_a_differing_attribute_fails_with_queue_name_exists(
    sqs: Any, make_queue: QueueFactory
) -> None:
    make_queue("differs", VisibilityTimeout=60)

    with expect_error(
        sqs,
        code="QueueAlreadyExists",
        status=400,
        shape="QueueNameExists",
        message="A queue already exists with the same name and a different value for attribute DelaySeconds",
    ):
        sqs.create_queue(
            QueueName="differs",
            Attributes={"VisibilityTimeout": "60", "DelaySeconds": "5"},
        )


def test_create_queue_compares_against_current_attribute_values(sqs: Any, make_queue: QueueFactory) -> None:
    # Observed AWS behaviour: the comparison uses the values after SetQueueAttributes, not the creation request.
    url = make_queue("current", VisibilityTimeout=45)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})

    assert sqs.create_queue(QueueName="current", Attributes={"VisibilityTimeout": "60"})["QueueUrl"] == url
    with expect_error(
        sqs,
        code="QueueAlreadyExists",
        status=400,
        shape="QueueNameExists",
        message="A queue already exists with the same name and a different value for attribute VisibilityTimeout",
    ):
        sqs.create_queue(QueueName="current", Attributes={"VisibilityTimeout": "45"})


def test_create_queue_is_idempotent_after_messages_change_the_counters(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("busy", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message(QueueUrl=url, MessageBody="two", DelaySeconds=10)
    receive(sqs, url)

    assert sqs.create_queue(QueueName="busy", Attributes={"DelaySeconds": "0"})["QueueUrl"] == url


def test_create_queue_with_the_same_tags_returns_the_url(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("tagged", tags={"team": "red"})

    assert sqs.create_queue(QueueName="tagged", tags={"team": "red"})["QueueUrl"] == url
    # No `tags` member: nothing to compare.
    assert sqs.create_queue(QueueName="tagged")["QueueUrl"] == url
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "red"}


def test_create_queue_with_different_tags_fails_instead_of_retagging(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("tagged", tags={"team": "red"})

    with expect_error(sqs, code="QueueAlreadyExists", status=400, shape="QueueNameExists"):
        # unverified: the text when only tags differ.
        sqs.create_queue(QueueName="tagged", tags={"team": "blue"})

    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "red"}


def test_create_queue_with_tags_fails_for_an_existing_untagged_queue(sqs: Any, make_queue: QueueFactory) -> None:
    # Observed AWS behaviour: "even when the queue has no tags".
    url = make_queue("untagged")

    with expect_error(sqs, code="QueueAlreadyExists", status=400, shape="QueueNameExists"):
        # unverified: the text when only tags differ.
        sqs.create_queue(QueueName="untagged", tags={"team": "red"})

    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


# --- CreateQueue after DeleteQueue: QueueDeletedRecently (API Reference, CreateQueue) ----------------------------

DELETED_RECENTLY_TEXT = (
    "You must wait 60 seconds after deleting a queue before you can create another with the same name."
)


def test_recreating_a_deleted_queue_within_60_seconds_fails(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("phoenix")
    sqs.delete_queue(QueueUrl=url)

    with expect_error(
        sqs,
        code="AWS.SimpleQueueService.QueueDeletedRecently",
        status=400,
        shape="QueueDeletedRecently",
        message=DELETED_RECENTLY_TEXT,
    ):
        sqs.create_queue(QueueName="phoenix")

    sqs_mock.advance(59)
    with expect_error(
        sqs,
        code="AWS.SimpleQueueService.QueueDeletedRecently",
        status=400,
        shape="QueueDeletedRecently",
        message=DELETED_RECENTLY_TEXT,
    ):
        sqs.create_queue(QueueName="phoenix")

    sqs_mock.advance(1)
    assert sqs.create_queue(QueueName="phoenix")["QueueUrl"] == url


def test_recreated_queue_after_60_seconds_is_empty_and_has_default_attributes(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("reborn", VisibilityTimeout=5)
    sqs.send_message(QueueUrl=url, MessageBody="old life")
    sqs.delete_queue(QueueUrl=url)
    sqs_mock.advance(61)

    assert sqs.create_queue(QueueName="reborn")["QueueUrl"] == url
    assert counters(sqs, url) == (0, 0, 0)
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "30"
    }


def test_deleting_a_queue_does_not_block_other_names(sqs: Any, make_queue: QueueFactory) -> None:
    sqs.delete_queue(QueueUrl=make_queue("gone"))

    assert sqs.create_queue(QueueName="gone-2")["QueueUrl"] == url_of("gone-2")
    assert sqs.create_queue(QueueName="Gone")["QueueUrl"] == url_of("Gone")


# --- GetQueueUrl (API Reference, GetQueueUrl) ----------------------------------------------


def test_get_queue_url_returns_the_url(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("lookup")

    assert sqs.get_queue_url(QueueName="lookup")["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName="lookup", QueueOwnerAWSAccountId="123456789012")["QueueUrl"] == url


def test_get_queue_url_of_missing_queue_fails(sqs: Any, make_queue: QueueFactory) -> None:
    make_queue("lookup")

    with expect_no_such_queue(sqs):
        sqs.get_queue_url(QueueName="missing")
    with expect_no_such_queue(sqs):
        sqs.get_queue_url(QueueName="LOOKUP")


def test_get_queue_url_with_an_owner_account_that_has_no_such_queue_fails(sqs: Any, make_queue: QueueFactory) -> None:
    make_queue("mine")

    # Observed AWS behaviour: a cross-account lookup that finds nothing answers NonExistentQueue; AWS's query-protocol
    # wording was "The specified queue does not exist or you do not have access to it." and the
    # current JSON text is unverified, so only code and status are checked.
    with expect_error(
        sqs,
        code="AWS.SimpleQueueService.NonExistentQueue",
        status=400,
        shape="QueueDoesNotExist",
    ):
        sqs.get_queue_url(QueueName="mine", QueueOwnerAWSAccountId="111122223333")


def test_get_queue_url_of_a_deleted_queue_fails(sqs: Any, make_queue: QueueFactory) -> None:
    sqs.delete_queue(QueueUrl=make_queue("short-lived"))

    # AWS may take up to 60 s to forget a queue (API Reference, DeleteQueue); the simulator applies at once.
    with expect_no_such_queue(sqs):
        sqs.get_queue_url(QueueName="short-lived")


# --- QueueUrl forms (observed AWS behaviour) -------------------------------------------------------------------


def test_bare_queue_name_is_accepted_as_queue_url(sqs: Any, make_queue: QueueFactory) -> None:
    make_queue("by-name")

    sqs.send_message(QueueUrl="by-name", MessageBody="hello")

    assert sqs.get_queue_attributes(QueueUrl="by-name", AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ] == {"ApproximateNumberOfMessages": "1"}


def test_queue_url_that_names_no_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.get_queue_attributes(QueueUrl="http://whatever-incorrect-queue-address", AttributeNames=["All"])
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl="https://queue.amazonaws.com/123456789012/unknown", MessageBody="x")


def test_queue_of_another_region_is_not_found(sqs: Any, sqs_mock: SqsMock) -> None:
    other = sqs_mock.create_queue("elsewhere", region="eu-west-1")

    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl=other.url, MessageBody="x")
    with expect_no_such_queue(sqs):
        sqs.get_queue_url(QueueName="elsewhere")
    assert "QueueUrls" not in sqs.list_queues()


# --- ListQueues (API Reference, ListQueues) -----------------------------------------------


def test_list_queues_without_queues_has_no_queue_urls_key(sqs: Any) -> None:
    response = sqs.list_queues()

    assert "QueueUrls" not in response
    assert "NextToken" not in response


def test_list_queues_lists_every_queue_of_the_account_and_region(sqs: Any, make_queue: QueueFactory) -> None:
    urls = [make_queue(f"all-{i}") for i in range(5)]

    response = sqs.list_queues()

    assert sorted(response["QueueUrls"]) == sorted(urls)
    assert "NextToken" not in response


def test_list_queues_prefix_is_a_case_sensitive_prefix_match(sqs: Any, make_queue: QueueFactory) -> None:
    orders = make_queue("orders")
    orders_dlq = make_queue("orders-dlq")
    make_queue("Orders-upper")
    make_queue("my-orders")

    assert sorted(sqs.list_queues(QueueNamePrefix="orders")["QueueUrls"]) == sorted([orders, orders_dlq])
    assert sqs.list_queues(QueueNamePrefix="orders-")["QueueUrls"] == [orders_dlq]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="ORDERS")
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing")


def test_list_queues_pages_with_max_results_and_next_token(sqs: Any, make_queue: QueueFactory) -> None:
    # Observed AWS behaviour: ten queues -0 … -9, MaxResults=2 → -0, -1 plus a NextToken; the next page ends the list.
    urls = [make_queue(f"p-test-queue-{i}") for i in range(10)]

    first = sqs.list_queues(QueueNamePrefix="p-test", MaxResults=2)
    assert first["QueueUrls"] == urls[:2]
    assert first["NextToken"]

    second = sqs.list_queues(QueueNamePrefix="p-test", MaxResults=1000, NextToken=first["NextToken"])
    assert second["QueueUrls"] == urls[2:]
    assert "NextToken" not in second


def test_list_queues_paging_visits_every_queue_once(sqs: Any, make_queue: QueueFactory) -> None:
    urls = {make_queue(f"page-{i:02}") for i in range(7)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 3}
    pages = 0
    while True:
        response = sqs.list_queues(**kwargs)
        pages += 1
        seen.extend(response["QueueUrls"])
        assert len(response["QueueUrls"]) <= 3
        if "NextToken" not in response:
            break
        kwargs["NextToken"] = response["NextToken"]

    assert pages == 3
    assert sorted(seen) == sorted(urls)


def test_list_queues_page_that_ends_the_list_has_no_next_token(sqs: Any, make_queue: QueueFactory) -> None:
    for i in range(3):
        make_queue(f"exact-{i}")

    response = sqs.list_queues(MaxResults=3)

    assert len(response["QueueUrls"]) == 3
    assert "NextToken" not in response


def test_list_queues_without_max_results_has_no_next_token(sqs: Any, make_queue: QueueFactory) -> None:
    for i in range(12):
        make_queue(f"many-{i}")

    response = sqs.list_queues()

    assert len(response["QueueUrls"]) == 12
    assert "NextToken" not in response


@pytest.mark.parametrize("max_results", [0, 1001, -1])
def test_list_queues_rejects_max_results_out_of_range(sqs: Any, max_results: int) -> None:
    # API Reference, ListQueues: MaxResults 1-1000; the AWS text for a violation is unverified.
    with expect_invalid_parameter_value(sqs):
        sqs.list_queues(MaxResults=max_results)


def test_list_queues_does_not_list_deleted_queues(sqs: Any, make_queue: QueueFactory) -> None:
    keep = make_queue("keep")
    sqs.delete_queue(QueueUrl=make_queue("drop"))

    # AWS may list a deleted queue briefly (API Reference, DeleteQueue); the simulator applies at once.
    assert sqs.list_queues()["QueueUrls"] == [keep]


# --- DeleteQueue (API Reference, DeleteQueue) ----------------------------------------------


def test_delete_queue_deletes_a_queue_with_messages(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("full")
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    receive(sqs, url)

    response = sqs.delete_queue(QueueUrl=url)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl=url, MessageBody="late")
    with expect_no_such_queue(sqs):
        sqs.receive_message(QueueUrl=url)


def test_delete_missing_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.delete_queue(QueueUrl=url_of("never-created"))


def test_delete_queue_twice_fails_the_second_time(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("once")
    sqs.delete_queue(QueueUrl=url)

    with expect_no_such_queue(sqs):
        sqs.delete_queue(QueueUrl=url)


# --- PurgeQueue (API Reference, PurgeQueue) -----------------------------------------------------------------------------

PURGE_IN_PROGRESS = "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_purge_deletes_visible_in_flight_and_delayed_messages(
    sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory
) -> None:
    url = make_queue("purge-me")
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
    assert len(receive(sqs, url, MaxNumberOfMessages=1)) == 1
    assert counters(sqs, url) == (1, 1, 1)

    sqs.purge_queue(QueueUrl=url)

    assert counters(sqs, url) == (0, 0, 0)
    sqs_mock.advance(31)
    assert receive(sqs, url, MaxNumberOfMessages=10) == []
    assert counters(sqs, url) == (0, 0, 0)


def test_second_purge_within_60_seconds_fails_with_403(sqs: Any, sqs_mock: SqsMock, make_queue: QueueFactory) -> None:
    url = make_queue("purged")
    sqs.purge_queue(QueueUrl=url)

    with expect_error(
        sqs,
        code=PURGE_IN_PROGRESS,
        status=403,
        shape="PurgeQueueInProgress",
        message="Only one PurgeQueue operation on purged is allowed every 60 seconds.",
    ):
        sqs.purge_queue(QueueUrl=url)

    sqs_mock.advance(59)
    with expect_error(
        sqs,
        code=PURGE_IN_PROGRESS,
        status=403,
        shape="PurgeQueueInProgress",
        message="Only one PurgeQueue operation on purged is allowed every 60 seconds.",
    ):
        sqs.purge_queue(QueueUrl=url)

    sqs_mock.advance(1)
    sqs.send_message(QueueUrl=url, MessageBody="after the window")
    sqs.purge_queue(QueueUrl=url)
    assert counters(sqs, url) == (0, 0, 0)


def test_purge_window_is_per_queue(sqs: Any, make_queue: QueueFactory) -> None:
    first = make_queue("purge-a")
    second = make_queue("purge-b")
    sqs.purge_queue(QueueUrl=first)

    response = sqs.purge_queue(QueueUrl=second)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_purge_missing_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.purge_queue(QueueUrl=url_of("never-created"))


def test_queue_is_usable_after_purge(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("reuse")
    sqs.send_message(QueueUrl=url, MessageBody="before")
    sqs.purge_queue(QueueUrl=url)

    sqs.send_message(QueueUrl=url, MessageBody="after")
    # API Reference, PurgeQueue "messages sent after it may be deleted" concerns AWS's asynchronous purge; the simulator
    # purges at once, so a message sent after the call survives.
    assert [m["Body"] for m in receive(sqs, url)] == ["after"]
