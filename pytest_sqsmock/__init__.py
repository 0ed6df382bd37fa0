"""In-process Amazon SQS for botocore and boto3, with a virtual clock."""

from __future__ import annotations

from pytest_sqsmock.billing import PriceTable, Usage
from pytest_sqsmock.exceptions import (
    NetworkBlockedError,
    SqsMockAssertionError,
    SqsMockError,
    SqsMockSecurityWarning,
    UnknownQueueError,
)
from pytest_sqsmock.faults.injection import Fault, Faults
from pytest_sqsmock.mock import Credentials, SqsMock, mock_sqs
from pytest_sqsmock.sqs_errors import SqsError
from pytest_sqsmock.transports.server import SqsServer
from pytest_sqsmock.views import Call, CallError, CallLog, MessageView, QueueView

__all__ = [
    "Call",
    "CallError",
    "CallLog",
    "Credentials",
    "Fault",
    "Faults",
    "MessageView",
    "NetworkBlockedError",
    "PriceTable",
    "QueueView",
    "SqsError",
    "SqsMock",
    "SqsMockAssertionError",
    "SqsMockError",
    "SqsMockSecurityWarning",
    "SqsServer",
    "UnknownQueueError",
    "Usage",
    "mock_sqs",
]
