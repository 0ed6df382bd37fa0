"""boto3 clients and credentials bound to an account of the simulation."""

from __future__ import annotations

import threading
from typing import Any, TypedDict

from pytest_sqsmock.service.access.principals import access_key_for, secret_key_for


class Credentials(TypedDict):
    """Keyword arguments for ``boto3.client()`` / ``Session.client()``."""

    aws_access_key_id: str
    aws_secret_access_key: str


def credentials_for(account_id: str) -> Credentials:
    """Keys whose calls the simulation attributes to ``account_id``."""
    return {"aws_access_key_id": access_key_for(account_id), "aws_secret_access_key": secret_key_for(account_id)}


class Clients:
    """Makes boto3 SQS clients from one shared session (loading the service model again per client is slow)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Any = None

    def client(self, region: str, account_id: str, **kwargs: Any) -> Any:
        """A boto3 SQS client in ``region`` whose calls belong to ``account_id`` (boto3 must be installed)."""
        import boto3

        keys = credentials_for(account_id)
        with self._lock:
            if self._session is None:
                self._session = boto3.session.Session()
            return self._session.client("sqs", region_name=region, **keys, **kwargs)
