"""Fixtures for the clock tests: a mock whose virtual time starts at ``START``, and a boto3 client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, mock_sqs

from .clock_support import START


@pytest.fixture
def mock() -> Iterator[SqsMock]:
    with mock_sqs(start=START) as running:
        yield running


@pytest.fixture
def sqs(mock: SqsMock) -> Any:
    return boto3.client("sqs", region_name="us-east-1", **mock.credentials())
