"""Every error SQS can answer with, by code: what fault injection builds from a name.

The rows are the error catalogue of ../shared/reference (section 15): the
shape (JSON ``__type`` suffix, botocore's modeled exception), the legacy code
(``Error.Code`` in botocore, the query ``<Code>``), the HTTP status, and a
message where AWS's own text is fixed. Either name of a row finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from pytest_sqsmock.service.errors import CORAL, SQS, SqsError


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One catalogue row."""

    shape: str
    code: str
    status: int
    message: str | None = None
    namespace: str = SQS
    message_key: str = "message"

    def error(self, message: str | None = None) -> SqsError:
        """The error, with ``message`` or the row's text (else a note that it was injected)."""
        text = message if message is not None else self.message
        if text is None:
            text = f"{self.code} (injected by pytest_sqsmock)."
        return SqsError(
            self.shape,
            self.code,
            text,
            self.status,
            self.namespace,
            sender_fault=self.status < 500,
            message_key=self.message_key,
        )


def _legacy(shape: str, status: int = 400, message: str | None = None) -> ErrorSpec:
    return ErrorSpec(shape, f"AWS.SimpleQueueService.{shape}", status, message)


def _common(code: str, status: int, message: str | None = None) -> ErrorSpec:
    # The AWS API Reference's CommonErrors; their JSON namespace is not recorded.
    return ErrorSpec(code, code, status, message, CORAL)


_ROWS: Final = (
    ErrorSpec(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        "The specified queue does not exist.",
    ),
    ErrorSpec("QueueNameExists", "QueueAlreadyExists", 400),
    _legacy(
        "QueueDeletedRecently",
        message="You must wait 60 seconds after deleting a queue before you can create another with the same name.",
    ),
    _legacy("PurgeQueueInProgress", 403),
    ErrorSpec("InvalidAttributeName", "InvalidAttributeName", 400),
    ErrorSpec("InvalidAttributeValue", "InvalidAttributeValue", 400),
    ErrorSpec("InvalidMessageContents", "InvalidMessageContents", 400),
    ErrorSpec("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404),
    ErrorSpec("InvalidIdFormat", "InvalidIdFormat", 400),
    _legacy("MessageNotInflight"),
    _legacy("TooManyEntriesInBatchRequest"),
    _legacy("EmptyBatchRequest"),
    _legacy("BatchEntryIdsNotDistinct"),
    _legacy("BatchRequestTooLong"),
    _legacy("InvalidBatchEntryId"),
    _legacy("UnsupportedOperation"),
    ErrorSpec(
        "OverLimit",
        "OverLimit",
        403,
        "Too many messages have been received without being deleted. "
        "Please delete your received messages or let them timeout before receiving more.",
    ),
    ErrorSpec("ResourceNotFoundException", "ResourceNotFoundException", 404),
    ErrorSpec("RequestThrottled", "RequestThrottled", 403, "Request is throttled."),
    ErrorSpec("InvalidAddress", "InvalidAddress", 404, "The specified ID is invalid."),
    ErrorSpec("InvalidSecurity", "InvalidSecurity", 403),
    ErrorSpec("KmsAccessDenied", "KMS.AccessDeniedException", 400),
    ErrorSpec("KmsDisabled", "KMS.DisabledException", 400),
    ErrorSpec("KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException", 400),
    ErrorSpec("KmsInvalidState", "KMS.InvalidStateException", 400),
    ErrorSpec("KmsNotFound", "KMS.NotFoundException", 400),
    ErrorSpec("KmsThrottled", "KMS.ThrottlingException", 400),
    ErrorSpec("KmsOptInRequired", "KMS.OptInRequired", 403),
    ErrorSpec("InvalidParameterValueException", "InvalidParameterValue", 400, namespace=CORAL),
    ErrorSpec("MissingRequiredParameterException", "MissingParameter", 400, namespace=CORAL),
    ErrorSpec(
        "AccessDeniedException",
        "AccessDenied",
        403,
        None,
        CORAL,
        message_key="Message",
    ),
    _common("InvalidAction", 400),
    _common("IncompleteSignature", 400),
    _common("InvalidClientTokenId", 403),
    _common("MissingAuthenticationToken", 403),
    _common("RequestExpired", 400),
    _common("ThrottlingException", 400, "The request was denied due to request throttling."),
    _common("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    _common("InternalFailure", 500, "We encountered an internal error. Please try again."),
)

CATALOGUE: Final[Mapping[str, ErrorSpec]] = {
    **{row.shape: row for row in _ROWS},
    **{row.code: row for row in _ROWS},
}
"""Every row, under its shape name and under its legacy code."""


def error_for_code(code: str, message: str | None = None) -> SqsError:
    """The error SQS answers with for ``code`` (legacy code or shape name).

    Raises:
        ValueError: ``code`` is in no row; the message lists the known codes.
    """
    spec = CATALOGUE.get(code)
    if spec is None:
        known = ", ".join(sorted({row.code for row in _ROWS}))
        raise ValueError(f"unknown SQS error code {code!r}; known codes (or their shape names): {known}")
    return spec.error(message)
