"""Every queue of a simulation, keyed by account and region."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pytest_sqsmock.model.addresses import split_arn
from pytest_sqsmock.model.queue import Queue


@dataclass
class RegionState:
    """The queues of one account in one region."""

    account_id: str
    region: str
    queues: dict[str, Queue] = field(default_factory=dict)
    deleted_at_ms: dict[str, int] = field(default_factory=dict)


class Registry:
    """Accounts by regions. Reading never creates a region; ``region()`` does."""

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], RegionState] = {}

    def region(self, account_id: str, region: str) -> RegionState:
        """The state of one account in one region, created on first use."""
        key = (account_id, region)
        state = self._regions.get(key)
        if state is None:
            state = self._regions[key] = RegionState(account_id, region)
        return state

    def find(self, account_id: str, region: str, name: str) -> Queue | None:
        """A queue by its coordinates, or ``None``."""
        state = self._regions.get((account_id, region))
        return None if state is None else state.queues.get(name)

    def find_by_arn(self, arn: str) -> Queue | None:
        """A queue by its ARN, or ``None``."""
        parts = split_arn(arn)
        if parts is None:
            return None
        region, account_id, name = parts
        queue = self.find(account_id, region, name)
        return queue if queue is not None and queue.arn == arn else None

    def all_queues(self, account_id: str | None = None, region: str | None = None) -> Iterator[Queue]:
        """Every queue, optionally filtered; in creation order within a region."""
        for (account, name), state in self._regions.items():
            if (account_id is None or account == account_id) and (region is None or name == region):
                yield from state.queues.values()

    def clear(self) -> None:
        """Forget every queue."""
        self._regions.clear()
