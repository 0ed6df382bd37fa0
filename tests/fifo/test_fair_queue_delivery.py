"""Fair queues: a noisy tenant's backlog does not delay quiet tenants.

Spec: SQS Developer Guide, "Amazon SQS fair queues" and "How Amazon SQS fair queues work"
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html):
noisy = more than 10 % of in-flight messages and at least 30 of its own, or more than
10 % of recent processing time; quiet tenants' messages go first; a noisy tenant is
served when only it has messages, the one with the fewest in flight first; it turns
quiet when its shares drop, its backlog drains or it sends nothing for 5 minutes.
Our choices: processing time is virtual time from receive to delete (or to the end of
visibility), "recent" is the last 5 minutes.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock

from .fifo_support import REGION, bodies, receive

HOUR_S = 3600


@pytest.fixture
def url(sqs: Any) -> str:
    # A long visibility timeout: advancing the clock never returns in-flight messages.
    created: str = sqs.create_queue(QueueName="tenants", Attributes={"VisibilityTimeout": str(HOUR_S)})["QueueUrl"]
    return created


def send(sqs: Any, url: str, group: str | None, count: int, prefix: str | None = None) -> None:
    """Send ``count`` messages ``<prefix><i>`` (group ``None``: without a MessageGroupId), in batches of 10."""
    label = prefix if prefix is not None else (group or "loose")
    for start in range(0, count, 10):
        entries = []
        for index in range(start, min(start + 10, count)):
            entry = {"Id": str(index), "MessageBody": f"{label}{index}"}
            if group is not None:
                entry["MessageGroupId"] = group
            entries.append(entry)
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")


def take(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    """Receive ``count`` messages (in batches of 10) and keep them in flight."""
    taken: list[dict[str, Any]] = []
    while len(taken) < count:
        got = receive(sqs, url, MaxNumberOfMessages=min(10, count - len(taken)))
        assert got, f"only {len(taken)} of {count} received"
        taken.extend(got)
    return taken


def delete(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def tenants(sqs_mock: SqsMock) -> dict[str, tuple[int, int, bool]]:
    """Per group: (visible, in flight, noisy)."""
    return {gid: (t.visible, t.in_flight, t.noisy) for gid, t in sqs_mock.queue("tenants").tenants.items()}


def test_a_quiet_tenants_message_overtakes_a_noisy_backlog(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "noisy", 100)
    held = take(sqs, url, 30)  # 30 of 30 in flight: noisy
    send(sqs, url, "quiet", 1)

    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["quiet0", "noisy30", "noisy31"]
    assert bodies(held) == [f"noisy{i}" for i in range(30)]
    assert tenants(sqs_mock) == {"noisy": (68, 32, True), "quiet": (0, 1, False)}


def test_a_noisy_tenant_alone_is_still_served(sqs: Any, url: str) -> None:
    send(sqs, url, "noisy", 50)
    take(sqs, url, 30)

    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == [f"noisy{i}" for i in range(30, 40)]


def test_twenty_nine_in_flight_is_not_noisy(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "busy", 40)
    take(sqs, url, 29)
    send(sqs, url, "other", 1)

    assert tenants(sqs_mock)["busy"] == (11, 29, False)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["busy29"]  # send order: busy29 came first


@pytest.mark.parametrize(
    ("others_in_flight", "noisy"),
    [(270, False), (269, True)],  # 30 of 300 is exactly 10 %: not over it; 30 of 299 is
    ids=["exactly-10-percent", "over-10-percent"],
)
def test_the_in_flight_share_must_exceed_ten_percent(
    sqs: Any, sqs_mock: SqsMock, url: str, others_in_flight: int, noisy: bool
) -> None:
    send(sqs, url, None, others_in_flight)  # each its own tenant, never noisy
    take(sqs, url, others_in_flight)
    send(sqs, url, "busy", 31)
    take(sqs, url, 30)
    send(sqs, url, "other", 1)

    assert tenants(sqs_mock)["busy"] == (1, 30, noisy)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == (["other0"] if noisy else ["busy30"])


def test_several_noisy_tenants_the_one_with_fewest_in_flight_first(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "a", 31)
    take(sqs, url, 31)
    send(sqs, url, "b", 30)
    take(sqs, url, 30)
    send(sqs, url, "a", 1, prefix="a-late")
    send(sqs, url, "b", 1, prefix="b-late")

    assert tenants(sqs_mock) == {"a": (1, 31, True), "b": (1, 30, True)}
    # Only noisy tenants wait: b has fewer in flight than a, so b goes first though a's message is earlier.
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["b-late0"]
    # Now both hold 31: the earlier message goes first.
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["a-late0"]


def test_a_noisy_tenant_recovers_when_its_in_flight_drops(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "noisy", 40)
    held = take(sqs, url, 30)
    send(sqs, url, "quiet", 2)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["quiet0"]

    delete(sqs, url, held[:1])  # 29 in flight: below 30
    assert tenants(sqs_mock)["noisy"] == (10, 29, False)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["noisy30"]  # send order again


def test_a_noisy_tenant_recovers_after_five_minutes_without_sending(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "noisy", 40)
    take(sqs, url, 30)
    sqs_mock.advance(299)
    send(sqs, url, "quiet", 2)
    assert tenants(sqs_mock)["noisy"] == (10, 30, True)

    sqs_mock.advance(1)  # 5 minutes since noisy's last send
    assert tenants(sqs_mock)["noisy"] == (10, 30, False)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["noisy30"]


def test_a_drained_backlog_is_not_noisy(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "bulk", 30)
    take(sqs, url, 30)

    assert tenants(sqs_mock) == {"bulk": (0, 30, False)}


def test_messages_without_a_group_are_quiet_tenants(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "noisy", 40)
    take(sqs, url, 30)
    send(sqs, url, None, 2)

    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["loose0", "loose1", "noisy30"]
    assert set(tenants(sqs_mock)) == {"noisy"}  # groupless messages are not listed


def test_a_queue_without_groups_keeps_send_order_and_lists_no_tenants(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, None, 40)
    take(sqs, url, 35)

    assert bodies(receive(sqs, url, MaxNumberOfMessages=5)) == [f"loose{i}" for i in range(35, 40)]
    assert sqs_mock.queue("tenants").tenants == {}


def test_a_fifo_queue_lists_no_tenants(sqs: Any, sqs_mock: SqsMock) -> None:
    fifo = sqs.create_queue(QueueName="t.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g")

    assert sqs_mock.queue("t.fifo").tenants == {}


def test_slow_processing_makes_a_tenant_noisy(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "slow", 1)
    [held] = take(sqs, url, 1)
    sqs_mock.advance(60)
    delete(sqs, url, [held])  # 60 s of processing: all of the recent total
    send(sqs, url, "slow", 1, prefix="slow-next")
    send(sqs, url, "fast", 1)

    view = sqs_mock.queue("tenants").tenants
    assert (view["slow"].processing_ms, view["slow"].noisy) == (60_000, True)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["fast0"]


@pytest.mark.parametrize(
    ("slow_ms", "noisy"),
    [(10_000, False), (10_001, True)],  # of 100 s and of 100.001 s processing in all
    ids=["exactly-10-percent", "over-10-percent"],
)
def test_the_processing_time_share_must_exceed_ten_percent(
    sqs: Any, sqs_mock: SqsMock, url: str, slow_ms: int, noisy: bool
) -> None:
    send(sqs, url, "slow", 1)
    send(sqs, url, "rest", 1)
    [slow, rest] = take(sqs, url, 2)
    sqs_mock.advance(slow_ms / 1000)
    delete(sqs, url, [slow])
    sqs_mock.advance((90_000 - slow_ms) / 1000)
    delete(sqs, url, [rest])  # 90 s of processing
    send(sqs, url, "slow", 1, prefix="slow-next")  # a backlog, freshly sent

    view = sqs_mock.queue("tenants").tenants
    assert (view["slow"].processing_ms, view["rest"].processing_ms) == (slow_ms, 90_000)
    assert view["slow"].noisy is noisy
    assert view["rest"].noisy is False  # no backlog


def test_processing_time_counts_only_the_last_five_minutes(sqs: Any, sqs_mock: SqsMock, url: str) -> None:
    send(sqs, url, "slow", 1)
    [held] = take(sqs, url, 1)
    sqs_mock.advance(60)
    delete(sqs, url, [held])  # ended at 60 s
    sqs_mock.advance(290)
    send(sqs, url, "slow", 1, prefix="slow-next")  # a recent send: only the window can quieten it
    assert tenants(sqs_mock)["slow"] == (1, 0, True)

    sqs_mock.advance(10)  # 300 s after the processing ended
    view = sqs_mock.queue("tenants").tenants["slow"]
    assert (view.processing_ms, view.noisy) == (0, False)


def test_a_visibility_timeout_ends_processing(sqs: Any, sqs_mock: SqsMock) -> None:
    url = sqs.create_queue(QueueName="tenants", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    send(sqs, url, "stuck", 2)
    take(sqs, url, 1)
    sqs_mock.advance(45)

    stuck = sqs_mock.queue("tenants").tenants["stuck"]
    assert (stuck.visible, stuck.in_flight, stuck.processing_ms, stuck.noisy) == (2, 0, 30_000, True)


def test_a_worker_thread_serves_the_quiet_tenant_while_holding_the_noisy_ones(sqs_mock: SqsMock, url: str) -> None:
    client = boto3.client("sqs", region_name=REGION)
    send(client, url, "noisy", 200)
    handled: list[str] = []
    busy = threading.Event()  # the worker holds 40 noisy messages, as slow handlers would
    proceed = threading.Event()
    stop = threading.Event()

    def worker() -> None:
        own = boto3.client("sqs", region_name=REGION)
        while not stop.is_set():
            answer = own.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20)
            for message in answer.get("Messages", []):
                handled.append(message["Body"])
                if message["Body"].startswith("quiet"):
                    own.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if len(handled) == 40:
                busy.set()
                proceed.wait(timeout=10)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert busy.wait(timeout=10)
    send(client, url, "quiet", 3)
    proceed.set()
    sqs_mock.run_until(lambda: any(body.startswith("quiet") for body in handled))
    stop.set()
    sqs_mock.wait_until_parked()
    sqs_mock.advance(20)
    thread.join(timeout=10)

    # The worker's next receive brings the quiet tenant's messages, ahead of 160 noisy ones sent earlier.
    assert handled[40:43] == ["quiet0", "quiet1", "quiet2"]
    assert handled[43:50] == [f"noisy{i}" for i in range(40, 47)]
