"""MD5 digests SQS returns with every message.

AWS SDKs for Java and JavaScript recompute these and reject a mismatch, so they
must be byte-exact: ``MD5OfMessageBody``/``MD5OfBody`` and
``MD5OfMessageAttributes``/``MD5OfMessageSystemAttributes``. The attribute
encoding is AWS's: SQS Developer Guide, "Message metadata for Amazon SQS",
section "Calculating the MD5 message digest for message attributes".
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import md5
from struct import Struct

from pytest_sqsmock.model.message_attributes import AttributeValue

_LENGTH = Struct(">I")
_STRING = b"\x01"  # transport type of String and Number values
_BINARY = b"\x02"  # transport type of Binary values


def md5_of_body(body: str) -> str:
    """The hex MD5 of a message body's UTF-8 bytes.

    Args:
        body: The message body as sent.

    Returns:
        32 lower-case hex digits, as in ``MD5OfMessageBody``.
    """
    return md5(body.encode(), usedforsecurity=False).hexdigest()


def md5_of_attributes(attributes: Mapping[str, AttributeValue]) -> str:
    """The hex MD5 of message attributes, as SQS computes it.

    Names are sorted; each attribute contributes the length-prefixed name, the
    length-prefixed data type (custom suffix included), one transport-type byte
    (1 for String and Number, 2 for Binary) and the length-prefixed value.
    Lengths are 4-byte big-endian. The same encoding serves user attributes
    (``MD5OfMessageAttributes``) and system attributes
    (``MD5OfMessageSystemAttributes``).

    Args:
        attributes: Attribute name to value; callers pass only the attributes
            they return (the digest covers exactly those).

    Returns:
        32 lower-case hex digits.
    """
    pack = _LENGTH.pack
    parts: list[bytes] = []
    append = parts.append
    for name in sorted(attributes):
        value = attributes[name]
        encoded_name = name.encode()
        data_type = value.data_type.encode()
        append(pack(len(encoded_name)))
        append(encoded_name)
        append(pack(len(data_type)))
        append(data_type)
        if value.is_binary:
            raw = value.binary_value or b""
            append(_BINARY)
        else:
            raw = (value.string_value or "").encode()
            append(_STRING)
        append(pack(len(raw)))
        append(raw)
    return md5(b"".join(parts), usedforsecurity=False).hexdigest()
