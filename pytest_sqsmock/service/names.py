"""Queue URLs and ARNs, each built in one place."""

from __future__ import annotations

from urllib.parse import urlsplit


def partition(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def queue_arn(region: str, account_id: str, name: str) -> str:
    """``arn:<partition>:sqs:<region>:<account>:<name>``."""
    return f"arn:{partition(region)}:sqs:{region}:{account_id}:{name}"


def default_endpoint(region: str) -> str:
    """The endpoint current botocore uses for a region."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://sqs.{region}.{suffix}"


def queue_url(base_url: str, account_id: str, name: str) -> str:
    """A queue URL on an endpoint."""
    return f"{base_url.rstrip('/')}/{account_id}/{name}"


def split_queue_url(url: str) -> tuple[str | None, str] | None:
    """``(account_id, name)`` named by a queue URL or a bare queue name.

    A bare name has no account (``None``: the caller's). Returns ``None`` when
    the text names no queue at all.
    """
    if "/" not in url:
        return (None, url) if url else None
    path = urlsplit(url).path if "://" in url else url
    parts = [part for part in path.split("/") if part]
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def split_arn(arn: str) -> tuple[str, str, str] | None:
    """``(region, account_id, name)`` of an SQS queue ARN, or ``None``."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not all(parts[3:]):
        return None
    return parts[3], parts[4], parts[5]


def decimal_int(text: str) -> int | None:
    """The integer a decimal string spells, or ``None`` when it is too long to be any SQS value.

    Python refuses ``int()`` of more than 4,300 digits; every SQS number fits in
    far fewer, so a longer one is simply out of range.
    """
    digits = text.lstrip("+-").lstrip("0")
    return int(text) if len(digits) <= 40 else None
