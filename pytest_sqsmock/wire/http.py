"""Transport-neutral HTTP request and response values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as a transport received it.

    Attributes:
        method: The HTTP method, upper-case (``POST``, ``GET``).
        url: The full request URL, query string included.
        headers: The request headers; use :meth:`header` for case-insensitive
            lookups (which also accept the ``bytes`` values botocore uses).
        body: The raw request body.
    """

    method: str
    url: str
    headers: Mapping[str, str | bytes]
    body: bytes = b""
    headers_ignore_case: bool = field(default=False, repr=False, compare=False)
    """True when ``headers`` already matches names case-insensitively (botocore's do)."""
    _lower: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """The value of a header, matched case-insensitively.

        Args:
            name: The header name in any case.

        Returns:
            The header value, or ``None`` when the request does not carry it.
        """
        if self.headers_ignore_case:
            value = self.headers.get(name)
            return None if value is None else _text(value)
        if not self._lower and self.headers:
            # Built on first use: most requests are asked for three headers at most.
            self._lower.update((str(key).lower(), _text(value)) for key, value in self.headers.items())
        return self._lower.get(name.lower())

    @property
    def path(self) -> str:
        """The URL path (``/`` when empty)."""
        return urlsplit(self.url).path or "/"

    @property
    def query_string(self) -> str:
        """The raw URL query string, without ``?``."""
        return urlsplit(self.url).query


def _text(value: object) -> str:
    # botocore's prepared requests hold some header values as bytes
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class HttpResponse:
    """One HTTP response for a transport to send back.

    Attributes:
        status: The HTTP status code.
        headers: Response headers (``Content-Type``, ``x-amzn-RequestId`` ...).
        body: The encoded body.
    """

    status: int
    headers: dict[str, str]
    body: bytes
