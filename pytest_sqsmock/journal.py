"""The call journal: the SQS calls a mock answered, kept compactly and within a limit.

The dispatcher hands over one ``Exchange`` per call; the journal keeps it as is
until ``_FOLD_EVERY`` are pending, then folds them into compact records: one
tuple per call, whose parts that repeat from call to call (operation, parameter
and result member names, account, region) live once in a shared head, and whose
queue URLs are shared strings. A record holds the parameter and result values
themselves (a message body is the very string the queued message holds), so
``calls`` rebuilds each :class:`Call` exactly when read.

At most ``limit`` records are kept: the oldest go first, and the journal counts
them per operation so ``calls`` can say what it no longer holds.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Final

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.transports.dispatch import Exchange
from pytest_sqsmock.views import Call, CallError, CallLog

DEFAULT_JOURNAL_LIMIT: Final = 100_000
_FOLD_EVERY: Final = 1024  # exchanges kept whole before folding: a bounded batch, an amortised cost
_SHARED_KEYS: Final = frozenset({"QueueUrl", "QueueName", "QueueNamePrefix", "QueueOwnerAWSAccountId"})
_MAX_SHARED: Final = 4096  # distinct shared strings (queue URLs, names); past it, values stay unshared

# (operation, parameter names, result names or None, account, region, injected)
_Head = tuple[str, tuple[str, ...], tuple[str, ...] | None, str, str, bool]
# (head, time_ms, ended_ms, sequence, error, *parameter values, *result values)
_Record = tuple[Any, ...]
_FIXED: Final = 5


class Journal:
    """Records exchanges on the hot path; keeps the latest ``limit`` compactly; builds ``Call`` objects when read.

    Args:
        limit: How many calls to keep (the latest); ``None`` keeps every call.
    """

    def __init__(self, limit: int | None = DEFAULT_JOURNAL_LIMIT) -> None:
        check_limit(limit)
        self.limit = limit
        self._lock = threading.Lock()
        self._pending: list[Exchange] = []
        self._records: deque[_Record] = deque(maxlen=limit)
        self._dropped: dict[str, int] = {}
        self._heads: dict[_Head, _Head] = {}
        self._shared: dict[str, str] = {}

    def record(self, exchange: Exchange) -> None:
        """Keep one answered call (the dispatcher's recorder)."""
        with self._lock:
            self._pending.append(exchange)
            if len(self._pending) >= _FOLD_EVERY:
                self._fold()

    def calls(self) -> CallLog:
        """The calls kept, oldest first, and how many earlier ones were dropped."""
        with self._lock:
            self._fold()
            records = list(self._records)
            dropped = dict(self._dropped)
        return CallLog((_call_of(record) for record in records), dropped=dropped, limit=self.limit)

    def clear(self) -> None:
        """Forget every call, and the count of dropped ones."""
        with self._lock:
            self._pending.clear()
            self._records.clear()
            self._dropped.clear()
            self._heads.clear()
            self._shared.clear()

    def _fold(self) -> None:
        """Turn the pending exchanges into records, dropping the oldest past the limit (lock held)."""
        records, limit = self._records, self.limit
        for exchange in self._pending:
            record = self._record_of(exchange)
            if limit is not None and len(records) == limit:
                gone = record[0][0] if limit == 0 else records[0][0][0]
                self._dropped[gone] = self._dropped.get(gone, 0) + 1
            records.append(record)
        self._pending.clear()

    def _record_of(self, exchange: Exchange) -> _Record:
        params, result, context = exchange.params, exchange.result, exchange.context
        key: _Head = (
            exchange.operation,
            tuple(params),
            None if result is None else tuple(result),
            context.account_id,
            context.region,
            exchange.injected,
        )
        head = self._heads.setdefault(key, key)
        values = [self._share(name, value) for name, value in params.items()]
        if result is not None:
            values.extend(result.values())
        error = exchange.error
        call_error = None if error is None else CallError(error.code, error.message, error.status, exchange.injected)
        return (head, exchange.time_ms, exchange.ended_ms, exchange.sequence, call_error, *values)

    def _share(self, name: str, value: Any) -> Any:
        """One string object for every call naming the same queue."""
        if name not in _SHARED_KEYS or not isinstance(value, str):
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


def _call_of(record: _Record) -> Call:
    operation, names, result_names, account_id, region, _ = record[0]
    split = _FIXED + len(names)
    ended_ms = record[2]
    return Call(
        operation=operation,
        params=dict(zip(names, record[_FIXED:split], strict=True)),
        result=None if result_names is None else dict(zip(result_names, record[split:], strict=True)),
        error=record[4],
        account_id=account_id,
        region=region,
        time=to_datetime(record[1]),
        answered_at=None if ended_ms is None else to_datetime(ended_ms),
        sequence=record[3],
    )
