"""The suite's socket guard (tests/conftest.py) refuses every non-loopback address."""

from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize(
    ("family", "address"),
    [(socket.AF_INET, ("192.0.2.1", 443)), (socket.AF_INET6, ("2001:db8::1", 443, 0, 0))],
    ids=["ipv4", "ipv6"],
)
def test_a_connect_to_a_non_loopback_address_is_refused(
    family: int, address: tuple[object, ...], refused_connects: list[str]
) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(ConnectionRefusedError, match="only reach loopback"):
            sock.connect(address)
        with pytest.raises(ConnectionRefusedError, match="only reach loopback"):
            sock.connect_ex(address)


def test_loopback_is_allowed() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()) as client:
        assert client.getpeername()[0] == "127.0.0.1"
