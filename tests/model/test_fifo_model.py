"""Model-level tests of the FIFO structures (pytest_sqsmock/model/fifo.py and Queue's FIFO path)."""

from __future__ import annotations

import itertools
import time

import pytest

from pytest_sqsmock.model.dead_letters import dead_letter_copy
from pytest_sqsmock.model.fifo import (
    DEDUPLICATION_WINDOW_MS,
    Deduplication,
    FifoGroups,
    ReceiveAttempts,
    SentRecord,
    sequence_number,
)
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.model.settings import QueueSettings, RedrivePolicy

_ids = itertools.count()


def message(group: str | None = "g", dedup: str | None = None, body: str = "b") -> Message:
    return Message(
        message_id=f"m{next(_ids)}",
        body=body,
        md5_of_body="",
        sender_id="s",
        sent_at_ms=0,
        enqueued_at_ms=0,
        size=len(body),
        group_id=group,
        deduplication_id=dedup,
    )


def fifo_queue(**settings: object) -> Queue:
    return Queue(
        name="q.fifo",
        account_id="123456789012",
        region="us-east-1",
        arn="arn:aws:sqs:us-east-1:123456789012:q.fifo",
        settings=QueueSettings(fifo=True, **settings),  # type: ignore[arg-type]
        now_ms=0,
    )


def fill(queue: Queue, *groups: str, now_ms: int = 0) -> list[Message]:
    sent = []
    for group in groups:
        m = message(group, dedup=f"d{next(_ids)}")
        m.sent_at_ms = m.enqueued_at_ms = now_ms
        queue.send(m, delay_s=0, now_ms=now_ms)
        sent.append(m)
    return sent


def groups_of(queue: Queue) -> FifoGroups:
    assert queue.groups is not None
    return queue.groups


# -- sequence numbers -----------------------------------------------------------


def test_sequence_numbers_are_20_digits_and_increasing() -> None:
    numbers = [sequence_number(seq) for seq in (0, 1, 2, 10**9)]

    assert all(len(n) == 20 and n.isdigit() for n in numbers)
    assert numbers == sorted(numbers)
    assert [int(n) for n in numbers] == sorted(int(n) for n in numbers)


def test_sequence_numbers_keep_increasing_after_a_purge() -> None:
    queue = fifo_queue()
    [before] = fill(queue, "g")
    queue.purge(0)
    [after] = fill(queue, "g")

    assert before.sequence_number is not None
    assert after.sequence_number is not None
    assert int(after.sequence_number) > int(before.sequence_number)


# -- FifoGroups ------------------------------------------------------------------


def test_ready_index_follows_the_heads() -> None:
    queue = fifo_queue()
    a1, _b1, a2 = fill(queue, "a", "b", "a")
    groups = groups_of(queue)
    assert groups.ready_group_ids() == ["a", "b"]

    taken = queue.receive(now_ms=0, limit=1, visibility_timeout_s=30)

    assert taken == [a1]
    assert groups.ready_group_ids() == ["b"]
    assert groups.messages_of("a") == [a1, a2]
    queue.remove(a1)
    assert groups.ready_group_ids() == ["b", "a"]
    assert groups.messages_of("a") == [a2]


def test_removing_a_middle_message_keeps_the_order() -> None:
    queue = fifo_queue()
    m1, m2, m3 = fill(queue, "g", "g", "g")

    queue.remove(m2)

    assert groups_of(queue).messages_of("g") == [m1, m3]
    assert queue.receive(now_ms=0, limit=10, visibility_timeout_s=30) == [m1, m3]


def test_removing_the_tail_then_appending() -> None:
    queue = fifo_queue()
    m1, m2 = fill(queue, "g", "g")
    queue.remove(m2)
    [m3] = fill(queue, "g")

    assert groups_of(queue).messages_of("g") == [m1, m3]


def test_an_emptied_group_disappears() -> None:
    queue = fifo_queue()
    [m] = fill(queue, "g")

    queue.remove(m)

    assert groups_of(queue).group_ids() == []
    assert groups_of(queue).ready_group_ids() == []


def test_blocked_groups_are_not_in_the_ready_index() -> None:
    queue = fifo_queue()
    fill(queue, *[f"g{i}" for i in range(1000) for _ in range(2)])

    for _ in range(200):
        assert len(queue.receive(now_ms=0, limit=10, visibility_timeout_s=30)) == 10

    assert queue.counts["in_flight"] == 2000
    assert groups_of(queue).ready_group_ids() == []
    assert len(groups_of(queue).group_ids()) == 1000


