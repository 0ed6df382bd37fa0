"""Fixtures for the FIFO and fair-queue tests: real boto3 clients against ``sqs_mock``."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock

from .fifo_support import REGION

QueueFactory = Callable[..., str]


@pytest.fixture
def sqs(sqs_mock: SqsMock) -> Any:
    """A plain boto3 SQS client; the ``sqs_mock`` fixture provides fake credentials."""
    return boto3.client("sqs", region_name=REGION)


@pytest.fixture
def make_fifo(sqs: Any) -> QueueFactory:
    """Create a FIFO queue and return its URL: ``make_fifo(ContentBasedDeduplication=True)``.

    Attribute values are converted to strings (booleans lower-case).
    """
    counter = itertools.count(1)

    def create(name: str | None = None, **attributes: Any) -> str:
        queue_name = name if name is not None else f"fifo-{next(counter)}.fifo"
        strings = {"FifoQueue": "true"}
        for key, value in attributes.items():
            strings[key] = str(value).lower() if isinstance(value, bool) else str(value)
        url: str = sqs.create_queue(QueueName=queue_name, Attributes=strings)["QueueUrl"]
        return url

    return create


@pytest.fixture
def fifo_url(make_fifo: QueueFactory) -> str:
    """One FIFO queue with default attributes (explicit dedup ids needed)."""
    return make_fifo("orders.fifo")
