"""SendMessage through boto3: bodies, sizes, delays, system attributes, MD5s.

Spec: API Reference, SendMessage; Developer Guide, "Message metadata for Amazon SQS", "Amazon SQS
message timers", "Amazon SQS fair queues"; observed AWS behaviour.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .api_support import (
    ALLOWED_CHARS_TEXT,
    expect_error,
    expect_invalid_parameter_value,
    expect_missing_parameter,
    expect_no_such_queue,
    md5_hex,
    receive,
    url_of,
)
from .conftest import QueueFactory

ONE_MIB = 1_048_576
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

#: API Reference, SendMessage: characters SQS accepts in a body.
ALLOWED_CHARACTERS = st.one_of(
    st.sampled_from("\t\n\r"),
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF),
    st.characters(min_codepoint=0xE000, max_codepoint=0xFFFD),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
)


def test_send_message_returns_message_id_and_body_md5(sqs: Any, queue_url: str) -> None:
    response = sqs.send_message(QueueUrl=queue_url, MessageBody="message")

    assert str(uuid.UUID(response["MessageId"])) == response["MessageId"]
    # Observed AWS digest: md5("message").
    assert response["MD5OfMessageBody"] == "78e731027d8fd50ed642340b7c9a63b3"
    # Observed AWS behaviour: no attribute digests without attributes; SequenceNumber is FIFO only.
    for absent in (
        "MD5OfMessageAttributes",
        "MD5OfMessageSystemAttributes",
        "SequenceNumber",
    ):
        assert absent not in response


def test_each_send_gets_a_new_message_id(sqs: Any, queue_url: str) -> None:
    ids = {sqs.send_message(QueueUrl=queue_url, MessageBody="same")["MessageId"] for _ in range(5)}

    assert len(ids) == 5


def test_sent_message_is_received_with_the_same_id_body_and_md5(sqs: Any, queue_url: str) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="msg")

    [message] = receive(sqs, queue_url)

    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "msg"
    assert message["MD5OfBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"  # observed AWS behaviour


@pytest.mark.parametrize(
    "body",
    [
        "\t\n\r",
        " ",
        "\ud7ff",
        "\ue000",
        "\ufffd",
        "\U00010000",
        "\U0010ffff",
        "quote \" amp &quot; lt < gt > apos '",
        "line\r\nbreaks\rand\nmore",
        "<xml>&amp;</xml>",
        "emoji \U0001f600 and \u00e9\u00e8",
    ],
    ids=[
        "tab-lf-cr",
        "space",
        "d7ff",
        "e000",
        "fffd",
        "10000",
        "10ffff",
        "xml-specials",
        "crlf",
        "markup",
        "mixed-unicode",
    ],
)
def test_allowed_bodies_round_trip_byte_exact(sqs: Any, queue_url: str, body: str) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    [message] = receive(sqs, queue_url)

    assert message["Body"] == body
    assert sent["MD5OfMessageBody"] == message["MD5OfBody"] == md5_hex(body)


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("bell \x07 here", "#x7"),
        ("\x00", "#x0"),
        ("a\x08b", "#x8"),
        ("\x0b", "#xB"),
        ("\x0c", "#xC"),
        ("\x1f", "#x1F"),
        ("ok \ufffe", "#xFFFE"),
        ("\uffff", "#xFFFF"),
    ],
    ids=["x7", "x0", "x8", "xB", "xC", "x1F", "xFFFE", "xFFFF"],
)
def test_forbidden_characters_are_rejected(sqs: Any, queue_url: str, body: str, reported: str) -> None:
    with expect_error(
        sqs,
        code="InvalidMessageContents",
        status=400,
        shape="InvalidMessageContents",
        message=f"Invalid binary character '{reported}' was found in the message body, the set of allowed characters is {ALLOWED_CHARS_TEXT}.",
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    assert receive(sqs, queue_url) == []


def test_empty_body_is_a_missing_parameter(sqs: Any, queue_url: str) -> None:
    with expect_missing_parameter(sqs, "MessageBody"):
        sqs.send_message(QueueUrl=queue_url, MessageBody="")


def test_send_to_missing_queue_fails(sqs: Any) -> None:
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl=url_of("missing"), MessageBody="x")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.text(ALLOWED_CHARACTERS, min_size=1, max_size=300))
def test_any_body_of_allowed_characters_round_trips_with_its_md5(sqs: Any, make_queue: QueueFactory, body: str) -> None:
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody=body)

    [message] = receive(sqs, url)

    assert message["Body"] == body
    assert message["Body"].encode("utf-8") == body.encode("utf-8")
    assert sent["MD5OfMessageBody"] == message["MD5OfBody"] == md5_hex(body)
    assert message["MessageId"] == sent["MessageId"]


# --- Size (API Reference, SendMessage) ---------------------------------------------------------------------------------


def test_body_of_exactly_the_default_maximum_is_accepted(sqs: Any, queue_url: str) -> None:
    body = "x" * ONE_MIB

    sent = sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    [message] = receive(sqs, queue_url)
    assert message["Body"] == body
    assert sent["MD5OfMessageBody"] == md5_hex(body)


def test_body_one_byte_over_the_default_maximum_is_rejected(sqs: Any, queue_url: str) -> None:
    with expect_invalid_parameter_value(
        sqs,
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x" * (ONE_MIB + 1))


def test_size_limit_follows_the_queue_maximum_message_size(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("small", MaximumMessageSize=1024)

    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with expect_invalid_parameter_value(
        sqs,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)

    assert [len(m["Body"]) for m in receive(sqs, url, MaxNumberOfMessages=10)] == [1024]


def test_size_counts_utf8_bytes(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("small", MaximumMessageSize=1024)

    sqs.send_message(QueueUrl=url, MessageBody="\u00e9" * 512)  # 1024 bytes
    sqs.send_message(QueueUrl=url, MessageBody="\U0001f600" * 256)  # 1024 bytes
    with expect_invalid_parameter_value(
        sqs,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="\u00e9" * 512 + "a")  # 1025 bytes, 513 characters


def test_size_counts_message_attribute_name_type_and_value(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("small", MaximumMessageSize=1024)
    attributes = {"attr": {"DataType": "String", "StringValue": "value"}}  # 4 + 6 + 5 = 15 bytes
    binary = {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}}  # 3 + 6 + 3 = 12 bytes

    sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 - 15), MessageAttributes=attributes)
    sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 - 12), MessageAttributes=binary)
    with expect_invalid_parameter_value(
        sqs,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 - 14), MessageAttributes=attributes)
    with expect_invalid_parameter_value(
        sqs,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 - 11), MessageAttributes=binary)


def test_system_attributes_do_not_count_toward_the_size(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("small", MaximumMessageSize=1024)

    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="x" * 1024,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}},
    )

    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"


# --- DelaySeconds on SendMessage (Developer Guide, "Amazon SQS message timers") ---------------------------------------------------------------


@pytest.mark.parametrize("delay", [0, 1, 900])
def test_send_accepts_delay_seconds_in_range(sqs: Any, queue_url: str, delay: int) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=delay)


def test_send_rejects_delay_seconds_above_900(sqs: Any, queue_url: str) -> None:
    with expect_invalid_parameter_value(
        sqs,
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=901)
    with expect_invalid_parameter_value(
        sqs,
        "Value 54524 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=54524)


def test_send_rejects_negative_delay_seconds(sqs: Any, queue_url: str) -> None:
    with expect_invalid_parameter_value(sqs):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=-1)
    # assert err.value.response["Error"]["Message"] == (
    #     "Value -1 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
    # )  # negative DelaySeconds text unverified


# --- System attribute AWSTraceHeader (API Reference, SendMessage) ---------------------------------------------------


def test_aws_trace_header_digest_and_receive(sqs: Any, queue_url: str) -> None:
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="traced",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}},
    )

    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    assert "MD5OfMessageAttributes" not in sent
    [message] = receive(
        sqs,
        queue_url,
        MessageSystemAttributeNames=["AWSTraceHeader"],
        MessageAttributeNames=["All"],
    )
    assert message["Attributes"] == {"AWSTraceHeader": TRACE_HEADER}
    # System attributes are not user message attributes.
    assert "MessageAttributes" not in message
    assert "MD5OfMessageAttributes" not in message


def test_system_attributes_do_not_change_the_user_attribute_digest(sqs: Any, queue_url: str) -> None:
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="traced",
        MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}},
    )

    assert sent["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"


# --- MessageGroupId on standard queues: fair queues (Developer Guide, "Amazon SQS fair queues") -------------------------------------------


def test_message_group_id_is_accepted_on_a_standard_queue(sqs: Any, queue_url: str) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="tenant", MessageGroupId="tenant-1")

    assert "SequenceNumber" not in sent
    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"
    assert "SequenceNumber" not in message["Attributes"]
    assert "MessageDeduplicationId" not in message["Attributes"]


def test_message_group_id_of_128_punctuation_characters_is_accepted(sqs: Any, queue_url: str) -> None:
    group = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" * 3 + "a" * 16 + "Z" * 8 + "0" * 8
    assert len(group) == 128

    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId=group)

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["MessageGroupId"])
    assert message["Attributes"] == {"MessageGroupId": group}


@pytest.mark.parametrize("group", ["a b", "g" * 129, ""], ids=["space", "129-chars", "empty"])
def test_invalid_message_group_id_is_rejected_on_a_standard_queue(sqs: Any, queue_url: str, group: str) -> None:
    expected = (
        f"Value {group} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
        "alphanumeric and punctuation characters. 1 to 128 in length."
    )
    with expect_invalid_parameter_value(sqs, expected):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId=group)


def test_x_amzn_trace_id_header_populates_aws_trace_header(sqs: Any, queue_url: str) -> None:
    # Observed AWS behaviour: an X-Amzn-Trace-Id HTTP header on SendMessage also populates AWSTraceHeader.
    def add_trace_header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = TRACE_HEADER

    sqs.meta.events.register("before-sign.sqs.SendMessage", add_trace_header)
    sqs.send_message(QueueUrl=queue_url, MessageBody="traced by header")

    [message] = receive(sqs, queue_url, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": TRACE_HEADER}
