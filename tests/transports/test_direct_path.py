"""The direct path (``mock_sqs(direct=True)``) answers exactly as the full path does.

The same sequence of boto3 calls runs through both paths; parsed responses, raised
errors and the journal must match, once request ids, message ids and receipt handles
(random on every run) are numbered in order of appearance.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import boto3
import botocore
import botocore.session
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pytest_sqsmock import SqsMock, mock_sqs
from pytest_sqsmock.transports import botocore_hook, direct_path
from pytest_sqsmock.transports.private_hooks import PrivateHookError
from pytest_sqsmock.wire.codec import encode_result

START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
OTHER_ACCOUNT = "111122223333"
# Random on every run: compared by order of first appearance.
IDS = {"RequestId", "x-amzn-requestid", "MessageId", "ReceiptHandle"}


class Sent:
    """Counts the requests of one client that reached ``before-send`` (the full path)."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        client.meta.events.register("before-send.sqs", self)

    def __call__(self, **_: Any) -> None:
        self.count += 1


def client(sqs_mock: SqsMock, **kwargs: Any) -> tuple[Any, Sent]:
    """A boto3 client that made its first call already (the direct path is installed on it from then on)."""
    made = boto3.client("sqs", region_name="us-east-1", **kwargs)
    sent = Sent(made)
    made.list_queues()
    return made, sent


def outcome(call: Callable[..., Any], **params: Any) -> tuple[str, Any]:
    try:
        return "ok", call(**params)
    except ClientError as error:
        return type(error).__name__, error.response


def scenario(sqs_mock: SqsMock) -> tuple[list[tuple[str, Any]], list[Sent]]:
    """Every kind of answer: attributes, batch failures, FIFO, errors, accounts, unsigned calls, retries."""
    sqs, sent = client(sqs_mock)
    other, other_sent = client(sqs_mock, **sqs_mock.credentials(OTHER_ACCOUNT))
    unsigned, unsigned_sent = client(sqs_mock, config=Config(signature_version=botocore.UNSIGNED))
    standard, standard_sent = client(sqs_mock, config=Config(retries={"mode": "standard", "max_attempts": 5}))
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    attributes = {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "size": {"DataType": "Number", "StringValue": "12.5"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
    entries = [
        {"Id": "a", "MessageBody": "first", "DelaySeconds": 0},
        {"Id": "b", "MessageBody": "bad \x00 body"},
        {"Id": "c", "MessageBody": "third", "MessageAttributes": attributes},
    ]
    results = [
        outcome(sqs.send_message, QueueUrl=url, MessageBody="hello", MessageAttributes=attributes),
        outcome(sqs.send_message, QueueUrl=url, MessageBody="traced", MessageSystemAttributes=trace),
        outcome(sqs.send_message_batch, QueueUrl=url, Entries=entries),
        outcome(
            sqs.receive_message,
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ),
        outcome(sqs.send_message, QueueUrl=fifo, MessageBody="f1", MessageGroupId="g", MessageDeduplicationId="1"),
        outcome(sqs.send_message, QueueUrl=fifo, MessageBody="f2", MessageGroupId="g", MessageDeduplicationId="2"),
        outcome(sqs.receive_message, QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"]),
        outcome(sqs.get_queue_attributes, QueueUrl=fifo, AttributeNames=["All"]),
        outcome(sqs.get_queue_url, QueueName="missing"),
        outcome(sqs.send_message, QueueUrl=url, MessageBody="late", DelaySeconds=901),
        outcome(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle="nonsense", VisibilityTimeout=5),
        outcome(sqs.delete_message_batch, QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "nonsense"}]),
        outcome(sqs.tag_queue, QueueUrl=url, Tags={}),
        outcome(other.create_queue, QueueName="orders"),
        outcome(other.send_message, QueueUrl=url, MessageBody="cross-account"),
        outcome(unsigned.list_queues),
    ]
    sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=2)
    results.append(outcome(sqs.send_message, QueueUrl=url, MessageBody="after two throttles"))
    sqs_mock.faults.fail_next("ReceiveMessage", code="ServiceUnavailable", times=5)
    results.append(outcome(sqs.receive_message, QueueUrl=url))
    sqs_mock.faults.fail_next("ListQueues", code="ThrottlingException", times=4)
    results.append(outcome(standard.list_queues))
    return results, [sent, other_sent, unsigned_sent, standard_sent]


def journal(sqs_mock: SqsMock) -> list[Any]:
    return [
        (
            call.operation,
            call.params,
            call.result,
            None if call.error is None else (call.error.code, call.error.status, call.error.injected),
            call.account_id,
            call.region,
        )
        for call in sqs_mock.calls
    ]


