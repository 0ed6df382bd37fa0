"""Suite-wide guard: no test opens a socket to anything but this machine's loopback.

Every connect of every socket in this process is checked while the suite runs;
one to a non-loopback address fails the call with ``ConnectionRefusedError``
and is recorded, and the session fails at the end if any was attempted. Other
processes (the AWS CLI, node) are not covered here: their endpoints are the
loopback server.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

_attempts: list[str] = []
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _is_local(family: int, address: Any) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # Unix sockets and the like stay on this machine
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a host name: connect would resolve it, and it is not ours


def _guarded_connect(self: Any, address: Any) -> None:
    if not _is_local(self.family, address):
        _attempts.append(repr(address))
        raise ConnectionRefusedError(f"the test suite may only reach loopback addresses, not {address!r}")
    _original_connect(self, address)


def _guarded_connect_ex(self: Any, address: Any) -> int:
    if not _is_local(self.family, address):
        _attempts.append(repr(address))
        raise ConnectionRefusedError(f"the test suite may only reach loopback addresses, not {address!r}")
    return _original_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = _original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
    assert not _attempts, f"tests tried to reach the network: {_attempts}"


@pytest.fixture
def refused_connects() -> Iterator[list[str]]:
    """The non-loopback connects refused during the test (which the guard's own test makes on purpose)."""
    before = len(_attempts)
    made: list[str] = []
    yield made
    made.extend(_attempts[before:])
    del _attempts[before:]
