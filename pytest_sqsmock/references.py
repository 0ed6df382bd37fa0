"""Queue references as tests write them: a name, a queue URL, an ARN, or a view."""

from __future__ import annotations

from pytest_sqsmock.model.addresses import QueueAddress, parse_reference
from pytest_sqsmock.views import QueueView

QueueRef = str | QueueView
"""A queue: name, URL, ARN or view."""


def address_of(queue: QueueRef) -> QueueAddress | None:
    """Where ``queue`` points (``None`` parts: the caller's default); ``None`` when it names no queue."""
    if isinstance(queue, QueueView):
        return QueueAddress(queue.name, queue.account_id, queue.region)
    return parse_reference(queue)


def label_of(queue: QueueRef) -> str:
    """How a message names ``queue``."""
    return queue.name if isinstance(queue, QueueView) else queue
