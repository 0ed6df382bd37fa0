"""The contenders, behind one small interface.

``floor``: botocore answered by canned responses (benchmarks/canned.py).
``ours``: ``mock_sqs()``. ``moto``: ``moto.mock_aws()``, imported only when used.
``direct``: ``mock_sqs(direct=True)``; ``callfloor``: canned parsed answers at
``before-call``, the floor of the direct path (benchmarks/direct.py compares them).

Clients for the floor and for us come from a botocore session without moto's
``before-send`` handler (moto adds it to every session created after
``import moto``), so they never pay for moto's hook.
"""

from __future__ import annotations

import itertools
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final, Protocol
from unittest import mock

import boto3

from benchmarks.canned import BODY, CannedBeforeCall, CannedSqs
from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports import botocore_hook

REGION: Final = "us-east-1"
SIDES: Final = ("floor", "ours", "moto")
# The direct path and its floor: not in the main table (benchmarks/direct.py).
DIRECT_SIDES: Final = ("callfloor", "direct")
_BATCH: Final = 10
# Numbers every prefilled message, so FIFO deduplication ids never repeat.
_SERIAL: Final = itertools.count()


class Side(Protocol):
    """One contender while it is active."""

    name: str
    client: Any

    def create_queue(self, name: str, attributes: dict[str, str] | None = None) -> str:
        """Create a queue through the API and return its URL."""
        ...

    def prefill(self, url: str, count: int, *, groups: int = 0) -> None:
        """Queue ``count`` 100-byte messages by the fastest path (``groups`` > 0: FIFO groups)."""
        ...

    def advance(self, seconds: float) -> None:
        """Move the side's clock forward."""
        ...


def moto_available() -> bool:
    """Whether moto (with its SQS extra) can be imported."""
    try:
        import moto  # noqa: F401 - optional
    except ImportError:
        return False
    return True


def plain_session() -> boto3.session.Session:
    """A boto3 session without moto's inactive ``before-send`` handler."""
    session = boto3.session.Session()
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    if stubber is not None:
        session._session.unregister("before-send", stubber)
    return session


def _client(session: boto3.session.Session, credentials: Mapping[str, str]) -> Any:
    return session.client(
        "sqs",
        region_name=REGION,
        aws_access_key_id=credentials["aws_access_key_id"],
        aws_secret_access_key=credentials["aws_secret_access_key"],
    )


