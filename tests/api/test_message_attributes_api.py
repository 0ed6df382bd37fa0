"""Message attributes through boto3: validation, MD5 vectors, receive-side filtering.

Spec: Developer Guide, "Message metadata for Amazon SQS"; API Reference, ReceiveMessage.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .api_support import (
    expect_error,
    expect_invalid_parameter_value,
    md5_of_attributes,
    receive,
)
from .conftest import QueueFactory


def s(value: str, data_type: str = "String") -> dict[str, Any]:
    return {"DataType": data_type, "StringValue": value}


def b(value: bytes, data_type: str = "Binary") -> dict[str, Any]:
    return {"DataType": data_type, "BinaryValue": value}


TRACEPARENT = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"

#: Digests recorded from AWS unless noted, computed as Developer Guide, "Message metadata for Amazon SQS" describes.
VECTORS: list[tuple[dict[str, dict[str, Any]], str]] = [
    (
        {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")},
        "4c360f3fdafd970e05fae2f149d997f5",
    ),
    ({"Hello": s("There"), "General": s("Kenobi")}, "fca026605781cb4126a1e9044df24232"),
    ({"Hello": s("There")}, "a311262e065454b75da111d535b8dacd"),
    ({"Hello": s("There"), "Help.Me": s("Me")}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ({"Foo": s("Bar")}, "ae7155c6026991b6d54b11589678bf9c"),
    ({"MyAttribute": s("foobar")}, "adb59cd4678ea5a855436b949cd07ab6"),
    ({"k": s("x")}, "a45daa70926828a2f0a1db3418e6feb4"),
    ({"timestamp": s("1493147359900", "Number")}, "235c5c510d26fb653d073faed50ae77c"),
    ({"attr1": b(TRACEPARENT)}, "8cbe4db156db8a94db8b801b7addb984"),
    (
        {"customNumberTypeAttrib": s("4563442423554324324264524243.32543234", "Number.float")},
        "9fe1b90bbd9965bdf77bac517c7d2495",
    ),
]
VECTOR_IDS = [
    "kenobi-3",
    "kenobi-2",
    "hello",
    "hello-help",
    "foo",
    "myattribute",
    "k",
    "number",
    "binary",
    "number-float",
]

THREE = {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")}


@pytest.mark.parametrize(("attributes", "digest"), VECTORS, ids=VECTOR_IDS)
def test_reference_algorithm_reproduces_the_vectors(attributes: dict[str, dict[str, Any]], digest: str) -> None:
    # Guards the helper the property test below relies on.
    assert md5_of_attributes(attributes) == digest


@pytest.mark.parametrize(("attributes", "digest"), VECTORS, ids=VECTOR_IDS)
def test_send_and_receive_digests_match_the_vectors(
    sqs: Any, queue_url: str, attributes: dict[str, dict[str, Any]], digest: str
) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="with attributes", MessageAttributes=attributes)

    [message] = receive(sqs, queue_url, MessageAttributeNames=["All"])

    assert sent["MD5OfMessageAttributes"] == digest
    assert message["MD5OfMessageAttributes"] == digest
    assert message["MessageAttributes"] == attributes


def test_binary_values_round_trip_as_bytes(sqs: Any, queue_url: str) -> None:
    raw = bytes(range(256))
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="bin",
        MessageAttributes={"blob": b(raw, "Binary.png")},
    )

    [message] = receive(sqs, queue_url, MessageAttributeNames=["blob"])

    assert message["MessageAttributes"] == {"blob": {"DataType": "Binary.png", "BinaryValue": raw}}
    assert message["MD5OfMessageAttributes"] == md5_of_attributes({"blob": b(raw, "Binary.png")})


def test_custom_type_suffixes_are_kept(sqs: Any, queue_url: str) -> None:
    attributes = {
        "a": s("text", "String.custom"),
        "n": s("12.5", "Number.float"),
        "x": b(b"\x01", "Binary.gif"),
    }

    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="typed", MessageAttributes=attributes)

    [message] = receive(sqs, queue_url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == attributes
    assert sent["MD5OfMessageAttributes"] == message["MD5OfMessageAttributes"] == md5_of_attributes(attributes)


# --- Receive-side filter MessageAttributeNames (API Reference, ReceiveMessage) ---------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected", "digest"),
    [
        (["All"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        ([".*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        (["*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        (["Hello"], ["Hello"], "a311262e065454b75da111d535b8dacd"),
        (["Hel.*"], ["Hello", "Help.Me"], "83fee93c1bcd8b9a5a923ffacdc636c7"),
        (
            ["Hello", "General"],
            ["General", "Hello"],
            "fca026605781cb4126a1e9044df24232",
        ),
        (["Hello", "Nope"], ["Hello"], "a311262e065454b75da111d535b8dacd"),
    ],
    ids=[
        "All",
        "dot-star",
        "star",
        "exact",
        "prefix",
        "two-exact",
        "exact-and-unknown",
    ],
)
def test_message_attribute_names_filter_and_digest(
    sqs: Any, queue_url: str, names: list[str], expected: list[str], digest: str
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="filtered", MessageAttributes=THREE)

    [message] = receive(sqs, queue_url, MessageAttributeNames=names)

    assert sorted(message["MessageAttributes"]) == expected
    assert message["MessageAttributes"] == {name: THREE[name] for name in expected}
    # Observed AWS behaviour: the receive digest covers only the attributes returned.
    assert message["MD5OfMessageAttributes"] == digest


@pytest.mark.parametrize(
    "names",
    [None, [], ["Nope"], ["hello"], ["AWS."], ["..foo"], ["Help"]],
    ids=[
        "absent",
        "empty",
        "unknown",
        "wrong-case",
        "illegal-aws",
        "illegal-dots",
        "exact-not-prefix",
    ],
)
def test_message_attribute_names_that_select_nothing_return_no_attributes(
    sqs: Any, queue_url: str, names: list[str] | None
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="filtered", MessageAttributes=THREE)

    kwargs: dict[str, Any] = {} if names is None else {"MessageAttributeNames": names}
    [message] = receive(sqs, queue_url, **kwargs)

    assert "MessageAttributes" not in message
    assert "MD5OfMessageAttributes" not in message
    assert message["Body"] == "filtered"


# --- Validation (Developer Guide, "Message metadata for Amazon SQS") ------------------------------


def test_ten_attributes_are_accepted(sqs: Any, queue_url: str) -> None:
    attributes = {f"a{i}": s(str(i)) for i in range(10)}

    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="ten", MessageAttributes=attributes)

    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(attributes)


def test_eleven_attributes_are_rejected(sqs: Any, queue_url: str) -> None:
    attributes = {f"a{i}": s(str(i)) for i in range(11)}

    # Developer Guide, "Message metadata for Amazon SQS": at most 10. AWS's code is not shown in the
    # report below (status 400); InvalidParameterValue is what every emulator answers.
    with expect_invalid_parameter_value(sqs) as err:
        sqs.send_message(QueueUrl=queue_url, MessageBody="eleven", MessageAttributes=attributes)

    # Observed AWS text: https://github.com/open-telemetry/opentelemetry-java-instrumentation/issues/13799
    assert (
        err.value.response["Error"]["Message"] == "Number of message attributes [11] exceeds the allowed maximum [10]."
    )


@pytest.mark.parametrize(
    "name",
    ["attr.1\u00f8\u00df\u00e4", "a" * 256, "a-b_c.d", "CamelCase", "x"],
    ids=["non-ascii-observed", "256-chars", "punctuation", "camel", "one-char"],
)
def test_valid_attribute_names_are_accepted(sqs: Any, queue_url: str, name: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="named", MessageAttributes={name: s("v")})

    [message] = receive(sqs, queue_url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == {name: s("v")}


def test_attribute_names_are_case_sensitive(sqs: Any, queue_url: str) -> None:
    attributes = {"key": s("lower"), "KEY": s("upper")}
    sqs.send_message(QueueUrl=queue_url, MessageBody="cased", MessageAttributes=attributes)

    [message] = receive(sqs, queue_url, MessageAttributeNames=["KEY"])
    assert message["MessageAttributes"] == {"KEY": s("upper")}


@pytest.mark.parametrize(
    "name",
    [
        "!",
        '"',
        "\u00a7",
        "(",
        "?",
        "a" * 257,
        "aWs.trace",
        "AMAZON.thing",
        "AWS.x",
        ".leading",
        "trailing.",
        "two..dots",
    ],
    ids=[
        "bang",
        "quote",
        "section",
        "paren",
        "question",
        "257-chars",
        "aws-mixed-case",
        "amazon-upper",
        "aws",
        "leading-dot",
        "trailing-dot",
        "double-dot",
    ],
)
def test_invalid_attribute_names_are_rejected(sqs: Any, queue_url: str, name: str) -> None:
    # Observed AWS behaviour: rejected, "error text contains 'Invalid'"; exact texts unverified.
    with expect_invalid_parameter_value(sqs) as err:
        sqs.send_message(QueueUrl=queue_url, MessageBody="bad name", MessageAttributes={name: s("v")})

    assert "Invalid" in err.value.response["Error"]["Message"]
    assert receive(sqs, queue_url) == []


@pytest.mark.parametrize("data_type", ["Foo", "string", "STRING", "Strin", "Integer", "binary.png"])
def test_unsupported_data_types_are_rejected(sqs: Any, queue_url: str, data_type: str) -> None:
    expected = (
        "The type of message (user) attribute 'attr' is invalid. You must use only the following "
        "supported type prefixes: Binary, Number, String."
    )
    with expect_invalid_parameter_value(sqs, expected):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody="bad type",
            MessageAttributes={"attr": {"DataType": data_type, "StringValue": "1"}},
        )


def test_empty_string_value_is_rejected(sqs: Any, queue_url: str) -> None:
    with expect_invalid_parameter_value(
        sqs,
        "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    ):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody="empty",
            MessageAttributes={"ErrorDetails": s("")},
        )


def test_empty_binary_value_is_rejected(sqs: Any, queue_url: str) -> None:
    with expect_invalid_parameter_value(
        sqs,
        "The message attribute 'payload' must contain non-empty message attribute value for message attribute type 'Binary'.",
    ):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody="empty",
            MessageAttributes={"payload": b(b"")},
        )


@pytest.mark.parametrize("value", ["bad \x08 value", "vertical \x0b tab", "\x00"], ids=["x8", "xB", "x0"])
def test_control_characters_in_string_values_are_rejected(sqs: Any, queue_url: str, value: str) -> None:
    # Observed AWS behaviour: InvalidParameterValue; the text is unverified.
    with expect_invalid_parameter_value(sqs):
        sqs.send_message(QueueUrl=queue_url, MessageBody="ctrl", MessageAttributes={"attr": s(value)})


@pytest.mark.parametrize(
    "value",
    ["abc", "1.2.3", "12e", ""],
    ids=["letters", "two-dots", "dangling-exponent", "empty"],
)
def test_invalid_number_values_are_rejected(sqs: Any, queue_url: str, value: str) -> None:
    # Developer Guide, "Message metadata for Amazon SQS" gives the rules; InvalidParameterValue and the
    # texts for bad numbers are unverified.
    with expect_invalid_parameter_value(sqs):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody="num",
            MessageAttributes={"n": s(value, "Number")},
        )


def test_list_values_are_unsupported(sqs: Any, queue_url: str) -> None:
    with expect_error(
        sqs,
        code="AWS.SimpleQueueService.UnsupportedOperation",
        status=400,
        shape="UnsupportedOperation",
    ):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody="list",
            MessageAttributes={
                "l": {
                    "DataType": "String",
                    "StringValue": "x",
                    "StringListValues": ["a", "b"],
                }
            },
        )
    # assert err.value.response["Error"]["Message"] == "Message attribute list values in SendMessageBatch operation are not supported."
    # ^ the recorded text names SendMessageBatch; which text SendMessage gets is unverified.


def test_list_values_in_a_batch_are_unsupported(sqs: Any, queue_url: str) -> None:
    with expect_error(
        sqs,
        code="AWS.SimpleQueueService.UnsupportedOperation",
        status=400,
        shape="UnsupportedOperation",
        message="Message attribute list values in SendMessageBatch operation are not supported.",
    ):
        sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {
                    "Id": "1",
                    "MessageBody": "list",
                    "MessageAttributes": {
                        "l": {
                            "DataType": "Binary",
                            "BinaryValue": b"x",
                            "BinaryListValues": [b"a"],
                        }
                    },
                }
            ],
        )


# --- Property: any valid attribute set round-trips with the documented digest (Developer Guide) ---

NAME_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
NAMES = st.text(NAME_CHARS, min_size=1, max_size=20).filter(lambda n: not n.lower().startswith(("aws", "amazon")))
STRING_VALUES = st.text(
    st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0xD7FF),
        st.sampled_from("\t\n\r\ue000\ufffd\U00010000"),
    ),
    min_size=1,
    max_size=40,
)
VALUES = st.one_of(
    STRING_VALUES.map(lambda v: s(v)),
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda n: s(str(n), "Number")),
    st.binary(min_size=1, max_size=40).map(lambda v: b(v)),
    STRING_VALUES.map(lambda v: s(v, "String.custom")),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(attributes=st.dictionaries(NAMES, VALUES, min_size=1, max_size=10))
def test_any_valid_attribute_set_round_trips_with_its_digest(
    sqs: Any, make_queue: QueueFactory, attributes: dict[str, dict[str, Any]]
) -> None:
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="prop", MessageAttributes=attributes)

    [message] = receive(sqs, url, MessageAttributeNames=["All"])

    expected = md5_of_attributes(attributes)
    assert sent["MD5OfMessageAttributes"] == expected
    assert message["MD5OfMessageAttributes"] == expected
    assert message["MessageAttributes"] == attributes


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    attributes=st.dictionaries(NAMES, VALUES, min_size=1, max_size=10),
    data=st.data(),
)
def test_receive_digest_covers_exactly_the_filtered_attributes(
    sqs: Any,
    make_queue: QueueFactory,
    attributes: dict[str, dict[str, Any]],
    data: st.DataObject,
) -> None:
    # Observed AWS behaviour: the filter picks exact names and `prefix.*`; the digest covers what is returned.
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(attributes)), unique=True, max_size=3),
        label="exact",
    )
    prefix = data.draw(
        st.sampled_from(sorted(attributes)).map(lambda n: n[: max(1, len(n) // 2)]),
        label="prefix",
    )
    use_prefix = data.draw(st.booleans(), label="use_prefix")
    names = chosen + ([f"{prefix}.*"] if use_prefix else [])
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="prop", MessageAttributes=attributes)

    [message] = receive(sqs, url, MessageAttributeNames=names)

    expected = {n: v for n, v in attributes.items() if n in chosen or (use_prefix and n.startswith(prefix))}
    if expected:
        assert message["MessageAttributes"] == expected
        assert message["MD5OfMessageAttributes"] == md5_of_attributes(expected)
    else:
        assert "MessageAttributes" not in message
        assert "MD5OfMessageAttributes" not in message
