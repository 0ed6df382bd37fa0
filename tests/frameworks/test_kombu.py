"""kombu's SimpleQueue on the SQS transport, in process.

kombu's blocking path (``SimpleQueue.put/get``, ``Message.ack``) calls SQS
through boto3, which the mock serves in process: no server, no pycurl. Its
receives are long polls (``wait_time_seconds``) made by the test's own thread,
so each one that finds nothing moves virtual time to the next event or to the
end of its wait, and returns at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import botocore.session
import pytest
from kombu import Connection
from kombu.simple import SimpleQueue

from pytest_sqsmock import SqsMock


def _botocore_knows_message_system_attribute_names() -> bool:
    receive = botocore.session.get_session().get_service_model("sqs").operation_model("ReceiveMessage")
    return receive.input_shape is not None and "MessageSystemAttributeNames" in receive.input_shape.members


# kombu's blocking receive (kombu >= 5.6) passes MessageSystemAttributeNames, which older
# botocore (such as tox's "lowest" env) rejects before any request is sent.
pytestmark = pytest.mark.skipif(
    not _botocore_knows_message_system_attribute_names(),
    reason="kombu's ReceiveMessage needs a botocore that knows MessageSystemAttributeNames",
)

WAIT = 20  # wait_time_seconds: every receive is a 20-second long poll
VISIBILITY_TIMEOUT = 30


@pytest.fixture
def jobs(sqs_mock: SqsMock) -> Iterator[SimpleQueue]:
    """A SimpleQueue on the SQS queue "jobs"."""
    # Created up front, as in production (kombu before 5.7 cached queue URLs process-wide, so a
    # queue it created in an earlier test's simulation would be taken to exist in this one).
    sqs_mock.create_queue("jobs", attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT)})
    options = {"region": sqs_mock.region, "wait_time_seconds": WAIT, "polling_interval": 0}
    with Connection("sqs://", transport_options=options) as connection:
        queue = connection.SimpleQueue("jobs")
        yield queue
        queue.close()


def test_put_get_ack_round_trip(sqs_mock: SqsMock, jobs: SimpleQueue) -> None:
    jobs.put({"order": 42})
    assert len(sqs_mock.queue("jobs").visible) == 1

    message = jobs.get(timeout=5)
    assert message.payload == {"order": 42}
    [held] = sqs_mock.queue("jobs").in_flight  # received, not yet acked
    assert held.receive_count == 1

    message.ack()
    sqs_mock.assert_empty("jobs")
    [delete] = sqs_mock.calls.filter("DeleteMessage", queue="jobs")
    assert delete.error is None
    assert delete.params["ReceiptHandle"] == message.delivery_tag


def test_a_message_another_consumer_dropped_comes_back_after_its_visibility_timeout(
    sqs_mock: SqsMock, jobs: SimpleQueue
) -> None:
    jobs.put({"order": 7})
    sqs = sqs_mock.client()
    [dropped] = sqs.receive_message(QueueUrl=sqs_mock.queue("jobs").url)["Messages"]  # a consumer that crashed
    started = sqs_mock.now

    # SQS hides it for 30 s. The blocking get long-polls (20 s: nothing; then the redelivery
    # at 30 s), all in virtual time: it returns in milliseconds.
    wall = time.monotonic()
    message = jobs.get(timeout=5)
    assert time.monotonic() - wall < 5
    assert message.payload == {"order": 7}
    assert message.delivery_info["sqs_message"]["MessageId"] == dropped["MessageId"]
    assert sqs_mock.now - started == timedelta(seconds=VISIBILITY_TIMEOUT)
    assert sqs_mock.queue("jobs").in_flight[0].receive_count == 2

    message.ack()
    sqs_mock.assert_empty("jobs")


def test_get_waits_for_a_delayed_message_in_virtual_time(sqs_mock: SqsMock, jobs: SimpleQueue) -> None:
    started = sqs_mock.now
    sqs_mock.send("jobs", '{"order": 8}', delay_seconds=45)  # another producer's plain JSON

    wall = time.monotonic()
    message = jobs.get(timeout=5)  # long polls: 20 s, 20 s, then the message at 45 s
    assert time.monotonic() - wall < 5
    assert message.payload == '{"order": 8}'  # no content type: the body as it came
    assert sqs_mock.now - started == timedelta(seconds=45)
    message.ack()
    sqs_mock.assert_empty("jobs")


def test_get_nowait_on_an_empty_queue_is_one_long_poll(sqs_mock: SqsMock, jobs: SimpleQueue) -> None:
    started = sqs_mock.now

    # kombu's get(block=False) is one ReceiveMessage with wait_time_seconds: on SQS it blocks
    # for 20 s of real time. Here it costs 20 s of virtual time and no real time.
    wall = time.monotonic()
    with pytest.raises(jobs.Empty):
        jobs.get(block=False)
    assert time.monotonic() - wall < 5
    assert sqs_mock.now - started == timedelta(seconds=WAIT)
    [poll] = sqs_mock.calls.filter("ReceiveMessage", queue="jobs")
    assert poll.params["WaitTimeSeconds"] == WAIT
    assert not (poll.result or {}).get("Messages")


def test_get_with_a_timeout_on_an_empty_queue_counts_real_time(sqs_mock: SqsMock, jobs: SimpleQueue) -> None:
    # Limitation, not a goal: kombu measures get()'s timeout on the real monotonic clock and
    # long-polls again and again until it has passed. Each poll costs 20 s of virtual time, so
    # how far virtual time moves depends on how fast the machine is: only its unit is fixed.
    started = sqs_mock.now

    wall = time.monotonic()
    with pytest.raises(jobs.Empty):
        jobs.get(timeout=0.05)
    assert time.monotonic() - wall >= 0.05
    moved = (sqs_mock.now - started).total_seconds()
    assert moved > 0
    assert moved % WAIT == 0
