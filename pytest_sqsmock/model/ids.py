"""Identifiers in UUID form (message ids, request ids)."""

from __future__ import annotations

import random
import uuid

_random = random.Random()


def random_uuid() -> str:
    """A random version-4 UUID string.

    Ids here must be unique, not unguessable: a 122-bit random number from
    ``random`` costs a fraction of ``uuid4()``'s call for system entropy,
    and SendMessage makes one per message.
    """
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))
