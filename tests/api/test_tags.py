"""TagQueue, UntagQueue and ListQueueTags through boto3.

Spec: API Reference, TagQueue / UntagQueue / ListQueueTags; Developer Guide, "Amazon SQS queue quotas";
observed AWS behaviour.
"""

from __future__ import annotations

from typing import Any

from .api_support import expect_no_such_queue, url_of
from .conftest import QueueFactory


def test_new_queue_has_no_tags_key(sqs: Any, queue_url: str) -> None:
    response = sqs.list_queue_tags(QueueUrl=queue_url)

    assert "Tags" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_create_queue_tags_apply_at_creation(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("tagged", tags={"team": "red", "env": "test"})

    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "red", "env": "test"}


def test_tag_queue_adds_and_overwrites(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"a": "1", "b": "2"})
    sqs.tag_queue(QueueUrl=queue_url, Tags={"b": "two", "c": "3"})

    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {
        "a": "1",
        "b": "two",
        "c": "3",
    }


def test_tag_keys_are_case_sensitive(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"MyTag": "upper", "mytag": "lower"})

    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {
        "MyTag": "upper",
        "mytag": "lower",
    }
    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["mytag"])
    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {"MyTag": "upper"}


def test_empty_tag_value_is_allowed(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"flag": ""})

    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {"flag": ""}


def test_tags_with_the_allowed_special_characters(sqs: Any, queue_url: str) -> None:
    tags = {"a_b.c:d/e=f+g-h@i": "v a_l.u:e/=+-@", "k" * 128: "v" * 256}

    sqs.tag_queue(QueueUrl=queue_url, Tags=tags)

    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == tags


def test_untag_ignores_unknown_keys(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"keep": "1", "drop": "2"})

    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["drop", "never-there"])

    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {"keep": "1"}


def test_removing_every_tag_leaves_no_tags_key(sqs: Any, queue_url: str) -> None:
    sqs.tag_queue(QueueUrl=queue_url, Tags={"a": "1", "b": "2"})

    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["a", "b"])

    assert "Tags" not in sqs.list_queue_tags(QueueUrl=queue_url)


def test_tags_belong_to_one_queue(sqs: Any, make_queue: QueueFactory) -> None:
    first = make_queue("first", tags={"owner": "first"})
    second = make_queue("second")

    sqs.tag_queue(QueueUrl=second, Tags={"owner": "second"})

    assert sqs.list_queue_tags(QueueUrl=first)["Tags"] == {"owner": "first"}
    assert sqs.list_queue_tags(QueueUrl=second)["Tags"] == {"owner": "second"}


def test_tag_operations_on_missing_queue_fail(sqs: Any) -> None:
    missing = url_of("missing")

    with expect_no_such_queue(sqs):
        sqs.tag_queue(QueueUrl=missing, Tags={"a": "1"})
    with expect_no_such_queue(sqs):
        sqs.untag_queue(QueueUrl=missing, TagKeys=["a"])
    with expect_no_such_queue(sqs):
        sqs.list_queue_tags(QueueUrl=missing)
