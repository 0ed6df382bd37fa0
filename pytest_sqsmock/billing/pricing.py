"""What requests cost: a replaceable price table and the estimate made from it.

The default table holds Amazon SQS's first-tier request prices in US East (N. Virginia);
README#usage-and-billing gives their sources and what we could not confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

FIFO_RATED: Final = frozenset(
    {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    }
)
"""Operations billed at the FIFO price on a FIFO queue; every other request is billed at the standard price."""


@dataclass(frozen=True, kw_only=True)
class PriceTable:
    """Request prices, per million billable requests, and the monthly free tier.

    Pass your own to :meth:`Usage.estimate`: another region's prices, a negotiated rate,
    or ``free_requests_per_month=0`` to leave the free tier out.

    Attributes:
        standard_per_million: Price of a million standard-queue requests (and of a FIFO queue's
            requests other than send, receive, delete and change visibility).
        fifo_per_million: Price of a million FIFO-queue send, receive, delete and change-visibility requests.
        free_requests_per_month: Requests each month that cost nothing (standard and FIFO together).
        currency: The currency of the prices.
        source: Where the prices come from.
        as_of: When they were taken from there.
    """

    standard_per_million: Decimal = Decimal("0.40")
    fifo_per_million: Decimal = Decimal("0.50")
    free_requests_per_month: int = 1_000_000
    currency: str = "USD"
    source: str = (
        "Amazon SQS pricing, US East (N. Virginia), first tier (https://aws.amazon.com/sqs/pricing/); "
        "rates set in https://aws.amazon.com/about-aws/whats-new/2016/11/"
        "amazon-sqs-introduces-fifo-queues-with-exactly-once-processing-and-lower-prices-for-standard-queues/"
    )
    as_of: str = "2016-11-17 (unchanged in 2026 pricing guides; see README#usage-and-billing)"

    def __post_init__(self) -> None:
        if self.standard_per_million < 0 or self.fifo_per_million < 0 or self.free_requests_per_month < 0:
            raise ValueError(f"prices and the free tier cannot be negative: {self!r}")


@dataclass(frozen=True)
class Estimate:
    """What a month of this traffic would cost.

    Attributes:
        standard_requests: Billable requests a month at the standard price.
        fifo_requests: Billable requests a month at the FIFO price.
        free_requests: Of those, the requests the free tier covers (taken from the standard ones first,
            which leaves the dearer FIFO requests to pay for: the higher of the possible bills).
        cost: The price of the rest, in ``prices.currency``.
        per_month: How many times a month the measured traffic happens.
        prices: The price table used.
    """

    standard_requests: int
    fifo_requests: int
    free_requests: int
    cost: Decimal
    per_month: int
    prices: PriceTable = field(repr=False)

    def __str__(self) -> str:
        return (
            f"{self.cost:.2f} {self.prices.currency} a month for {self.standard_requests:,} standard and "
            f"{self.fifo_requests:,} FIFO billable requests ({self.free_requests:,} free), "
            f"at {self.prices.standard_per_million}/{self.prices.fifo_per_million} per million "
            f"(prices as of {self.prices.as_of})"
        )


def estimate(standard: int, fifo: int, *, prices: PriceTable, per_month: int) -> Estimate:
    """The monthly cost of ``standard`` and ``fifo`` billable requests happening ``per_month`` times.

    Raises:
        ValueError: ``per_month`` is below 1.
    """
    if per_month < 1:
        raise ValueError(f"per_month counts how often the traffic happens in a month (at least 1), got {per_month!r}")
    standard, fifo = standard * per_month, fifo * per_month
    free_standard = min(standard, prices.free_requests_per_month)
    free_fifo = min(fifo, prices.free_requests_per_month - free_standard)
    cost = (
        (standard - free_standard) * prices.standard_per_million + (fifo - free_fifo) * prices.fifo_per_million
    ) / 1_000_000
    return Estimate(standard, fifo, free_standard + free_fifo, cost, per_month, prices)
