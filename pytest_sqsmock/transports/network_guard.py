"""What must not leave the process while a mock serves SQS, and the errors that say so.

Two kinds of request are refused before they reach the network:

- a request to another AWS service while a mock is active (unless the mock
  lets that service through): a test must not talk to real AWS by accident,
  and it fails at once instead of waiting on the network;
- any AWS request from a thread that used a mock, or was started while it
  was active, once that mock has stopped and while no other mock is active
  (the worker a test left running): by then the fixture has put the
  developer's real credentials back, and the thread's next SQS call would go to
  real SQS.

Requests to endpoints that are not AWS's (``endpoint_url`` pointing at a local
service) are never refused. Another mock that answers in a ``before-send``
handler (moto, botocore's Stubber) answers before any of this runs.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest
from botocore.loaders import create_loader

from pytest_sqsmock.exceptions import NetworkBlockedError

# Every service, for ``passthrough``.
ALL_SERVICES = "*"


@dataclass(eq=False)
class Fence:
    """The threads a stopped mock leaves behind: their AWS calls fail with ``message``."""

    threads: weakref.WeakSet[threading.Thread]
    message: str

    def holds(self, thread: threading.Thread) -> bool:
        """Whether ``thread`` is fenced in (and still running)."""
        return thread in self.threads and thread.is_alive()

    def alive(self) -> bool:
        """Whether any fenced thread still runs."""
        return any(thread.is_alive() for thread in self.threads)


def fence(threads: Iterable[threading.Thread], stopped: str) -> Fence | None:
    """A fence around the threads that still run, or ``None`` when none does."""
    running = [thread for thread in threads if thread.is_alive()]
    if not running:
        return None
    names = ", ".join(repr(thread.name) for thread in running)
    message = (
        f"{stopped} has stopped, but thread {names}, started or served while it ran, still calls AWS. "
        "pytest_sqsmock refuses the call so that nothing reaches real AWS with your real credentials: "
        "stop the thread before the mock stops (README#consumers-and-the-rules-of-time)"
    )
    return Fence(weakref.WeakSet(running), message)


def refusal(
    request: AWSPreparedRequest, *, active: bool, passthrough: Collection[str], fences: Collection[Fence]
) -> NetworkBlockedError | None:
    """Why ``request`` (not answered by a mock) must not leave the process, if it must not."""
    if not is_aws_endpoint(request.url):
        return None
    if not active:
        # A fenced thread's calls are refused only while no mock is active: when the next test's
        # mock runs, a long-lived pool thread is served by it like any other thread.
        thread = threading.current_thread()
        for held in fences:
            if held.holds(thread):
                return NetworkBlockedError(held.message)
        return None
    service = service_of(request)
    if ALL_SERVICES in passthrough or service in passthrough:
        return None
    return NetworkBlockedError(
        f"pytest_sqsmock blocked a call to AWS service {service!r} ({urlsplit(request.url).netloc}): while sqs_mock "
        "is active no request reaches real AWS. Mock that service too (moto, botocore's Stubber), or let it "
        f"through with mock_sqs(passthrough=[{service!r}]), @pytest.mark.sqs_mock(passthrough=[{service!r}]) "
        "or the sqs_mock_passthrough ini option (README#fixture-and-marker)"
    )


def service_of(request: AWSPreparedRequest) -> str:
    """The service a signed request is for (its SigV4 scope), else its host's first label."""
    authorization = request.headers.get("Authorization") or b""
    text = authorization.decode("latin-1") if isinstance(authorization, bytes) else authorization
    marker = "Credential="
    if marker in text:
        scope = text.split(marker, 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 5:
            return scope[3]
    host = urlsplit(request.url).hostname or ""
    return host.split(".", 1)[0]


def is_aws_endpoint(url: str) -> bool:
    """Whether ``url``'s host is in one of AWS's DNS domains (every partition botocore knows)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == suffix or host.endswith("." + suffix) for suffix in _aws_dns_suffixes())


@functools.cache
def _aws_dns_suffixes() -> tuple[str, ...]:
    # botocore's own partition data: amazonaws.com, amazonaws.com.cn, api.aws, c2s.ic.gov, ...
    suffixes = {"amazonaws.com", "api.aws"}
    try:
        partitions = create_loader().load_data("partitions")["partitions"]
    except Exception:  # a botocore without partition data: the two main domains still count
        return tuple(sorted(suffixes))
    for partition in partitions:
        outputs = partition.get("outputs", {})
        suffixes.update(value for key in ("dnsSuffix", "dualStackDnsSuffix") if (value := outputs.get(key)))
    return tuple(sorted(suffixes))
