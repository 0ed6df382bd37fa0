"""The direct path reads awsJson1_0 calls from botocore's request dict, and falls back to the request for the rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from pytest_sqsmock import SqsMock, mock_sqs

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
# botocore before 1.34.90 speaks the query protocol, which never takes the JSON lane.
QUERY_ERA = botocore.session.get_session().get_service_model("sqs").protocol == "query"


@pytest.fixture
def sqs_mock_direct() -> Iterator[SqsMock]:
    with mock_sqs(direct=True) as sqs_mock:
        yield sqs_mock


def sent_through_endpoint(client: Any) -> list[str]:
    """The operation of each call of ``client`` that reached botocore's endpoint (the full path)."""
    sent: list[str] = []
    client.meta.events.register("before-send.sqs", lambda event_name, **_: sent.append(event_name.rsplit(".", 1)[1]))
    return sent


def trace_of_a_message_sent_in_lambda(monkeypatch: pytest.MonkeyPatch, *, direct: bool) -> Any:
    # In Lambda, botocore copies the function's trace id into X-Amzn-Trace-Id (a before-call handler).
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "consumer")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
    with mock_sqs(direct=direct):
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="traced")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="traced")
        [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["AWSTraceHeader"])["Messages"]
    return message.get("Attributes")


def test_a_lambda_trace_header_reaches_the_message_as_on_the_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    full = trace_of_a_message_sent_in_lambda(monkeypatch, direct=False)
    assert full == {"AWSTraceHeader": TRACE}
    assert trace_of_a_message_sent_in_lambda(monkeypatch, direct=True) == full


def test_a_header_botocore_does_not_send_is_read_off_the_request(sqs_mock_direct: SqsMock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    sent = sent_through_endpoint(sqs)
    url = sqs.create_queue(QueueName="headers")["QueueUrl"]

    def lower_case_trace(params: Any, **_: Any) -> None:
        params["headers"]["x-amzn-trace-id"] = TRACE

    sqs.meta.events.register_first("before-call.sqs.SendMessage", lower_case_trace)
    sqs.send_message(QueueUrl=url, MessageBody="traced")
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["AWSTraceHeader"])["Messages"]
    assert message["Attributes"] == {"AWSTraceHeader": TRACE}
    assert sent == ["CreateQueue"]  # only the first call took the full path


def test_a_client_pointed_at_the_simulations_server_sees_the_servers_urls(sqs_mock_direct: SqsMock) -> None:
    server = sqs_mock_direct.server()
    sqs = boto3.client(
        "sqs", endpoint_url=server.endpoint_url, region_name="eu-west-1", **sqs_mock_direct.credentials()
    )
    sqs.list_queues()  # installs the direct path on this client
    url = sqs.create_queue(QueueName="served")["QueueUrl"]
    assert url == f"{server.endpoint_url}/eu-west-1/{sqs_mock_direct.account_id}/served"
    assert sqs.get_queue_url(QueueName="served")["QueueUrl"] == url


@pytest.mark.skipif(QUERY_ERA, reason="query-protocol clients never take the JSON lane")
def test_clients_of_two_accounts_and_regions_each_get_their_own(sqs_mock_direct: SqsMock) -> None:
    made = [
        (account, region, sqs_mock_direct.client(region=region, account_id=account))
        for account in ("111122223333", "444455556666")
        for region in ("us-east-1", "eu-west-1")
    ]
    for _, _, client in made:
        client.list_queues()
    urls = [client.create_queue(QueueName="same")["QueueUrl"] for _, _, client in made]
    assert urls == [f"https://sqs.{region}.amazonaws.com/{account}/same" for account, region, _ in made]
    assert {(call.account_id, call.region) for call in sqs_mock_direct.calls.filter("CreateQueue")} == {
        (account, region) for account, region, _ in made
    }


def response_headers(*, direct: bool) -> list[dict[str, str]]:
    """The headers of a success as an ``after-call`` handler reads them, request ids blanked."""
    with mock_sqs(direct=direct):
        sqs = boto3.client("sqs", region_name="us-east-1")
        seen: list[dict[str, str]] = []

        def read(http_response: Any, parsed: Any, **_: Any) -> None:
            request_id = parsed["ResponseMetadata"]["RequestId"]
            headers = dict(http_response.headers)
            assert http_response.headers["X-AMZN-REQUESTID"] == request_id  # any case reads it
            seen.append({name: "<id>" if value == request_id else value for name, value in headers.items()})

        sqs.meta.events.register("after-call.sqs", read)
        sqs.list_queues()
        sqs.list_queues()
    return seen


