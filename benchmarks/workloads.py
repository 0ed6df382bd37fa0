"""The measured calls: each workload opens one side, sets up, and times one kind of call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from benchmarks.canned import BODY
from benchmarks.sides import Side, open_side
from benchmarks.timing import Budget, Timing, measure, time_once

_FIFO: Final = {"FifoQueue": "true"}
# A 1 s visibility timeout and the longest retention: a churn of ~600k
# receive-and-advance rounds never ages the message out.
_CHURN: Final = {"VisibilityTimeout": "1", "MessageRetentionPeriod": "1209600"}


class Skipped(Exception):
    """A workload cannot run on a side (yet); the message says why."""


def send_message(side_name: str, budget: Budget, size: int) -> Timing:
    """SendMessage of a 100-byte body to a standard queue."""
    with open_side(side_name) as side:
        url = side.create_queue("bench")
        return measure(lambda: side.client.send_message(QueueUrl=url, MessageBody=BODY), budget)


def send_message_batch(side_name: str, budget: Budget, size: int) -> Timing:
    """SendMessageBatch of ten 100-byte bodies."""
    entries = [{"Id": str(index), "MessageBody": BODY} for index in range(10)]
    with open_side(side_name) as side:
        url = side.create_queue("bench")
        return measure(
            lambda: side.client.send_message_batch(QueueUrl=url, Entries=entries),
            budget,
        )


def receive_delete(side_name: str, budget: Budget, size: int) -> Timing:
    """ReceiveMessage (one message) then DeleteMessage, with ``size`` messages queued."""
    with open_side(side_name) as side:
        url = side.create_queue("bench")
        return _receive_delete(side, url, size, budget, groups=0)


def fifo_receive_delete(side_name: str, budget: Budget, size: int) -> Timing:
    """Receive+Delete on a FIFO queue holding ``size`` messages spread over 1,000 groups."""
    with open_side(side_name) as side:
        if side.name != "floor":
            _probe_fifo(side)
        url = side.create_queue("bench.fifo", _FIFO)
        return _receive_delete(side, url, size, budget, groups=1000)


def visibility_churn(side_name: str, budget: Budget, size: int) -> Timing:
    """ReceiveMessage, then ``advance()`` past the visibility timeout; the next call receives again."""
    with open_side(side_name, virtual_time=True) as side:
        url = side.create_queue("bench", _CHURN)
        side.prefill(url, 1)
        client = side.client

        def churn() -> Any:
            response = client.receive_message(QueueUrl=url)
            side.advance(2)
            return response

        return measure(churn, budget, check=_received_one)


def long_poll(side_name: str, budget: Budget, size: int) -> Timing:
    """ReceiveMessage with WaitTimeSeconds=``size`` on an empty queue: wall time per call."""
    with open_side(side_name, empty_receive=True) as side:
        url = side.create_queue("bench")

        def poll() -> Any:
            return side.client.receive_message(QueueUrl=url, WaitTimeSeconds=size)

        if side.name == "moto":  # blocks for real: one call is all we can afford
            return time_once(poll)
        return measure(poll, budget, check=_received_none)


def enter_leave(side_name: str, budget: Budget, size: int) -> Timing:
    """Entering and leaving the mock (``mock_sqs()`` / ``moto.mock_aws()``), nothing inside."""
    if side_name == "floor":
        raise Skipped("no mock to enter")
    if side_name == "ours":
        from pytest_sqsmock import mock_sqs

        def cycle() -> None:
            with mock_sqs():
                pass

    else:
        from moto import mock_aws

        def cycle() -> None:
            with mock_aws():
                pass

    return measure(cycle, budget)


def _receive_delete(side: Side, url: str, size: int, budget: Budget, *, groups: int) -> Timing:
    side.prefill(url, size, groups=groups)
    client = side.client
    consumed = 0

    def receive_and_delete() -> Any:
        nonlocal consumed
        response = client.receive_message(QueueUrl=url)
        client.delete_message(QueueUrl=url, ReceiptHandle=response["Messages"][0]["ReceiptHandle"])
        consumed += 1
        return response

    def top_up() -> None:
        # Keep the queue between 80 % and 100 % of ``size`` (the floor ignores this).
        nonlocal consumed
        side.prefill(url, consumed, groups=groups)
        consumed = 0

    return measure(
        receive_and_delete,
        budget,
        max_calls=max(1, size // 5),
        prepare=top_up,
        check=_received_one,
    )


def _probe_fifo(side: Side) -> None:
    """Skip unless FIFO basics work: sequence numbers and one message in flight per group."""
    client = side.client
    url = side.create_queue("probe.fifo", _FIFO)
    try:
        for dedup in ("a", "b"):
            client.send_message(
                QueueUrl=url,
                MessageBody=BODY,
                MessageGroupId="g",
                MessageDeduplicationId=dedup,
            )
        first = client.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"]).get("Messages", [])
        blocked = client.receive_message(QueueUrl=url).get("Messages", [])
    except Exception as error:
        raise Skipped(f"FIFO not working yet: {error!r}") from error
    if len(first) != 1 or "SequenceNumber" not in first[0].get("Attributes", {}):
        raise Skipped("FIFO not working yet: received FIFO messages carry no SequenceNumber")
    if blocked:
        raise Skipped("FIFO not working yet: a second receive got a message from a group still in flight")
    client.delete_queue(QueueUrl=url)


def _received_one(response: object) -> None:
    if not isinstance(response, dict) or len(response.get("Messages", [])) != 1:
        raise RuntimeError(f"expected one message, got {response!r}")


def _received_none(response: object) -> None:
    if not isinstance(response, dict) or response.get("Messages"):
        raise RuntimeError(f"expected an empty receive, got {response!r}")


Runner = Callable[[str, Budget, int], Timing]


@dataclass(frozen=True)
class Workload:
    """One row group of the table.

    Attributes:
        name: The label in the table and the JSON.
        run: ``run(side, budget, size) -> Timing`` (may raise ``Skipped``).
        size_label: What ``size`` means for this workload ("queued", "wait s").
        size_independent_floor: The floor does not depend on ``size``: measure it once.
    """

    name: str
    run: Runner
    size_label: str = ""
    size_independent_floor: bool = True
