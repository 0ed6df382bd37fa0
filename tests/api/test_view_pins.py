"""A view read long after it was taken shows the queue exactly as it was then.

DESIGN.md: "Views are snapshots: they never change under the test". Taking a view pins
its queue in O(1); its messages are read only when first asked for, a few at a time
under the simulation's lock, while other calls go on (model/pins.py). Each test takes
two views of one moment: one read at once (the reference) and one read after the queue
changed, and expects them equal.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sqsmock import MessageView, QueueView, SqsMock
from pytest_sqsmock.model.pins import Pin

from .api_support import ACCOUNT, REGION


def two_views(sqs_mock: SqsMock, name: str) -> tuple[list[MessageView], QueueView]:
    """The messages of ``name`` read at once, and a view of the same moment left unread."""
    # Holding the simulation's lock makes both views one moment; the reference is read
    # before any other call can change the queue.
    with sqs_mock.simulation.service.lock:
        reference = sqs_mock.queue(name)
        later = sqs_mock.queue(name)
        return reference.messages, later


def pins_of(sqs_mock: SqsMock, name: str) -> tuple[Pin, ...]:
    """The pins the simulation's queue keeps."""
    queue = sqs_mock.simulation.service.registry.find(ACCOUNT, REGION, name)
    assert queue is not None
    return queue._pins


def receive(sqs: Any, url: str, count: int, visibility: int = 30) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=count, VisibilityTimeout=visibility
    ).get("Messages", [])
    return messages


def send(sqs: Any, url: str, count: int, *, delay: int = 0, prefix: str = "m") -> None:
    for start in range(0, count, 10):
        entries = [
            {"Id": str(i), "MessageBody": f"{prefix}{start + i}", "DelaySeconds": delay}
            for i in range(min(10, count - start))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_a_view_read_after_every_kind_of_change_shows_the_moment_it_was_taken(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders", Attributes={"MessageRetentionPeriod": "600"})["QueueUrl"]
    send(sqs, url, 20)
    send(sqs, url, 10, delay=30, prefix="d")
    first = receive(sqs, url, 10)
    expected, later = two_views(sqs_mock, "orders")

    # Receive, delete, hide longer, make visible again, let delays and timeouts run out,
    # send more, let retention expire, and purge.
    more = receive(sqs, url, 5)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[1]["ReceiptHandle"], VisibilityTimeout=300)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=more[0]["ReceiptHandle"], VisibilityTimeout=0)
    sqs_mock.advance(60)
    receive(sqs, url, 10, visibility=0)
    send(sqs, url, 5, prefix="new")
    sqs_mock.advance(601)
    send(sqs, url, 5, prefix="newer")
    sqs.purge_queue(QueueUrl=url)

    assert later.messages == expected
    assert len(expected) == 30
    assert {m.state for m in expected} == {"visible", "delayed", "in_flight"}


def test_a_purge_after_the_view_leaves_it_whole(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 12)
    receive(sqs, url, 4)
    expected, later = two_views(sqs_mock, "orders")

    sqs.purge_queue(QueueUrl=url)
    send(sqs, url, 3, prefix="after")

    assert later.messages == expected
    assert [m.body for m in later.visible] == [f"m{i}" for i in range(4, 12)]


def test_a_fifo_delay_change_after_the_view_leaves_its_messages_delayed(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(
        QueueName="orders.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true", "DelaySeconds": "60"},
    )["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g")
    expected, later = two_views(sqs_mock, "orders.fifo")

    # Retroactive for a FIFO queue: the messages become visible at once.
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})

    assert [m.state for m in sqs_mock.queue("orders.fifo").messages] == ["visible"] * 3
    assert later.messages == expected
    assert [m.state for m in later.messages] == ["delayed"] * 3


def test_a_reorder_fault_after_the_view_leaves_its_order(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 30)
    expected, later = two_views(sqs_mock, "orders")

    sqs_mock.faults.reorder("orders", seed=7)

    assert [m.body for m in sqs_mock.queue("orders").messages] != [m.body for m in expected]
    assert later.messages == expected


