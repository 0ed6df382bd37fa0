"""Queue URLs, ARNs, SQS host names and queue references: each built and read in one place."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

# The hosts SQS answers on ("Amazon SQS endpoints and quotas", AWS General Reference):
# sqs.<region>.amazonaws.com (.com.cn in China), FIPS, dual-stack, and the legacy
# queue.amazonaws.com / <region>.queue.amazonaws.com that botocore before 1.28 used.
SQS_HOST: Final = re.compile(
    r"sqs(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"|sqs\.(?P<dual_stack_region>[a-z0-9-]+)\.api\.aws"
    r"|(?:(?P<legacy_region>[a-z0-9-]+)\.)?queue\.amazonaws\.com",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class QueueAddress:
    """Where a queue reference points; ``None`` parts are left to the caller (a bare name, a URL's region)."""

    name: str
    account_id: str | None = None
    region: str | None = None

    def matches(self, name: str, account_id: str, region: str) -> bool:
        """Whether the queue at these coordinates is the one meant (``None`` parts match any)."""
        return name == self.name and self.account_id in (None, account_id) and self.region in (None, region)


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
    """A queue URL on an endpoint (a base URL ending in ``/<region>`` gives a server's regional URL)."""
    return f"{base_url.rstrip('/')}/{account_id}/{name}"


def _url_segments(url: str) -> list[str] | None:
    """The path segments of a queue URL or bare path, or ``None``.

    Two (``/<account>/<name>``), or three on a URL whose host is not SQS's
    (``/<region>/<account>/<name>``, the loopback server's).
    """
    on_server = "://" in url and not is_sqs_host(urlsplit(url).netloc)
    path = urlsplit(url).path if "://" in url else url
    parts = [part for part in path.split("/") if part]
    if len(parts) == 2 or (len(parts) == 3 and on_server):
        return parts
    return None


# Every call, the journal and the usage meter read a call's QueueUrl: a few URLs, read again and again.
@functools.lru_cache(maxsize=1024)
def split_queue_url(url: str) -> tuple[str | None, str] | None:
    """``(account_id, name)`` named by a queue URL or a bare queue name.

    A bare name has no account (``None``: the caller's). Returns ``None`` when
    the text names no queue at all.
    """
    if "/" not in url:
        return (None, url) if url else None
    parts = _url_segments(url)
    if parts is None:
        return None
    return parts[-2], parts[-1]


def queue_url_region(url: str) -> str | None:
    """The region a queue URL names, or ``None``.

    An SQS host's region, or the first path segment of a server's regional URL
    (``http://127.0.0.1:<port>/<region>/<account>/<name>``).
    """
    if "://" not in url:
        return None
    host_region = sqs_host_region(urlsplit(url).netloc)
    if host_region is not None:
        return host_region
    parts = _url_segments(url)
    return parts[0] if parts is not None and len(parts) == 3 else None


def split_arn(arn: str) -> tuple[str, str, str] | None:
    """``(region, account_id, name)`` of an SQS queue ARN, or ``None``."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not all(parts[3:]):
        return None
    return parts[3], parts[4], parts[5]


def sqs_host_region(host: str) -> str | None:
    """The region of an SQS endpoint host (``None``: not an SQS host, or ``queue.amazonaws.com``)."""
    found = SQS_HOST.fullmatch(host.split(":", 1)[0])
    if found is None:
        return None
    return found["region"] or found["dual_stack_region"] or found["legacy_region"]


def is_sqs_host(host: str) -> bool:
    """Whether ``host`` (with or without a port) is one of SQS's endpoint hosts."""
    return SQS_HOST.fullmatch(host.split(":", 1)[0]) is not None


def parse_reference(reference: str) -> QueueAddress | None:
    """The queue a name, queue URL or ARN names; ``None`` when the text names no queue.

    A URL on an SQS host carries its region, and so does a server's regional URL
    (``/<region>/<account>/<name>``); a server's old-form URL (``/<account>/<name>``)
    and a bare name leave it to the caller, as a bare name leaves the account.
    """
    arn = split_arn(reference)
    if arn is not None:
        return QueueAddress(arn[2], arn[1], arn[0])
    parts = split_queue_url(reference)
    if parts is None:
        return None
    return QueueAddress(parts[1], parts[0], queue_url_region(reference))
