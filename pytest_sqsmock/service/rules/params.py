"""Reading request parameters: required ones, ranges, numbers, batch failures."""

from __future__ import annotations

from typing import Any

from pytest_sqsmock.sqs_errors import SqsError, invalid_value, missing_parameter

Params = dict[str, Any]
Result = dict[str, Any]


def require(params: Params, name: str, *, reported_as: str | None = None) -> Any:
    """A required parameter, or SQS's MissingParameter error."""
    value = params.get(name)
    if value is None:
        raise missing_parameter(reported_as or name)
    return value


def optional_in_range(params: Params, name: str, low: int, high: int, reason: str, *, default: Any) -> Any:
    """An optional integer parameter, ``default`` when absent; out of ``low..high`` is InvalidParameterValue."""
    value = params.get(name)
    if value is None:
        return default
    if not low <= value <= high:
        raise invalid_value(value, name, reason)
    return value


def batch_failure(entry_id: str, error: SqsError) -> Result:
    """One ``Failed`` entry of a batch result."""
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }


def decimal_int(text: str) -> int | None:
    """The integer a decimal string spells, or ``None`` when it is too long to be any SQS value.

    Python refuses ``int()`` of more than 4,300 digits; every SQS number fits in
    far fewer, so a longer one is simply out of range.
    """
    digits = text.lstrip("+-").lstrip("0")
    return int(text) if len(digits) <= 40 else None
