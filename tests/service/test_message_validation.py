from __future__ import annotations

import time
from collections.abc import Mapping

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sqsmock.model.message_attributes import AttributeValue
from pytest_sqsmock.service.rules.message_attributes import is_valid_number
from pytest_sqsmock.service.rules.messages import (
    RECEIVE_SYSTEM_ATTRIBUTE_NAMES,
    filter_message_attributes,
    message_size,
    parse_message_attributes,
    parse_system_attributes,
    select_system_attribute_names,
    validate_batch_entry_ids,
    validate_body,
    validate_delay_seconds,
    validate_fifo_id,
)
from pytest_sqsmock.sqs_errors import SqsError

ALLOWED_SET = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"


def caught(excinfo: pytest.ExceptionInfo[SqsError]) -> tuple[str, str, int]:
    return (excinfo.value.code, excinfo.value.message, excinfo.value.status)


def body_error(hex_code: str) -> tuple[str, str, int]:
    return (
        "InvalidMessageContents",
        f"Invalid binary character '#x{hex_code}' was found in the message body, the set of allowed characters is {ALLOWED_SET}.",
        400,
    )


def invalid(message: str) -> tuple[str, str, int]:
    return ("InvalidParameterValue", message, 400)


# --- body (API Reference, SendMessage) ------------------------------------------------------------------


@pytest.mark.parametrize("body", ["x", "\t\n\r", " ", "\ud7ff\ue000\ufffd", "\U00010000\U0010ffff", "€ ✓ 😀"])
def test_valid_bodies(body: str) -> None:
    validate_body(body)


@pytest.mark.parametrize(
    ("body", "hex_code"),
    [
        ("a\x07b", "7"),
        ("\x00", "0"),
        ("\x01", "1"),
        ("\x1f", "1F"),
        ("\ufffe", "FFFE"),
        ("ok\uffff", "FFFF"),
        ("\ud800", "D800"),
        ("\udfff", "DFFF"),
        ("a\x0bb\x08", "B"),
    ],
)
def test_forbidden_characters(body: str, hex_code: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_body(body)
    assert caught(excinfo) == body_error(hex_code)
    assert excinfo.value.shape == "InvalidMessageContents"


def test_empty_body() -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_body("")
    assert caught(excinfo) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
        400,
    )
    assert excinfo.value.shape == "MissingRequiredParameterException"


def test_one_mebibyte_body_is_fast() -> None:
    body = "é" * (1024 * 1024 - 1) + "\x02"
    start = time.perf_counter()
    with pytest.raises(SqsError):
        validate_body(body)
    validate_body(body[:-1])
    assert time.perf_counter() - start < 0.5


ALLOWED_CHARS = st.one_of(
    st.sampled_from("\t\n\r"),
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF),
    st.characters(min_codepoint=0xE000, max_codepoint=0xFFFD),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
)
FORBIDDEN_CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F).filter(lambda c: c not in "\t\n\r"),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, blacklist_categories=()),
    st.sampled_from("\ufffe\uffff"),
)


@given(st.text(ALLOWED_CHARS, min_size=1))
def test_any_allowed_text_passes(body: str) -> None:
    validate_body(body)


