from __future__ import annotations

import json
from collections.abc import Mapping

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sqsmock.model.settings import (
    QueueSettings,
    RedriveAllowPolicy,
    RedrivePolicy,
)
from pytest_sqsmock.service.rules.queue_attributes import (
    ALL_ATTRIBUTE_NAMES,
    DYNAMIC_ATTRIBUTE_NAMES,
    apply_set_attributes,
    first_difference,
    parse_create_attributes,
    render_attributes,
    validate_queue_name,
)
from pytest_sqsmock.sqs_errors import SqsError

ARN = "arn:aws:sqs:us-east-1:123456789012:"
DLQ = ARN + "dlq"
FIFO_DLQ = ARN + "dlq.fifo"
QUEUES: dict[str, QueueSettings] = {
    DLQ: QueueSettings(),
    FIFO_DLQ: QueueSettings(fifo=True),
}

DYNAMIC = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "CreatedTimestamp": "1700000000",
    "LastModifiedTimestamp": "1700000000",
    "QueueArn": ARN + "q",
}


def create(
    attributes: Mapping[str, str],
    name: str = "q",
    queues: Mapping[str, QueueSettings] = QUEUES,
) -> QueueSettings:
    return parse_create_attributes(attributes, queue_arn=ARN + name, resolve_dead_letter=queues.get)


def create_fifo(attributes: Mapping[str, str], name: str = "q.fifo") -> QueueSettings:
    return create({"FifoQueue": "true", **attributes}, name)


def update(current: QueueSettings, attributes: Mapping[str, str], name: str = "q") -> QueueSettings:
    return apply_set_attributes(current, attributes, queue_arn=ARN + name, resolve_dead_letter=QUEUES.get)


def error(code: str, message: str, status: int = 400) -> tuple[str, str, int]:
    return (code, message, status)


def caught(excinfo: pytest.ExceptionInfo[SqsError]) -> tuple[str, str, int]:
    return (excinfo.value.code, excinfo.value.message, excinfo.value.status)


STANDARD_NAME_ERROR = error(
    "InvalidParameterValue",
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
)
FIFO_NAME_ERROR = error(
    "InvalidParameterValue",
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
    "must end with .fifo suffix and be 1 to 80 in length.",
)


# --- queue names (API Reference, CreateQueue) -------------------------------------------------


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 80])
def test_valid_standard_names(name: str) -> None:
    validate_queue_name(name, fifo=False)


@pytest.mark.parametrize("name", ["", "x" * 81, "a b", "a.b", "q.fifo", "ü", "a\n"])
def test_invalid_standard_names(name: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_queue_name(name, fifo=False)
    assert caught(excinfo) == STANDARD_NAME_ERROR


@pytest.mark.parametrize("name", ["a.fifo", "x" * 75 + ".fifo"])
def test_valid_fifo_names(name: str) -> None:
    validate_queue_name(name, fifo=True)


@pytest.mark.parametrize("name", ["q", ".fifo", "x" * 76 + ".fifo", "a b.fifo", "q.FIFO"])
def test_invalid_fifo_names(name: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_queue_name(name, fifo=True)
    assert caught(excinfo) == FIFO_NAME_ERROR


def test_create_checks_the_name_against_fifo_queue() -> None:
    with pytest.raises(SqsError) as excinfo:
        create({}, "q.fifo")
    assert caught(excinfo) == STANDARD_NAME_ERROR
    with pytest.raises(SqsError) as excinfo:
        create({"FifoQueue": "true"}, "q")
    assert caught(excinfo) == FIFO_NAME_ERROR


# --- CreateQueue ---------------------------------------------------------------------


def test_create_defaults() -> None:
    assert create({}) == QueueSettings()
    assert create_fifo({}) == QueueSettings(fifo=True)


def test_create_parses_every_attribute() -> None:
    settings = create(
        {
            "DelaySeconds": "900",
            "MaximumMessageSize": "1024",
            "MessageRetentionPeriod": "60",
            "ReceiveMessageWaitTimeSeconds": "20",
            "VisibilityTimeout": "043200",
            "Policy": '{"Statement": []}',
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": "5"}),
            "RedriveAllowPolicy": '{"redrivePermission": "denyAll"}',
            "KmsMasterKeyId": "alias/aws/sqs",
            "KmsDataKeyReusePeriodSeconds": "86400",
        }
    )
    assert settings == QueueSettings(
        delay_s=900,
        maximum_message_size=1024,
        retention_s=60,
        receive_wait_s=20,
        visibility_timeout_s=43200,
        policy_raw='{"Statement": []}',
        redrive_policy=RedrivePolicy(DLQ, 5),
        redrive_policy_raw=json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": "5"}),
        redrive_allow_policy=RedriveAllowPolicy("denyAll"),
        redrive_allow_policy_raw='{"redrivePermission": "denyAll"}',
        kms_master_key_id="alias/aws/sqs",
        kms_data_key_reuse_period_s=86400,
        sqs_managed_sse_enabled=False,
    )


def test_create_fifo_attributes() -> None:
    settings = create_fifo(
        {
            "ContentBasedDeduplication": "TRUE",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        }
    )
    assert (settings.fifo, settings.content_based_deduplication) == (True, True)
    assert (settings.deduplication_scope, settings.fifo_throughput_limit) == (
        "messageGroup",
        "perMessageGroupId",
    )


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("DelaySeconds", 0, 900),
        ("MaximumMessageSize", 1024, 1_048_576),
        ("MessageRetentionPeriod", 60, 1_209_600),
        ("ReceiveMessageWaitTimeSeconds", 0, 20),
        ("VisibilityTimeout", 0, 43_200),
        ("KmsDataKeyReusePeriodSeconds", 60, 86_400),
    ],
)
def test_integer_ranges(name: str, low: int, high: int) -> None:
    create({name: str(low)})
    create({name: str(high)})
    for bad in (str(low - 1), str(high + 1), "", "abc", "1.5", " 5", "0x10"):
        with pytest.raises(SqsError) as excinfo:
            create({name: bad})
        assert caught(excinfo) == error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


