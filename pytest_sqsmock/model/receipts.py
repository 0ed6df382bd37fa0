"""Receipt handles: opaque to clients, but self-describing to us.

A handle names the queue incarnation, the message and which receive issued
it, so a handle of another queue, a forged one and an old one can each get
the answer SQS gives them without a table of every handle ever issued.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

_PREFIX = "AQEB"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt handle says."""

    queue_token: str
    message_id: str
    receipt: int


def issue(queue_token: str, message_id: str, receipt: int) -> str:
    """A new handle for the ``receipt``-th receive of a message."""
    nonce = os.urandom(12).hex()
    payload = f"{queue_token}|{message_id}|{receipt}|{nonce}".encode()
    return _PREFIX + base64.b64encode(payload).decode()


def parse(handle: str) -> Receipt | None:
    """The receipt a handle names, or ``None`` when we never issued it."""
    if not handle.startswith(_PREFIX):
        return None
    try:
        payload = base64.b64decode(handle[len(_PREFIX) :], validate=True).decode()
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text, or bytes that are not UTF-8
        return None
    parts = payload.split("|")
    if len(parts) != 4 or not (parts[2].isascii() and parts[2].isdigit()):
        return None
    return Receipt(parts[0], parts[1], int(parts[2]))
