"""Fixtures for the black-box API tests: real boto3 clients against the ``sqs_mock`` fixture."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock

from .api_support import REGION

QueueFactory = Callable[..., str]


@pytest.fixture
def sqs(sqs_mock: SqsMock) -> Any:
    """A plain boto3 SQS client; the ``sqs_mock`` fixture provides fake credentials."""
    return boto3.client("sqs", region_name=REGION)


@pytest.fixture
def make_queue(sqs: Any) -> QueueFactory:
    """Create a standard queue through the API and return its URL.

    ``make_queue()`` picks a unique name; ``make_queue("orders", VisibilityTimeout=5)``
    passes attributes (values converted to strings); ``tags={...}`` passes tags.
    """
    counter = itertools.count(1)

    def create(
        name: str | None = None,
        *,
        tags: dict[str, str] | None = None,
        **attributes: Any,
    ) -> str:
        queue_name = name if name is not None else f"api-queue-{next(counter)}"
        kwargs: dict[str, Any] = {"QueueName": queue_name}
        if attributes:
            kwargs["Attributes"] = {key: str(value) for key, value in attributes.items()}
        if tags is not None:
            kwargs["tags"] = tags
        url: str = sqs.create_queue(**kwargs)["QueueUrl"]
        return url

    return create


@pytest.fixture
def queue_url(make_queue: QueueFactory) -> str:
    """One fresh standard queue with default attributes."""
    return make_queue("api-default")
