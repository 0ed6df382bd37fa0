"""Callers: access key ids that stand for accounts, and the SenderId SQS reports.

A key made by ``access_key_for(account)`` names its account in itself, so any
process (a subprocess worker, another SDK) that signs with it is that account,
with no table to share. Any other key is the simulation's default account.

The secret paired with such a key is drawn at random once per process: only
code that asked for it (``sqs_mock.credentials()``, and whatever that code hands
it to) can sign as the account, so the server's signature check means something
against another local process or a web page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

_KEY = re.compile(r"^AKIA(\d{12})SQSM$")
_ACCOUNT = re.compile(r"^\d{12}$")
# Drawn once per process: the secrets below cannot be derived from outside it.
_SECRET_SEED = secrets.token_bytes(32)


def is_account_id(value: str) -> bool:
    """Whether ``value`` is a 12-digit AWS account id."""
    return bool(_ACCOUNT.match(value))


def access_key_for(account_id: str) -> str:
    """A 20-character access key id that the simulation reads as ``account_id``."""
    if not is_account_id(account_id):
        raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")
    return f"AKIA{account_id}SQSM"


def secret_key_for(account_id: str) -> str:
    """The secret paired with ``access_key_for(account_id)`` in this process (40 characters, as AWS's).

    Hex digits only: it goes into broker URLs (``sqs://KEY:SECRET@host``) unquoted.
    """
    return hmac.new(_SECRET_SEED, account_id.encode(), hashlib.sha256).hexdigest()[:40]


def account_for(access_key_id: str | None, default: str) -> str:
    """The account an access key stands for (``default`` when it names none)."""
    match = _KEY.match(access_key_id or "")
    return match.group(1) if match else default


@functools.lru_cache(maxsize=256)
def sender_id_for(access_key_id: str | None, account_id: str) -> str:
    """A stable IAM-user-style id (``AIDA`` + 17 characters) for a caller."""
    digest = hashlib.sha256(f"{account_id}:{access_key_id}".encode()).digest()
    return "AIDA" + base64.b32encode(digest).decode()[:17]
