"""Messages as AWS producers deliver them: SNS notifications, S3 event notifications, EventBridge events.

Build an :class:`Envelope` with :func:`sns_notification`, :func:`s3_event`,
:func:`s3_test_event` or :func:`eventbridge_event`, or send one straight to a simulated
queue with ``sqs_mock.producers`` (:class:`Producers`). Each module names the AWS pages
its fields come from.
"""

from __future__ import annotations

from pytest_sqsmock.producers.envelopes import Envelope
from pytest_sqsmock.producers.eventbridge import eventbridge_event
from pytest_sqsmock.producers.s3 import encode_key, s3_event, s3_test_event
from pytest_sqsmock.producers.sending import Producers
from pytest_sqsmock.producers.sns import sns_notification, sns_topic_arn

__all__ = [
    "Envelope",
    "Producers",
    "encode_key",
    "eventbridge_event",
    "s3_event",
    "s3_test_event",
    "sns_notification",
    "sns_topic_arn",
]
