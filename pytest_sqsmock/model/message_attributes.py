"""Message attribute values as the model stores them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """One message attribute (user or system).

    Attributes:
        data_type: ``String``, ``Number`` or ``Binary``, optionally with a custom
            suffix (``Number.float``, ``Binary.png``).
        string_value: The value for String and Number types.
        binary_value: The raw bytes for Binary types.
    """

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def is_binary(self) -> bool:
        """Whether the value travels as bytes (transport type 2)."""
        return self.data_type.startswith("Binary")

    def size(self, name: str) -> int:
        """Bytes counted toward the message size: name + data type + value."""
        value = self.binary_value if self.is_binary else (self.string_value or "").encode()
        return len(name.encode()) + len(self.data_type.encode()) + len(value or b"")

    def to_aws(self) -> dict[str, str | bytes]:
        """The AWS shape boto3 shows (``{"DataType": ..., "StringValue": ...}``)."""
        if self.is_binary:
            return {"DataType": self.data_type, "BinaryValue": self.binary_value or b""}
        return {"DataType": self.data_type, "StringValue": self.string_value or ""}
