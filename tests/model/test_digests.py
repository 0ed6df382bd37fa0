from __future__ import annotations

import pytest

from pytest_sqsmock.model.digests import md5_of_attributes, md5_of_body
from pytest_sqsmock.model.message_attributes import AttributeValue


def s(value: str, data_type: str = "String") -> AttributeValue:
    return AttributeValue(data_type, string_value=value)


# Digests recorded from AWS (and one from the npm package aws-md5-of-message-attributes),
# computed as Developer Guide, "Message metadata for Amazon SQS" describes.
VECTORS = [
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
    (
        {
            "attr1": AttributeValue(
                "Binary",
                binary_value=b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01",
            )
        },
        "8cbe4db156db8a94db8b801b7addb984",
    ),
    (
        {"AWSTraceHeader": s("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")},
        "5ae4d5d7636402d80f4eb6d213245a88",
    ),
    (
        {"customNumberTypeAttrib": s("4563442423554324324264524243.32543234", "Number.float")},
        "9fe1b90bbd9965bdf77bac517c7d2495",
    ),
]


@pytest.mark.parametrize(("attributes", "expected"), VECTORS)
def test_md5_of_attributes_matches_reference_vectors(attributes: dict[str, AttributeValue], expected: str) -> None:
    assert md5_of_attributes(attributes) == expected


def test_md5_of_attributes_does_not_depend_on_insertion_order() -> None:
    forward = {"a": s("1"), "b": s("2"), "c": s("3")}
    backward = dict(reversed(list(forward.items())))
    assert md5_of_attributes(forward) == md5_of_attributes(backward)


def test_md5_of_body_matches_reference() -> None:
    assert md5_of_body("message") == "78e731027d8fd50ed642340b7c9a63b3"


def test_md5_of_body_hashes_utf8() -> None:
    # md5("é".encode("utf-8")) — two bytes, not the Latin-1 byte
    assert md5_of_body("\u00e9") == "66ddcd97cfdeabb2f6fb8a999b4bc76f"
    assert md5_of_body("") == "d41d8cd98f00b204e9800998ecf8427e"
