"""Identifiers in UUID form (message ids, request ids)."""

from __future__ import annotations

import random

_random = random.Random()


def random_uuid() -> str:
    """A random version-4 UUID string.

    Ids here must be unique, not unguessable: a 122-bit random number from
    ``random`` costs a fraction of ``uuid4()``'s call for system entropy,
    and SendMessage makes one per message.
    """
    digits = f"{_random.getrandbits(128):032x}"
    # Version 4 and the RFC 4122 variant, as uuid4() sets them.
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"
