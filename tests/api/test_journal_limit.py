"""The call journal keeps the latest ``journal_limit`` calls and says how many it dropped."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_sqsmock import CallError, SqsMock, mock_sqs
from pytest_sqsmock.journal import Journal
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.sqs_errors import invalid_parameter_value
from pytest_sqsmock.transports.dispatch import Exchange

from .api_support import REGION, md5_hex


def _send(client: Any, url: str, bodies: range) -> list[str]:
    return [client.send_message(QueueUrl=url, MessageBody=f"m{index}")["MessageId"] for index in bodies]


@pytest.mark.sqs_mock(journal_limit=5)
def test_only_the_latest_calls_are_kept_and_the_rest_counted(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="limited")["QueueUrl"]
    ids = _send(sqs, url, range(6))
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])

    calls = sqs_mock.calls

    assert [call.params["MessageBody"] for call in calls[:4]] == ["m2", "m3", "m4", "m5"]
    assert [call.result["MessageId"] for call in calls[:4] if call.result] == ids[2:]
    assert calls[-1].operation == "GetQueueAttributes"
    assert calls.dropped == 3
    assert calls.dropped_by_operation == {"CreateQueue": 1, "SendMessage": 2}
    assert not calls.complete
    sends = calls.filter("SendMessage")
    assert (len(sends), sends.dropped) == (4, 2)
    assert calls.filter("GetQueueAttributes").complete
    with pytest.raises(AssertionError, match=r"dropped 3 earlier calls \(CreateQueue 1, SendMessage 2\).*latest 5"):
        calls.assert_complete()


def test_a_kept_call_reads_as_the_client_saw_it_after_many_folds() -> None:
    # More calls than one fold batch: records are compacted, then rebuilt exactly.
    with mock_sqs(journal_limit=None) as mock:
        sqs = mock.client()
        url = sqs.create_queue(QueueName="many")["QueueUrl"]
        ids = _send(sqs, url, range(1500))
        calls = mock.calls

    assert calls.complete
    assert calls.dropped == 0
    assert len(calls) == 1501
    last = calls[-1]
    assert last.params == {"QueueUrl": url, "MessageBody": "m1499"}
    assert last.result == {"MessageId": ids[-1], "MD5OfMessageBody": md5_hex("m1499")}
    assert [call.sequence for call in calls] == list(range(1, 1502))
    calls.assert_complete()


def test_errors_are_kept_with_their_code(sqs_mock: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    sqs_mock.faults.fail_next("SendMessage", code="RequestThrottled", times=1)
    url = sqs.create_queue(QueueName="throttled", Attributes={})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="retried")

    failed, ok = sqs_mock.calls.filter("SendMessage")

    assert failed.error is not None
    assert failed.error.injected
    assert failed.result is None
    assert failed.params["MessageBody"] == "retried"
    assert ok.error is None
    assert ok.result is not None


def test_limit_zero_keeps_counts_only() -> None:
    with mock_sqs(journal_limit=0) as mock:
        mock.client().create_queue(QueueName="uncounted")
        calls = mock.calls

    assert list(calls) == []
    assert calls.dropped_by_operation == {"CreateQueue": 1}


def test_reset_forgets_dropped_counts() -> None:
    with mock_sqs(journal_limit=1) as mock:
        sqs = mock.client()
        sqs.create_queue(QueueName="a")
        sqs.create_queue(QueueName="b")
        assert mock.calls.dropped == 1
        mock.reset()
        assert mock.calls.complete
        assert list(mock.calls) == []


@pytest.mark.parametrize("limit", [-1, 1.5, "10", True])
def test_a_limit_that_is_not_a_count_is_refused(limit: Any) -> None:
    with pytest.raises(ValueError, match="journal_limit must be a whole number >= 0 or None"):
        mock_sqs(journal_limit=limit)


def test_ini_option_sets_the_limit(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        sqs_mock_journal_limit = 2
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_from_ini(sqs_mock):
            client = sqs_mock.client()
            for name in "abc":
                client.create_queue(QueueName=name)
            assert [c.params["QueueName"] for c in sqs_mock.calls] == ["b", "c"]
            assert sqs_mock.calls.dropped == 1

        @pytest.mark.sqs_mock(journal_limit=None)
        def test_marker_overrides_ini(sqs_mock):
            client = sqs_mock.client()
            for name in "abc":
                client.create_queue(QueueName=name)
            assert sqs_mock.calls.complete and len(sqs_mock.calls) == 3
        """
    )
    result = pytester.runpytest("-p", "no:asyncio", "--strict-config")
    result.assert_outcomes(passed=2)