@given(
    st.text(ALLOWED_CHARS),
    FORBIDDEN_CHARS,
    st.text(st.one_of(ALLOWED_CHARS, FORBIDDEN_CHARS)),
)
def test_first_forbidden_character_is_named(before: str, bad: str, after: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_body(before + bad + after)
    assert caught(excinfo) == body_error(format(ord(bad), "X"))


# --- user message attributes (Developer Guide, "Message metadata for Amazon SQS") ---------------


def parse(raw: Mapping[str, Mapping[str, object]]) -> dict[str, AttributeValue]:
    return parse_message_attributes(raw)


def parse_error(raw: Mapping[str, Mapping[str, object]]) -> tuple[str, str, int]:
    with pytest.raises(SqsError) as excinfo:
        parse(raw)
    return caught(excinfo)


def string(value: object = "v", data_type: str = "String") -> dict[str, object]:
    return {"DataType": data_type, "StringValue": value}


def test_valid_attributes() -> None:
    parsed = parse(
        {
            "s": string("x"),
            "n": string("-1.5e3", "Number.float"),
            "b": {"DataType": "Binary.png", "BinaryValue": b"\x00\x01"},
            "attr.1øßä": string("v", "String.custom-type_1"),
        }
    )
    assert parsed == {
        "s": AttributeValue("String", string_value="x"),
        "n": AttributeValue("Number.float", string_value="-1.5e3"),
        "b": AttributeValue("Binary.png", binary_value=b"\x00\x01"),
        "attr.1øßä": AttributeValue("String.custom-type_1", string_value="v"),
    }
    assert list(parsed) == ["s", "n", "b", "attr.1øßä"]
    assert parse({}) == {}


def test_count_limit() -> None:
    parse({f"a{i}": string() for i in range(10)})
    assert parse_error({f"a{i}": string() for i in range(11)}) == invalid(
        "Number of message attributes [11] exceeds the allowed maximum [10]."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "a!",
            "Invalid non-alphanumeric character '#x21' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            "a b",
            "Invalid non-alphanumeric character '#x20' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            "§",
            "Invalid non-alphanumeric character '#xA7' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            "x" * 257,
            f"Invalid message attribute name '{'x' * 257}': names must be 1 to 256 characters long.",
        ),
        (
            "",
            "Invalid message attribute name '': names must be 1 to 256 characters long.",
        ),
        (
            "aWs.x",
            "Invalid message attribute name 'aWs.x': names must not start with AWS-reserved prefixes "
            "such as AWS. or Amazon. (or any casing variants).",
        ),
        (
            "AMAZON.x",
            "Invalid message attribute name 'AMAZON.x': names must not start with AWS-reserved prefixes "
            "such as AWS. or Amazon. (or any casing variants).",
        ),
        (
            ".a",
            "Invalid message attribute name '.a': names must not start or end with a period (.) "
            "nor contain periods in succession (..).",
        ),
        (
            "a.",
            "Invalid message attribute name 'a.': names must not start or end with a period (.) "
            "nor contain periods in succession (..).",
        ),
        (
            "a..b",
            "Invalid message attribute name 'a..b': names must not start or end with a period (.) "
            "nor contain periods in succession (..).",
        ),
    ],
)
def test_invalid_names(name: str, message: str) -> None:
    assert parse_error({name: string()}) == invalid(message)
    assert "Invalid" in message


def test_name_limits_and_near_misses_pass() -> None:
    parse(
        {
            "x" * 256: string(),
            "AWSome": string(),
            "Amazonian.x": string(),
            "a.b-c_d": string(),
        }
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"DataType": "String", "StringListValues": ["a"]},
        {"DataType": "String", "StringValue": "a", "StringListValues": []},
        {"DataType": "Binary", "BinaryListValues": [b"a"]},
        {"StringListValues": ["a"]},
    ],
)
def test_list_values_unsupported(raw: Mapping[str, object]) -> None:
    assert parse_error({"a": raw}) == (
        "AWS.SimpleQueueService.UnsupportedOperation",
        "Message attribute list values in SendMessageBatch operation are not supported.",
        400,
    )


@pytest.mark.parametrize(
    "raw",
    [{"StringValue": "x"}, {"DataType": "", "StringValue": "x"}, {"DataType": None}],
)
def test_missing_data_type(raw: Mapping[str, object]) -> None:
    assert parse_error({"a": raw}) == invalid(
        "The message attribute 'a' must contain non-empty message attribute type."
    )


@pytest.mark.parametrize(
    "data_type",
    [
        "string",
        "Text",
        "Strin",
        "String.",
        "Stringx",
        "Number.a b",
        "Binary." + "x" * 250,
    ],
)
def test_invalid_data_type(data_type: str) -> None:
    assert parse_error({"a": string("1", data_type)}) == invalid(
        "The type of message (user) attribute 'a' is invalid. "
        "You must use only the following supported type prefixes: Binary, Number, String."
    )


@pytest.mark.parametrize(
    ("data_type", "base"),
    [("String", "String"), ("Number", "Number"), ("Number.int", "Number")],
)
@pytest.mark.parametrize("value", ["", None, 5])
def test_empty_string_value(data_type: str, base: str, value: object) -> None:
    assert parse_error({"ErrorDetails": string(value, data_type)}) == invalid(
        f"Message (user) attribute 'ErrorDetails' must contain a non-empty value of type '{base}'."
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"DataType": "Binary"},
        {"DataType": "Binary", "BinaryValue": b""},
        {"DataType": "Binary", "BinaryValue": "AAE="},
    ],
)
def test_empty_binary_value(raw: Mapping[str, object]) -> None:
    assert parse_error({"b": raw}) == invalid(
        "The message attribute 'b' must contain non-empty message attribute value for message attribute type 'Binary'."
    )


