"""Errors of pytest_sqsmock itself (not SQS's): misuse and failed expectations."""

from __future__ import annotations


class SqsMockError(Exception):
    """Base class of every error pytest_sqsmock raises about its own use."""


class UnknownQueueError(SqsMockError, LookupError):
    """``sqs_mock.queue()`` named a queue that does not exist; the message lists those that do."""


class SqsMockAssertionError(SqsMockError, AssertionError):
    """A check on simulated SQS failed; the message lists what was actually found."""


class NetworkBlockedError(SqsMockError, ConnectionError):
    """A botocore request that would have reached real AWS was refused; the message says why and what to do."""


class SqsMockSecurityWarning(UserWarning):
    """The HTTP server was set up in a way that exposes the simulation beyond this machine (README#security)."""