def test_ini_option_must_be_a_count(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        sqs_mock_journal_limit = lots
        """
    )
    pytester.makepyfile("def test_any(sqs_mock):\n    pass\n")
    result = pytester.runpytest("-p", "no:asyncio")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*sqs_mock_journal_limit must be a whole number >= 0 or 'none', got 'lots'*"])


def test_records_of_every_layout_survive_folding_dropping_and_trimming() -> None:
    # Straight into the journal: 10,000 calls pass the list trim several times over.
    journal = Journal(limit=4)
    context = RequestContext(account_id="111122223333", region="eu-west-1")
    error = invalid_parameter_value("bad")
    layouts = [
        Exchange(
            "SendMessage", {"QueueUrl": "u", "MessageBody": "b"}, {"MessageId": "i"}, None, context, 5, False, 1, 5
        ),
        Exchange("ReceiveMessage", {"QueueUrl": "u"}, {}, None, context, 5, False, 2, 9_000),
        Exchange("DeleteMessage", {"QueueUrl": "u"}, None, error, context, 5, True),
        Exchange("ListQueues", {}, None, error, context, 5, False, 3, 7),
    ]
    batch: list[Exchange] = []
    for index in range(10_000):
        batch.append(layouts[index % 4])
        if len(batch) == 1 + index % 7:  # batches of every size up to seven
            journal.add(batch)
            batch = []
    journal.add(batch)

    calls = journal.calls()

    assert calls.dropped_by_operation == dict.fromkeys(
        ["SendMessage", "ReceiveMessage", "DeleteMessage", "ListQueues"], 2499
    )
    send, receive, delete, listing = calls
    assert (send.params, send.result, send.error, send.answered_at) == (
        {"QueueUrl": "u", "MessageBody": "b"},
        {"MessageId": "i"},
        None,
        send.time,
    )
    assert receive.result == {}
    assert receive.answered_at is not None
    assert (receive.answered_at - receive.time).total_seconds() == 8.995
    assert delete.error == CallError("InvalidParameterValue", "bad", 400, True)
    assert (delete.result, delete.answered_at, delete.sequence) == (None, None, 0)
    assert listing.error is not None
    assert not listing.error.injected
    assert (listing.params, listing.account_id, listing.region, listing.sequence) == (
        {},
        "111122223333",
        "eu-west-1",
        3,
    )


@pytest.mark.parametrize("limit", [3, 10, 700, None])
def test_reads_between_calls_see_exactly_the_latest_calls(limit: int | None) -> None:
    # Reads keep the calls they built; drops past the limit, and the journal's trimming of
    # what it dropped (past 4,096 items), must keep those and the records in step.
    with mock_sqs(journal_limit=limit) as mock:
        sqs = mock.client()
        url = sqs.create_queue(QueueName="reads")["QueueUrl"]
        sent: list[str] = []
        for round_, count in enumerate((1, 4, 0, 9, 2, 1200, 3)):
            sent += [f"r{round_}-{index}" for index in range(count)]
            for body in sent[len(sent) - count :]:
                sqs.send_message(QueueUrl=url, MessageBody=body)
            calls = mock.calls
            bodies = [call.params["MessageBody"] for call in calls if call.operation == "SendMessage"]
            kept = len(sent) + 1 if limit is None else min(limit, len(sent) + 1)
            assert len(calls) == kept
            assert bodies == sent[len(sent) - len(bodies) :]
            assert calls.dropped == len(sent) + 1 - kept
            assert [call.sequence for call in calls] == sorted({call.sequence for call in calls})