def test_a_timed_out_head_rejoins_at_the_back() -> None:
    queue = fifo_queue()
    a, b = fill(queue, "a", "b")
    queue.receive(now_ms=0, limit=1, visibility_timeout_s=5)

    queue.catch_up(5_000)

    assert groups_of(queue).ready_group_ids() == ["b", "a"]
    assert queue.receive(now_ms=5_000, limit=10, visibility_timeout_s=5) == [b, a]


def test_deliverable_survives_removal_of_the_yielded_message() -> None:
    groups = FifoGroups()
    messages = [message("g") for _ in range(3)]
    for m in messages:
        groups.append(m)
        groups.refresh(m)
    walked = []
    for m in groups.deliverable():
        walked.append(m)
        m.removed = True
        groups.remove(m)

    assert walked == messages
    assert groups.group_ids() == []


def test_removing_an_unknown_message_is_a_no_op() -> None:
    groups = FifoGroups()

    groups.remove(message("g"))

    assert groups.group_ids() == []


def test_purge_clears_groups_dedup_and_attempts() -> None:
    queue = fifo_queue()
    fill(queue, "a", "b")
    assert queue.deduplication is not None
    assert queue.receive_attempts is not None
    queue.receive_attempts.remember("x", [], [], 0)

    queue.purge(0)

    assert groups_of(queue).group_ids() == []
    assert len(queue.deduplication) == 0
    assert queue.receive_attempts.get("x", 0) is None


def test_standard_queues_have_no_fifo_structures() -> None:
    queue = Queue(
        name="q",
        account_id="1",
        region="r",
        arn="arn",
        settings=QueueSettings(),
        now_ms=0,
    )

    assert (queue.groups, queue.deduplication, queue.receive_attempts) == (
        None,
        None,
        None,
    )
    record = queue.send(message("g", dedup="d"), delay_s=0, now_ms=0)
    assert record.sequence_number is None
    assert not record.duplicate


# -- Deduplication -----------------------------------------------------------------


def test_deduplication_window_edges() -> None:
    dedup = Deduplication(per_group=False)
    sent = message("g", dedup="d")
    dedup.remember(sent, 1_000)

    assert dedup.find("other", "d", 1_000 + DEDUPLICATION_WINDOW_MS - 1) is sent
    assert dedup.find("g", "d", 1_000 + DEDUPLICATION_WINDOW_MS) is None
    assert len(dedup) == 0


def test_deduplication_per_group() -> None:
    dedup = Deduplication(per_group=True)
    sent = message("g", dedup="d")
    dedup.remember(sent, 0)

    assert dedup.find("h", "d", 0) is None
    assert dedup.find("g", "d", 0) is sent


def test_deduplication_memory_follows_the_window() -> None:
    dedup = Deduplication(per_group=False)
    for second in range(2_000):
        dedup.remember(message("g", dedup=f"d{second}"), second * 1_000)

    dedup.find("g", "probe", 2_000 * 1_000)

    # Sent at 1,701 s ... 1,999 s: still inside their five minutes.
    assert len(dedup) == 299


def test_an_id_can_start_a_new_window_after_the_old_one() -> None:
    dedup = Deduplication(per_group=False)
    old, new = message("g", dedup="d"), message("g", dedup="d")
    dedup.remember(old, 0)
    assert dedup.find("g", "d", DEDUPLICATION_WINDOW_MS) is None
    dedup.remember(new, DEDUPLICATION_WINDOW_MS)

    assert dedup.find("g", "d", DEDUPLICATION_WINDOW_MS + 1) is new


def test_queue_send_reports_duplicates() -> None:
    queue = fifo_queue()
    first = message("g", dedup="d")
    again = message("g", dedup="d")

    original = queue.send(first, delay_s=0, now_ms=0)
    duplicate = queue.send(again, delay_s=0, now_ms=1)

    assert duplicate == SentRecord(first.message_id, first.sequence_number, True)
    assert original == SentRecord(first.message_id, first.sequence_number, False)
    assert list(queue.messages) == [first.message_id]


def test_deduplication_scope_is_fixed_at_creation() -> None:
    queue = fifo_queue(deduplication_scope="messageGroup")
    queue.update_settings(QueueSettings(fifo=True, deduplication_scope="queue"), 0)

    assert queue.send(message("a", dedup="d"), delay_s=0, now_ms=0).duplicate is False
    assert queue.send(message("b", dedup="d"), delay_s=0, now_ms=0).duplicate is False


