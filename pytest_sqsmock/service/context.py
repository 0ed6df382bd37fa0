"""Who is calling, where, and how: everything a handler needs besides params."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Protocol = Literal["json", "query"]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request's caller and endpoint.

    Attributes:
        account_id: The caller's account (from the signing access key).
        region: The region of the endpoint that received the request.
        operation: The AWS operation name; access checks depend on it.
        protocol: The wire protocol; a few error texts differ by protocol.
        endpoint: ``scheme://host`` of the request, plus ``/<region>`` on the
            loopback server (its queue URLs carry the region); queue URLs are built on it.
        sender_id: The principal id reported as the ``SenderId`` attribute.
        trace_header: The ``X-Amzn-Trace-Id`` request header, if any.
        path_queue_url: The queue URL the request was posted to, when it was
            posted to a queue URL rather than to ``/``.
    """

    account_id: str
    region: str
    operation: str = ""
    protocol: Protocol = "json"
    endpoint: str = ""
    sender_id: str = ""
    trace_header: str | None = None
    path_queue_url: str | None = None

    @property
    def base_url(self) -> str:
        """Where this request's queue URLs point."""
        return self.endpoint or f"https://sqs.{self.region}.amazonaws.com"