@pytest.mark.parametrize("name", ["SqsManagedSseEnabled"])
@pytest.mark.parametrize("bad", ["yes", "1", "", "t"])
def test_booleans_reject_other_words(name: str, bad: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({name: bad})
    assert caught(excinfo) == error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DeduplicationScope", "Queue"),
        ("DeduplicationScope", "x"),
        ("FifoThroughputLimit", "perqueue"),
    ],
)
def test_fifo_enums_are_case_sensitive(name: str, value: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create_fifo({name: value})
    assert caught(excinfo) == error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


@pytest.mark.parametrize(
    "name",
    [
        "Foobar",
        "QueueName",
        "All",
        "QueueArn",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "visibilitytimeout",
    ],
)
def test_unknown_and_read_only_names(name: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({name: "1"})
    assert caught(excinfo) == error("InvalidAttributeName", f"Unknown Attribute {name}.")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FifoQueue", "false", "Unknown Attribute FifoQueue."),
        (
            "ContentBasedDeduplication",
            "true",
            "Unknown Attribute ContentBasedDeduplication.",
        ),
        (
            "DeduplicationScope",
            "queue",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            "FifoThroughputLimit",
            "perQueue",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
    ],
)
def test_fifo_only_names_on_standard_queue(name: str, value: str, message: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({name: value})
    assert caught(excinfo) == error("InvalidAttributeName", message)


def test_names_are_checked_before_values() -> None:
    with pytest.raises(SqsError) as excinfo:
        create({"DelaySeconds": "-1", "Foo": "x"})
    assert excinfo.value.message == "Unknown Attribute Foo."


def test_empty_strings_mean_absent() -> None:
    settings = create(
        {
            "Policy": "",
            "RedrivePolicy": "",
            "RedriveAllowPolicy": "",
            "KmsMasterKeyId": "",
        }
    )
    assert settings == QueueSettings()


def test_sse_kms_and_sqs_are_exclusive() -> None:
    with pytest.raises(SqsError) as excinfo:
        create({"KmsMasterKeyId": "k", "SqsManagedSseEnabled": "true"})
    assert caught(excinfo) == error(
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    )
    settings = create({"KmsMasterKeyId": "k", "SqsManagedSseEnabled": "false"})
    assert (settings.kms_master_key_id, settings.sqs_managed_sse_enabled) == (
        "k",
        False,
    )
    assert create({"KmsMasterKeyId": "", "SqsManagedSseEnabled": "true"}).sqs_managed_sse_enabled


# --- Policy (API Reference, SetQueueAttributes) ------------------------------------------------------


def statement(actions: int) -> dict[str, object]:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": [f"sqs:A{i}" for i in range(actions)],
        "Resource": "*",
    }


@pytest.mark.parametrize(
    "policy",
    ["{", "[]", '"x"', "{}", '{"Statement": 1}', '{"Statement": [1]}', "null"],
)
def test_rejected_policy(policy: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({"Policy": policy})
    assert caught(excinfo) == error("InvalidAttributeValue", "Invalid value for the parameter Policy.")
    assert excinfo.value.type_name == "com.amazonaws.sqs#InvalidAttributeValue"


def test_policy_is_stored_verbatim() -> None:
    policy = '{ "Version":"2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "sqs:*"} }'
    assert create({"Policy": policy}).policy_raw == policy


def test_policy_limits() -> None:
    create({"Policy": json.dumps({"Statement": [statement(7)] * 20})})
    with pytest.raises(SqsError) as excinfo:
        create({"Policy": json.dumps({"Statement": [statement(1)] * 21})})
    assert caught(excinfo) == error(
        "OverLimit",
        "21 statements were found in the submitted policy, max allowed is 20",
        403,
    )
    with pytest.raises(SqsError) as excinfo:
        create({"Policy": json.dumps({"Statement": [statement(1), statement(10)]})})
    assert caught(excinfo) == error(
        "OverLimit",
        "10 actions were found in a statement from the submitted policy, max allowed is 7",
        403,
    )
    with pytest.raises(SqsError) as excinfo:
        create({"Policy": json.dumps({"Statement": {"NotAction": ["a"] * 8}})})
    assert excinfo.value.code == "OverLimit"


# --- RedrivePolicy (API Reference, SetQueueAttributes) -----------------------------------------------------


def redrive_error(raw: str, reason: str) -> tuple[str, str, int]:
    return error(
        "InvalidParameterValue",
        f"Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}",
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            '{"deadLetterQueueARN": "x", "maxReceiveCount": 3}',
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        ),
        ("{}", "Redrive policy does not contain mandatory attribute: maxReceiveCount."),
        (
            '{"DeadLetterTargetArn": "x", "MaxReceiveCount": 3}',
            "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
        ),
        (
            f'{{"deadLetterTargetArn": "{DLQ}"}}',
            "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
        ),
        (
            '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}',
            "Invalid value for deadLetterTargetArn.",
        ),
        (
            '{"deadLetterTargetArn": 5, "maxReceiveCount": 42}',
            "Invalid value for deadLetterTargetArn.",
        ),
        (
            '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:nope", "maxReceiveCount": 1}',
            "Dead letter target does not exist.",
        ),
        (
            f'{{"deadLetterTargetArn": "{FIFO_DLQ}", "maxReceiveCount": 1}}',
            "Dead-letter queue must be same type of queue as the source..",
        ),
        (
            f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":0}}',
            "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":"1001"}}',
            "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":"ten"}}',
            "Invalid value for maxReceiveCount: ten, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":2.5}}',
            "Invalid value for maxReceiveCount: 2.5, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":true}}',
            "Invalid value for maxReceiveCount: true, valid values are from 1 to 1000 both inclusive.",
        ),
        ("not json", "Redrive policy is not a valid JSON map."),
        ("[1]", "Redrive policy is not a valid JSON map."),
    ],
)
def test_redrive_policy_errors(raw: str, reason: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({"RedrivePolicy": raw})
    assert caught(excinfo) == redrive_error(raw, reason)
    assert excinfo.value.shape == "InvalidParameterValueException"


def test_redrive_arn_checked_before_lookup() -> None:
    looked_up: list[str] = []

    def resolve(arn: str) -> QueueSettings | None:
        looked_up.append(arn)
        return None

    with pytest.raises(SqsError):
        parse_create_attributes(
            {"RedrivePolicy": '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}'},
            queue_arn=ARN + "q",
            resolve_dead_letter=resolve,
        )
    assert looked_up == []


def test_redrive_policy_same_type_fifo() -> None:
    settings = create_fifo({"RedrivePolicy": json.dumps({"deadLetterTargetArn": FIFO_DLQ, "maxReceiveCount": 1000})})
    assert settings.redrive_policy == RedrivePolicy(FIFO_DLQ, 1000)
    with pytest.raises(SqsError) as excinfo:
        create_fifo({"RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 1})})
    assert excinfo.value.message.endswith("Reason: Dead-letter queue must be same type of queue as the source..")


@pytest.mark.parametrize(
    ("allow", "permitted"),
    [
        (None, True),
        (RedriveAllowPolicy("allowAll"), True),
        (RedriveAllowPolicy("denyAll"), False),
        (RedriveAllowPolicy("byQueue", (ARN + "src",)), True),
        (RedriveAllowPolicy("byQueue", (ARN + "other",)), False),
    ],
)
def test_redrive_allow_policy_of_the_target(allow: RedriveAllowPolicy | None, permitted: bool) -> None:
    queues = {DLQ: QueueSettings(redrive_allow_policy=allow)}
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 2})
    if permitted:
        assert create({"RedrivePolicy": raw}, "src", queues).redrive_policy == RedrivePolicy(DLQ, 2)
    else:
        with pytest.raises(SqsError) as excinfo:
            create({"RedrivePolicy": raw}, "src", queues)
        assert caught(excinfo) == redrive_error(
            raw,
            f"The RedriveAllowPolicy of {DLQ} does not allow {ARN}src to use it as a dead-letter queue.",
        )


# --- RedriveAllowPolicy -------------------------------------------------------------


def allow_error(raw: str, reason: str) -> tuple[str, str, int]:
    return error(
        "InvalidParameterValue",
        f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: {reason}",
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("nope", "Redrive allow policy is not a valid JSON map."),
        (
            "{}",
            "Redrive allow policy does not contain mandatory attribute: redrivePermission.",
        ),
        (
            '{"redrivePermission": "AllowAll"}',
            "Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.",
        ),
        (
            '{"redrivePermission": 1}',
            "Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.",
        ),
        (
            f'{{"redrivePermission": "allowAll", "sourceQueueArns": ["{DLQ}"]}}',
            "You can specify sourceQueueArns only when redrivePermission is set to byQueue.",
        ),
        (
            '{"redrivePermission": "byQueue", "sourceQueueArns": ["x"]}',
            "Invalid value for sourceQueueArns.",
        ),
        (
            '{"redrivePermission": "byQueue", "sourceQueueArns": "x"}',
            "Invalid value for sourceQueueArns.",
        ),
        (
            json.dumps(
                {
                    "redrivePermission": "byQueue",
                    "sourceQueueArns": [ARN + str(i) for i in range(11)],
                }
            ),
            "You can specify up to 10 source queue ARNs.",
        ),
    ],
)
def test_redrive_allow_policy_errors(raw: str, reason: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        create({"RedriveAllowPolicy": raw})
    assert caught(excinfo) == allow_error(raw, reason)


def test_redrive_allow_policy_by_queue() -> None:
    arns = [ARN + str(i) for i in range(10)]
    raw = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": arns})
    assert create({"RedriveAllowPolicy": raw}).redrive_allow_policy == RedriveAllowPolicy("byQueue", tuple(arns))
    empty = create({"RedriveAllowPolicy": '{"redrivePermission": "byQueue"}'})
    assert empty.redrive_allow_policy == RedriveAllowPolicy("byQueue")


# --- SetQueueAttributes (API Reference, SetQueueAttributes) -------------------------------------------


def test_set_changes_only_named_attributes() -> None:
    current = create({"DelaySeconds": "5"})
    assert update(current, {"VisibilityTimeout": "60"}) == QueueSettings(delay_s=5, visibility_timeout_s=60)


def test_set_fifo_queue() -> None:
    standard, fifo = create({}), create_fifo({})
    with pytest.raises(SqsError) as excinfo:
        update(standard, {"FifoQueue": "true"})
    assert caught(excinfo) == error("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    assert update(fifo, {"FifoQueue": "true"}, "q.fifo") == fifo
    with pytest.raises(SqsError) as excinfo:
        update(fifo, {"FifoQueue": "false"}, "q.fifo")
    assert caught(excinfo) == error(
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )


def test_set_fifo_only_names_on_standard() -> None:
    with pytest.raises(SqsError) as excinfo:
        update(create({}), {"ContentBasedDeduplication": "true"})
    assert caught(excinfo) == error("InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.")
    assert update(create_fifo({}), {"ContentBasedDeduplication": "true"}, "q.fifo").content_based_deduplication


@pytest.mark.parametrize("name", sorted(DYNAMIC_ATTRIBUTE_NAMES | {"All"}))
def test_set_read_only_names(name: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        update(create({}), {name: "1"})
    assert caught(excinfo) == error("InvalidAttributeName", f"Unknown Attribute {name}.")


def test_set_is_all_or_nothing() -> None:
    current = create({})
    with pytest.raises(SqsError):
        update(current, {"VisibilityTimeout": "60", "DelaySeconds": "901"})
    assert current == QueueSettings()


def test_set_empty_removes_policies() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 3})
    current = create({"Policy": '{"Statement": []}', "RedrivePolicy": raw, "KmsMasterKeyId": "k"})
    cleared = update(current, {"Policy": "", "RedrivePolicy": "", "KmsMasterKeyId": ""})
    assert (cleared.policy_raw, cleared.redrive_policy, cleared.redrive_policy_raw) == (
        None,
        None,
        None,
    )
    assert cleared.kms_master_key_id is None


def test_set_sse_switches() -> None:
    kms = update(create({}), {"KmsMasterKeyId": "k"})
    assert (kms.kms_master_key_id, kms.sqs_managed_sse_enabled) == ("k", False)
    back = update(kms, {"SqsManagedSseEnabled": "true"})
    assert (back.kms_master_key_id, back.sqs_managed_sse_enabled) == (None, True)
    off = update(kms, {"SqsManagedSseEnabled": "false"})
    assert (off.kms_master_key_id, off.sqs_managed_sse_enabled) == ("k", False)


# --- idempotent CreateQueue (API Reference, CreateQueue) ---------------------------------------


def differ(current: QueueSettings, requested: Mapping[str, str], name: str = "q") -> str | None:
    return first_difference(current, requested, queue_arn=ARN + name, resolve_dead_letter=QUEUES.get)


def test_first_difference() -> None:
    current = update(create({}), {"VisibilityTimeout": "60"})
    assert differ(current, {}) is None
    assert differ(current, {"VisibilityTimeout": "60", "DelaySeconds": "0"}) is None
    assert differ(current, {"VisibilityTimeout": "060"}) is None
    assert differ(current, {"VisibilityTimeout": "30"}) == "VisibilityTimeout"
    assert differ(
        current,
        {
            "MaximumMessageSize": "1048576",
            "DelaySeconds": "1",
            "VisibilityTimeout": "1",
        },
    ) == ("DelaySeconds")
    assert (
        differ(
            current,
            {"SqsManagedSseEnabled": "TRUE", "KmsDataKeyReusePeriodSeconds": "300"},
        )
        is None
    )


def test_first_difference_of_policies() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 3})
    current = create({"Policy": '{"Statement": []}', "RedrivePolicy": raw})
    assert differ(current, {"Policy": '{ "Statement" : [ ] }'}) is None
    assert differ(current, {"Policy": '{"Statement": [], "Id": "x"}'}) == "Policy"
    assert (
        differ(
            current,
            {"RedrivePolicy": f'{{"maxReceiveCount":"3","deadLetterTargetArn":"{DLQ}"}}'},
        )
        is None
    )
    assert differ(current, {"RedrivePolicy": ""}) == "RedrivePolicy"
    assert differ(create({}), {"Policy": "", "KmsMasterKeyId": ""}) is None


