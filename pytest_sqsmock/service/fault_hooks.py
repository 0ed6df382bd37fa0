"""The three points where injected faults (pytest_sqsmock.faults.injection) reach the service.

The service cannot import the fault plan, which sits above it; it calls
whatever object ``Service.faults`` holds, and only when that is not ``None``,
so a simulation without faults pays one ``is None`` check per hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.sqs_errors import SqsError

Take = Callable[[int], list[Message]]
"""Takes up to ``n`` visible messages and puts them in flight (``Queue.receive``, bound)."""


class FaultHooks(Protocol):
    """What the dispatcher, ReceiveMessage and DeleteMessage ask of injected faults."""

    def error_for(self, operation: str, params: Mapping[str, Any], context: RequestContext) -> SqsError | None:
        """The error to answer this call with instead of running it, if one is due."""
        ...

    def receive(
        self, queue: Queue, take: Take, *, now_ms: int, limit: int, visibility_timeout_s: int, short_poll: bool
    ) -> list[Message]:
        """Messages for one receive attempt: ``take(limit)`` unless a delivery fault changes it."""
        ...

    def delete_lost(self, queue: Queue, message: Message) -> bool:
        """Whether a DeleteMessage of ``message`` is to be answered but not carried out."""
        ...
