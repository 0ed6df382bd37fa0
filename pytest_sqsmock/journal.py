"""The call journal: every SQS call a mock answered, kept cheaply until read."""

from __future__ import annotations

import threading

from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.transports.dispatch import Exchange
from pytest_sqsmock.views import Call, CallError, CallLog


class Journal:
    """Records exchanges on the hot path; turns them into ``Call`` objects when read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._pending: list[Exchange] = []

    def record(self, exchange: Exchange) -> None:
        """Keep one answered call (the dispatcher's recorder)."""
        with self._lock:
            self._pending.append(exchange)

    def calls(self) -> CallLog:
        """Every call so far, oldest first."""
        with self._lock:
            self._calls.extend(_call_of(exchange) for exchange in self._pending)
            self._pending.clear()
            return CallLog(self._calls)

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()
            self._pending.clear()


def _call_of(exchange: Exchange) -> Call:
    error = exchange.error
    return Call(
        operation=exchange.operation,
        params=exchange.params,
        result=exchange.result,
        error=None if error is None else CallError(error.code, error.message, error.status, exchange.injected),
        account_id=exchange.context.account_id,
        region=exchange.context.region,
        time=to_datetime(exchange.time_ms),
        answered_at=None if exchange.ended_ms is None else to_datetime(exchange.ended_ms),
        sequence=exchange.sequence,
    )
