"""Injected faults through real boto3 clients: errors and retries, duplicates, reordering, empty polls, lost deletes."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.sqs_errors import TABLE

NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def sqs(sqs_mock: SqsMock) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def url(sqs: Any) -> str:
    return str(sqs.create_queue(QueueName="orders")["QueueUrl"])


def send_all(sqs: Any, url: str, bodies: list[str]) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)


def drain(sqs: Any, url: str, **kwargs: Any) -> list[str]:
    """Receive one at a time (short polls) until nothing comes, deleting each."""
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0, **kwargs).get("Messages"):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


# -- errors and botocore's retries ---------------------------------------------------------------


def test_throttled_calls_are_retried_by_botocore(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    fault = sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=2)
    before = sqs_mock.now

    response = sqs.send_message(QueueUrl=url, MessageBody="hi")

    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert fault.fired == 2
    assert not fault.active
    sends = sqs_mock.calls.filter("SendMessage")
    assert [(c.error.code, c.error.status, c.error.injected) if c.error else None for c in sends] == [
        ("RequestThrottled", 403, True),
        ("RequestThrottled", 403, True),
        None,
    ]
    assert [m.body for m in sqs_mock.queue("orders").visible] == ["hi"]
    assert sqs_mock.now > before  # the back-off was spent in virtual time


def test_exhausted_retries_surface_the_error(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    sqs_mock.faults.fail_next("ReceiveMessage", code="ServiceUnavailable", times=5)
    before = sqs_mock.now

    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=url)

    response = excinfo.value.response
    assert response["Error"]["Code"] == "ServiceUnavailable"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert response["ResponseMetadata"]["RetryAttempts"] == 4  # legacy mode: 5 attempts
    assert len(sqs_mock.calls.filter("ReceiveMessage", failed=True)) == 5
    # Legacy back-off: rand * 2**n seconds per retry, all of it virtual.
    assert 0 < (sqs_mock.now - before).total_seconds() < 1 + 2 + 4 + 8


def test_standard_mode_retries_throttling_exception(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    sqs_mock.faults.fail_next("ListQueues", code="ThrottlingException", times=4)

    response = sqs.list_queues()

    assert response["ResponseMetadata"]["RetryAttempts"] == 4
    assert response["QueueUrls"] == [url]


def test_without_retries_the_first_failure_surfaces(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    sqs_mock.faults.fail_next("SendMessage", message="disk on fire")

    with pytest.raises(ClientError, match="disk on fire") as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x")

    assert excinfo.value.response["Error"]["Code"] == "InternalFailure"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    sqs.send_message(QueueUrl=url, MessageBody="x")  # only the next call failed


MODELED = sorted({spec.shape for spec in TABLE.values() if spec.namespace == "com.amazonaws.sqs"})
# botocore before 1.34.90 carries the query-era model: fewer error shapes, fewer exception classes.
QUERY_ERA = botocore.session.get_session().get_service_model("sqs").protocol == "query"


@pytest.mark.skipif(QUERY_ERA, reason="the installed botocore's SQS model predates some of SQS's error shapes")
def test_catalogue_covers_botocore_error_shapes_exactly() -> None:
    model = botocore.session.get_session().get_service_model("sqs")
    assert set(MODELED) == {shape.name for shape in model.error_shapes}


@pytest.mark.parametrize("shape", MODELED)
def test_modeled_codes_raise_botocores_modeled_exception(sqs_mock: SqsMock, url: str, shape: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    if QUERY_ERA and not hasattr(sqs.exceptions, shape):
        pytest.skip(f"the installed botocore's SQS model has no {shape} exception class")
    spec = TABLE[shape]
    sqs_mock.faults.fail_next("GetQueueAttributes", code=spec.code)

    with pytest.raises(getattr(sqs.exceptions, shape)) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url)

    assert excinfo.value.response["Error"]["Code"] == spec.code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == spec.status


@pytest.mark.skipif(QUERY_ERA, reason="the installed botocore's SQS model has no KmsThrottled exception class")
def test_shape_names_work_as_codes(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    sqs_mock.faults.fail_next("SendMessage", code="KmsThrottled")
    with pytest.raises(sqs.exceptions.KmsThrottled) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert excinfo.value.response["Error"]["Code"] == "KMS.ThrottlingException"


def test_errors_target_operations_and_queues(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    other = sqs.create_queue(QueueName="audit")["QueueUrl"]
    on_audit = sqs_mock.faults.fail_next(
        ["SendMessage", "GetQueueUrl"], code="AWS.SimpleQueueService.NonExistentQueue", times=2, queue="audit"
    )

    sqs.send_message(QueueUrl=url, MessageBody="fine")
    sqs.get_queue_url(QueueName="orders")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="audit")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=other, MessageBody="lost")
    sqs.send_message(QueueUrl=other, MessageBody="kept")

    assert on_audit.fired == 2
    assert [m.body for m in sqs_mock.queue("audit").visible] == ["kept"]


def test_any_operation_and_set_up_helpers(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    outage = sqs_mock.faults.fail_next("*", code="ServiceUnavailable", times=2)

    sqs_mock.send("orders", "set-up helpers never fail")
    with pytest.raises(ClientError):
        sqs.list_queues()
    with pytest.raises(ClientError):
        sqs.receive_message(QueueUrl=url)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "set-up helpers never fail"
    assert outage.fired == 2


def test_random_failures_repeat_with_the_seed() -> None:
    def outcomes(seed: int) -> list[bool]:
        with mock_sqs() as mock:
            sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            fault = mock.faults.fail_randomly("SendMessage", code="RequestThrottled", probability=0.5, seed=seed)
            results = []
            for _ in range(40):
                try:
                    sqs.send_message(QueueUrl=url, MessageBody="x")
                except ClientError:
                    results.append(False)
                else:
                    results.append(True)
            assert fault.fired == results.count(False)
            return results

    first = outcomes(7)
    assert first == outcomes(7)
    assert 5 < first.count(False) < 35
    assert first != outcomes(8)


def test_random_failures_stop_after_times(sqs_mock: SqsMock, url: str) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES)
    fault = sqs_mock.faults.fail_randomly("SendMessage", code="InternalFailure", probability=1.0, times=3)
    failures = 0
    for _ in range(6):
        try:
            sqs.send_message(QueueUrl=url, MessageBody="x")
        except ClientError:
            failures += 1
    assert failures == fault.fired == 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda faults: faults.fail_next("SendMesage"), "Did you mean SendMessage"),
        (lambda faults: faults.fail_next([]), "at least one operation"),
        (lambda faults: faults.fail_next("SendMessage", code="Nope"), "unknown SQS error code 'Nope'"),
        (lambda faults: faults.fail_next("SendMessage", times=0), "times must be a positive int"),
        (lambda faults: faults.fail_randomly("*", code="OverLimit", probability=0), r"probability must be in \(0, 1\]"),
        (lambda faults: faults.duplicate_deliveries("jobs.fifo"), "FIFO queue"),
        (lambda faults: faults.reorder("jobs.fifo"), "FIFO queue"),
        (lambda faults: faults.lose_deletes("a/b/c"), "neither a queue name, URL nor ARN"),
    ],
)
def test_misuse_is_a_value_error(sqs_mock: SqsMock, call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call(sqs_mock.faults)


# -- deliveries ----------------------------------------------------------------------------------


def test_duplicate_delivery_while_the_first_copy_is_in_flight(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    send_all(sqs, url, ["a", "b"])
    fault = sqs_mock.faults.duplicate_deliveries("orders")  # the next received message, once

    [first] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]

    assert [m["Body"] for m in second] == ["a", "b"]
    copy = second[0]
    assert copy["MessageId"] == first["MessageId"]
    assert copy["ReceiptHandle"] != first["ReceiptHandle"]
    assert [first["Attributes"]["ApproximateReceiveCount"], copy["Attributes"]["ApproximateReceiveCount"]] == ["1", "2"]
    assert fault.fired == 1
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=copy["ReceiptHandle"])  # a no-op, not an error
    assert [m.body for m in sqs_mock.queue("orders").in_flight] == ["b"]


def test_a_duplicate_comes_even_after_the_delete(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    send_all(sqs, url, ["a", "b", "c"])
    sqs_mock.faults.duplicate_deliveries("orders", times=2)

    assert drain(sqs, url) == ["a", "a", "b", "b", "c"]
    assert len(sqs_mock.queue("orders")) == 0


def test_seeded_duplicates_repeat() -> None:
    def delivered(seed: int) -> list[str]:
        with mock_sqs() as mock:
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            send_all(sqs, url, [str(n) for n in range(20)])
            fault = mock.faults.duplicate_deliveries("q", probability=0.3, seed=seed)
            bodies = drain(sqs, url)
            assert len(bodies) == 20 + fault.fired
            return bodies

    assert delivered(1) == delivered(1)
    assert delivered(1) != delivered(2)


def test_reorder_shuffles_standard_delivery_reproducibly(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    bodies = [str(n) for n in range(12)]
    send_all(sqs, url, bodies)
    fault = sqs_mock.faults.reorder("orders", seed=5)
    promised = [m.body for m in sqs_mock.queue("orders").visible]  # views follow the delivery order

    received = drain(sqs, url)

    assert received == promised
    assert received != bodies
    assert sorted(received, key=int) == bodies
    assert fault.fired == 12
    fault.cancel()
    send_all(sqs, url, bodies)
    assert drain(sqs, url) == bodies


def test_reorder_repeats_with_the_seed() -> None:
    def delivered(seed: int) -> list[str]:
        with mock_sqs() as mock:
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            mock.faults.reorder("q", seed=seed)  # before the sends: new messages take their place too
            send_all(sqs, url, [str(n) for n in range(12)])
            return drain(sqs, url, MaxNumberOfMessages=3)

    assert delivered(3) == delivered(3)
    assert delivered(3) != delivered(4)


def test_empty_short_polls_while_messages_wait(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    fault = sqs_mock.faults.empty_receives("orders", times=2)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)  # empty queue: not counted
    send_all(sqs, url, ["a"])

    polls = [len(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])) for _ in range(3)]

    assert polls == [0, 0, 1]
    assert fault.fired == 2


def test_long_polls_are_not_emptied(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    fault = sqs_mock.faults.empty_receives("orders", probability=1.0)
    send_all(sqs, url, ["a"])
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]["Body"] == "a"
    assert fault.fired == 1


def test_empty_short_polls_on_fifo_queues(sqs_mock: SqsMock, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1")
    sqs_mock.faults.empty_receives("jobs.fifo")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"][0]["Body"] == "a"


def test_a_lost_delete_redelivers_once(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    send_all(sqs, url, ["a"])
    fault = sqs_mock.faults.lose_deletes("orders")
    [message] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)["Messages"]

    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # answers success

    assert fault.fired == 1
    assert [m.body for m in sqs_mock.queue("orders").in_flight] == ["a"]
    sqs_mock.advance(10)
    [again] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert again["MessageId"] == message["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert len(sqs_mock.queue("orders")) == 0


def test_batch_deletes_are_lost_per_entry(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    send_all(sqs, url, ["a", "b"])
    sqs_mock.faults.lose_deletes("orders", times=1)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    result = sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(received)]
    )

    assert len(result["Successful"]) == 2
    assert "Failed" not in result
    assert [m.body for m in sqs_mock.queue("orders").in_flight] == ["a"]


def test_clear_removes_every_fault(sqs_mock: SqsMock, sqs: Any, url: str) -> None:
    send_all(sqs, url, ["a", "b", "c"])
    faults = sqs_mock.faults
    handles = [faults.reorder("orders", seed=1), faults.fail_next("*", times=5), faults.lose_deletes("orders")]
    assert faults.active == handles

    faults.clear()

    assert faults.active == []
    assert not any(h.active for h in handles)
    assert drain(sqs, url) == ["a", "b", "c"]
    assert not any(call.error for call in sqs_mock.calls)


def test_faults_need_a_started_mock() -> None:
    with pytest.raises(Exception, match="never started"):
        mock_sqs().faults  # noqa: B018
