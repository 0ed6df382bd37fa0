"""The call journal: the SQS calls a mock answered, kept compactly and within a limit.

The simulation hands over ``Exchange``s in batches (one per call); the journal folds
them into compact records laid back to back in one list: the parts that repeat from call to call (operation,
parameter and result member names, account, region, the record's layout) live
once in a shared head, and queue URLs are shared strings. A record holds the parameter and result values
themselves (a message body is the very string the queued message holds), and
``calls`` builds each :class:`Call` when first read, keeping it for later reads:
a test that never reads ``calls`` holds no ``Call`` objects, and one that reads
it after every call builds each only once.

At most ``limit`` records are kept: the oldest go first, and the journal counts
them per operation so ``calls`` can say what it no longer holds.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Final

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.transports.dispatch import Exchange
from pytest_sqsmock.views import Call, CallError, CallLog

DEFAULT_JOURNAL_LIMIT: Final = 100_000
# Parameters whose values repeat from call to call; a FIFO queue keeps the first string of each
# message group too, so sharing the group id here lets the journal and the queue hold one string.
_SHARED_KEYS: Final = frozenset(
    {"QueueUrl", "QueueName", "QueueNamePrefix", "QueueOwnerAWSAccountId", "MessageGroupId"}
)
_MAX_SHARED: Final = 4096  # distinct shared strings (queue URLs, names); past it, values stay unshared

# (operation, parameter names, result names or None, account, region, injected, ended, has_error, size)
_Head = tuple[str, tuple[str, ...], tuple[str, ...] | None, str, str, bool, int, bool, int]
# ``ended`` in a head: how a record gives the time its call was answered.
_ENDED_NONE, _ENDED_AT_START, _ENDED_LATER = 0, 1, 2
_TRIM_AT: Final = 4096  # items before the oldest kept record that trigger a trim of the list


class Journal:
    """Records exchanges on the hot path; keeps the latest ``limit`` compactly; builds ``Call`` objects when read.

    Records lie back to back in one list: head, start time, sequence, then the answer
    time only when it differs from the start, the error only when there is one, then the
    parameter and result values. The head gives the layout, so no record needs an object
    of its own.

    Args:
        limit: How many calls to keep (the latest); ``None`` keeps every call.
    """

    def __init__(self, limit: int | None = DEFAULT_JOURNAL_LIMIT) -> None:
        check_limit(limit)
        self.limit = limit
        self._lock = threading.Lock()
        self._items: list[Any] = []
        self._start = 0  # index in _items of the oldest record kept
        self._count = 0  # records kept
        self._dropped: dict[str, int] = {}
        self._heads: dict[_Head, _Head] = {}
        self._shared: dict[str, str] = {}
        # The calls a read built, for the records in _items[_start:_unbuilt]: a later read builds only newer ones.
        self._built: deque[Call] = deque()
        self._unbuilt = 0

    def add(self, exchanges: Iterable[Exchange]) -> None:
        """Keep answered calls, oldest first, dropping the oldest kept past the limit."""
        with self._lock:
            for exchange in exchanges:
                if self.limit == 0:
                    self._dropped[exchange.operation] = self._dropped.get(exchange.operation, 0) + 1
                    continue
                self._append(exchange)
                self._count += 1
                if self.limit is not None and self._count > self.limit:
                    self._drop_oldest()

    def calls(self) -> CallLog:
        """The calls kept, oldest first, and how many earlier ones were dropped."""
        with self._lock:
            self._unbuilt = max(self._unbuilt, self._start)
            self._built.extend(_calls_of(self._items[self._unbuilt :]))
            self._unbuilt = len(self._items)
            calls = list(self._built)
            dropped = dict(self._dropped)
        return CallLog(calls, dropped=dropped, limit=self.limit)

    def clear(self) -> None:
        """Forget every call, and the count of dropped ones."""
        with self._lock:
            self._items.clear()
            self._start = self._count = 0
            self._dropped.clear()
            self._heads.clear()
            self._shared.clear()
            self._built.clear()
            self._unbuilt = 0

    def _drop_oldest(self) -> None:
        items = self._items
        head: _Head = items[self._start]
        self._dropped[head[0]] = self._dropped.get(head[0], 0) + 1
        if self._unbuilt > self._start:  # a read built it
            self._built.popleft()
        self._start += head[8]
        self._count -= 1
        if self._start >= _TRIM_AT and 2 * self._start > len(items):
            del items[: self._start]
            self._unbuilt = max(0, self._unbuilt - self._start)
            self._start = 0

    def _append(self, exchange: Exchange) -> None:
        params, result, context, error = exchange.params, exchange.result, exchange.context, exchange.error
        ended_ms, time_ms = exchange.ended_ms, exchange.time_ms
        ended = _ENDED_NONE if ended_ms is None else _ENDED_AT_START if ended_ms == time_ms else _ENDED_LATER
        names = tuple(params)
        result_names = None if result is None else tuple(result)
        size = 3 + (ended == _ENDED_LATER) + (error is not None) + len(names) + len(result or ())
        key: _Head = (
            exchange.operation,
            names,
            result_names,
            context.account_id,
            context.region,
            exchange.injected,
            ended,
            error is not None,
            size,
        )
        items = self._items
        items += (self._heads.setdefault(key, key), time_ms, exchange.sequence)
        if ended == _ENDED_LATER:
            items.append(ended_ms)
        if error is not None:
            items.append(CallError(error.code, error.message, error.status, exchange.injected))
        items += [self._share(value) if name in _SHARED_KEYS else value for name, value in params.items()]
        if result is not None:
            items += result.values()

    def _share(self, value: Any) -> Any:
        """One string object for every call naming the same queue (or message group)."""
        if not isinstance(value, str):
            return value
        shared = self._shared.get(value)
        if shared is not None:
            return shared
        if len(self._shared) < _MAX_SHARED:
            self._shared[value] = value
        return value


def check_limit(limit: object) -> None:
    """Refuse a ``journal_limit`` that is neither ``None`` nor a whole number >= 0.

    Raises:
        ValueError: it is not.
    """
    if limit is not None and (type(limit) is not int or limit < 0):
        raise ValueError(f"journal_limit must be a whole number >= 0 or None, got {limit!r}")


def _calls_of(items: list[Any]) -> Iterator[Call]:
    """The calls of records laid back to back (see :class:`Journal`)."""
    index = 0
    while index < len(items):
        operation, names, result_names, account_id, region, _, ended, has_error, size = items[index]
        time_ms, sequence = items[index + 1], items[index + 2]
        at = index + 3
        ended_ms = None if ended == _ENDED_NONE else time_ms if ended == _ENDED_AT_START else items[at]
        at += ended == _ENDED_LATER
        error = items[at] if has_error else None
        at += has_error
        split = at + len(names)
        yield Call(
            operation=operation,
            params=dict(zip(names, items[at:split], strict=True)),
            result=None if result_names is None else dict(zip(result_names, items[split : index + size], strict=True)),
            error=error,
            account_id=account_id,
            region=region,
            time=to_datetime(time_ms),
            answered_at=None if ended_ms is None else to_datetime(ended_ms),
            sequence=sequence,
        )
        index += size
