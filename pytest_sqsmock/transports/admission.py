"""What the loopback server lets through to the simulation: which hosts, which targets, which signatures.

- **Host.** Only loopback names (``localhost``, ``127.0.0.0/8``, ``[::1]``), the
  address the server is bound to, and names the user adds (``allowed_hosts=``) are
  served. Queue URLs are built from the ``Host`` header so that clients reach the
  server by the name they used; a name outside that set is refused and never
  copied into a URL. This defeats DNS rebinding: a web page whose name is made to
  resolve to 127.0.0.1 still sends its own name as ``Host``.
- **Target.** A path (origin-form) or an ``http://`` URL (absolute-form, whose
  authority then replaces ``Host``, as RFC 9112 section 3.2.2 asks); anything else
  is refused.
- **Signature.** As SQS does it: a request without a SigV4 signature is refused
  (``MissingAuthenticationToken``), which also stops plain form posts and ``GET``
  links from web pages. A signature made with a key the simulation issued
  (``sqs_mock.credentials()``) is checked against that key's secret; any other key
  stands for the default account unverified, unless ``strict_auth`` refuses it as
  AWS refuses a key it does not know. A presigned URL (which a page can make a
  browser fetch) must use an issued key.
- **Web pages.** A request that a browser sends on a page's behalf carries
  ``Origin`` or a cross-site ``Sec-Fetch-Site``; SDKs send neither. It is refused
  (``AccessDenied``), whatever it is signed with.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from pytest_sqsmock.service.access.principals import access_key_for, account_for, secret_key_for
from pytest_sqsmock.transports import refusals, sigv4
from pytest_sqsmock.transports.sigv4 import Signature, SignedMessage

# Headers that name one thing: two of them would let two readers see two different requests.
SINGLETON_HEADERS: Final = frozenset({"host", "authorization", "content-type", "x-amz-target", "x-amz-date"})
_NAME: Final = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
_PORT: Final = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class Target:
    """Where a request goes: the URL the simulation sees, and the raw path and query that were signed."""

    url: str
    path: str
    query: str


def host_name(authority: str) -> str | None:
    """The lower-case host of ``host[:port]`` (IPv6 without brackets); ``None`` when it is not one."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        address, bracket, port = authority[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and _PORT.fullmatch(port[1:]))):
            return None
        try:
            return str(ipaddress.IPv6Address(address))
        except ValueError:
            return None
    name, colon, port = authority.partition(":")
    if colon and not (_PORT.fullmatch(port) and int(port) <= 65535):
        return None
    return name if _NAME.fullmatch(name) else None


