"""Model-level tests of MessageHeap (pytest_sqsmock/model/timers.py): order, lazy deletion, bounded size."""

from __future__ import annotations

import itertools
import random

from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.timers import MessageHeap

_ids = itertools.count()


def message(seq: int) -> Message:
    return Message(
        message_id=f"m{next(_ids)}",
        body="b",
        md5_of_body="",
        sender_id="s",
        sent_at_ms=0,
        enqueued_at_ms=0,
        size=1,
        seq=seq,
    )


def drain(heap: MessageHeap) -> list[tuple[int, int]]:
    out = []
    while (entry := heap.pop()) is not None:
        out.append((entry[0], entry[1]))
    return out


def test_pops_by_key_then_seq_whatever_the_push_order() -> None:
    rng = random.Random(7)
    heap = MessageHeap()
    pushed = []
    # Runs in order (the lane) broken by earlier keys (the heap), with ties.
    for seq in range(2000):
        key = seq // 3 if rng.random() < 0.8 else rng.randrange(0, 700)
        heap.push(key, message(seq), seq + 1)
        pushed.append((key, seq))

    assert drain(heap) == sorted(pushed)


def test_peek_shows_what_pop_takes() -> None:
    heap = MessageHeap()
    for seq, key in enumerate([5, 9, 3, 9, 1]):
        heap.push(key, message(seq), seq + 1)

    peeked = heap.peek()
    popped = heap.pop()
    assert peeked is not None
    assert popped is not None
    assert (peeked[0], peeked[1]) == (popped[0], popped[1]) == (1, 4)
    assert drain(heap) == [(3, 2), (5, 0), (9, 1), (9, 3)]


def test_entries_of_changed_or_removed_messages_are_skipped() -> None:
    heap = MessageHeap()
    moved, removed, kept = message(0), message(1), message(2)
    for seq, item in enumerate([moved, removed, kept]):
        heap.push(seq, item, 3)
    moved.generation += 1
    removed.removed = True

    assert drain(heap) == [(2, 2)]


def test_retention_entries_ignore_state_changes() -> None:
    heap = MessageHeap(follow_state=False)
    item = message(0)
    heap.push(10, item, 1)
    item.generation += 5

    entry = heap.pop()
    assert entry is not None
    assert entry[3] is item


def test_stale_entries_never_outnumber_live_ones_by_much() -> None:
    heap = MessageHeap()
    live: list[Message] = []
    for seq in range(10_000):
        item = message(seq)
        heap.push(seq if seq % 2 else 20_000 - seq, item, len(live) + 1)
        live.append(item)
        if len(live) > 100:
            live.pop(0).removed = True

    assert len(heap) <= 2 * len(live) + 256 + 1
    assert sorted(entry for entry in drain(heap)) == sorted(
        (item.seq if item.seq % 2 else 20_000 - item.seq, item.seq) for item in live
    )


def test_stale_entries_are_dropped_a_few_per_operation_not_in_one_pass() -> None:
    heap = MessageHeap(follow_state=False)
    items = [message(seq) for seq in range(10_000)]
    for item in items:
        heap.push(item.seq, item, 10_000)
    for item in items[:9_000]:
        item.removed = True

    heap.push(10_000, message(10_000), 1_001)  # stale entries now outnumber live ones

    assert len(heap) > 9_000  # set aside, not dropped in this call
    for seq in range(10_001, 12_000):
        heap.push(seq, message(seq), 1_001)
    assert len(heap) < 1_001 + 2_000 + 256
    first = heap.peek()
    assert first is not None
    assert first[1] == 9_000


def test_a_set_aside_lane_that_runs_out_while_read_leaves_the_top_exact() -> None:
    heap = MessageHeap()
    items = [message(seq) for seq in range(300)]
    for item in items:
        heap.push(item.seq, item, 300)
    for item in items[:296]:
        item.removed = True
    heap.push(300, message(300), 5)  # sets the lane aside: 301 entries, 5 live

    tops = [heap.pop() for _ in range(5)]  # the drains finish it while the top is read

    assert [entry[1] for entry in tops if entry is not None] == [296, 297, 298, 299, 300]
    assert heap.pop() is None


def test_the_floor_never_exceeds_the_smallest_current_key() -> None:
    rng = random.Random(11)
    heap = MessageHeap()
    live: dict[int, tuple[int, Message]] = {}  # seq -> (key, message) of each current entry
    for seq in range(3000):
        roll = rng.random()
        if roll < 0.5 or not live:
            pushed = message(seq)
            key = seq // 2 if rng.random() < 0.7 else rng.randrange(0, 1500)
            heap.push(key, pushed, len(live) + 1)
            live[seq] = (key, pushed)
        elif roll < 0.7:
            gone = live.pop(rng.choice(list(live)))[1]
            gone.removed = rng.random() < 0.5
            gone.generation += 0 if gone.removed else 1  # stale either way
        elif roll < 0.85:
            heap.drop_stale(rng.randrange(1, 8))
        else:
            popping = rng.random() < 0.5
            entry = heap.pop() if popping else heap.peek()
            smallest = min((key, kept.seq) for key, kept in live.values())
            assert entry is not None
            assert (entry[0], entry[1]) == smallest
            assert heap.floor == entry[0]
            if popping:
                del live[entry[1]]
        expected = min((key for key, _ in live.values()), default=None)
        assert expected is None or heap.floor <= expected