def test_first_difference_fifo() -> None:
    current = create_fifo({"ContentBasedDeduplication": "true"})
    assert (
        differ(
            current,
            {"FifoQueue": "true", "ContentBasedDeduplication": "true"},
            "q.fifo",
        )
        is None
    )
    assert differ(current, {"FifoQueue": "true", "ContentBasedDeduplication": "false"}, "q.fifo") == (
        "ContentBasedDeduplication"
    )


def test_first_difference_validates_first() -> None:
    with pytest.raises(SqsError) as excinfo:
        differ(QueueSettings(), {"VisibilityTimeout": "99999"})
    assert excinfo.value.code == "InvalidAttributeValue"


# --- GetQueueAttributes (API Reference, GetQueueAttributes) ---------------------------------------

STANDARD_ALL = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "DelaySeconds",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
}
FIFO_EXTRA = {
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoQueue",
    "FifoThroughputLimit",
}


def test_all_names_match_botocore() -> None:
    model = botocore.session.get_session().get_service_model("sqs")
    assert list(ALL_ATTRIBUTE_NAMES) == model.shape_for("QueueAttributeName").metadata["enum"]


def test_render_all_standard_defaults() -> None:
    rendered = render_attributes(QueueSettings(), ["All"], dynamic=DYNAMIC)
    assert set(rendered) == STANDARD_ALL
    assert {k: v for k, v in rendered.items() if k not in DYNAMIC} == {
        "DelaySeconds": "0",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
        "VisibilityTimeout": "30",
    }


