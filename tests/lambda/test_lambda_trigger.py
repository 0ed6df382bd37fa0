"""The in-process SQS -> Lambda event source mapping (``sqs_mock.lambda_trigger``).

Spec: AWS Lambda Developer Guide, "Using Lambda with Amazon SQS" (with-sqs),
"Lambda parameters for Amazon SQS event source mappings" (services-sqs-parameters),
"Handling errors for an SQS event source" (services-sqs-errorhandling).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, SqsMockError, mock_sqs
from pytest_sqsmock.lambda_trigger import FunctionTimeoutError, LambdaContext

REGION = "us-east-1"
ACCOUNT = "123456789012"


class Recorder:
    """A handler that records each event's bodies and answers from a script."""

    def __init__(self, answer: Any = None, *, fail_bodies: set[str] | None = None) -> None:
        self.answer = answer
        self.fail_bodies = fail_bodies or set()
        self.batches: list[list[str]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.batches.append([record["body"] for record in event["Records"]])
        if self.fail_bodies:
            return {
                "batchItemFailures": [
                    {"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] in self.fail_bodies
                ]
            }
        return self.answer


def fails(event: dict[str, Any], context: Any) -> None:
    raise RuntimeError("downstream is down")


def send_many(sqs_mock: SqsMock, queue: str, bodies: list[str], **kwargs: Any) -> list[str]:
    return [sqs_mock.send(queue, body, **kwargs).message_id for body in bodies]


# -- the event -----------------------------------------------------------------


def test_the_event_has_exactly_the_shape_lambda_delivers(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="Test message.",
        MessageAttributes={
            "myAttribute": {"DataType": "String", "StringValue": "myValue"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    plain = sqs.send_message(QueueUrl=url, MessageBody="plain")
    sent_ms = str(int(sqs_mock.now.timestamp() * 1000))
    sqs_mock.advance(2)
    received_ms = str(int(sqs_mock.now.timestamp() * 1000))
    events: list[dict[str, Any]] = []
    trigger = sqs_mock.lambda_trigger("orders", lambda event, context: events.append(event))

    trigger.poll()

    (event,) = events
    first, second = event["Records"]
    handles = [first.pop("receiptHandle"), second.pop("receiptHandle")]
    assert all(isinstance(handle, str) and handle for handle in handles)
    assert list(event) == ["Records"]
    assert first == {
        "messageId": sent["MessageId"],
        "body": "Test message.",
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": sent_ms,
            "SenderId": first["attributes"]["SenderId"],
            "ApproximateFirstReceiveTimestamp": received_ms,
        },
        "messageAttributes": {
            "myAttribute": {
                "stringValue": "myValue",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            },
            "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
        },
        "md5OfMessageAttributes": sent["MD5OfMessageAttributes"],
        "md5OfBody": sent["MD5OfMessageBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
        "awsRegion": REGION,
    }
    assert first["attributes"]["SenderId"].startswith("AIDA")
    assert second["messageId"] == plain["MessageId"]
    assert second["messageAttributes"] == {}
    assert second["md5OfMessageAttributes"] is None  # Lambda sends null when there are none
    assert second["md5OfBody"] == hashlib.md5(b"plain").hexdigest()
    # Recorded as built: receipt handles are the ones ReceiveMessage issued.
    assert trigger.invocations[0].records[0]["receiptHandle"] == handles[0]


def test_fifo_records_carry_sequence_number_group_and_deduplication_ids(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs.fifo", attributes={"FifoQueue": "true"})
    sent = sqs_mock.send("jobs.fifo", "job", group_id="g1", deduplication_id="d1")
    trigger = sqs_mock.lambda_trigger("jobs.fifo", lambda event, context: None)

    (invocation,) = trigger.poll().invocations

    attributes = invocation.records[0]["attributes"]
    assert attributes["MessageGroupId"] == "g1"
    assert attributes["MessageDeduplicationId"] == "d1"
    assert attributes["SequenceNumber"] == sent.sequence_number
    assert set(attributes) == {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
        "SequenceNumber",
        "MessageGroupId",
        "MessageDeduplicationId",
    }


def test_the_default_context_counts_down_on_the_virtual_clock(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "slow")
    remaining: list[int] = []

    def handler(event: dict[str, Any], context: LambdaContext) -> None:
        remaining.append(context.get_remaining_time_in_millis())
        sqs_mock.advance(1.5)
        remaining.append(context.get_remaining_time_in_millis())

    trigger = sqs_mock.lambda_trigger("orders", handler, function_name="orders-worker", timeout=5)
    (invocation,) = trigger.poll().invocations

    assert remaining == [5000, 3500]
    context = invocation.context
    assert context.function_name == "orders-worker"
    assert context.invoked_function_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-worker"
    assert context.log_group_name == "/aws/lambda/orders-worker"
    assert invocation.outcome == "success"


def test_a_given_context_is_passed_as_is_and_the_handler_gets_its_own_copy_of_the_event(
    sqs_mock: SqsMock,
) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "a")
    marker = object()
    seen: list[object] = []

    def handler(event: dict[str, Any], context: object) -> None:
        seen.append(context)
        event["Records"].clear()

    trigger = sqs_mock.lambda_trigger("orders", handler, context=marker)
    (invocation,) = trigger.poll().invocations

    assert seen == [marker]
    assert invocation.bodies == ["a"]


# -- success, partial failure, failure -------------------------------------------


def test_success_deletes_the_batch_and_stays_out_of_the_call_journal(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    ids = send_many(sqs_mock, "orders", ["a", "b", "c"])
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("orders", handler)

    result = trigger.poll()

    assert handler.batches == [["a", "b", "c"]]
    assert result.deleted == ids
    assert result.failed == []
    assert len(sqs_mock.queue("orders")) == 0
    assert list(sqs_mock.calls) == []  # the poller is Lambda's, not the code under test
    assert trigger.poll().invocations == ()  # an empty queue invokes nothing


def test_batch_size_bounds_each_invocation(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", [str(n) for n in range(5)])
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("orders", handler, batch_size=2)

    drained = trigger.drain()

    assert handler.batches == [["0", "1"], ["2", "3"], ["4"]]
    assert drained.drained
    assert len(drained.polls) == 3


def test_partial_batch_response_returns_only_the_listed_records(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders", attributes={"VisibilityTimeout": "30"})
    ids = send_many(sqs_mock, "orders", ["ok-1", "bad", "ok-2"])
    handler = Recorder(fail_bodies={"bad"})
    trigger = sqs_mock.lambda_trigger("orders", handler, report_batch_item_failures=True)

    (invocation,) = trigger.poll().invocations

    assert invocation.outcome == "partial"
    assert invocation.failed_message_ids == (ids[1],)
    assert invocation.deleted_message_ids == (ids[0], ids[2])
    view = sqs_mock.queue("orders")
    assert [(m.body, m.state) for m in view.messages] == [("bad", "in_flight")]
    assert trigger.poll().invocations == ()  # still invisible
    sqs_mock.advance(30)
    (retry,) = trigger.poll().invocations
    assert retry.bodies == ["bad"]
    assert retry.records[0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_without_report_batch_item_failures_the_response_is_ignored(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", ["ok", "bad"])
    trigger = sqs_mock.lambda_trigger("orders", Recorder(fail_bodies={"bad"}))

    (invocation,) = trigger.poll().invocations

    assert invocation.outcome == "success"
    assert len(sqs_mock.queue("orders")) == 0


@pytest.mark.parametrize(
    "answer",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, {"statusCode": 200}],
    ids=["null", "empty-object", "empty-list", "null-list", "other-keys"],
)
def test_responses_lambda_treats_as_complete_success(sqs_mock: SqsMock, answer: Any) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", ["a", "b"])
    trigger = sqs_mock.lambda_trigger("orders", Recorder(answer), report_batch_item_failures=True)

    (invocation,) = trigger.poll().invocations

    assert invocation.outcome == "success"
    assert invocation.reason is None
    assert len(sqs_mock.queue("orders")) == 0


@pytest.mark.parametrize(
    "answer",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"messageId": "{first}"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
        {"batchItemFailures": ["{first}"]},
        {"batchItemFailures": "{first}"},
        ["{first}"],
        "ok",
    ],
    ids=["empty-id", "null-id", "bad-key", "unknown-id", "bare-id", "not-a-list", "list", "string"],
)
def test_invalid_partial_batch_responses_fail_the_whole_batch(sqs_mock: SqsMock, answer: Any) -> None:
    sqs_mock.create_queue("orders")
    ids = send_many(sqs_mock, "orders", ["a", "b"])

    def handler(event: dict[str, Any], context: Any) -> Any:
        return _substitute(answer, ids[0])

    trigger = sqs_mock.lambda_trigger("orders", handler, report_batch_item_failures=True)
    (invocation,) = trigger.poll().invocations

    assert invocation.outcome == "failure"
    assert invocation.failed_message_ids == tuple(ids)
    assert invocation.error is None
    assert invocation.reason
    assert [m.state for m in sqs_mock.queue("orders").messages] == ["in_flight", "in_flight"]


def _substitute(value: Any, first: str) -> Any:
    if isinstance(value, str):
        return value.replace("{first}", first)
    if isinstance(value, list):
        return [_substitute(item, first) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, first) for key, item in value.items()}
    return value


def test_an_exception_returns_the_batch_each_visibility_timeout_until_the_dlq_takes_it(
    sqs_mock: SqsMock,
) -> None:
    sqs_mock.create_queue("orders-dlq")
    sqs_mock.create_queue(
        "orders", attributes={"VisibilityTimeout": "60"}, dead_letter_queue="orders-dlq", max_receive_count=3
    )
    ids = send_many(sqs_mock, "orders", ["a", "b"])
    start = sqs_mock.now
    trigger = sqs_mock.lambda_trigger("orders", fails)

    result = trigger.drain()

    assert result.drained
    invocations = trigger.invocations
    assert [i.time - start for i in invocations] == [timedelta(seconds=s) for s in (0, 60, 120)]
    assert all(i.outcome == "failure" and isinstance(i.error, RuntimeError) for i in invocations)
    assert [i.records[0]["attributes"]["ApproximateReceiveCount"] for i in invocations] == ["1", "2", "3"]
    dead = sqs_mock.queue("orders-dlq").visible
    assert [m.message_id for m in dead] == ids
    assert len(sqs_mock.queue("orders")) == 0


def test_run_until_drives_the_trigger_step_by_step(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders-dlq")
    sqs_mock.create_queue("orders", dead_letter_queue="orders-dlq", max_receive_count=2)
    sqs_mock.send("orders", "poison")
    trigger = sqs_mock.lambda_trigger("orders", fails)

    sqs_mock.run_until(lambda: len(sqs_mock.queue("orders-dlq")) == 1, step=trigger.poll)

    assert len(trigger.invocations) == 2


def test_drain_gives_up_after_its_virtual_time_budget(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders", attributes={"VisibilityTimeout": "30"})
    sqs_mock.send("orders", "poison")
    trigger = sqs_mock.lambda_trigger("orders", fails)

    result = trigger.drain(within=100)

    assert not result.drained
    assert len(result.invocations) == 4  # at 0, 30, 60 and 90 s


def test_a_result_that_is_not_json_fails_the_batch(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "a")
    trigger = sqs_mock.lambda_trigger("orders", lambda event, context: object())

    (invocation,) = trigger.poll().invocations

    assert invocation.outcome == "failure"
    assert isinstance(invocation.error, TypeError)


def test_running_past_the_function_timeout_fails_the_batch(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.send("orders", "a")

    def slow(event: dict[str, Any], context: Any) -> None:
        sqs_mock.advance(4)

    trigger = sqs_mock.lambda_trigger("orders", slow, timeout=3)
    (invocation,) = trigger.poll().invocations

    assert isinstance(invocation.error, FunctionTimeoutError)
    assert str(invocation.error) == "Task timed out after 3.00 seconds"
    assert invocation.outcome == "failure"


# -- batching window, payload, concurrency ------------------------------------


def test_a_batching_window_gathers_in_virtual_time_until_it_ends(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", ["a", "b"])
    send_many(sqs_mock, "orders", ["late"], delay_seconds=3)
    send_many(sqs_mock, "orders", ["too-late"], delay_seconds=9)
    start = sqs_mock.now
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("orders", handler, maximum_batching_window=5)

    (invocation,) = trigger.poll().invocations

    assert invocation.bodies == ["a", "b", "late"]
    assert invocation.time == start + timedelta(seconds=5)
    assert sqs_mock.now == start + timedelta(seconds=5)
    assert trigger.poll().invocations == ()  # nothing visible: an idle poll costs no time
    assert sqs_mock.now == start + timedelta(seconds=5)


def test_a_full_batch_is_invoked_before_the_window_ends(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", [str(n) for n in range(25)])
    start = sqs_mock.now
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("orders", handler, batch_size=20, maximum_batching_window=10)

    first = trigger.poll()
    second = trigger.poll()

    assert [len(batch) for batch in handler.batches] == [20, 5]
    assert first.time == start
    assert first.invocations[0].time == start
    assert second.invocations[0].time == start + timedelta(seconds=10)


def test_a_batch_never_exceeds_the_6_mb_invocation_payload(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("big")
    send_many(sqs_mock, "big", [str(n) * 1_000_000 for n in range(7)])
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("big", handler)

    result = trigger.poll()

    assert [len(batch) for batch in handler.batches] == [6, 1]
    assert len(result.deleted) == 7


def test_maximum_concurrency_runs_several_batches_per_cycle(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("orders")
    send_many(sqs_mock, "orders", [str(n) for n in range(25)])
    handler = Recorder()
    trigger = sqs_mock.lambda_trigger("orders", handler, maximum_concurrency=2)

    first = trigger.poll()

    assert [len(batch) for batch in handler.batches] == [10, 10]
    assert len({i.context.aws_request_id for i in first.invocations}) == 2
    assert len(sqs_mock.queue("orders")) == 5


# -- FIFO ----------------------------------------------------------------------


def test_fifo_stops_at_the_first_failure_and_keeps_group_order(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs.fifo", attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})
    for n in range(1, 6):
        sqs_mock.send("jobs.fifo", f"m{n}", group_id="g", deduplication_id=f"d{n}")
    processed: list[str] = []
    failed_once: set[str] = set()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            body = record["body"]
            if body == "m3" and body not in failed_once:
                failed_once.add(body)
                # Reports only m3: the trigger returns m4 and m5 with it, as FIFO needs.
                failures.append({"itemIdentifier": record["messageId"]})
                continue
            processed.append(body)
        return {"batchItemFailures": failures}

    trigger = sqs_mock.lambda_trigger("jobs.fifo", handler, report_batch_item_failures=True)
    first = trigger.poll().invocations[0]
    assert [first.bodies[first.message_ids.index(i)] for i in first.failed_message_ids] == ["m3", "m4", "m5"]
    assert trigger.poll().invocations == ()  # the group is blocked while m3 is in flight

    result = trigger.drain()

    assert result.drained
    assert [i.bodies for i in trigger.invocations] == [["m1", "m2", "m3", "m4", "m5"], ["m3", "m4", "m5"]]
    # The handler carried on past m3, so m4 and m5 ran twice: once too early, once in order.
    assert processed == ["m1", "m2", "m4", "m5", "m3", "m4", "m5"]


def test_fifo_exception_returns_the_whole_batch_in_order(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs.fifo", attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for body in ["a", "b"]:
        sqs_mock.send("jobs.fifo", body, group_id="g")
    attempts: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        attempts.append([r["body"] for r in event["Records"]])
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")

    trigger = sqs_mock.lambda_trigger("jobs.fifo", handler)
    trigger.drain()

    assert attempts == [["a", "b"], ["a", "b"]]


def test_fifo_concurrency_gives_each_batch_its_own_groups(sqs_mock: SqsMock) -> None:
    sqs_mock.create_queue("jobs.fifo", attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for group in ["g1", "g2"]:
        for n in range(3):
            sqs_mock.send("jobs.fifo", f"{group}-{n}", group_id=group)
    trigger = sqs_mock.lambda_trigger("jobs.fifo", Recorder(), batch_size=3, maximum_concurrency=2)

    result = trigger.poll()

    assert [i.bodies for i in result.invocations] == [["g1-0", "g1-1", "g1-2"], ["g2-0", "g2-1", "g2-2"]]


# -- validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("queue", "options", "message"),
    [
        ("orders", {"batch_size": 11}, "needs maximum_batching_window"),
        ("orders", {"batch_size": 10_001, "maximum_batching_window": 1}, "from 1 to 10000"),
        ("orders", {"batch_size": 0}, "from 1 to 10000"),
        ("orders", {"maximum_batching_window": 301}, "from 0 to 300"),
        ("orders", {"maximum_batching_window": 1.5}, "whole seconds"),
        ("orders", {"maximum_concurrency": 1}, "from 2 to 1000"),
        ("orders", {"timeout": 31}, "less than the function timeout"),
        ("jobs.fifo", {"batch_size": 11, "maximum_batching_window": 1}, "from 1 to 10 for a FIFO"),
        ("jobs.fifo", {"maximum_batching_window": 1}, "not supported for FIFO"),
    ],
)
def test_lambda_refuses_invalid_mappings(sqs_mock: SqsMock, queue: str, options: dict[str, Any], message: str) -> None:
    sqs_mock.create_queue("orders")
    sqs_mock.create_queue("jobs.fifo", attributes={"FifoQueue": "true"})

    with pytest.raises(ValueError, match=message):
        sqs_mock.lambda_trigger(queue, fails, **options)


def test_a_batching_window_needs_the_virtual_clock() -> None:
    with mock_sqs(clock="system") as mock:
        mock.create_queue("orders")
        mock.send("orders", "a")
        with pytest.raises(SqsMockError, match="clock='virtual'"):
            mock.lambda_trigger("orders", fails, maximum_batching_window=1)
        trigger = mock.lambda_trigger("orders", fails)
        assert trigger.poll().failed == [mock.queue("orders").messages[0].message_id]
        with pytest.raises(SqsMockError, match="clock='virtual'"):
            trigger.drain()