def test_a_view_taken_under_a_reorder_fault_keeps_that_order_after_it_ends(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 30)
    fault = sqs_mock.faults.reorder("orders", seed=7)
    expected, later = two_views(sqs_mock, "orders")

    fault.cancel()

    assert [m.body for m in expected] != [f"m{i}" for i in range(30)]
    assert later.messages == expected


def test_a_view_outlives_the_queue_forgetting_its_deleted_messages(sqs: Any, sqs_mock: SqsMock) -> None:
    # Enough deletes and sends that the queue compacts its send-order list meanwhile.
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 600)
    expected, later = two_views(sqs_mock, "orders")

    while batch := receive(sqs, url, 10):
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    send(sqs, url, 400, prefix="after")

    assert len(sqs_mock.queue("orders")) == 400
    assert later.messages == expected
    assert len(later.messages) == 600


def test_views_of_every_queue_and_their_dead_letter_queues_are_snapshots(sqs: Any, sqs_mock: SqsMock) -> None:
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName="orders",
        Attributes={"RedrivePolicy": f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": "1"}}'},
    )["QueueUrl"]
    send(sqs, url, 5)
    receive(sqs, url, 5, visibility=0)
    with sqs_mock.simulation.service.lock:
        reference = {view.name: view.messages for view in sqs_mock.queues()}
        later = sqs_mock.queues()

    receive(sqs, url, 5)  # each has been received once: all move to the dead-letter queue
    assert len(sqs_mock.queue("orders-dlq")) == 5

    assert {view.name: view.messages for view in later} == reference
    orders = next(view for view in later if view.name == "orders")
    assert orders.dead_letter_queue is not None
    assert orders.dead_letter_queue.messages == []
    assert [m.receive_count for m in orders.messages] == [1] * 5


