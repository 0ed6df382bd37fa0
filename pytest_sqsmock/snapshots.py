"""Views of the simulation: finding queues the way tests name them, and snapshotting them."""

from __future__ import annotations

from pytest_sqsmock.exceptions import UnknownQueueError
from pytest_sqsmock.model.addresses import default_endpoint, queue_url, split_arn
from pytest_sqsmock.model.pins import PinnedMessages
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.references import QueueRef, address_of
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.operations.queues import dynamic_attributes
from pytest_sqsmock.service.rules.queue_attributes import render_attributes
from pytest_sqsmock.views import QueueView, TenantView

Coordinates = tuple[str, str, str]  # (account_id, name, region)


def coordinates(queue: QueueRef, *, region: str | None, account_id: str | None, default: Coordinates) -> Coordinates:
    """Where a queue named by name, URL, ARN or view lives; ``default`` fills in account and region.

    Raises:
        UnknownQueueError: ``queue`` names no queue.
    """
    address = address_of(queue)
    if address is None:
        raise UnknownQueueError(f"{queue!r} is neither a queue name, URL nor ARN")
    if isinstance(queue, QueueView) or split_arn(queue) is not None:
        return address.account_id or default[0], address.name, address.region or default[2]
    return account_id or address.account_id or default[0], address.name, region or address.region or default[2]


def find(service: Service, where: Coordinates) -> QueueView:
    """A snapshot of the queue at ``where``.

    Raises:
        UnknownQueueError: there is none; the message lists the queues that exist.
    """
    with service.lock:
        return view_of(service, queue_at(service, where))


def queue_at(service: Service, where: Coordinates) -> Queue:
    """The queue at ``where`` (the simulation's lock held), move tasks caught up.

    Raises:
        UnknownQueueError: there is none; the message lists the queues that exist.
    """
    account, name, region = where
    service.catch_up_tasks()
    queue = service.registry.find(account, region, name)
    if queue is None:
        raise UnknownQueueError(_unknown_queue_message(service, name, account, region))
    return queue


def every(service: Service, *, region: str | None, account_id: str | None) -> list[QueueView]:
    """Snapshots of every queue, optionally of one region and/or account."""
    with service.lock:
        service.catch_up_tasks()
        return [view_of(service, queue) for queue in service.registry.all_queues(account_id, region)]


def view_of(service: Service, queue: Queue, seen: set[str] | None = None) -> QueueView:
    """A snapshot of one queue and, through its RedrivePolicy, its dead-letter queue (lock held)."""
    seen = set() if seen is None else seen
    queue.catch_up(service.now_ms())
    seen.add(queue.arn)
    dead_letter = None
    policy = queue.settings.redrive_policy
    if policy is not None and policy.dead_letter_target_arn not in seen:
        target = service.registry.find_by_arn(policy.dead_letter_target_arn)
        dead_letter = None if target is None else view_of(service, target, seen)
    return QueueView(
        name=queue.name,
        url=queue_url(default_endpoint(queue.region), queue.account_id, queue.name),
        arn=queue.arn,
        region=queue.region,
        account_id=queue.account_id,
        fifo=queue.settings.fifo,
        attributes=render_attributes(queue.settings, ["All"], dynamic=dynamic_attributes(queue)),
        tags=dict(queue.tags),
        dead_letter_queue=dead_letter,
        tenants=_tenants(queue, service.now_ms()),
        _taken=PinnedMessages(queue.pin(), service.lock),
        _counts=dict(queue.counts),
    )


def _tenants(queue: Queue, now_ms: int) -> dict[str, TenantView]:
    """A standard queue's tenants (fair queues); none for FIFO queues and queues never sent a group id."""
    if queue.fairness is None:
        return {}
    return {
        figures.group_id: TenantView(
            group_id=figures.group_id,
            visible=figures.visible,
            delayed=figures.delayed,
            in_flight=figures.in_flight,
            processing_ms=figures.processing_ms,
            noisy=figures.noisy,
        )
        for figures in queue.fairness.figures(in_flight=queue.counts["in_flight"], now_ms=now_ms)
    }


def describe(views: list[QueueView], *, messages_per_queue: int = 3) -> str:
    """A readable summary of queues: counts per state and the first messages."""
    if not views:
        return "sqs_mock: no queues"
    lines: list[str] = []
    for view in views:
        lines.append(
            f"sqs_mock: queue {view.name!r} ({view.account_id}/{view.region}): "
            f"visible: {view._count('visible')}, delayed: {view._count('delayed')}, in_flight: {view._count('in_flight')}"
        )
        lines.extend(f"    {message!r}" for message in view._first(messages_per_queue))
        if len(view) > messages_per_queue:
            lines.append(f"    ... {len(view) - messages_per_queue} more")
    return "\n".join(lines)


def state_signature(service: Service) -> tuple[tuple[str, int, int, int], ...]:
    """Per queue: ARN and its visible, delayed and in-flight counts (tells whether anything happened)."""
    with service.lock:
        service.catch_up_tasks()
        now = service.now_ms()
        signature = []
        for queue in service.registry.all_queues():
            queue.catch_up(now)
            signature.append((queue.arn, queue.counts["visible"], queue.counts["delayed"], queue.counts["in_flight"]))
        return tuple(signature)


def _unknown_queue_message(service: Service, name: str, account: str, region: str) -> str:
    here = sorted(queue.name for queue in service.registry.all_queues(account, region))
    elsewhere = sorted(
        f"{queue.account_id}/{queue.region}" for queue in service.registry.all_queues() if queue.name == name
    )
    return (
        f"no queue {name!r} in account {account}, region {region}.\n"
        f"  Queues there: {', '.join(here) or 'none'}. "
        f"Other places with a queue {name!r}: {', '.join(elsewhere) or 'none'}.\n"
        "  Pass region= / account_id= to sqs_mock.queue(); see README#regions-and-accounts"
    )
