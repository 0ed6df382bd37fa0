"""Every error SQS answers with, in one table: shape, legacy code, HTTP status, fixed text.

Sources: the Errors section of each action in the Amazon SQS API Reference, its
"Common Errors" page (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html),
and botocore's SQS service model (``error`` shapes, their ``awsQueryError`` codes
and HTTP statuses). The wire encodes these, the service and the transports raise
them, and fault injection builds them by name, all from the rows below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

CORAL: Final = "com.amazon.coral.service"
SQS: Final = "com.amazonaws.sqs"


@dataclass(frozen=True, eq=False)
class SqsError(Exception):
    """An error SQS answers with.

    Attributes:
        shape: The error shape name (JSON ``__type`` suffix, botocore ``QueryErrorCode``).
        code: The legacy query code (JSON ``x-amzn-query-error``, ``Error.Code`` in botocore).
        message: The human-readable message, byte-exact with AWS where known.
        status: The HTTP status code.
        namespace: The ``__type`` namespace: ``com.amazonaws.sqs`` for modeled
            errors, ``com.amazon.coral.service`` for generic ones.
        sender_fault: Whether the caller is at fault (``Sender``) or SQS (``Receiver``).
        message_key: The JSON body key carrying the message (AWS uses ``Message``
            for access denials and ``message`` otherwise).
    """

    shape: str
    code: str
    message: str
    status: int = 400
    namespace: str = SQS
    sender_fault: bool = True
    message_key: str = "message"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    @property
    def type_name(self) -> str:
        """The JSON ``__type`` value."""
        return f"{self.namespace}#{self.shape}"

    def with_status(self, status: int) -> SqsError:
        """The same error answered with another HTTP status (a transport's own refusal)."""
        return replace(self, status=status)


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One row of the table."""

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
    # The API Reference's Common Errors and the HTTP layer's refusals; AWS answers them
    # from its generic front end, whose JSON namespace is com.amazon.coral.service.
    return ErrorSpec(code, code, status, message, CORAL)


ROWS: Final = (
    ErrorSpec(
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist."
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
    ErrorSpec("RequestThrottled", "RequestThrottled", 403, "Request is throttled."),  # text unverified
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
    ErrorSpec("AccessDeniedException", "AccessDenied", 403, namespace=CORAL, message_key="Message"),
    _common("InvalidAction", 400),
    _common("IncompleteSignature", 400),
    _common("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    _common("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    _common(
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ),
    _common("RequestExpired", 400),
    _common("ThrottlingException", 400, "The request was denied due to request throttling."),
    _common("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    _common("InternalFailure", 500, "We encountered an internal error. Please try again."),
    _common("SerializationException", 400),
    _common("UnknownOperationException", 404, ""),
    _common("InvalidHttpRequest", 400),
    _common("RequestEntityTooLarge", 413),
    _common(
        "RequestTimeout",
        408,
        "Your socket connection to the server was not read from or written to within the timeout period.",
    ),
)

TABLE: Final[Mapping[str, ErrorSpec]] = {
    **{row.shape: row for row in ROWS},
    **{row.code: row for row in ROWS},
}
"""Every row, under its shape name and under its legacy code."""


def error_for_code(code: str, message: str | None = None) -> SqsError:
    """The error SQS answers with for ``code`` (legacy code or shape name).

    Raises:
        ValueError: ``code`` is in no row; the message lists the known codes.
    """
    spec = TABLE.get(code)
    if spec is None:
        known = ", ".join(sorted({row.code for row in ROWS}))
        raise ValueError(f"unknown SQS error code {code!r}; known codes (or their shape names): {known}")
    return spec.error(message)


# -- the errors the service raises, named as the API Reference names them ----------------------


def invalid_parameter_value(message: str) -> SqsError:
    """The generic validation error (``InvalidParameterValue``, 400)."""
    return error_for_code("InvalidParameterValue", message)


def invalid_value(value: object, parameter: str, reason: str) -> SqsError:
    """``Value <v> for parameter <P> is invalid. Reason: <reason>``."""
    return invalid_parameter_value(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")


def missing_parameter(parameter: str) -> SqsError:
    """A required parameter is absent (``MissingParameter``, 400)."""
    return error_for_code("MissingParameter", f"The request must contain the parameter {parameter}.")


def queue_does_not_exist(*, query: bool = False, hidden: bool = False) -> SqsError:
    """``AWS.SimpleQueueService.NonExistentQueue``; the query protocol words it differently.

    ``hidden``: the queue exists but the caller may not see it (a cross-account call
    the queue's policy does not allow looks like a missing queue, as on AWS).
    """
    if hidden:
        text = "The specified queue does not exist or you do not have access to it."
    elif query:
        text = "The specified queue does not exist for this wsdl version."
    else:
        text = "The specified queue does not exist."
    return error_for_code("QueueDoesNotExist", text)


def queue_name_exists(attribute: str) -> SqsError:
    """CreateQueue of an existing name whose attributes differ."""
    return error_for_code(
        "QueueNameExists",
        f"A queue already exists with the same name and a different value for attribute {attribute}",
    )


def queue_deleted_recently() -> SqsError:
    """CreateQueue within 60 s of deleting a queue of that name."""
    return error_for_code("QueueDeletedRecently")


def purge_queue_in_progress(queue_name: str) -> SqsError:
    """A second PurgeQueue within 60 s (HTTP 403)."""
    return error_for_code(
        "PurgeQueueInProgress", f"Only one PurgeQueue operation on {queue_name} is allowed every 60 seconds."
    )


def invalid_attribute_name(message: str) -> SqsError:
    """An attribute name SQS does not accept here (400)."""
    return error_for_code("InvalidAttributeName", message)


def unknown_attribute(name: str) -> SqsError:
    """``Unknown Attribute <name>.``."""
    return invalid_attribute_name(f"Unknown Attribute {name}.")


def invalid_attribute_value(message: str) -> SqsError:
    """A queue attribute value out of range or malformed (400)."""
    return error_for_code("InvalidAttributeValue", message)


def invalid_message_contents(message: str) -> SqsError:
    """A body or attribute holds characters SQS forbids (400)."""
    return error_for_code("InvalidMessageContents", message)


def receipt_handle_is_invalid(message: str) -> SqsError:
    """A receipt handle SQS never issued, or one of another queue (404 per the model)."""
    return error_for_code("ReceiptHandleIsInvalid", message)


def empty_batch_request(operation: str) -> SqsError:
    """A batch with no entries."""
    return error_for_code("EmptyBatchRequest", f"There should be at least one {operation}RequestEntry in the request.")


def too_many_entries_in_batch_request(count: int) -> SqsError:
    """A batch with more than 10 entries."""
    return error_for_code(
        "TooManyEntriesInBatchRequest", f"Maximum number of entries per request are 10. You have sent {count}."
    )


def batch_entry_ids_not_distinct(entry_id: str) -> SqsError:
    """Two batch entries share an Id."""
    return error_for_code("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")


def batch_request_too_long(size: int, limit: int = 1_048_576) -> SqsError:
    """The summed payload of a SendMessageBatch exceeds the limit."""
    return error_for_code(
        "BatchRequestTooLong", f"Batch requests cannot be longer than {limit} bytes. You have sent {size} bytes."
    )


def invalid_batch_entry_id() -> SqsError:
    """A batch entry Id outside ``[A-Za-z0-9_-]{1,80}``."""
    return error_for_code(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long.",
    )


def unsupported_operation(message: str) -> SqsError:
    """``AWS.SimpleQueueService.UnsupportedOperation`` (list attribute values)."""
    return error_for_code("UnsupportedOperation", message)


def over_limit(message: str) -> SqsError:
    """A quota was hit (403)."""
    return error_for_code("OverLimit", message)


def resource_not_found(message: str) -> SqsError:
    """Move-task resources that do not exist (404)."""
    return error_for_code("ResourceNotFoundException", message)


def access_denied(message: str) -> SqsError:
    """A call the queue policy does not allow (403, capitalised ``Message`` key)."""
    return error_for_code("AccessDenied", message)


def invalid_action(action: str) -> SqsError:
    """An operation this endpoint does not know."""
    return error_for_code("InvalidAction", f"The action {action} is not valid for this endpoint.")


def serialization_error(message: str) -> SqsError:
    """A JSON request body that does not match the operation's input shape."""
    return error_for_code("SerializationException", message)


def request_throttled(message: str | None = None) -> SqsError:
    """Throttling (403)."""
    return error_for_code("RequestThrottled", message)


def internal_failure(message: str | None = None) -> SqsError:
    """A server-side failure (500, Receiver fault)."""
    return error_for_code("InternalFailure", message)


def unknown_operation() -> SqsError:
    """A query request without ``Action`` (404, as AWS answers a bare GET on a queue URL)."""
    return error_for_code("UnknownOperationException")
