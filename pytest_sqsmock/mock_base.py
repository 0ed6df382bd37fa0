"""What every part of ``SqsMock`` shares: its state and the few internals all of them use."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from pytest_sqsmock import snapshots
from pytest_sqsmock.clock import Clock
from pytest_sqsmock.exceptions import SqsMockError
from pytest_sqsmock.faults import Faults
from pytest_sqsmock.journal import Journal
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.principals import access_key_for, sender_id_for
from pytest_sqsmock.transports.dispatch import Dispatcher

if TYPE_CHECKING:
    from pytest_sqsmock.mock import SqsMock

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"

ClockName = Literal["virtual", "system"]


class Traveller(Protocol):
    """freezegun's frozen factory or time-machine's traveller: they both ``move_to``."""

    def move_to(self, destination: datetime) -> object:
        """Jump to ``destination``."""
        ...


class MockState:
    """The state of an ``SqsMock``; the mixins that make it up read and change it."""

    region: str
    account_id: str
    clock_name: ClockName
    _start: datetime | None
    _active: bool
    _exit_stack: ExitStack | None
    _dispatcher: Dispatcher | None
    _service: Service | None
    _clock: Clock
    _journal: Journal
    _session_lock: threading.Lock
    _travellers: list[Traveller]
    _boto3_session: Any
    _faults: Faults | None

    def _require_service(self) -> Service:
        if self._service is None:
            raise SqsMockError("this SqsMock was never started; use it as a context manager or the sqs_mock fixture")
        return self._service

    def _call(
        self, operation: str, params: dict[str, Any], region: str | None, account_id: str | None
    ) -> dict[str, Any]:
        account = account_id or self.account_id
        context = RequestContext(
            account_id=account,
            region=region or self.region,
            operation=operation,
            sender_id=sender_id_for(access_key_for(account), account),
        )
        return self._require_service().handle(operation, params, context)

    def _coordinates(self, name_or_url: str, region: str | None, account_id: str | None) -> snapshots.Coordinates:
        default = (self.account_id, "", self.region)
        return snapshots.coordinates(name_or_url, region=region, account_id=account_id, default=default)


def as_mock(part: MockState) -> SqsMock:
    """The whole ``SqsMock`` a mixin's ``self`` is (every ``MockState`` is one at run time)."""
    return cast("SqsMock", part)


def to_ms(when: datetime | None) -> int | None:
    """Epoch milliseconds of a datetime (naive means UTC)."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return round(when.timestamp() * 1000)
