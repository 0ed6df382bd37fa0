"""Assertion helpers whose failures show the queue as it actually is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_sqsmock.exceptions import SqsMockAssertionError
from pytest_sqsmock.references import QueueRef
from pytest_sqsmock.simulation import Simulation
from pytest_sqsmock.views import MessageView, QueueView


def _state(view: QueueView, limit: int = 5) -> str:
    lines = [repr(view)]
    lines.extend(f"    {message!r}" for message in view._first(limit))
    if len(view) > limit:
        lines.append(f"    ... {len(view) - limit} more")
    return "\n".join(lines)


def assert_empty(
    simulation: Simulation, queue: QueueRef, *, region: str | None = None, account_id: str | None = None
) -> None:
    """Fail unless the queue holds no message at all (visible, delayed or in flight)."""
    __tracebackhide__ = True
    view = simulation.view(queue, region=region, account_id=account_id)
    if len(view):
        raise SqsMockAssertionError(f"expected queue {view.name!r} to be empty, it holds {len(view)}:\n{_state(view)}")


def assert_nothing_in_flight(
    simulation: Simulation, queue: QueueRef | None = None, *, region: str | None = None, account_id: str | None = None
) -> None:
    """Fail if a message is in flight (in one queue, or in any queue when ``queue`` is None)."""
    __tracebackhide__ = True
    views = (
        [simulation.view(queue, region=region, account_id=account_id)]
        if queue
        else simulation.views(region, account_id)
    )
    busy = [view for view in views if view.in_flight]
    if busy:
        details = "\n".join(_state(view) for view in busy)
        raise SqsMockAssertionError(f"expected no message in flight, found some:\n{details}")


def _json_contains(body: str, subset: Mapping[str, Any]) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and all(document.get(key, _MISSING) == value for key, value in subset.items())


_MISSING = object()


def assert_dead_lettered(
    simulation: Simulation,
    queue: QueueRef,
    *,
    body: str | None = None,
    json_subset: Mapping[str, Any] | None = None,
    receives: int | None = None,
    region: str | None = None,
    account_id: str | None = None,
) -> MessageView:
    """Fail unless a message matching ``body`` / ``json_subset`` sits in ``queue``'s dead-letter queue.

    Args:
        simulation: The simulation.
        queue: The source queue (its RedrivePolicy names the dead-letter queue).
        body: The exact body to look for.
        json_subset: Keys and values the JSON body must contain.
        receives: The receive count the message must show (receives in the
            source plus any in the dead-letter queue).
        region: The region of ``queue`` (default: the mock's).
        account_id: The account of ``queue`` (default: the mock's).

    Returns:
        The matching message.
    """
    __tracebackhide__ = True
    source = simulation.view(queue, region=region, account_id=account_id)
    dead = source.dead_letter_queue
    if dead is None:
        raise SqsMockAssertionError(
            f"queue {source.name!r} has no dead-letter queue (no RedrivePolicy):\n{_state(source)}"
        )
    for message in dead.messages:
        if body is not None and message.body != body:
            continue
        if json_subset is not None and not _json_contains(message.body, json_subset):
            continue
        if receives is not None and message.receive_count != receives:
            continue
        return message
    wanted = ", ".join(
        f"{name}={value!r}"
        for name, value in (("body", body), ("json_subset", json_subset), ("receives", receives))
        if value is not None
    )
    raise SqsMockAssertionError(
        f"no message with {wanted or 'any content'} in dead-letter queue {dead.name!r} of {source.name!r}.\n"
        f"Dead-letter queue:\n{_state(dead)}\nSource queue:\n{_state(source)}"
    )
