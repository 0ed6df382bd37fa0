"""The errors the loopback server answers with before (or instead of) the simulation.

Every refusal is shaped as SQS shapes errors, in the request's protocol when its
headers tell it (``X-Amz-Target``, ``Content-Type``; ``Accept: application/json``
for query's JSON rendering), else as query/XML. Codes,
statuses and texts are AWS's where AWS's are known:

- ``MissingAuthenticationToken`` (403, "Request is missing Authentication Token"):
  AWS's Common Errors page of the SQS API Reference gives the code and status
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html);
  the text is the one AWS's query-protocol front end sends for an unsigned call
  (recorded from STS and CloudWatch).
- ``SignatureDoesNotMatch`` (403) and ``InvalidClientTokenId`` (403, "The security token
  included in the request is invalid."): texts recorded from SQS itself
  (ex-aws/ex_aws#220; argoproj/notifications-engine#382 over JSON).
- ``IncompleteSignature`` (400): Common Errors page; texts as AWS words them for a
  malformed ``Authorization`` header or presigned query string.
- ``ServiceUnavailable`` (503): Common Errors page, the one 5xx the server sends of
  its own accord, when it is full; clients retry it.
- ``InvalidHttpRequest`` (400, "Invalid HTTP request. Reason: ..."): the SQS API
  Reference's list of common errors (API version 2011-10-01).
- A body over the size limit gets a 413 as from AWS's front end (aws/aws-sdk-js#479:
  "HTTP content length exceeded <n> bytes."), wrapped in SQS's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from pytest_sqsmock.sqs_errors import TABLE, SqsError, error_for_code
from pytest_sqsmock.wire.codec import Dialect, detect_dialect, encode_error, new_request_id
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

SECURITY_README = "README#security"


def missing_authentication_token() -> SqsError:
    """No SigV4 signature at all (no ``Authorization`` header, no ``X-Amz-Signature``)."""
    return error_for_code("MissingAuthenticationToken")


def incomplete_signature(message: str) -> SqsError:
    """A signature that does not have SigV4's form."""
    return error_for_code("IncompleteSignature", message)


def signature_does_not_match(detail: str = "") -> SqsError:
    """A signature made with another secret (or over other bytes) than the key's."""
    return error_for_code("SignatureDoesNotMatch", f"{TABLE['SignatureDoesNotMatch'].message}{detail}")


def credential_of_another_region(scope_region: str) -> SqsError:
    """A signature scoped to another region than the endpoint's (a regional queue URL's).

    AWS's text for a request sent to one region's SQS host with a credential scoped
    to another, trailing space included (boto/boto#3688, aws/aws-sdk-cpp#93,
    ixixi/fluent-plugin-sqs#50).
    """
    return error_for_code(
        "SignatureDoesNotMatch", f"Credential should be scoped to a valid region, not '{scope_region}'. "
    )


def invalid_client_token_id() -> SqsError:
    """An access key id the simulation did not issue, under ``strict_auth``."""
    return error_for_code("InvalidClientTokenId")


def from_a_web_page() -> SqsError:
    """A request a browser sent on a web page's behalf (``Origin``, ``Sec-Fetch-Site``): never served."""
    return error_for_code(
        "AccessDenied",
        "Access to the resource is denied. pytest_sqsmock's server does not serve requests that a web browser "
        f"sends on behalf of a page (an Origin or cross-site Sec-Fetch-Site header); see {SECURITY_README}",
    )


def service_unavailable() -> SqsError:
    """The server is full (connections, or room for large bodies); clients retry a 503."""
    return error_for_code("ServiceUnavailable")


def invalid_http_request(reason: str) -> SqsError:
    """A request that is not well-formed HTTP/1.1, or that this server will not place."""
    return error_for_code("InvalidHttpRequest", f"Invalid HTTP request. Reason: {reason}")


def request_too_large(limit: int) -> SqsError:
    """A body over the server's size limit (413, from the headers when they announce it)."""
    return error_for_code("RequestEntityTooLarge", f"HTTP content length exceeded {limit} bytes.")


def request_timeout() -> SqsError:
    """A request that did not arrive whole in time (408)."""
    return error_for_code("RequestTimeout")


def host_not_allowed(host: str) -> SqsError:
    """A ``Host`` this server does not answer for (DNS rebinding, or a name not added to ``allowed_hosts``)."""
    return invalid_http_request(
        f"the Host {host!r} is not one this server answers for. pytest_sqsmock accepts localhost, "
        f"127.0.0.0/8 and [::1], and names given in allowed_hosts= or serve --allowed-host ({SECURITY_README})."
    )


def protocol_of(headers: Mapping[str, str] | None) -> Dialect:
    """The dialect to answer in: the request's when its headers tell it, else query/XML."""
    if not headers:
        return "query"
    return detect_dialect(HttpRequest("POST", "http://127.0.0.1/", headers))


def refusal(error: SqsError, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """``error`` encoded as SQS would, in the protocol ``headers`` (lower-case names) speak."""
    return encode_error(protocol_of(headers), error, new_request_id())
