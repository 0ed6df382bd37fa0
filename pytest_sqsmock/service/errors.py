"""SQS errors exactly as AWS reports them: shape, legacy code, message, HTTP status.

The codes, statuses and texts come from ../shared/reference (section 15). Each
constructor below names one AWS error so that handlers read like the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def invalid_parameter_value(message: str) -> SqsError:
    """The generic validation error (``InvalidParameterValue``, 400)."""
    return SqsError("InvalidParameterValueException", "InvalidParameterValue", message, 400, CORAL)


def invalid_value(value: object, parameter: str, reason: str) -> SqsError:
    """``Value <v> for parameter <P> is invalid. Reason: <reason>``."""
    return invalid_parameter_value(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")


def missing_parameter(parameter: str) -> SqsError:
    """A required parameter is absent (``MissingParameter``, 400)."""
    return SqsError(
        "MissingRequiredParameterException",
        "MissingParameter",
        f"The request must contain the parameter {parameter}.",
        400,
        CORAL,
    )


def queue_does_not_exist(*, query: bool = False, hidden: bool = False) -> SqsError:
    """``AWS.SimpleQueueService.NonExistentQueue``; the query protocol words it differently.

    ``hidden``: the queue exists but the caller may not see it (reference §4.2).
    """
    if hidden:
        text = "The specified queue does not exist or you do not have access to it."
    elif query:
        text = "The specified queue does not exist for this wsdl version."
    else:
        text = "The specified queue does not exist."
    return SqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", text)


def queue_name_exists(attribute: str) -> SqsError:
    """CreateQueue of an existing name whose attributes differ."""
    return SqsError(
        "QueueNameExists",
        "QueueAlreadyExists",
        f"A queue already exists with the same name and a different value for attribute {attribute}",
    )


def queue_deleted_recently() -> SqsError:
    """CreateQueue within 60 s of deleting a queue of that name."""
    return SqsError(
        "QueueDeletedRecently",
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
    )


def purge_queue_in_progress(queue_name: str) -> SqsError:
    """A second PurgeQueue within 60 s (HTTP 403)."""
    return SqsError(
        "PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        f"Only one PurgeQueue operation on {queue_name} is allowed every 60 seconds.",
        403,
    )


def invalid_attribute_name(message: str) -> SqsError:
    """An attribute name SQS does not accept here (400)."""
    return SqsError("InvalidAttributeName", "InvalidAttributeName", message)


def unknown_attribute(name: str) -> SqsError:
    """``Unknown Attribute <name>.``."""
    return invalid_attribute_name(f"Unknown Attribute {name}.")


def invalid_attribute_value(message: str) -> SqsError:
    """A queue attribute value out of range or malformed (400)."""
    return SqsError("InvalidAttributeValue", "InvalidAttributeValue", message)


def invalid_message_contents(message: str) -> SqsError:
    """A body or attribute holds characters SQS forbids (400)."""
    return SqsError("InvalidMessageContents", "InvalidMessageContents", message)


def receipt_handle_is_invalid(message: str) -> SqsError:
    """A receipt handle SQS never issued, or one of another queue (404 per the model)."""
    return SqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", message, 404)


def empty_batch_request(operation: str) -> SqsError:
    """A batch with no entries."""
    return SqsError(
        "EmptyBatchRequest",
        "AWS.SimpleQueueService.EmptyBatchRequest",
        f"There should be at least one {operation}RequestEntry in the request.",
    )


def too_many_entries_in_batch_request(count: int) -> SqsError:
    """A batch with more than 10 entries."""
    return SqsError(
        "TooManyEntriesInBatchRequest",
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        f"Maximum number of entries per request are 10. You have sent {count}.",
    )


def batch_entry_ids_not_distinct(entry_id: str) -> SqsError:
    """Two batch entries share an Id."""
    return SqsError(
        "BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        f"Id {entry_id} repeated.",
    )


def batch_request_too_long(size: int, limit: int = 1_048_576) -> SqsError:
    """The summed payload of a SendMessageBatch exceeds the limit."""
    return SqsError(
        "BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong",
        f"Batch requests cannot be longer than {limit} bytes. You have sent {size} bytes.",
    )


def invalid_batch_entry_id() -> SqsError:
    """A batch entry Id outside ``[A-Za-z0-9_-]{1,80}``."""
    return SqsError(
        "InvalidBatchEntryId",
        "AWS.SimpleQueueService.InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long.",
    )


def unsupported_operation(message: str) -> SqsError:
    """``AWS.SimpleQueueService.UnsupportedOperation`` (list attribute values)."""
    return SqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message)


def over_limit(message: str) -> SqsError:
    """A quota was hit (403)."""
    return SqsError("OverLimit", "OverLimit", message, 403)


def resource_not_found(message: str) -> SqsError:
    """Move-task resources that do not exist (404)."""
    return SqsError("ResourceNotFoundException", "ResourceNotFoundException", message, 404)


def access_denied(message: str) -> SqsError:
    """A call the queue policy does not allow (403, capitalised ``Message`` key)."""
    return SqsError(
        "AccessDeniedException",
        "AccessDenied",
        message,
        403,
        CORAL,
        message_key="Message",
    )


def invalid_action(action: str) -> SqsError:
    """An operation this endpoint does not know."""
    return SqsError(
        "InvalidAction",
        "InvalidAction",
        f"The action {action} is not valid for this endpoint.",
        400,
        CORAL,
    )


def serialization_error(message: str) -> SqsError:
    """A JSON request body that does not match the operation's input shape."""
    return SqsError("SerializationException", "SerializationException", message, 400, CORAL)


def request_throttled(message: str = "Request is throttled.") -> SqsError:
    """Throttling (403)."""
    return SqsError("RequestThrottled", "RequestThrottled", message, 403)


def internal_failure(
    message: str = "We encountered an internal error. Please try again.",
) -> SqsError:
    """A server-side failure (500, Receiver fault)."""
    return SqsError("InternalFailure", "InternalFailure", message, 500, CORAL, sender_fault=False)


def unknown_operation() -> SqsError:
    """A query request without ``Action`` (404, as AWS answers a bare GET on a queue URL)."""
    return SqsError("UnknownOperationException", "UnknownOperationException", "", 404, CORAL)