@pytest.mark.skipif(QUERY_ERA, reason="query-protocol answers are XML, encoded on both paths")
def test_a_success_response_headers_read_as_on_the_full_path() -> None:
    assert response_headers(direct=True) == response_headers(direct=False)
    assert response_headers(direct=True)[-1] == {
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-RequestId": "<id>",
    }


def test_a_success_response_has_every_attribute_botocore_gives_one() -> None:
    # Its __init__ sets AWSResponse's attributes itself: a botocore that adds one must fail here first.
    from botocore.awsrequest import AWSResponse

    from pytest_sqsmock.transports import direct_results
    from pytest_sqsmock.transports.dispatch import Outcome

    outcome = Outcome("json", "request-id", "ListQueues", {}, None)
    answered, _ = direct_results.http_response("https://sqs.us-east-1.amazonaws.com/", outcome)
    plain = AWSResponse("https://sqs.us-east-1.amazonaws.com/", 200, {}, None)  # type: ignore[arg-type]
    assert set(vars(plain)) - {"headers"} <= set(vars(answered))
    assert answered.content == b"{}"
    assert answered.headers["x-amzn-requestid"] == "request-id"


def test_credentials_swapped_or_changed_after_a_call_name_their_own_account(sqs_mock_direct: SqsMock) -> None:
    from botocore.credentials import Credentials

    client = sqs_mock_direct.client()
    client.list_queues()  # installs the direct path on this client
    client.create_queue(QueueName="mine")
    other = sqs_mock_direct.credentials(account_id="210987654321")
    client._request_signer._credentials = Credentials(other["aws_access_key_id"], other["aws_secret_access_key"])
    assert "/210987654321/swapped" in client.create_queue(QueueName="swapped")["QueueUrl"]
    third = sqs_mock_direct.credentials(account_id="333344445555")
    client._request_signer._credentials.access_key = third["aws_access_key_id"]  # changed in place
    assert "/333344445555/changed" in client.create_queue(QueueName="changed")["QueueUrl"]


def send_to_an_endpoint_with_a_path(*, direct: bool) -> tuple[str, Any]:
    """A JSON call posted to a queue URL (an endpoint_url with a path), and a body of the wrong types."""
    with mock_sqs(direct=direct):
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="pathed")["QueueUrl"]
        pathed = boto3.client("sqs", region_name="us-east-1", endpoint_url=url)
        pathed.list_queues()  # installs the direct path on this client
        sent = pathed.send_message(QueueUrl=url, MessageBody="to a path")["MD5OfMessageBody"]
        unchecked: Any = boto3.client(
            "sqs", region_name="us-east-1", config=botocore.config.Config(parameter_validation=False)
        )
        unchecked.list_queues()
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            unchecked.send_message(QueueUrl=url, MessageBody="x", DelaySeconds="soon")
    return sent, raised.value.response["Error"]


@pytest.mark.skipif(QUERY_ERA, reason="query-protocol clients never take the JSON lane")
def test_a_queue_url_endpoint_and_an_unvalidated_body_are_answered_as_on_the_full_path() -> None:
    direct = send_to_an_endpoint_with_a_path(direct=True)
    assert direct == send_to_an_endpoint_with_a_path(direct=False)
    assert direct[1]["Code"] == "SerializationException"


def test_the_kept_contexts_are_bounded_and_a_url_that_does_not_parse_is_left_to_the_request(
    sqs_mock_direct: SqsMock,
) -> None:
    from pytest_sqsmock.transports import dispatch

    dispatcher = sqs_mock_direct.simulation.dispatcher
    for number in range(dispatch._KEPT_CONTEXTS + 10):
        outcome = dispatcher.answer_json(
            "https://sqs.us-east-1.amazonaws.com/", "ListQueues", b"{}", scope=None, trace_header=f"Root={number}"
        )
        assert outcome is not None
        assert outcome.error is None
    assert len(dispatcher._json_contexts) <= dispatch._KEPT_CONTEXTS
    assert dispatcher.answer_json("https://[::1", "ListQueues", b"{}", scope=None, trace_header=None) is None
