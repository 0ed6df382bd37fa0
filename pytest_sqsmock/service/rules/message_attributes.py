"""Message attributes on the send side: user attributes, system attributes, size.

Rules: SQS Developer Guide, "Message metadata for Amazon SQS", and SQS API
Reference, SendMessage / MessageAttributeValue. Where AWS's wording was never
observed, texts are composed in AWS's style and marked ``# unverified``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from pytest_sqsmock.model.message_attributes import AttributeValue
from pytest_sqsmock.sqs_errors import (
    SqsError,
    invalid_parameter_value,
    unsupported_operation,
)

ALLOWED_CHARACTERS: Final = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"
"""The allowed set as AWS spells it in InvalidMessageContents texts."""

FORBIDDEN_CHARACTER: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Matches one character outside `ALLOWED_CHARACTERS` (lone surrogates included)."""

MAX_MESSAGE_ATTRIBUTES: Final = 10
MAX_NAME_LENGTH: Final = 256
_TYPE_PREFIXES: Final = ("String", "Number", "Binary")
_DATA_TYPE: Final = re.compile(r"(String|Number|Binary)(\.[\w.-]+)?")
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LIST_VALUES: Final = ("StringListValues", "BinaryListValues")
_LIST_VALUES_UNSUPPORTED: Final = "Message attribute list values in SendMessageBatch operation are not supported."


def _name_problem(name: str) -> str | None:
    # unverified texts: AWS answers InvalidParameterValue with a text that
    # contains "Invalid" (observed AWS behaviour); the rules are the
    # documented ones (SQS Developer Guide, "Message metadata for Amazon SQS"). Non-ASCII letters are accepted (AWS accepted
    # "attr.1øßä"), so "alphanumeric" means Unicode letters and digits.
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return f"Invalid message attribute name '{name}': names must be 1 to {MAX_NAME_LENGTH} characters long."
    for char in name:
        if not (char.isalnum() or char in "_-."):
            return (
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message attribute name. "
                "Can only include alphanumeric characters, hyphens, underscores, or dots."
            )
    if name.lower().startswith(("aws.", "amazon.")):
        return (
            f"Invalid message attribute name '{name}': names must not start with AWS-reserved prefixes "
            "such as AWS. or Amazon. (or any casing variants)."
        )
    if name.startswith(".") or name.endswith(".") or ".." in name:
        return (
            f"Invalid message attribute name '{name}': names must not start or end with a period (.) "
            "nor contain periods in succession (..)."
        )
    return None


def is_valid_number(text: str) -> bool:
    """Whether ``text`` is a valid ``Number`` attribute value.

    Decimal notation with optional sign and exponent, at most 38 significant
    digits, magnitude 10^-128 to 10^+126 (SQS Developer Guide, "Message
    metadata for Amazon SQS"). Values are stored as sent, not normalised:
    whether AWS strips zeros before computing MD5 is unverified.

    Args:
        text: The ``StringValue`` of a Number attribute.

    Returns:
        ``True`` when SQS would accept it.
    """
    if not _NUMBER.fullmatch(text):
        return False
    number = Decimal(text)
    if number.is_zero():
        return True
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return len(digits) <= 38 and -128 <= number.adjusted() <= 126