def numbered(value: Any, seen: dict[str, dict[Any, int]] | None = None, key: str = "") -> Any:
    """``value`` with every random id replaced by its order of first appearance (per kind)."""
    seen = {} if seen is None else seen
    if isinstance(value, dict):
        return {name: numbered(item, seen, str(name)) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [numbered(item, seen, key) for item in value]
    if key in IDS:
        kind = seen.setdefault("RequestId" if key == "x-amzn-requestid" else key, {})
        return f"<{key} {kind.setdefault(value, len(kind))}>"
    return value


def run(direct: bool) -> tuple[Any, Any, list[int]]:
    with mock_sqs(direct=direct, start=START) as sqs_mock:
        results, sent = scenario(sqs_mock)
        # Back-off moves virtual time by a random amount: the retried calls' times differ.
        return numbered(results), numbered(journal(sqs_mock)), [each.count for each in sent]


def test_the_direct_path_answers_exactly_as_the_full_path() -> None:
    full_results, full_journal, full_sent = run(direct=False)
    direct_results, direct_journal, direct_sent = run(direct=True)

    assert direct_results == full_results
    assert direct_journal == full_journal
    # Only each client's first call went through botocore's endpoint on the direct path.
    assert direct_sent == [1, 1, 1, 1]
    assert full_sent[0] > 20


def test_the_scenario_covers_what_it_claims() -> None:
    results, _, _ = run(direct=True)
    kinds = [kind for kind, _ in results]
    assert kinds.count("QueueDoesNotExist") == 1
    assert "ClientError" in kinds  # InvalidParameterValue, ReceiptHandleIsInvalid
    batch = results[2][1]
    assert [entry["Id"] for entry in batch["Failed"]] == ["b"]
    assert [entry["Id"] for entry in batch["Successful"]] == ["a", "c"]
    received = results[3][1]["Messages"]
    assert {message["Body"] for message in received} == {"hello", "traced", "first", "third"}
    assert any(
        message["MessageAttributes"].get("blob", {}).get("BinaryValue") == b"\x00\x01\xff" for message in received
    )
    throttled, unavailable, standard = results[-3:]
    assert throttled[0] == "ok"
    assert throttled[1]["ResponseMetadata"]["RetryAttempts"] == 2
    assert unavailable[0] == "ClientError"
    assert unavailable[1]["ResponseMetadata"]["RetryAttempts"] == 4
    assert unavailable[1]["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert standard[1]["ResponseMetadata"]["RetryAttempts"] == 4


def test_retry_back_off_is_spent_in_virtual_time(sqs_mock_direct: SqsMock) -> None:
    sqs, _ = client(sqs_mock_direct)
    before = sqs_mock_direct.now
    sqs_mock_direct.faults.fail_next("ListQueues", code="ServiceUnavailable", times=3)

    response = sqs.list_queues()

    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    assert sqs_mock_direct.now > before


@pytest.fixture
def sqs_mock_direct() -> Iterator[SqsMock]:
    with mock_sqs(direct=True) as sqs_mock:
        yield sqs_mock


def test_worker_threads_consume_through_the_direct_path(sqs_mock_direct: SqsMock) -> None:
    sqs, _ = client(sqs_mock_direct)
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    worker, worker_sent = client(sqs_mock_direct)
    done: list[str] = []
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            for message in worker.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", []):
                done.append(message["Body"])
                worker.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs_mock_direct.run_until(lambda: len(done) == 3)
    stop.set()
    sqs_mock_direct.wait_until_parked(0)
    sqs_mock_direct.advance(20)  # its last long poll ends empty
    thread.join(timeout=10)

    assert sorted(done) == ["a", "b", "c"]
    assert not thread.is_alive()
    assert worker_sent.count == 1  # its warm-up call only
    assert len(sqs_mock_direct.calls.filter("DeleteMessage")) == 3


def test_a_client_warmed_by_a_direct_mock_takes_the_full_path_under_a_later_mock() -> None:
    with mock_sqs(direct=True):
        sqs = boto3.client("sqs", region_name="us-east-1")
        sent = Sent(sqs)
        sqs.list_queues()
        sqs.list_queues()
        assert sent.count == 1
    with mock_sqs() as later:
        sqs.create_queue(QueueName="later")
        assert sent.count == 2
        assert [view.name for view in later.queues()] == ["later"]


def test_stubber_still_answers_first(sqs_mock_direct: SqsMock) -> None:
    sqs, _ = client(sqs_mock_direct)
    calls = len(sqs_mock_direct.calls)
    with Stubber(sqs) as stubber:
        stubber.add_response("list_queues", {"QueueUrls": ["https://example.com/stubbed"]})
        assert sqs.list_queues()["QueueUrls"] == ["https://example.com/stubbed"]
    assert len(sqs_mock_direct.calls) == calls


def test_a_botocore_without_the_before_call_shortcut_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        return None

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    send = vars(Endpoint)["_send"]

    with pytest.raises(PrivateHookError, match="_make_api_call no longer uses emit_until_response"):
        mock_sqs(direct=True).start()
    assert vars(Endpoint)["_send"] is send
    assert not botocore_hook.is_active()


# botocore before 1.34.90 speaks the query protocol: its answers are encoded and parsed as XML.
QUERY_ERA = botocore.session.get_session().get_service_model("sqs").protocol == "query"


@pytest.mark.skipif(QUERY_ERA, reason="results are handed on unencoded only to awsJson1_0 clients")
def test_successes_skip_encoding_unless_someone_reads_the_body(
    sqs_mock_direct: SqsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs, _ = client(sqs_mock_direct)
    url = sqs.create_queue(QueueName="plain")["QueueUrl"]
    encoded: list[str] = []

    def counting(protocol: Any, operation: str, result: Any, request_id: str) -> Any:
        encoded.append(operation)
        return encode_result(protocol, operation, result, request_id)

    monkeypatch.setattr("pytest_sqsmock.transports.dispatch.encode_result", counting)
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert encoded == []

    bodies: list[Any] = []
    sqs.meta.events.register("after-call.sqs.ReceiveMessage", lambda http_response, **_: bodies.append(http_response))
    received = sqs.receive_message(QueueUrl=url)
    assert encoded == []
    document = json.loads(bodies[0].content)
    assert encoded == ["ReceiveMessage"]
    assert document["Messages"][0]["MessageId"] == sent["MessageId"] == received["Messages"][0]["MessageId"]
    assert bodies[0].headers["x-amzn-RequestId"] == received["ResponseMetadata"]["RequestId"]


@pytest.mark.sqs_mock(direct=True)
def test_the_marker_turns_the_direct_path_on(sqs_mock: SqsMock) -> None:
    sqs, sent = client(sqs_mock)
    sqs.list_queues()
    assert sqs_mock.direct
    assert sent.count == 1


def test_the_ini_option_turns_it_on_and_a_marker_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        def sent_twice():
            sqs = boto3.client("sqs", region_name="us-east-1")
            sent = []
            sqs.meta.events.register("before-send.sqs", lambda **_: sent.append(1))
            sqs.list_queues()
            sqs.list_queues()
            return len(sent)

        def test_ini(sqs_mock):
            assert sqs_mock.direct
            assert sent_twice() == 1

        @pytest.mark.sqs_mock(direct=False)
        def test_marker(sqs_mock):
            assert not sqs_mock.direct
            assert sent_twice() == 2
        """
    )
    result = pytester.runpytest("-p", "no:asyncio", "-o", "sqs_mock_direct=true")
    result.assert_outcomes(passed=2)


def test_an_endpoint_without_its_emitter_fails_loudly() -> None:
    with pytest.raises(PrivateHookError, match="_event_emitter does not exist"):
        direct_path.install(cast(Endpoint, object()))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{}", b"{}"),
        ('{"a": 1}', b'{"a": 1}'),
        ({"Action": "ListQueues", "Version": "2012-11-05"}, b"Action=ListQueues&Version=2012-11-05"),
        (None, b""),
    ],
)
def test_a_request_body_is_read_as_botocore_would_send_it(body: Any, expected: bytes) -> None:
    assert direct_path._body(body) == expected


def test_a_file_body_is_read_and_rewound_for_whoever_reads_it_next() -> None:
    import io

    stream = io.BytesIO(b'{"QueueName": "q"}')
    assert direct_path._body(stream) == b'{"QueueName": "q"}'
    assert stream.read() == b'{"QueueName": "q"}'


def test_refreshable_credentials_name_the_account_as_signing_would(sqs_mock_direct: SqsMock) -> None:
    from botocore.credentials import RefreshableCredentials

    key = sqs_mock_direct.credentials(account_id="210987654321")["aws_access_key_id"]
    refreshable = RefreshableCredentials.create_from_metadata(
        {"access_key": key, "secret_key": "s", "token": None, "expiry_time": "2999-01-01T00:00:00Z"},
        lambda: {"access_key": key, "secret_key": "s", "token": None, "expiry_time": "2999-01-01T00:00:00Z"},
        "test",
    )
    session = botocore.session.get_session()
    client: Any = session.create_client("sqs", region_name="us-east-1")
    client._request_signer._credentials = refreshable  # what a role's credentials look like to the signer
    client.list_queues()  # the first call takes the full path and installs the direct one
    url = client.create_queue(QueueName="theirs")["QueueUrl"]
    assert "/210987654321/theirs" in url
    assert sqs_mock_direct.queue("theirs", account_id="210987654321").account_id == "210987654321"


def test_a_client_without_credentials_fails_as_signing_would(sqs_mock_direct: SqsMock) -> None:
    client = sqs_mock_direct.client()
    client.list_queues()  # installs the direct path on this client
    client._request_signer._credentials = None
    with pytest.raises(botocore.exceptions.NoCredentialsError):
        client.list_queues()