def is_loopback(name: str) -> bool:
    """Whether ``name`` (from :func:`host_name`) is ``localhost`` or a loopback address."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def normalize_allowed(names: Iterable[str]) -> frozenset[str]:
    """User-given host names or addresses, checked and lower-cased (``[::1]`` and ``::1`` alike).

    Raises:
        ValueError: A name with a port, a scheme or characters no host name has.
    """
    normalized = set()
    for name in names:
        text = name.strip().lower()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        try:
            normalized.add(str(ipaddress.IPv6Address(text)))
            continue
        except ValueError:
            pass
        if not _NAME.fullmatch(text):
            raise ValueError(f"allowed_hosts takes host names or addresses without a port or scheme, got {name!r}")
        normalized.add(text)
    return frozenset(normalized)


class Admission:
    """The checks one server applies; :class:`refusals` errors say why a request is turned away."""

    def __init__(self, *, bound: str, allowed_hosts: frozenset[str], strict_auth: bool) -> None:
        """``bound`` is the server's own ``host:port`` (used for requests without ``Host``)."""
        self._bound = bound
        bound_host = host_name(bound)
        extra = {bound_host} if bound_host and bound_host not in ("0.0.0.0", "::") else set()
        self._allowed = allowed_hosts | extra
        self.strict_auth = strict_auth

    def allows(self, name: str) -> bool:
        """Whether requests may name ``name`` (from :func:`host_name`) as their host."""
        return is_loopback(name) or name in self._allowed

    def target(self, raw_target: str, host_header: str | None) -> Target:
        """The URL a request addresses, from its request target and ``Host`` header.

        Raises:
            SqsError: A target that is neither a path nor an ``http://`` URL, or a
                host this server does not answer for.
        """
        if raw_target.startswith("/"):
            path, _, query = raw_target.partition("?")
            authority = self._bound if host_header is None else host_header
        elif raw_target[:7].lower() == "http://":
            parts = urlsplit(raw_target)
            if not parts.netloc or "@" in parts.netloc:
                raise refusals.invalid_http_request("an absolute request target must name a host and no user.")
            authority = parts.netloc
            path = parts.path or "/"
            query = raw_target.partition("?")[2].partition("#")[0]
        else:
            raise refusals.invalid_http_request(
                "the request target must be a path (/...) or an http:// URL; "
                "this server is neither a proxy nor a tunnel."
            )
        path = path.partition("#")[0]
        name = host_name(authority)
        if name is None or not self.allows(name):
            raise refusals.host_not_allowed(authority)
        url = f"http://{authority.strip()}{path}" + (f"?{query}" if query else "")
        return Target(url, path, query)

    def signature(self, message: SignedMessage) -> Signature | None:
        """The signature to check once the body is read; ``None`` when the key is not one the simulation issued.

        Raises:
            SqsError: No signature, a malformed one, or (under ``strict_auth``) a
                key the simulation did not issue.
        """
        try:
            signature = sigv4.read_signature(message)
        except sigv4.MalformedSignature as malformed:
            raise refusals.incomplete_signature(str(malformed)) from None
        if signature is None:
            raise refusals.missing_authentication_token()
        if _issued_account(signature.access_key_id) is None:
            # A presigned URL is something a web page can make a browser fetch (an image, a link):
            # only a key the simulation issued, and so verified, may presign.
            if self.strict_auth or signature.presigned:
                raise refusals.invalid_client_token_id()
            return None
        if "host" not in signature.signed_headers:
            raise refusals.incomplete_signature(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        return signature

    def verify(self, message: SignedMessage, signature: Signature) -> None:
        """Check a signature made with a key the simulation issued, against that key's secret.

        Raises:
            SqsError: ``SignatureDoesNotMatch``, as SQS answers a wrong secret.
        """
        account = _issued_account(signature.access_key_id)
        if account is None:  # read_signature() let it through: nothing to check it against
            return
        if signature.service != "sqs":
            raise refusals.signature_does_not_match(
                f" Credential should be scoped to correct service: 'sqs', not '{signature.service}'."
            )
        if signature.terminator != "aws4_request":
            raise refusals.signature_does_not_match(
                f" Credential should be scoped with a valid terminator: 'aws4_request', not '{signature.terminator}'."
            )
        if signature.timestamp[:8] != signature.scope_date:
            raise refusals.signature_does_not_match(
                f" Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{signature.scope_date}' != '{signature.timestamp[:8]}', from '{signature.timestamp}'."
            )
        if not sigv4.verify(message, signature, secret_key_for(account)):
            raise refusals.signature_does_not_match()


def from_a_web_page(headers: Mapping[str, str]) -> bool:
    """Whether a browser sent this request for a page: SDKs and the CLI send neither header.

    Browsers add ``Origin`` to every cross-origin request that may change state
    (fetch, form posts) and ``Sec-Fetch-Site`` to every request; ``none`` means
    the user typed the URL, which is not a page's doing.
    """
    return "origin" in headers or headers.get("sec-fetch-site", "none").strip().lower() not in ("none", "same-origin")


def duplicated_singleton(headers: Sequence[tuple[str, str]]) -> str | None:
    """The first header of :data:`SINGLETON_HEADERS` that a request sends more than once."""
    seen: set[str] = set()
    for name, _ in headers:
        if name in SINGLETON_HEADERS:
            if name in seen:
                return name
            seen.add(name)
    return None


def merged(headers: Sequence[tuple[str, str]]) -> Mapping[str, str]:
    """Headers as one mapping (lower-case names); repeated ones joined by ``", "`` as HTTP allows."""
    out: dict[str, str] = {}
    for name, value in headers:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _issued_account(access_key_id: str) -> str | None:
    """The account of a key that ``access_key_for`` made; ``None`` for any other key."""
    account = account_for(access_key_id, "")
    return account if account and access_key_for(account) == access_key_id else None
