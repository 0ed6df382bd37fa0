"""Callers: access key ids that stand for accounts, and the SenderId SQS reports.

A key made by ``access_key_for(account)`` names its account in itself, so any
process (a subprocess worker, another SDK) that signs with it is that account,
with no table to share. Any other key is the simulation's default account.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re

_KEY = re.compile(r"^AKIA(\d{12})SQSM$")
_ACCOUNT = re.compile(r"^\d{12}$")


def is_account_id(value: str) -> bool:
    """Whether ``value`` is a 12-digit AWS account id."""
    return bool(_ACCOUNT.match(value))


def access_key_for(account_id: str) -> str:
    """A 20-character access key id that the simulation reads as ``account_id``."""
    if not is_account_id(account_id):
        raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")
    return f"AKIA{account_id}SQSM"


def secret_key_for(account_id: str) -> str:
    """A fake secret to pair with ``access_key_for(account_id)``."""
    return f"sqsmock-secret-{account_id}"


def account_for(access_key_id: str | None, default: str) -> str:
    """The account an access key stands for (``default`` when it names none)."""
    match = _KEY.match(access_key_id or "")
    return match.group(1) if match else default


@functools.lru_cache(maxsize=256)
def sender_id_for(access_key_id: str | None, account_id: str) -> str:
    """A stable IAM-user-style id (``AIDA`` + 17 characters) for a caller."""
    digest = hashlib.sha256(f"{account_id}:{access_key_id}".encode()).digest()
    return "AIDA" + base64.b32encode(digest).decode()[:17]
