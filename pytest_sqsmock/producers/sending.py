"""``sqs_mock.producers``: put producer envelopes on a simulated queue, timed by the mock's clock."""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_sqsmock import seeding
from pytest_sqsmock.clock import to_datetime
from pytest_sqsmock.producers.envelopes import Envelope
from pytest_sqsmock.producers.eventbridge import eventbridge_event
from pytest_sqsmock.producers.s3 import s3_event, s3_test_event
from pytest_sqsmock.producers.sns import AttributeValue, sns_notification, sns_topic_arn
from pytest_sqsmock.references import QueueRef
from pytest_sqsmock.simulation import QueueIdentity, Simulation
from pytest_sqsmock.views import MessageView

# One counter per simulation: SNS FIFO sequence numbers and S3 sequencers keep increasing
# within a virtual millisecond.
_counters: weakref.WeakKeyDictionary[Simulation, itertools.count[int]] = weakref.WeakKeyDictionary()


class Producers:
    """Send the messages SNS, S3 and EventBridge deliver, as set-up (no call is recorded).

    Each method sends one message to ``queue`` with the same validation as SendMessage
    and returns its :class:`MessageView`. Times come from the mock's clock; the topic,
    bucket and event come from the queue's region and account.
    """

    def __init__(self, simulation: Simulation) -> None:
        self._simulation = simulation

    def send(
        self, queue: QueueRef, envelope: Envelope, *, region: str | None = None, account_id: str | None = None
    ) -> MessageView:
        """Send an envelope built by :mod:`pytest_sqsmock.producers` (or by hand).

        Raises:
            SqsError: SQS would refuse the message.
        """
        return seeding.send(
            self._simulation,
            queue,
            envelope.body,
            message_attributes=envelope.message_attributes,
            group_id=envelope.group_id,
            deduplication_id=envelope.deduplication_id,
            region=region,
            account_id=account_id,
        )

    def sns(
        self,
        queue: QueueRef,
        message: str,
        *,
        topic: str,
        subject: str | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
        raw: bool = False,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Deliver ``message`` as an SNS topic subscribed by ``queue`` does.

        See :func:`pytest_sqsmock.producers.sns_notification` for the envelope.
        ``topic`` is a name (in the queue's region and account) or an ARN; a FIFO queue
        needs a FIFO topic (``.fifo``) and ``group_id``.

        Raises:
            ValueError: SNS would refuse the publish or drop the delivery, or the topic
                and queue are not both FIFO or both standard.
            SqsError: SQS would refuse the message.
        """
        target = self._queue(queue, region, account_id)
        arn = sns_topic_arn(topic, region=target.region, account_id=target.account_id)
        if arn.endswith(".fifo") != target.fifo:
            raise ValueError(
                f"topic {arn} and queue {target.name}: SNS FIFO topics deliver only to FIFO queues, "
                "and a FIFO queue subscribes only to a FIFO topic"
            )
        envelope = sns_notification(
            message,
            topic_arn=arn,
            now=to_datetime(self._simulation.now_ms),
            subject=subject,
            attributes=attributes,
            raw=raw,
            group_id=group_id,
            deduplication_id=deduplication_id,
            sequence_number=10**19 + self._simulation.now_ms * 1000 + self._next(),
        )
        return self.send(target.name, envelope, region=target.region, account_id=target.account_id)

    def s3(
        self,
        queue: QueueRef,
        *,
        bucket: str,
        key: str,
        event_name: str = "ObjectCreated:Put",
        size: int = 0,
        etag: str | None = None,
        version_id: str | None = None,
        configuration_id: str = "pytest_sqsmock",
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Deliver an S3 event notification for ``key`` in ``bucket``.

        See :func:`pytest_sqsmock.producers.s3_event` for the record.

        Raises:
            ValueError: ``queue`` is a FIFO queue (S3 does not notify FIFO queues), or the
                event is malformed.
            SqsError: SQS would refuse the message.
        """
        target = self._standard_queue(queue, region, account_id)
        now_ms = self._simulation.now_ms
        envelope = s3_event(
            bucket,
            key,
            now=to_datetime(now_ms),
            region=target.region,
            event_name=event_name,
            size=size,
            etag=etag,
            version_id=version_id,
            sequencer=f"{now_ms * 1000 + self._next():018X}",
            configuration_id=configuration_id,
        )
        return self.send(target.name, envelope, region=target.region, account_id=target.account_id)

    def s3_test_event(
        self, queue: QueueRef, *, bucket: str, region: str | None = None, account_id: str | None = None
    ) -> MessageView:
        """Deliver the ``s3:TestEvent`` message S3 sends when a bucket's notifications are configured.

        Raises:
            ValueError: ``queue`` is a FIFO queue.
        """
        target = self._standard_queue(queue, region, account_id)
        envelope = s3_test_event(bucket, now=to_datetime(self._simulation.now_ms))
        return self.send(target.name, envelope, region=target.region, account_id=target.account_id)

    def eventbridge(
        self,
        queue: QueueRef,
        detail: Mapping[str, Any],
        *,
        detail_type: str,
        source: str,
        resources: Sequence[str] = (),
        group_id: str | None = None,
        deduplication_id: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> MessageView:
        """Deliver an event as an EventBridge rule with ``queue`` as its target does.

        See :func:`pytest_sqsmock.producers.eventbridge_event`; the event's account and
        region are the queue's.

        Raises:
            ValueError: a FIFO queue without ``group_id`` (EventBridge needs the target's
                ``MessageGroupId``), or an empty ``detail_type`` or ``source``.
            SqsError: SQS would refuse the message.
        """
        target = self._queue(queue, region, account_id)
        if target.fifo and not group_id:
            raise ValueError(f"{target.name} is a FIFO queue: pass group_id= (the target's MessageGroupId)")
        envelope = eventbridge_event(
            detail,
            detail_type=detail_type,
            source=source,
            now=to_datetime(self._simulation.now_ms),
            region=target.region,
            account_id=target.account_id,
            resources=resources,
            group_id=group_id,
            deduplication_id=deduplication_id,
        )
        return self.send(target.name, envelope, region=target.region, account_id=target.account_id)

    def _queue(self, queue: QueueRef, region: str | None, account_id: str | None) -> QueueIdentity:
        return self._simulation.identify(queue, region, account_id)

    def _standard_queue(self, queue: QueueRef, region: str | None, account_id: str | None) -> QueueIdentity:
        target = self._queue(queue, region, account_id)
        if target.fifo:
            raise ValueError(f"{target.name} is a FIFO queue; S3 event notifications cannot target FIFO queues")
        return target

    def _next(self) -> int:
        return next(_counters.setdefault(self._simulation, itertools.count()))
