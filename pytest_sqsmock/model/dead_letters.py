"""How a message arrives in a dead-letter queue."""

from __future__ import annotations

from dataclasses import replace

from pytest_sqsmock.model.message import Message


def dead_letter_copy(message: Message, *, fifo: bool, now_ms: int) -> Message:
    """``message`` as it arrives in a dead-letter queue (FIFO when ``fifo``), before the queue adds it."""
    if not fifo:
        return replace(message, state="visible", generation=0, removed=False, receipt=0)
    # A FIFO dead-letter queue resets the enqueue time and takes the message id
    # as deduplication id (SQS Developer Guide, "Learn how to configure a
    # dead-letter queue redrive in Amazon SQS"); its own sequence number comes
    # with `Queue.add`.
    return replace(
        message,
        enqueued_at_ms=now_ms,
        deduplication_id=message.message_id,
        sequence_number=None,
        state="visible",
        generation=0,
        removed=False,
        receipt=0,
    )
