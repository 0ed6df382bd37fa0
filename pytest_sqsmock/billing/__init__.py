"""What a consumer costs: per-queue, per-operation usage of SQS as AWS bills it, and an estimate in money."""

from __future__ import annotations

from pytest_sqsmock.billing.meter import CHUNK_BYTES, UsageMeter
from pytest_sqsmock.billing.pricing import Estimate, PriceTable
from pytest_sqsmock.billing.report import OperationUsage, QueueUsage, Usage

__all__ = ["CHUNK_BYTES", "Estimate", "OperationUsage", "PriceTable", "QueueUsage", "Usage", "UsageMeter"]
