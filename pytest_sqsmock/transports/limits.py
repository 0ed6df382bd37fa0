"""What one loopback server lets a peer hold: connections, time, and bytes.

A request's body may be at most :data:`MAX_REQUEST_BYTES`. SQS caps a message
(body plus message attributes) at 1 MiB (1,048,576 bytes), and so the sum of a
batch; a request carries its payload encoded, which makes it bigger. The worst a
client can legitimately send is a 1 MiB binary attribute on the query protocol:
base64 makes it 4/3 bigger and percent-encoding triples each ``+``, ``/`` and ``=``
of that, 4 bytes on the wire per byte of payload (text is at most 3: percent-encoded
UTF-8, or JSON's six-byte escapes, which botocore sends for every non-ASCII
character). Parameter names add a few KiB. So 5 MiB serves every request SQS
accepts, and refuses a peer that would make us buffer more; AWS's own front end
also refuses by size, with a 413, well above its message limit (a 1,662,976-byte
cap was reported when messages were limited to 256 KiB: aws/aws-sdk-js#479).
``tests/transports/test_server_limits.py`` proves the 4-bytes-per-byte bound with
botocore's own serialisers.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

MAX_REQUEST_BYTES: Final = 5 * 1024 * 1024
"""The largest request body the server reads (see the module docstring)."""

SMALL_REQUEST_BYTES: Final = 64 * 1024
"""Bodies up to this size are read without waiting for the shared body budget."""


@dataclass(frozen=True)
class ServerLimits:
    """Bounds on what peers of one server may hold; defaults suit tests and development.

    Attributes:
        max_connections: Connections served at once (a thread each). One more is
            answered with SQS's 503 ``ServiceUnavailable`` and closed.
        idle_timeout_s: How long a kept-alive connection may wait, with no request
            begun, before the server closes it.
        read_timeout_s: How long a request may stay silent once begun (and how
            long a peer may take to accept our answer) before the server gives up.
        request_timeout_s: How long a whole request, head and body, may take to
            arrive from its first byte: a peer that trickles a header line every
            few seconds is cut off here.
        max_request_bytes: The largest body read; a request that announces more is
            refused from its headers alone, with a 413.
        max_head_bytes: The largest request line plus headers (431 beyond).
        body_budget_bytes: The bytes of large bodies (over 64 KiB) held by all
            connections at once, from reading to answering; a large request waits
            for room, up to its ``request_timeout_s``, then gets a 503.
    """

    max_connections: int = 128
    idle_timeout_s: float = 60.0
    read_timeout_s: float = 20.0
    request_timeout_s: float = 40.0
    max_request_bytes: int = MAX_REQUEST_BYTES
    max_head_bytes: int = 16 * 1024
    body_budget_bytes: int = 2 * MAX_REQUEST_BYTES

    def __post_init__(self) -> None:
        for name in ("max_connections", "max_request_bytes", "max_head_bytes", "body_budget_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"ServerLimits.{name} must be at least 1, got {getattr(self, name)!r}")
        for name in ("idle_timeout_s", "read_timeout_s", "request_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"ServerLimits.{name} must be a positive number of seconds, got {getattr(self, name)!r}"
                )
        if self.body_budget_bytes < self.max_request_bytes:
            raise ValueError("ServerLimits.body_budget_bytes must hold at least one request of max_request_bytes")


class BodyBudget:
    """Bytes that large request bodies may hold at once, shared by a server's connections."""

    def __init__(self, total: int) -> None:
        self._free = total
        self._changed = threading.Condition()

    def take(self, size: int, deadline: float) -> bool:
        """Reserve ``size`` bytes, waiting until ``deadline`` (``time.monotonic()``); False when there was no room."""
        with self._changed:
            while self._free < size:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            self._free -= size
            return True

    def give_back(self, size: int) -> None:
        """Return a reservation made by :meth:`take`, and the memory the large body held to the system."""
        with self._changed:
            self._free += size
            self._changed.notify_all()
        _trim()


def _load_trim() -> Callable[[int], int] | None:
    # glibc keeps freed memory in per-thread arenas: after a large body was read, decoded and
    # answered on one of many connection threads, that thread's arena would go on holding it (a
    # hundred concurrent 5 MiB requests grew the server by 170 MB; 115 MB with this). malloc_trim(0)
    # hands free pages back to the system.
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


_malloc_trim: Final = _load_trim()


def _trim() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)