# -- receive attempts -------------------------------------------------------------


def test_attempts_expire_after_five_minutes() -> None:
    attempts = ReceiveAttempts()
    attempts.remember("a", [], [], 0)

    assert attempts.get("a", 299_999) is not None
    assert attempts.get("a", 300_000) is None


def test_retry_receive_restarts_visibility_and_tracks_the_change() -> None:
    queue = fifo_queue()
    [m] = fill(queue, "g")
    taken = queue.receive(now_ms=0, limit=10, visibility_timeout_s=30)
    assert queue.receive_attempts is not None
    queue.receive_attempts.remember("a", taken, ["h"], 0)
    attempt = queue.receive_attempts.get("a", 10_000)
    assert attempt is not None

    assert queue.retry_receive(attempt, now_ms=10_000, visibility_timeout_s=30)
    assert m.visible_at_ms == 40_000
    assert queue.retry_receive(attempt, now_ms=20_000, visibility_timeout_s=30)
    queue.catch_up(50_000)
    assert not queue.retry_receive(attempt, now_ms=50_000, visibility_timeout_s=30)


# -- dead letters and delays ---------------------------------------------------------


def test_dead_lettered_head_lets_the_run_continue() -> None:
    queue = fifo_queue(redrive_policy=RedrivePolicy("arn:dlq", 1))
    m1, m2 = fill(queue, "g", "g")
    queue.receive(now_ms=0, limit=1, visibility_timeout_s=0)
    moved: list[Message] = []

    def dead_letter(candidate: Message) -> bool:
        moved.append(candidate)
        return True

    taken = queue.receive(now_ms=0, limit=10, visibility_timeout_s=30, dead_letter=dead_letter)

    assert moved == [m1]
    assert taken == [m2]
    assert groups_of(queue).messages_of("g") == [m2]


def test_a_failed_dead_letter_move_delivers_the_message() -> None:
    queue = fifo_queue(redrive_policy=RedrivePolicy("arn:dlq", 1))
    [m] = fill(queue, "g")
    queue.receive(now_ms=0, limit=1, visibility_timeout_s=0)

    taken = queue.receive(now_ms=0, limit=10, visibility_timeout_s=30, dead_letter=lambda _: False)

    assert taken == [m]
    assert m.receive_count == 2


def test_copy_for_a_fifo_dead_letter_queue() -> None:
    dlq = fifo_queue()
    original = message("g", dedup="d")
    original.sequence_number = "5"
    original.enqueued_at_ms = 1

    copy = dead_letter_copy(original, fifo=True, now_ms=9_000)
    dlq.add(copy, delay_s=0, now_ms=9_000)

    assert copy.deduplication_id == original.message_id
    assert copy.enqueued_at_ms == 9_000
    assert copy.sequence_number is not None
    assert copy.sequence_number != "5"


def test_retention_removes_fifo_messages_from_their_group() -> None:
    queue = fifo_queue(retention_s=60)
    _m1, _m2 = fill(queue, "g", "g")
    [m3] = fill(queue, "g", now_ms=30_000)

    queue.catch_up(60_000)

    assert groups_of(queue).messages_of("g") == [m3]
    assert groups_of(queue).ready_group_ids() == ["g"]


def test_lowering_the_fifo_delay_releases_delayed_messages() -> None:
    queue = fifo_queue(delay_s=60)
    m = message("g", dedup="d")
    queue.send(m, delay_s=60, now_ms=0)
    assert m.state == "delayed"

    queue.update_settings(QueueSettings(fifo=True, delay_s=10), 20_000)

    assert (m.state, m.visible_at_ms) == ("visible", 10_000)
    assert groups_of(queue).ready_group_ids() == ["g"]


# -- cost --------------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 5_000])
def test_receive_and_delete_stay_cheap_with_a_deep_backlog(groups: int) -> None:
    queue = fifo_queue()
    for i in range(40_000):
        queue.send(message(f"g{i % groups}", dedup=str(i)), delay_s=0, now_ms=0)
    started = time.perf_counter()

    for _ in range(2_000):
        for m in queue.receive(now_ms=0, limit=10, visibility_timeout_s=30):
            queue.remove(m)

    assert len(queue.messages) == 20_000
    # Generous bound: a scan per receive over the backlog would take minutes.
    assert time.perf_counter() - started < 5
