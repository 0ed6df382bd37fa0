"""Queue URLs, ARNs and SQS hosts: one reading of each, shared by every part of the package."""

from __future__ import annotations

import pytest

from pytest_sqsmock.model.addresses import QueueAddress, is_sqs_host, parse_reference, sqs_host_region


@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("sqs.eu-west-1.amazonaws.com", "eu-west-1"),
        ("SQS.EU-WEST-1.AMAZONAWS.COM", "EU-WEST-1"),
        ("sqs-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("sqs.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("sqs.ap-south-2.api.aws", "ap-south-2"),
        ("sqs.eu-west-1.amazonaws.com:443", "eu-west-1"),
        ("eu-central-1.queue.amazonaws.com", "eu-central-1"),
        ("queue.amazonaws.com", None),
    ],
)
def test_sqs_hosts_and_their_regions(host: str, region: str | None) -> None:
    assert is_sqs_host(host)
    assert sqs_host_region(host) == region


@pytest.mark.parametrize(
    "host", ["127.0.0.1:4566", "localhost", "sqs.eu-west-1.amazonaws.com.evil.example", "s3.amazonaws.com"]
)
def test_other_hosts_are_not_sqs(host: str) -> None:
    assert not is_sqs_host(host)
    assert sqs_host_region(host) is None


@pytest.mark.parametrize(
    ("reference", "address"),
    [
        ("orders", QueueAddress("orders")),
        (
            "https://sqs.eu-west-1.amazonaws.com/111122223333/orders",
            QueueAddress("orders", "111122223333", "eu-west-1"),
        ),
        ("http://127.0.0.1:9324/111122223333/orders", QueueAddress("orders", "111122223333", None)),
        ("http://127.0.0.1:9324/eu-west-1/111122223333/orders", QueueAddress("orders", "111122223333", "eu-west-1")),
        ("arn:aws:sqs:us-west-2:111122223333:jobs.fifo", QueueAddress("jobs.fifo", "111122223333", "us-west-2")),
    ],
)
def test_a_reference_names_its_queue(reference: str, address: QueueAddress) -> None:
    assert parse_reference(reference) == address


@pytest.mark.parametrize(
    "reference", ["", "https://sqs.eu-west-1.amazonaws.com/", "a/b/c", "https://sqs.eu-west-1.amazonaws.com/a/b/c"]
)
def test_text_that_names_no_queue(reference: str) -> None:
    assert parse_reference(reference) is None


def test_none_parts_match_any_account_or_region() -> None:
    assert QueueAddress("q").matches("q", "111122223333", "eu-west-1")
    assert not QueueAddress("q", "111122223333").matches("q", "444455556666", "eu-west-1")
    assert not QueueAddress("q", None, "us-east-1").matches("q", "111122223333", "eu-west-1")
