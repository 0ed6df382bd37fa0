"""Identifiers in UUID form (message ids, request ids)."""

from __future__ import annotations

import random

_random = random.Random()
# The version nibble (bits 76-79: 4) and the variant bits (62-63: 0b10) of a version-4 UUID.
_KEPT = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
_SET = (0x4 << 76) | (0x2 << 62)


def random_uuid() -> str:
    """A random version-4 UUID string.

    Ids here must be unique, not unguessable: a 122-bit random number from
    ``random`` costs a fraction of ``uuid4()``'s call for system entropy,
    and SendMessage makes one per message.
    """
    # Version 4 and the RFC 4122 variant, as uuid4() sets them.
    digits = f"{_random.getrandbits(128) & _KEPT | _SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