_MOTO_ACCOUNT: Final = "123456789012"  # moto's default account, for any unknown key
_TESTING: Final = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class _Floor:
    name = "floor"

    def __init__(self, client: Any) -> None:
        self.client = client

    def create_queue(self, name: str, attributes: dict[str, str] | None = None) -> str:
        return str(self.client.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"])

    def prefill(self, url: str, count: int, *, groups: int = 0) -> None:
        """Nothing to queue: the canned answers never run out."""

    def advance(self, seconds: float) -> None:
        """The canned answers have no clock."""


class _Ours:
    name = "ours"

    def __init__(self, sqs: SqsMock, client: Any) -> None:
        self.mock = sqs
        self.client = client

    def create_queue(self, name: str, attributes: dict[str, str] | None = None) -> str:
        return str(self.client.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"])

    def prefill(self, url: str, count: int, *, groups: int = 0) -> None:
        # SendMessageBatch straight into the service: full validation, no HTTP,
        # no journal, ~3x faster than SqsMock.send().
        sent = 0
        while sent < count:
            size = min(_BATCH, count - sent)
            entries = [_entry(index, groups) for index in range(size)]
            result = self.mock.simulation.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
            if result["Failed"]:
                raise RuntimeError(f"prefill failed: {result['Failed'][0]}")
            sent += size

    def advance(self, seconds: float) -> None:
        self.mock.advance(seconds)


def body_for(serial: int) -> str:
    """A distinct 100-byte body (a shared string would hide the body's memory)."""
    return f"{BODY[:-12]}{serial:012d}"


def _entry(index: int, groups: int) -> dict[str, Any]:
    serial = next(_SERIAL)
    entry: dict[str, Any] = {"Id": str(index), "MessageBody": body_for(serial)}
    if groups:
        entry["MessageGroupId"] = f"group-{serial % groups}"
        entry["MessageDeduplicationId"] = f"dedup-{serial}"
    return entry


class _Moto:
    name = "moto"

    def __init__(self, client: Any, backend: Any) -> None:
        self.client = client
        self._backend = backend
        self.offset_s = 0.0

    def create_queue(self, name: str, attributes: dict[str, str] | None = None) -> str:
        return str(self.client.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"])

    def prefill(self, url: str, count: int, *, groups: int = 0) -> None:
        # Straight into the queue's list, as backend.send_message() would leave
        # it: send_message() itself scans every queued message on each call.
        from moto.sqs.models import Message

        queue = self._backend.get_queue(url.rsplit("/", 1)[-1])
        for _ in range(count):
            serial = next(_SERIAL)
            message = Message(str(uuid.uuid4()), body_for(serial), {})
            if groups:
                message.group_id = f"group-{serial % groups}"
                message.deduplication_id = f"dedup-{serial}"
                message.sequence_number = f"{serial:020d}"
            message.mark_sent(delay_seconds=0)
            queue._messages.append(message)

    def advance(self, seconds: float) -> None:
        # Takes effect under open_side(virtual_time=True) only (see _moto_clock).
        self.offset_s += seconds


def open_side(name: str, *, empty_receive: bool = False, virtual_time: bool = False) -> AbstractContextManager[Side]:
    """Activate one contender: ``floor``, ``ours`` or ``moto``.

    Args:
        name: Which one.
        empty_receive: The floor answers ReceiveMessage with no message.
        virtual_time: moto's clock follows ``advance()`` (it costs moto a
            wrapper per clock read, so only workloads that advance ask for it).
    """
    if name == "floor":
        return _open_floor(empty_receive)
    if name == "ours":
        return _open_ours()
    if name == "direct":
        return _open_ours(direct=True)
    if name == "callfloor":
        return _open_call_floor()
    if name == "moto":
        return _open_moto(virtual_time)
    raise ValueError(f"unknown side {name!r}; choose from {SIDES + DIRECT_SIDES}")


@contextmanager
def _open_floor(empty_receive: bool) -> Iterator[Side]:
    answer = CannedSqs(empty_receive=empty_receive)
    botocore_hook.push(answer)
    try:
        yield _Floor(_client(plain_session(), _TESTING))
    finally:
        botocore_hook.pop(answer)


@contextmanager
def _open_call_floor() -> Iterator[Side]:
    client = _client(plain_session(), _TESTING)
    # Where the direct path answers: on before-call, after every other handler (botocore's own included).
    client.meta.events.register_last("before-call", CannedBeforeCall())
    yield _Floor(client)


@contextmanager
def _open_ours(*, direct: bool = False) -> Iterator[Side]:
    with mock_sqs(direct=direct) as sqs:
        credentials = sqs.credentials()
        keys = {name: credentials[name] for name in ("aws_access_key_id", "aws_secret_access_key")}
        side = _Ours(sqs, _client(plain_session(), keys))
        if direct:
            side.client.list_queues()  # a client's first call takes the full path and installs the direct one
        yield side


@contextmanager
def _open_moto(virtual_time: bool) -> Iterator[Side]:
    from moto import mock_aws
    from moto.sqs.models import sqs_backends

    with mock_aws():
        client = _client(boto3.session.Session(), _TESTING)
        side = _Moto(client, sqs_backends[_MOTO_ACCOUNT][REGION])
        if not virtual_time:
            yield side
            return
        with _moto_clock(side):
            yield side


@contextmanager
def _moto_clock(side: _Moto) -> Iterator[None]:
    """Let ``side.advance()`` move moto's SQS clock (it has no virtual time)."""
    import moto.sqs.models as models

    real_time: Callable[..., float] = getattr(models, "unix_time")  # noqa: B009 - not re-exported
    real_millis: Callable[..., float] = getattr(models, "unix_time_millis")  # noqa: B009

    def unix_time(dt: Any = None) -> float:
        return real_time(dt) + (0.0 if dt is not None else side.offset_s)

    def unix_time_millis(dt: Any = None) -> float:
        return real_millis(dt) + (0.0 if dt is not None else side.offset_s * 1000)

    with (
        mock.patch.object(models, "unix_time", unix_time),
        mock.patch.object(models, "unix_time_millis", unix_time_millis),
    ):
        yield