def test_render_all_fifo_defaults() -> None:
    rendered = render_attributes(create_fifo({}), ["All"], dynamic=DYNAMIC)
    assert set(rendered) == STANDARD_ALL | FIFO_EXTRA
    assert [rendered[n] for n in sorted(FIFO_EXTRA)] == [
        "false",
        "queue",
        "true",
        "perQueue",
    ]


def test_render_set_policies_and_kms() -> None:
    settings = create(
        {
            "Policy": '{"Statement": []}',
            "RedrivePolicy": f'{{"deadLetterTargetArn": "{DLQ}", "maxReceiveCount": "7"}}',
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [ARN + "a"]}),
            "KmsMasterKeyId": "alias/aws/sqs",
        }
    )
    rendered = render_attributes(settings, ["All"], dynamic=DYNAMIC)
    assert rendered["Policy"] == '{"Statement": []}'
    assert rendered["RedrivePolicy"] == f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":7}}'
    assert rendered["RedriveAllowPolicy"] == f'{{"redrivePermission":"byQueue","sourceQueueArns":["{ARN}a"]}}'
    assert rendered["KmsMasterKeyId"] == "alias/aws/sqs"
    assert rendered["KmsDataKeyReusePeriodSeconds"] == "300"
    assert rendered["SqsManagedSseEnabled"] == "false"
    assert render_attributes(
        create({"RedriveAllowPolicy": '{"redrivePermission":"allowAll"}'}),
        ["RedriveAllowPolicy"],
        dynamic={},
    ) == {"RedriveAllowPolicy": '{"redrivePermission":"allowAll"}'}


