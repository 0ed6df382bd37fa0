"""Property: fair-queue delivery never prefers a noisy tenant, keeps counts consistent, loses nothing.

Random sends (bulk, per group or without a group), single-message receives, deletes,
visibility changes and clock moves on a standard queue, through boto3. Spec: SQS
Developer Guide, "How Amazon SQS fair queues work" (quiet tenants' messages first;
noisy tenants' messages are not dropped).
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sqsmock import SqsMock

from .fifo_support import system_attribute_names

_queue_numbers = itertools.count()

Op = tuple[Any, ...]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.sampled_from(["a", "b", "c", None]), st.sampled_from([1, 5, 40])),
        st.tuples(st.just("receive"), st.sampled_from([1, 5, 35]), st.sampled_from([5, 30, 600])),
        st.tuples(st.just("delete"), st.integers(0, 10_000)),
        st.tuples(st.just("change"), st.integers(0, 10_000)),
        st.tuples(st.just("advance"), st.sampled_from([1, 10, 31, 120, 301])),
    ),
    max_size=25,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_quiet_tenants_first_counts_consistent_and_every_message_delivered(
    sqs: Any, sqs_mock: SqsMock, ops: list[Op]
) -> None:
    name = f"fair-{next(_queue_numbers)}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent: set[str] = set()
    received: set[str] = set()
    handles: list[str] = []
    for op in ops:
        if op[0] == "send":
            for start in range(0, op[2], 10):
                entries = [
                    {"Id": str(i), "MessageBody": "m", **({"MessageGroupId": op[1]} if op[1] else {})}
                    for i in range(start, min(start + 10, op[2]))
                ]
                sent.update(e["MessageId"] for e in sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"])
        elif op[0] == "receive":
            for _ in range(op[1]):
                message = _receive_one_checked(sqs, sqs_mock, name, url, visibility=op[2])
                if message is None:
                    break
                received.add(message["MessageId"])
                handles.append(message["ReceiptHandle"])
        elif op[0] in ("delete", "change") and handles:
            handle = handles[op[1] % len(handles)]
            if op[0] == "delete":
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            else:
                with contextlib.suppress(ClientError):  # no longer in flight
                    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        elif op[0] == "advance":
            sqs_mock.advance(op[1])
        _check_counts(sqs_mock, name)
    # Everything left is delivered in the end.
    sqs_mock.advance(601)
    while (message := _receive_one_checked(sqs, sqs_mock, name, url, visibility=600)) is not None:
        received.add(message["MessageId"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert sent <= received
    sqs.delete_queue(QueueUrl=url)


def _receive_one_checked(sqs: Any, sqs_mock: SqsMock, name: str, url: str, *, visibility: int) -> Any:
    """Receive one message, checking it is not a noisy tenant's while a quiet one waits."""
    view = sqs_mock.queue(name)
    noisy = {gid for gid, tenant in view.tenants.items() if tenant.noisy}
    quiet_waiting = any(m.group_id not in noisy for m in view.visible)
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=1,
        VisibilityTimeout=visibility,
        **system_attribute_names(sqs, ["MessageGroupId"]),
    ).get("Messages", [])
    if not messages:
        assert not view.visible
        return None
    [message] = messages
    group = message.get("Attributes", {}).get("MessageGroupId")
    if quiet_waiting:
        assert group not in noisy, (group, noisy)
    return message


def _check_counts(sqs_mock: SqsMock, name: str) -> None:
    view = sqs_mock.queue(name)
    by_group = Counter((m.group_id, m.state) for m in view.messages)
    for gid, tenant in view.tenants.items():
        assert (tenant.visible, tenant.delayed, tenant.in_flight) == (
            by_group[(gid, "visible")],
            by_group[(gid, "delayed")],
            by_group[(gid, "in_flight")],
        )
    assert {gid for gid, _ in by_group if gid is not None} <= set(view.tenants)
