"""Identifiers in UUID form (message ids, request ids)."""

from __future__ import annotations

import os
import random
from typing import Final

_random = random.Random()
# The version nibble (bits 76-79: 4) and the variant bits (62-63: 0b10) of a version-4 UUID.
_KEPT: Final = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
_SET: Final = (0x4 << 76) | (0x2 << 62)
_BATCH: Final = 64
# Ids made ahead, a batch at a time: making 64 in one loop costs less than one at a time between calls.
_ready: list[str] = []
# What one call may need at most (SendMessageBatch: ten message ids), made ahead by top_up().
_LOW: Final = 16


def random_uuid() -> str:
    """A random version-4 UUID string.

    Ids here must be unique, not unguessable: a 122-bit random number from
    ``random`` costs a fraction of ``uuid4()``'s call for system entropy,
    and SendMessage makes two per message (its id and the request's).
    """
    while True:
        try:
            return _ready.pop()
        except IndexError:  # none left (another thread may have taken the last): make a batch
            _ready.extend(_batch())


def top_up() -> None:
    """Make a batch now unless enough ids are ready for one call.

    ``Service.handle`` calls this before it takes the simulation's lock, so a
    batch is made outside it rather than in the middle of a SendMessage that
    holds it.
    """
    if len(_ready) < _LOW:
        _ready.extend(_batch())


def _batch() -> list[str]:
    made = []
    for _ in range(_BATCH):
        # Version 4 and the RFC 4122 variant, as uuid4() sets them.
        digits = f"{_random.getrandbits(128) & _KEPT | _SET:032x}"
        made.append(f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}")
    return made


def _after_fork() -> None:  # pragma: no cover - runs in the forked child (tests/wire/test_codec.py forks one)
    """A forked child draws its own ids: neither the parent's batch nor its random state."""
    _ready.clear()
    _random.seed()


os.register_at_fork(after_in_child=_after_fork)