def _string_value(kind: str, name: str, base: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise invalid_parameter_value(
            f"Message ({kind}) attribute '{name}' must contain a non-empty value of type '{base}'."
        )
    found = FORBIDDEN_CHARACTER.search(value)
    if found is not None:
        # unverified: the body's wording applied to an attribute value.
        raise invalid_parameter_value(
            f"Invalid binary character '#x{ord(found.group()):X}' was found in the value of message ({kind}) "
            f"attribute '{name}', the set of allowed characters is {ALLOWED_CHARACTERS}."
        )
    return value


def _parse_one(name: str, raw: Mapping[str, object]) -> AttributeValue:
    if any(key in raw for key in _LIST_VALUES):
        # Checked before the scalar value: list-only attributes have none.
        raise unsupported_operation(_LIST_VALUES_UNSUPPORTED)
    data_type = raw.get("DataType")
    if not isinstance(data_type, str) or not data_type:
        # unverified: worded like the recorded Binary text below.
        raise invalid_parameter_value(f"The message attribute '{name}' must contain non-empty message attribute type.")
    match = _DATA_TYPE.fullmatch(data_type)
    if match is None or len(data_type) > MAX_NAME_LENGTH:
        raise invalid_parameter_value(
            f"The type of message (user) attribute '{name}' is invalid. "
            f"You must use only the following supported type prefixes: {', '.join(sorted(_TYPE_PREFIXES))}."
        )
    base = match.group(1)
    if base == "Binary":
        binary = raw.get("BinaryValue")
        if not isinstance(binary, (bytes, bytearray, memoryview)) or not binary:
            raise invalid_parameter_value(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                "for message attribute type 'Binary'."
            )
        return AttributeValue(data_type, binary_value=bytes(binary))
    value = _string_value("user", name, base, raw.get("StringValue"))
    if base == "Number" and not is_valid_number(value):
        # unverified: emulators use this wording; no public AWS capture found.
        raise invalid_parameter_value(f"Can't cast the value of message (user) attribute '{name}' to a number.")
    return AttributeValue(data_type, string_value=value)


def parse_message_attributes(
    raw: Mapping[str, Mapping[str, object]],
) -> dict[str, AttributeValue]:
    """Validate SendMessage's ``MessageAttributes`` ("Message metadata for Amazon SQS").

    Checks, in order: the count, then per attribute in request order its
    name, list values, DataType presence and prefix, and value.

    Args:
        raw: Name to ``{"DataType", "StringValue" | "BinaryValue" (bytes), ...}``.

    Returns:
        Name to `AttributeValue`, in request order.

    Raises:
        SqsError: ``InvalidParameterValue`` for every rule except list values
            (``AWS.SimpleQueueService.UnsupportedOperation``).
    """
    if len(raw) > MAX_MESSAGE_ATTRIBUTES:
        # Observed AWS behaviour (400): https://github.com/open-telemetry/
        # opentelemetry-java-instrumentation/issues/13799.
        raise invalid_parameter_value(
            f"Number of message attributes [{len(raw)}] exceeds the allowed maximum [{MAX_MESSAGE_ATTRIBUTES}]."
        )
    parsed: dict[str, AttributeValue] = {}
    for name, value in raw.items():
        problem = _name_problem(name)
        if problem is not None:
            raise invalid_parameter_value(problem)
        parsed[name] = _parse_one(name, value)
    return parsed


def parse_system_attributes(
    raw: Mapping[str, Mapping[str, object]],
) -> dict[str, AttributeValue]:
    """Validate SendMessage's ``MessageSystemAttributes`` (SQS API Reference, SendMessage).

    Only ``AWSTraceHeader`` with DataType ``String`` exists. The texts for
    other names and types are ours (unverified), worded like the user
    attribute texts with ``(system)``.

    Args:
        raw: Name to ``{"DataType": "String", "StringValue": ...}``.

    Returns:
        Name to `AttributeValue`.

    Raises:
        SqsError: ``InvalidParameterValue`` for another name, type or an empty
            value; ``UnsupportedOperation`` for list values.
    """
    parsed: dict[str, AttributeValue] = {}
    for name, value in raw.items():
        if name != "AWSTraceHeader":
            raise _system_error(name, "Only AWSTraceHeader is supported.")
        if any(key in value for key in _LIST_VALUES):
            raise unsupported_operation(_LIST_VALUES_UNSUPPORTED)
        if value.get("DataType") != "String":
            raise invalid_parameter_value(
                f"The type of message (system) attribute '{name}' is invalid. "
                "You must use only the following supported type prefixes: String."
            )
        parsed[name] = AttributeValue(
            "String",
            string_value=_string_value("system", name, "String", value.get("StringValue")),
        )
    return parsed


def _system_error(name: str, reason: str) -> SqsError:
    return invalid_parameter_value(
        f"Value {name} for parameter MessageSystemAttributeName is invalid. Reason: {reason}"
    )


def message_size(body: str, attributes: Mapping[str, AttributeValue]) -> int:
    """Bytes a message counts toward ``MaximumMessageSize`` ("Message metadata for Amazon SQS").

    Args:
        body: The message body.
        attributes: The user message attributes (system attributes do not count).

    Returns:
        UTF-8 bytes of the body plus, per attribute, the bytes of its name,
        DataType and value.
    """
    size = len(body.encode("utf-8", "surrogatepass"))
    if attributes:
        size += sum(value.size(name) for name, value in attributes.items())
    return size
