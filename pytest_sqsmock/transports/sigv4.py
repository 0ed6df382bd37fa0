"""AWS Signature Version 4: read a request's signature, and check it against a secret.

Written from AWS's "Create a signed AWS API request" and "Elements of an AWS API
request signature" (IAM User Guide,
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html),
for the two ways SQS clients sign: an ``Authorization`` header, and a presigned
URL (``X-Amz-Signature`` among the query parameters). Nothing here knows HTTP
servers or SQS errors: :func:`read_signature` raises :class:`MalformedSignature`
with AWS's wording, and :func:`verify` says yes or no.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote_to_bytes

ALGORITHM: Final = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD: Final = "UNSIGNED-PAYLOAD"
_TERMINATOR: Final = "aws4_request"
# Header names (tokens), as SignedHeaders lists them; a signature is lower-case hex.
_SIGNED_HEADERS: Final = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+(?:;[!#$%&'*+.^_`|~0-9a-z-]+)*")
_HEX: Final = re.compile(r"[0-9a-f]{64}")
_PRESIGN_PARAMS: Final = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders")


class MalformedSignature(ValueError):
    """A signature that does not have SigV4's form; the message is AWS's ``IncompleteSignature`` text."""


@dataclass(frozen=True)
class SignedMessage:
    """A request as it arrived, byte for byte where the signature covers it.

    Attributes:
        method: The HTTP method.
        path: The path of the request target, still percent-encoded.
        query: The query string of the request target, without ``?``.
        headers: Every header, name lower-cased, in the order received.
        body: The body.
    """

    method: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        """Every value of the header ``name`` (lower-case)."""
        return [value for key, value in self.headers if key == name]


@dataclass(frozen=True)
class Signature:
    """What a request says about its signature.

    Attributes:
        access_key_id: The key it was signed with.
        scope_date: ``YYYYMMDD`` of the credential scope.
        region: The region of the credential scope.
        service: The service of the credential scope.
        terminator: The last element of the scope (``aws4_request``).
        signed_headers: The signed header names, as listed.
        signature: The signature, lower-case hex.
        timestamp: ``X-Amz-Date`` (``YYYYMMDD'T'HHMMSS'Z'``).
        presigned: Whether it came in the query string.
    """

    access_key_id: str
    scope_date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str
    presigned: bool

    @property
    def scope(self) -> str:
        """``<date>/<region>/<service>/aws4_request``."""
        return f"{self.scope_date}/{self.region}/{self.service}/{self.terminator}"


def read_signature(message: SignedMessage) -> Signature | None:
    """The signature a request carries: its ``Authorization`` header, else its presigned query.

    Returns:
        ``None`` when the request carries neither.

    Raises:
        MalformedSignature: The signature is there but not in SigV4's form (or is
            given twice, which would let two readers see two different keys).
    """
    authorizations = message.values("authorization")
    if len(authorizations) > 1:
        raise MalformedSignature("The request must carry one Authorization header, not several.")
    if authorizations:
        return _from_header(authorizations[0], message)
    params = _query_pairs(message.query)
    if not any(name == "X-Amz-Signature" for name, _ in params):
        return None
    return _from_query(params)


def _from_header(value: str, message: SignedMessage) -> Signature:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise MalformedSignature(f"Unsupported AWS 'algorithm': '{algorithm}'. Sign with {ALGORITHM}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, equals, field = part.strip().partition("=")
        if not equals or name not in ("Credential", "SignedHeaders", "Signature") or name in fields:
            raise MalformedSignature(
                f"Authorization header format is not valid: '{part.strip()}'. Authorization={value}"
            )
        fields[name] = field
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if name not in fields
    ]
    dates = message.values("x-amz-date") or message.values("date")
    if not dates:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise MalformedSignature(" ".join([*missing, f"Authorization={value}"]))
    return _signature(fields["Credential"], fields["SignedHeaders"], fields["Signature"], dates[0], presigned=False)


def _from_query(params: list[tuple[str, str]]) -> Signature:
    found: dict[str, str] = {}
    for raw_name, raw_value in params:
        name = _text(raw_name)
        if name.startswith("X-Amz-") and name in (*_PRESIGN_PARAMS, "X-Amz-Signature"):
            if name in found:
                raise MalformedSignature(f"AWS query-string parameters must include '{name}' only once.")
            found[name] = _text(raw_value)
    missing = [f"AWS query-string parameters must include '{name}'." for name in _PRESIGN_PARAMS if name not in found]
    if missing:
        raise MalformedSignature(" ".join([*missing, "Re-examine the query-string parameters."]))
    if found["X-Amz-Algorithm"] != ALGORITHM:
        raise MalformedSignature(f"Unsupported AWS 'algorithm': '{found['X-Amz-Algorithm']}'. Sign with {ALGORITHM}.")
    return _signature(
        found["X-Amz-Credential"],
        found["X-Amz-SignedHeaders"],
        found["X-Amz-Signature"],
        found["X-Amz-Date"],
        presigned=True,
    )


def _signature(credential: str, signed_headers: str, signature: str, timestamp: str, *, presigned: bool) -> Signature:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts) or any(c.isspace() or c in ",=" for c in credential):
        raise MalformedSignature(
            f"Credential should be of the form '<access key id>/<date>/<region>/<service>/aws4_request', not '{credential}'."
        )
    if not _SIGNED_HEADERS.fullmatch(signed_headers):
        raise MalformedSignature(
            f"SignedHeaders should list lower-case header names separated by ';', not '{signed_headers}'."
        )
    if not _HEX.fullmatch(signature):
        raise MalformedSignature(f"Signature should be 64 lower-case hexadecimal digits, not '{signature}'.")
    key, date, region, service, terminator = parts
    return Signature(
        key, date, region, service, terminator, tuple(signed_headers.split(";")), signature, timestamp, presigned
    )


def verify(message: SignedMessage, signature: Signature, secret_key: str) -> bool:
    """Whether ``signature`` is the one ``secret_key`` makes for ``message``.

    The payload hash is ``X-Amz-Content-SHA256`` when the request sends it (and
    it must then be the body's, or ``UNSIGNED-PAYLOAD``), else the body's SHA-256;
    a presigned URL may also have signed ``UNSIGNED-PAYLOAD``.
    """
    body_hash = hashlib.sha256(message.body).hexdigest()
    declared = message.values("x-amz-content-sha256")
    if declared:
        if len(declared) > 1 or declared[0] not in (body_hash, UNSIGNED_PAYLOAD):
            return False
        candidates = [declared[0]]
    else:
        candidates = [body_hash, UNSIGNED_PAYLOAD] if signature.presigned else [body_hash]
    key = signing_key(secret_key, signature.scope_date, signature.region, signature.service)
    queries = {canonical_query(message.query, drop_signature=signature.presigned)}
    if not signature.presigned:  # botocore signs a URL's query as it is written, not re-encoded
        queries.add(_query_as_written(message.query))
    for query in queries:
        for payload_hash in candidates:
            string = string_to_sign(message, signature, payload_hash, query=query)
            expected = hmac.new(key, string.encode("utf-8"), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, signature.signature):
                return True
    return False


def string_to_sign(message: SignedMessage, signature: Signature, payload_hash: str, *, query: str | None = None) -> str:
    """Algorithm, timestamp, scope, and the hash of the canonical request, one per line."""
    canonical = canonical_request(message, signature, payload_hash, query=query)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{signature.timestamp}\n{signature.scope}\n{digest}"


def canonical_request(
    message: SignedMessage, signature: Signature, payload_hash: str, *, query: str | None = None
) -> str:
    """Method, canonical URI, query and headers, signed header names and payload hash, one per line.

    ``query``: the canonical query string to use (default: :func:`canonical_query` of the message's).
    """
    headers = "".join(f"{name}:{canonical_header_value(message.values(name))}\n" for name in signature.signed_headers)
    return "\n".join(
        (
            message.method.upper(),
            canonical_uri(message.path),
            canonical_query(message.query, drop_signature=signature.presigned) if query is None else query,
            headers,
            ";".join(signature.signed_headers),
            payload_hash,
        )
    )


def canonical_uri(path: str) -> str:
    """The path with dot and empty segments removed, then URI-encoded again (every service but S3)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and path.endswith("/"):
        normalized += "/"
    return quote(normalized, safe="/~")


def canonical_query(query: str, *, drop_signature: bool = False) -> str:
    """Each name and value URI-encoded the one SigV4 way, sorted by name, then value."""
    pairs = []
    for raw_name, raw_value in _query_pairs(query):
        name, value = _encode(raw_name), _encode(raw_value)
        if drop_signature and name == "X-Amz-Signature":
            continue
        pairs.append((name, value))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_header_value(values: Sequence[str]) -> str:
    """The values of one header, each trimmed with inner runs of spaces made one, joined by commas."""
    return ",".join(" ".join(value.split()) for value in values)


@functools.lru_cache(maxsize=64)
def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """HMAC-SHA256 chained from ``"AWS4" + secret`` through date, region, service and ``aws4_request``."""
    key = ("AWS4" + secret_key).encode("utf-8")
    for element in (date, region, service, _TERMINATOR):
        key = hmac.new(key, element.encode("utf-8"), hashlib.sha256).digest()
    return key


def _query_pairs(query: str) -> list[tuple[str, str]]:
    # Raw (still percent-encoded) names and values; a bare name has an empty value.
    return [(name, value) for name, _, value in (pair.partition("=") for pair in query.split("&") if pair)]


def _query_as_written(query: str) -> str:
    # The pairs sorted, each kept as the client percent-encoded it.
    return "&".join(f"{name}={value}" for name, value in sorted(_query_pairs(query)))


def _encode(raw: str) -> str:
    # Decoding to bytes first makes "%7E" and "~", or "%2f" and "%2F", sign alike, and keeps any byte exact.
    return quote(unquote_to_bytes(raw), safe="-_.~")


def _text(raw: str) -> str:
    return unquote_to_bytes(raw).decode("utf-8", "replace")