@pytest.mark.parametrize(("value", "hex_code"), [("a\x08", "8"), ("\x0b", "B"), ("\uffff", "FFFF")])
def test_string_value_characters(value: str, hex_code: str) -> None:
    assert parse_error({"a": string(value)}) == invalid(
        f"Invalid binary character '#x{hex_code}' was found in the value of message (user) attribute 'a', "
        f"the set of allowed characters is {ALLOWED_SET}."
    )


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "-0",
        "+7",
        "007",
        "1.",
        ".5",
        "1.500",
        "1e126",
        "9.99e126",
        "1e-128",
        "1E+5",
        "1" * 38,
        "1" * 38 + "000",
        "0.000" + "1" * 38,
        "4563442423554324324264524243.32543234",
    ],
)
def test_valid_numbers(value: str) -> None:
    assert is_valid_number(value)
    assert parse({"n": string(value, "Number")})["n"].string_value == value  # stored as sent


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1,5",
        "1e",
        "--1",
        ".",
        "NaN",
        "Infinity",
        " 1",
        "0x1F",
        "1" * 39,
        "1e127",
        "1e-129",
        "1_000",
    ],
)
def test_invalid_numbers(value: str) -> None:
    assert not is_valid_number(value)
    assert parse_error({"n": string(value, "Number")}) == invalid(
        "Can't cast the value of message (user) attribute 'n' to a number."
    )


def test_checks_run_in_request_order() -> None:
    error = parse_error({"ok": string(), "bad1": string(""), "bad!": string()})
    assert error[1] == "Message (user) attribute 'bad1' must contain a non-empty value of type 'String'."


# --- system attributes (API Reference, SendMessage) -------------------------------------------------------

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_trace_header() -> None:
    assert parse_system_attributes({"AWSTraceHeader": string(TRACE)}) == {
        "AWSTraceHeader": AttributeValue("String", string_value=TRACE)
    }
    assert parse_system_attributes({}) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"SenderId": string()},
            invalid(
                "Value SenderId for parameter MessageSystemAttributeName is invalid. Reason: Only AWSTraceHeader is supported."
            ),
        ),
        (
            {"AWSTraceHeader": string(TRACE, "Binary")},
            invalid(
                "The type of message (system) attribute 'AWSTraceHeader' is invalid. "
                "You must use only the following supported type prefixes: String."
            ),
        ),
        (
            {"AWSTraceHeader": string(TRACE, "String.x")},
            invalid(
                "The type of message (system) attribute 'AWSTraceHeader' is invalid. "
                "You must use only the following supported type prefixes: String."
            ),
        ),
        (
            {"AWSTraceHeader": string("")},
            invalid("Message (system) attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'."),
        ),
        (
            {"AWSTraceHeader": {"DataType": "String", "StringListValues": []}},
            (
                "AWS.SimpleQueueService.UnsupportedOperation",
                "Message attribute list values in SendMessageBatch operation are not supported.",
                400,
            ),
        ),
    ],
)
def test_system_attribute_errors(raw: Mapping[str, Mapping[str, object]], expected: tuple[str, str, int]) -> None:
    with pytest.raises(SqsError) as excinfo:
        parse_system_attributes(raw)
    assert caught(excinfo) == expected


# --- size (API Reference, SendMessage) -----------------------------------------------------------------------


def test_message_size() -> None:
    attributes = parse(
        {
            "k": string("x"),
            "bin": {"DataType": "Binary.png", "BinaryValue": b"\x00\x01\x02"},
        }
    )
    assert message_size("héllo", {}) == 6
    assert message_size("héllo", attributes) == 6 + (1 + 6 + 1) + (3 + 10 + 3)


# --- FIFO ids (API Reference, SendMessage) ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a", "x" * 128, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "Az09"])
@pytest.mark.parametrize("parameter", ["MessageGroupId", "MessageDeduplicationId", "ReceiveRequestAttemptId"])
def test_valid_fifo_ids(value: str, parameter: str) -> None:
    validate_fifo_id(value, parameter)


