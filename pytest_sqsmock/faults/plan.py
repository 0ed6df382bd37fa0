"""The faults in force and how they act: what the service's fault hooks call.

:class:`FaultPlan` implements ``service.fault_hooks.FaultHooks`` and sits in
``Service.faults`` only while some fault may still act, so a simulation
without faults (or whose faults are used up) pays nothing. Users reach it
through :class:`pytest_sqsmock.faults.injection.Faults`.

Locks: the service lock (held by the service around receive and delete) is
taken before the plan's own lock, never after it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any, Literal

from pytest_sqsmock.model.addresses import QueueAddress, split_queue_url
from pytest_sqsmock.model.message import Message
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.fault_hooks import Take
from pytest_sqsmock.sqs_errors import SqsError

FaultKind = Literal["error", "duplicate_delivery", "reorder", "empty_receive", "lost_delete"]

_MASK64 = (1 << 64) - 1


class Fault:
    """One injected fault: what it does, and how often it did it.

    Attributes:
        kind: ``"error"``, ``"duplicate_delivery"``, ``"reorder"``,
            ``"empty_receive"`` or ``"lost_delete"``.
        description: What was asked for, as ``repr`` shows it.
    """

    def __init__(
        self,
        plan: FaultPlan,
        kind: FaultKind,
        description: str,
        *,
        times: int | None,
        probability: float | None,
        seed: int,
        queue: QueueAddress | None,
    ) -> None:
        self.kind: FaultKind = kind
        self.description = description
        self.queue = queue
        self._plan = plan
        self._times = times
        self._probability = probability
        self._rng = random.Random(seed)
        self._fired = 0
        self._cancelled = False

    @property
    def fired(self) -> int:
        """How often it acted: calls failed, copies delivered, receives emptied or reordered, deletes lost."""
        return self._fired

    @property
    def active(self) -> bool:
        """Whether it may still act (not cancelled, ``times`` not used up)."""
        return not self._cancelled and (self._times is None or self._fired < self._times)

    def cancel(self) -> None:
        """Stop this fault; the others go on."""
        self._cancelled = True
        self._plan.changed(resync_order=self.kind == "reorder")

    def __repr__(self) -> str:
        return f"<Fault {self.description}: fired {self._fired}, {'active' if self.active else 'done'}>"

    def draw(self) -> bool:
        """Whether it acts on this occasion (counted if so): one random draw per occasion; active faults only."""
        if self._probability is not None and self._rng.random() >= self._probability:
            return False
        self._fired += 1
        return True


class ErrorFault(Fault):
    """Answers matching calls with ``error``; ``operations`` ``None`` matches any."""

    def __init__(self, plan: FaultPlan, operations: frozenset[str] | None, error: SqsError, **kwargs: Any) -> None:
        super().__init__(plan, "error", **kwargs)
        self.operations = operations
        self.error = error


class ReorderFault(Fault):
    """Gives its queue a seeded receive order."""

    def __init__(self, plan: FaultPlan, seed: int, **kwargs: Any) -> None:
        super().__init__(plan, "reorder", times=None, probability=None, seed=seed, **kwargs)
        salt = (seed * 0x9E3779B97F4A7C15) & _MASK64

        def key(seq: int) -> int:  # a seeded bijection of 64-bit ints (splitmix64's finaliser)
            x = (seq + salt) & _MASK64
            x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
            return x ^ (x >> 31)

        self.order_key = key


class FaultPlan:
    """Every fault of one simulation, duplicates waiting to be delivered, and the hooks."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self._pending: dict[Queue, list[Message]] = {}

    def add(self, fault: Fault, *, resync_order: bool = False) -> None:
        """Put ``fault`` in force from the next call on."""
        with self.lock:
            self.faults.append(fault)
        self.changed(resync_order=resync_order)

    def clear(self) -> None:
        """Remove every fault and pending duplicate; queues deliver in send order again."""
        with self.service.lock, self.lock:
            for fault in self.faults:
                fault._cancelled = True
            self.faults.clear()
            self._pending.clear()
        self.changed(resync_order=True)

    def changed(self, *, resync_order: bool = False) -> None:
        """Hook in while a fault may act; re-key the queues when reorder faults changed."""
        with self.service.lock:
            if resync_order:
                for queue in self.service.registry.all_queues():
                    self._sync_order(queue)
            with self.lock:
                self._refresh()

    # -- the hooks (service/fault_hooks.py) -----------------------------------

    def error_for(self, operation: str, params: Mapping[str, Any], context: RequestContext) -> SqsError | None:
        """The error to answer a call with, if an error fault acts on it."""
        with self.lock:
            for fault in self.faults:
                if (
                    isinstance(fault, ErrorFault)
                    and fault.active
                    and (fault.operations is None or operation in fault.operations)
                    and (fault.queue is None or _names(fault.queue, params, context))
                    and fault.draw()
                ):
                    self._refresh()
                    return fault.error
        return None

    def receive(
        self, queue: Queue, take: Take, *, now_ms: int, limit: int, visibility_timeout_s: int, short_poll: bool
    ) -> list[Message]:
        """One receive attempt (service lock held): empty, pending duplicates first, then ``take``."""
        with self.lock:
            self._sync_order(queue)
            if short_poll and queue.counts["visible"] > 0 and self._fires("empty_receive", queue):
                self._refresh()
                return []
            pending = self._pending.get(queue, [])
            due, pending[:] = pending[:limit], pending[limit:]
        # A pending message is never taken afresh: pending copies go first, before ``take``.
        delivered = [queue.redeliver(m, now_ms=now_ms, visibility_timeout_s=visibility_timeout_s) for m in due]
        taken = take(limit - len(delivered)) if len(delivered) < limit else []
        with self.lock:
            for message in taken:
                if self._fires("duplicate_delivery", queue):
                    self._pending.setdefault(queue, []).append(message)
            if taken:
                for fault in self._candidates("reorder", queue):
                    fault._fired += 1
            self._refresh()
        return delivered + taken

    def delete_lost(self, queue: Queue, message: Message) -> bool:
        """Whether this delete is lost (service lock held)."""
        with self.lock:
            lost = self._fires("lost_delete", queue)
            if lost:
                self._refresh()
            return lost

    # -- internals (plan lock held) -------------------------------------------

    def _refresh(self) -> None:
        needed = any(fault.active for fault in self.faults) or any(self._pending.values())
        self.service.faults = self if needed else None

    def _sync_order(self, queue: Queue) -> None:
        wanted = next(
            (fault.order_key for fault in self._candidates("reorder", queue) if isinstance(fault, ReorderFault)),
            None,
        )
        if queue.order_key is not wanted:
            queue.set_order_key(wanted)

    def _candidates(self, kind: FaultKind, queue: Queue) -> list[Fault]:
        # Only empty_receive faults may name a FIFO queue (Faults refuses the others).
        return [
            fault
            for fault in self.faults
            if fault.kind == kind
            and fault.active
            and (fault.queue is None or fault.queue.matches(queue.name, queue.account_id, queue.region))
        ]

    def _fires(self, kind: FaultKind, queue: Queue) -> bool:
        return any(fault.draw() for fault in self._candidates(kind, queue))


def _names(match: QueueAddress, params: Mapping[str, Any], context: RequestContext) -> bool:
    """Whether a request names the queue ``match`` describes (``QueueUrl``, else ``QueueName``)."""
    url = params.get("QueueUrl") or context.path_queue_url
    if url is not None:
        parts = split_queue_url(str(url))
        return parts is not None and match.matches(parts[1], parts[0] or context.account_id, context.region)
    name = params.get("QueueName")
    owner = params.get("QueueOwnerAWSAccountId") or context.account_id
    return name is not None and match.matches(str(name), str(owner), context.region)
