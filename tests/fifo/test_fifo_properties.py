"""Property: random interleavings never break per-group order or deliver a duplicate.

Drives a FIFO queue through boto3 with random sends, receives, deletes,
visibility changes and clock moves, and checks every answer against a small
model of what SQS promises (Developer Guide, "Amazon SQS visibility timeout" and "FIFO queue
delivery logic in Amazon SQS"; API Reference, SendMessage).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sqsmock import SqsMock

from .fifo_support import system_attribute_names

WINDOW_S = 300
_queue_numbers = itertools.count()

Op = tuple[Any, ...]

_send_op = st.tuples(st.just("send"), st.sampled_from("ab"), st.integers(0, 7))
_receive_op = st.tuples(st.just("receive"), st.sampled_from([1, 1, 2, 3, 10]), st.sampled_from([0, 5, 30]))
# Weighted by repetition: mostly sends and receives, some handle use, few clock moves.
operations = st.lists(
    st.one_of(
        _send_op,
        _send_op,
        _receive_op,
        _receive_op,
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("change"), st.integers(0, 50), st.sampled_from([0, 10])),
        st.tuples(st.just("advance"), st.sampled_from([1, 5, 30, 300])),
    ),
    max_size=40,
)


@dataclass
class Expected:
    """What the test knows about the queue."""

    now: float = 0.0
    first_sent: dict[str, tuple[float, str]] = field(default_factory=dict)
    alive: dict[str, list[str]] = field(default_factory=dict)  # group -> message ids in send order
    group_of: dict[str, str] = field(default_factory=dict)
    duplicate_bodies: set[str] = field(default_factory=set)
    hidden_until: dict[str, float] = field(default_factory=dict)
    latest_handle: dict[str, str] = field(default_factory=dict)
    handles: list[tuple[str, str]] = field(default_factory=list)  # (handle, message id)

    def handle_is_live(self, handle: str, message_id: str) -> bool:
        return (
            self.latest_handle.get(message_id) == handle
            and self.now < self.hidden_until.get(message_id, 0.0)
            and not self.deleted(message_id)
        )

    def deleted(self, message_id: str) -> bool:
        return message_id not in self.alive.get(self.group_of[message_id], [])


# One simulation for all examples (creating clients is what costs); each example
# gets a fresh queue, and the model keeps time relative to the example's start.
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_random_interleavings_keep_group_order_and_never_deliver_duplicates(
    sqs: Any, sqs_mock: SqsMock, ops: list[Op]
) -> None:
    name = f"prop-{next(_queue_numbers)}.fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    expected = Expected()
    for number, op in enumerate(ops):
        if op[0] == "send":
            _send(sqs, url, expected, op[1], f"d{op[2]}", f"body-{number}")
        elif op[0] == "receive":
            _receive(sqs, url, expected, limit=op[1], visibility=op[2])
        elif op[0] in ("delete", "change") and expected.handles:
            handle, message_id = expected.handles[op[1] % len(expected.handles)]
            if op[0] == "delete":
                _delete(sqs, url, expected, handle, message_id)
            else:
                _change(sqs, url, expected, handle, message_id, op[2])
        elif op[0] == "advance":
            sqs_mock.advance(op[1])
            expected.now += op[1]
    sqs.delete_queue(QueueUrl=url)


def _send(sqs: Any, url: str, expected: Expected, group: str, dedup: str, body: str) -> None:
    response = sqs.send_message(
        QueueUrl=url,
        MessageBody=body,
        MessageGroupId=group,
        MessageDeduplicationId=dedup,
    )
    first = expected.first_sent.get(dedup)
    if first is not None and expected.now - first[0] < WINDOW_S:
        assert response["MessageId"] == first[1]
        expected.duplicate_bodies.add(body)
        return
    assert first is None or response["MessageId"] != first[1]
    expected.first_sent[dedup] = (expected.now, response["MessageId"])
    expected.alive.setdefault(group, []).append(response["MessageId"])
    expected.group_of[response["MessageId"]] = group


def _receive(sqs: Any, url: str, expected: Expected, *, limit: int, visibility: int) -> None:
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=limit,
        VisibilityTimeout=visibility,
        WaitTimeSeconds=0,
        **system_attribute_names(sqs, ["MessageGroupId"]),
    ).get("Messages", [])
    assert len(messages) <= limit
    seen: list[str] = []
    groups_in_order: list[str] = []
    for message in messages:
        message_id, group = (
            message["MessageId"],
            message["Attributes"]["MessageGroupId"],
        )
        assert message["Body"] not in expected.duplicate_bodies
        assert not expected.deleted(message_id)
        assert expected.now >= expected.hidden_until.get(message_id, 0.0), "received while in flight"
        # Every earlier message of the group still held came first, in this same answer.
        alive = expected.alive[group]
        assert alive[: alive.index(message_id)] == [m for m in seen if expected.group_of[m] == group]
        if not groups_in_order or groups_in_order[-1] != group:
            assert group not in groups_in_order, "a group's run was split"
            groups_in_order.append(group)
        seen.append(message_id)
        expected.hidden_until[message_id] = expected.now + visibility
        expected.latest_handle[message_id] = message["ReceiptHandle"]
        expected.handles.append((message["ReceiptHandle"], message_id))


def _delete(sqs: Any, url: str, expected: Expected, handle: str, message_id: str) -> None:
    if expected.handle_is_live(handle, message_id) or expected.deleted(message_id):
        # A live handle deletes; a message already gone deletes again without error.
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        group = expected.group_of[message_id]
        if message_id in expected.alive[group]:
            expected.alive[group].remove(message_id)
        return
    with pytest.raises(ClientError, match=r"Reason: The receipt handle has expired\.$"):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)


def _change(
    sqs: Any,
    url: str,
    expected: Expected,
    handle: str,
    message_id: str,
    visibility: int,
) -> None:
    if expected.handle_is_live(handle, message_id):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=visibility)
        expected.hidden_until[message_id] = expected.now + visibility
        return
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=visibility)