@pytest.mark.parametrize("value", ["", "x" * 129, "a b", "é", "a\tb"])
@pytest.mark.parametrize("parameter", ["MessageGroupId", "MessageDeduplicationId", "ReceiveRequestAttemptId"])
def test_invalid_fifo_ids(value: str, parameter: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_fifo_id(value, parameter)
    assert caught(excinfo) == invalid(
        f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only include "
        "alphanumeric and punctuation characters. 1 to 128 in length."
    )


def test_empty_fifo_id_has_two_spaces() -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_fifo_id("", "MessageGroupId")
    assert excinfo.value.message.startswith("Value  for parameter MessageGroupId is invalid. Reason: ")


# --- DelaySeconds (API Reference, SendMessage) -------------------------------------------------------


@pytest.mark.parametrize(("value", "fifo"), [(0, False), (900, False), (0, True)])
def test_valid_delays(value: int, fifo: bool) -> None:
    validate_delay_seconds(value, fifo)


@pytest.mark.parametrize(
    ("value", "fifo", "reason"),
    [
        (54524, False, "DelaySeconds must be >= 0 and <= 900."),
        (-1, False, "DelaySeconds must be >= 0 and <= 900."),
        (901, True, "DelaySeconds must be >= 0 and <= 900."),
        (
            2,
            True,
            "The request include parameter that is not valid for this queue type.",
        ),
    ],
)
def test_invalid_delays(value: int, fifo: bool, reason: str) -> None:
    with pytest.raises(SqsError) as excinfo:
        validate_delay_seconds(value, fifo)
    assert caught(excinfo) == invalid(f"Value {value} for parameter DelaySeconds is invalid. Reason: {reason}")


# --- batch ids (API Reference, SendMessageBatch) ----------------------------------------------------------------------

INVALID_ID = (
    "AWS.SimpleQueueService.InvalidBatchEntryId",
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
    400,
)


def batch_error(ids: list[str], operation: str = "SendMessageBatch") -> tuple[str, str, int]:
    with pytest.raises(SqsError) as excinfo:
        validate_batch_entry_ids(ids, operation)
    return caught(excinfo)


@pytest.mark.parametrize(
    "operation",
    ["SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"],
)
def test_empty_batch(operation: str) -> None:
    assert batch_error([], operation) == (
        "AWS.SimpleQueueService.EmptyBatchRequest",
        f"There should be at least one {operation}RequestEntry in the request.",
        400,
    )


def test_batch_checks() -> None:
    validate_batch_entry_ids([str(i) for i in range(10)], "SendMessageBatch")
    validate_batch_entry_ids(["a-b_C", "x" * 80], "DeleteMessageBatch")
    assert batch_error(["a"] * 20) == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 20.",
        400,
    )
    for bad in ("", "x" * 81, "invalid:id", "a b", "é"):
        assert batch_error(["ok", bad]) == INVALID_ID
    assert batch_error(["id_1", "id_2", "id_2", "id_1"]) == (
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "Id id_2 repeated.",
        400,
    )


def test_batch_check_order() -> None:
    # Count before ids; every id's format before distinctness.
    assert batch_error(["bad:id"] * 11)[0] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    assert batch_error(["a", "a", "bad:id"]) == INVALID_ID


# --- receive-side filters (API Reference, ReceiveMessage) --------------------------------------------------------

STORED = {
    "Hello": AttributeValue("String", string_value="There"),
    "General": AttributeValue("String", string_value="Kenobi"),
    "Help.Me": AttributeValue("String", string_value="Me"),
}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], []),
        (["All"], ["Hello", "General", "Help.Me"]),
        ([".*"], ["Hello", "General", "Help.Me"]),
        (["*"], ["Hello", "General", "Help.Me"]),
        (["Hello"], ["Hello"]),
        (["hello"], []),
        (["Hel.*"], ["Hello", "Help.Me"]),
        (["Help.*"], ["Help.Me"]),
        (["General", "Help.*"], ["General", "Help.Me"]),
        (["Unknown", "AWS.", "..foo", "AWS.*"], []),
    ],
)
def test_filter_message_attributes(names: list[str], expected: list[str]) -> None:
    assert list(filter_message_attributes(STORED, names)) == expected


def test_receive_names_match_botocore() -> None:
    model = botocore.session.get_session().get_service_model("sqs")
    enum = set(model.shape_for("MessageSystemAttributeName").metadata["enum"])
    assert enum - {"All"} == RECEIVE_SYSTEM_ATTRIBUTE_NAMES


@pytest.mark.parametrize(
    ("attribute_names", "system_names", "expected"),
    [
        (None, None, None),
        ([], [], None),
        (["SenderId"], None, {"SenderId"}),
        (None, ["SentTimestamp"], {"SentTimestamp"}),
        (["SenderId"], ["SentTimestamp"], {"SenderId", "SentTimestamp"}),
        (["SenderId"], ["All"], RECEIVE_SYSTEM_ATTRIBUTE_NAMES),
        (["All"], None, RECEIVE_SYSTEM_ATTRIBUTE_NAMES),
        (["Policy", "Foo", "SequenceNumber"], None, {"SequenceNumber"}),
        (["Policy"], None, set()),
    ],
)
def test_select_system_attribute_names(
    attribute_names: list[str] | None,
    system_names: list[str] | None,
    expected: set[str] | None,
) -> None:
    assert select_system_attribute_names(attribute_names, system_names) == expected