def test_render_leaves_out_what_does_not_apply() -> None:
    requested = [
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
        "Policy",
        "FifoQueue",
    ]
    assert render_attributes(QueueSettings(), requested, dynamic=DYNAMIC) == {"SqsManagedSseEnabled": "true"}


def test_render_named_in_request_order() -> None:
    rendered = render_attributes(
        QueueSettings(),
        ["VisibilityTimeout", "QueueArn", "VisibilityTimeout"],
        dynamic=DYNAMIC,
    )
    assert list(rendered.items()) == [
        ("VisibilityTimeout", "30"),
        ("QueueArn", ARN + "q"),
    ]
    assert render_attributes(QueueSettings(), [], dynamic=DYNAMIC) == {}
    assert render_attributes(QueueSettings(), ["QueueArn"], dynamic={}) == {}


@pytest.mark.parametrize("name", ["Foobar", "all", "QueueName"])
def test_render_unknown_name(name: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        render_attributes(QueueSettings(), ["VisibilityTimeout", name], dynamic=DYNAMIC)
    assert caught(excinfo) == error("InvalidAttributeName", f"Unknown Attribute {name}.")


# --- properties ---------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=43_200), st.integers(min_value=0, max_value=3))
def test_visibility_timeout_round_trips(value: int, zeros: int) -> None:
    settings = create({"VisibilityTimeout": "0" * zeros + str(value)})
    assert render_attributes(settings, ["VisibilityTimeout"], dynamic={}) == {"VisibilityTimeout": str(value)}
    assert differ(settings, {"VisibilityTimeout": str(value)}) is None


@given(st.integers(min_value=1, max_value=1000), st.booleans())
def test_max_receive_count_as_number_or_string(count: int, as_string: bool) -> None:
    raw = json.dumps(
        {
            "deadLetterTargetArn": DLQ,
            "maxReceiveCount": str(count) if as_string else count,
        }
    )
    rendered = render_attributes(create({"RedrivePolicy": raw}), ["RedrivePolicy"], dynamic={})
    assert json.loads(rendered["RedrivePolicy"]) == {
        "deadLetterTargetArn": DLQ,
        "maxReceiveCount": count,
    }
