"""One message and the states it moves through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from pytest_sqsmock.model.message_attributes import AttributeValue

MessageState = Literal["delayed", "visible", "in_flight"]

# Shared by every message without attributes: most have none, and an empty
# dict per message would cost 64 bytes each.
NO_ATTRIBUTES: Mapping[str, AttributeValue] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Rare:
    """What few messages carry (an ``AWSTraceHeader``, a dead-letter source).

    Messages without any share ``NO_RARE``: three fields cost 8 bytes instead of 24.
    """

    system_attributes: Mapping[str, AttributeValue] = field(default_factory=lambda: NO_ATTRIBUTES)
    md5_of_system_attributes: str | None = None
    dead_letter_source_arn: str | None = None


NO_RARE = Rare()


@dataclass(slots=True, eq=False)
class Message:
    """A message held by a queue. Mutable: only its queue changes it.

    ``generation`` grows at every state change; heap entries made before the
    change carry the old number and are skipped when popped (lazy deletion).
    """

    message_id: str
    body: str
    md5_of_body: str
    sender_id: str
    sent_at_ms: int
    enqueued_at_ms: int
    size: int
    attributes: Mapping[str, AttributeValue] = field(default_factory=lambda: NO_ATTRIBUTES)
    md5_of_attributes: str | None = None
    rare: Rare = NO_RARE
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    seq: int = 0
    state: MessageState = "visible"
    visible_at_ms: int = 0
    receive_count: int = 0
    first_receive_at_ms: int | None = None
    received_at_ms: int = 0
    receipt: int = 0
    generation: int = 0
    removed: bool = False

    @property
    def system_attributes(self) -> Mapping[str, AttributeValue]:
        """System attributes sent with the message (``AWSTraceHeader``)."""
        return self.rare.system_attributes

    @property
    def md5_of_system_attributes(self) -> str | None:
        """MD5 of the system attributes sent, if any."""
        return self.rare.md5_of_system_attributes

    @property
    def dead_letter_source_arn(self) -> str | None:
        """The queue a dead-lettered message came from."""
        return self.rare.dead_letter_source_arn

    @dead_letter_source_arn.setter
    def dead_letter_source_arn(self, arn: str | None) -> None:
        self.rare = replace(self.rare, dead_letter_source_arn=arn)

    def system_attributes_for_receive(self) -> dict[str, str]:
        """Every receive-side system attribute that applies to this message now."""
        return self.system_attributes_as_of(self.receive_count, self.first_receive_at_ms)

    def system_attributes_as_of(self, receive_count: int, first_receive_at_ms: int | None) -> dict[str, str]:
        """The receive-side system attributes with these counters (a view's, taken earlier)."""
        attributes = {
            "SenderId": self.sender_id,
            "SentTimestamp": str(self.sent_at_ms),
            "ApproximateReceiveCount": str(receive_count),
            "ApproximateFirstReceiveTimestamp": str(first_receive_at_ms or self.sent_at_ms),
        }
        trace = self.system_attributes.get("AWSTraceHeader")
        if trace is not None and trace.string_value is not None:
            attributes["AWSTraceHeader"] = trace.string_value
        if self.group_id is not None:
            attributes["MessageGroupId"] = self.group_id
        if self.deduplication_id is not None:
            attributes["MessageDeduplicationId"] = self.deduplication_id
        if self.sequence_number is not None:
            attributes["SequenceNumber"] = self.sequence_number
        if self.dead_letter_source_arn is not None:
            attributes["DeadLetterQueueSourceArn"] = self.dead_letter_source_arn
        return attributes