def test_many_views_taken_then_read_after_many_changes(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    taken: list[tuple[list[MessageView], QueueView]] = []
    for round_ in range(20):
        send(sqs, url, 7, prefix=f"r{round_}-")
        for message in receive(sqs, url, 3, visibility=round_ % 3 * 10):
            if round_ % 2:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        sqs_mock.advance(7)
        taken.append(two_views(sqs_mock, "orders"))

    for expected, later in reversed(taken):
        assert later.messages == expected


def test_reading_a_view_releases_its_pin_and_so_does_forgetting_it(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 3)

    read = sqs_mock.queue("orders")
    forgotten = sqs_mock.queue("orders")
    kept = sqs_mock.queue("orders")
    assert len(pins_of(sqs_mock, "orders")) == 3

    assert len(read.messages) == 3
    del forgotten
    gc.collect()
    receive(sqs, url, 1)  # the queue drops ended pins at its next change

    assert len(pins_of(sqs_mock, "orders")) == 1
    # The unread view saved the received message as it was; nothing else.
    assert len(pins_of(sqs_mock, "orders")[0].saved) == 1
    assert [m.state for m in kept.messages] == ["visible"] * 3
    receive(sqs, url, 1)
    assert pins_of(sqs_mock, "orders") == ()


def test_a_view_read_by_several_threads_at_once_is_read_once(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    send(sqs, url, 300)
    expected, later = two_views(sqs_mock, "orders")
    receive(sqs, url, 10)
    results: list[list[MessageView]] = []
    readers = [threading.Thread(target=lambda: results.append(later.messages)) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()

    assert results == [expected] * 4


def test_views_stay_exact_while_a_worker_thread_sends_receives_and_deletes(sqs_mock: SqsMock) -> None:
    client = boto3.client("sqs", region_name=REGION)
    url = client.create_queue(QueueName="busy")["QueueUrl"]
    send(client, url, 200)
    stop = threading.Event()
    # The worker runs as many rounds as it is granted (a free-running one outpaces the reads: the queue
    # grows by what it sends while a view is read, and each read is longer than the last).
    granted = threading.Semaphore(0)
    rounds = threading.Semaphore(0)  # released after each round of the worker's calls

    def work() -> None:
        worker = boto3.client("sqs", region_name=REGION)
        for n in itertools.count():
            granted.acquire()
            if stop.is_set():
                return
            send(worker, url, 10, delay=n % 2 * 5, prefix=f"w{n}-")
            received = receive(worker, url, 10, visibility=n % 3 * 5)
            for message in received[::2]:
                worker.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if kept := received[1::2]:  # the last one received may be among those just deleted
                worker.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=kept[-1]["ReceiptHandle"], VisibilityTimeout=0
                )
            rounds.release()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        for _ in range(25):
            expected, later = two_views(sqs_mock, "busy")
            # The worker changes the queue (and time runs on) before the unread view is read...
            for _ in range(3):
                granted.release()
                assert rounds.acquire(timeout=60)
                sqs_mock.advance(2)
            granted.release(5)  # ... and while it is read
            assert later.messages == expected
            counts = later.attributes
            assert len(later.visible) == int(counts["ApproximateNumberOfMessages"])
            assert len(later.in_flight) == int(counts["ApproximateNumberOfMessagesNotVisible"])
            assert len(later.delayed) == int(counts["ApproximateNumberOfMessagesDelayed"])
            for _ in range(5):
                assert rounds.acquire(timeout=60)
    finally:
        stop.set()
        granted.release()
        thread.join()


_ops = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(1, 12), st.sampled_from([0, 0, 10])),
        st.tuples(st.just("receive"), st.integers(1, 10), st.sampled_from([0, 5, 30])),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("hide"), st.integers(0, 20), st.sampled_from([0, 60])),
        st.tuples(st.just("advance"), st.sampled_from([1, 6, 31])),
        st.tuples(st.just("purge"), st.just(0)),
        st.tuples(st.just("take"), st.just(0)),
        st.tuples(st.just("take"), st.just(0)),
        st.tuples(st.just("read"), st.integers(0, 5)),
    ),
    max_size=30,
)
_queue_numbers = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_ops)
def test_property_every_view_reads_as_it_was_taken(
    sqs: Any, sqs_mock: SqsMock, ops: list[tuple[str, int, int]]
) -> None:
    name = f"prop-{next(_queue_numbers)}"
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    handles: list[str] = []
    taken: list[tuple[list[MessageView], QueueView]] = []
    for op, a, *rest in ops:
        if op == "send":
            send(sqs, url, a, delay=rest[0])
        elif op == "receive":
            handles += [m["ReceiptHandle"] for m in receive(sqs, url, a, visibility=rest[0])]
        elif op == "delete" and handles:
            with contextlib.suppress(ClientError):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[a % len(handles)])
        elif op == "hide" and handles:
            with contextlib.suppress(ClientError):  # no longer in flight
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=handles[a % len(handles)], VisibilityTimeout=rest[0]
                )
        elif op == "advance":
            sqs_mock.advance(a)
        elif op == "purge":
            sqs_mock.advance(61)  # one purge a minute
            sqs.purge_queue(QueueUrl=url)
        elif op == "take":
            taken.append(two_views(sqs_mock, name))
        elif op == "read" and taken:
            expected, later = taken[a % len(taken)]
            assert later.messages == expected
    for expected, later in taken:
        assert later.messages == expected
    taken.clear()
    gc.collect()
    sqs_mock.send(name, "last")
    receive(sqs, url, 10)  # a change: the queue drops ended pins
    assert pins_of(sqs_mock, name) == ()


@pytest.mark.parametrize("fifo", [False, True])
def test_len_and_counts_come_without_reading_the_messages(sqs: Any, sqs_mock: SqsMock, fifo: bool) -> None:
    name = "orders.fifo" if fifo else "orders"
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", **({"MessageGroupId": f"g{i}"} if fifo else {}))
    receive(sqs, url, 1)
    view = sqs_mock.queue(name)

    assert len(view) == 4
    assert "visible=3 delayed=0 in_flight=1" in repr(view)
    assert pins_of(sqs_mock, name)[-1].live
