"""A queue's configurable attributes, parsed once into typed fields with units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pytest_sqsmock.model.policy import Policy, parse_policy_document

DeduplicationScope = Literal["queue", "messageGroup"]
FifoThroughputLimit = Literal["perQueue", "perMessageGroupId"]
RedrivePermission = Literal["allowAll", "denyAll", "byQueue"]

DEFAULT_MAXIMUM_MESSAGE_SIZE = 1_048_576
DEFAULT_RETENTION_S = 345_600
DEFAULT_VISIBILITY_TIMEOUT_S = 30
DEFAULT_KMS_DATA_KEY_REUSE_PERIOD_S = 300


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    """Where messages go after too many receives."""

    dead_letter_target_arn: str
    max_receive_count: int


@dataclass(frozen=True, slots=True)
class RedriveAllowPolicy:
    """Which source queues may use this queue as their dead-letter queue."""

    permission: RedrivePermission = "allowAll"
    source_queue_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Every settable queue attribute.

    ``*_raw`` fields keep a JSON attribute exactly as the client sent it.
    GetQueueAttributes returns ``Policy`` as stored, but re-serialises
    ``RedrivePolicy`` (``maxReceiveCount`` as a JSON number, observed AWS behaviour)
    and, by analogy, ``RedriveAllowPolicy`` from the parsed fields. ``policy``
    is ``policy_raw`` parsed, derived whenever settings are made (so also by
    ``dataclasses.replace``), never compared: access checks read it instead of
    parsing the JSON on every call.
    """

    fifo: bool = False
    delay_s: int = 0
    maximum_message_size: int = DEFAULT_MAXIMUM_MESSAGE_SIZE
    retention_s: int = DEFAULT_RETENTION_S
    receive_wait_s: int = 0
    visibility_timeout_s: int = DEFAULT_VISIBILITY_TIMEOUT_S
    redrive_policy: RedrivePolicy | None = None
    redrive_policy_raw: str | None = None
    redrive_allow_policy: RedriveAllowPolicy | None = None
    redrive_allow_policy_raw: str | None = None
    policy_raw: str | None = None
    kms_master_key_id: str | None = None
    kms_data_key_reuse_period_s: int = DEFAULT_KMS_DATA_KEY_REUSE_PERIOD_S
    sqs_managed_sse_enabled: bool = True
    content_based_deduplication: bool = False
    deduplication_scope: DeduplicationScope = "queue"
    fifo_throughput_limit: FifoThroughputLimit = "perQueue"
    policy: Policy | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy", parse_policy_document(self.policy_raw))
