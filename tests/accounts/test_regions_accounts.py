"""Regions and accounts through real boto3 clients: which queue a request reaches.

Spec: Developer Guide, "Amazon SQS queue and message identifiers"; API Reference, GetQueueUrl;
observed AWS behaviour (endpoints and regions); README "Regions and accounts".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from pytest_sqsmock import SqsMock, UnknownQueueError, mock_sqs

DEFAULT_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
THIRD_ACCOUNT = "444455556666"
EAST = "us-east-1"
WEST = "eu-west-1"

#: Developer Guide, "Interpreting Amazon SQS JSON API responses": the JSON-protocol answer for a queue that does not exist.
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
NON_EXISTENT_QUEUE_TEXT = "The specified queue does not exist."
HIDDEN_QUEUE_TEXT = "The specified queue does not exist or you do not have access to it."


def url_of(name: str, *, region: str = EAST, account: str = DEFAULT_ACCOUNT) -> str:
    """The queue URL SQS returns for ``name`` (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def arn_of(name: str, *, region: str = EAST, account: str = DEFAULT_ACCOUNT) -> str:
    """The queue ARN (Developer Guide, "Amazon SQS queue and message identifiers")."""
    return f"arn:aws:sqs:{region}:{account}:{name}"


@contextmanager
def expect_no_such_queue(client: Any, message: str = NON_EXISTENT_QUEUE_TEXT) -> Iterator[None]:
    """NonExistentQueue 400, class QueueDoesNotExist ("Interpreting Amazon SQS JSON API responses")."""
    # botocore < 1.34.90 speaks the query protocol: no QueryErrorCode, and
    # NonExistentQueue is worded for the "wsdl version".
    query = client.meta.service_model.protocol == "query"
    if query and message == NON_EXISTENT_QUEUE_TEXT:
        message = "The specified queue does not exist for this wsdl version."
    with pytest.raises(client.exceptions.QueueDoesNotExist) as info:
        yield
    error: dict[str, Any] = dict(info.value.response["Error"])
    assert error["Code"] == NON_EXISTENT_QUEUE, error
    if not query:
        assert error["QueryErrorCode"] == "QueueDoesNotExist", error
    assert error["Message"] == message, error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def bodies(client: Any, url: str) -> list[str]:
    """Bodies of the messages one short-poll receive returns (up to 10)."""
    response = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return sorted(message["Body"] for message in response.get("Messages", []))


def queue_arn(client: Any, url: str) -> str:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    return arn


ClientFactory = Callable[..., Any]


@pytest.fixture(scope="module")
def session() -> boto3.session.Session:
    """One boto3 session for the module: its clients start in milliseconds."""
    return boto3.session.Session()


@pytest.fixture
def client_for(sqs_mock: SqsMock, session: boto3.session.Session) -> ClientFactory:
    """``client_for(region=, account=, **client_kwargs)``: an SQS client bound to an account.

    Equivalent to ``sqs_mock.client()`` (tested on its own below), built on one
    shared session to keep the module fast.
    """

    def make(region: str = EAST, account: str = DEFAULT_ACCOUNT, **kwargs: Any) -> Any:
        keys = sqs_mock.credentials(account)
        return session.client(
            "sqs",
            region_name=region,
            aws_access_key_id=keys["aws_access_key_id"],
            aws_secret_access_key=keys["aws_secret_access_key"],
            **kwargs,
        )

    return make


# -- the same name in different places -----------------------------------------


def test_same_name_in_two_regions_is_two_queues(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    east = client_for(region=EAST)
    west = client_for(region=WEST)

    east_url = east.create_queue(QueueName="orders")["QueueUrl"]
    west_url = west.create_queue(QueueName="orders")["QueueUrl"]
    west.send_message(QueueUrl=west_url, MessageBody="for the west")

    assert east_url == url_of("orders", region=EAST)
    assert west_url == url_of("orders", region=WEST)
    assert queue_arn(east, east_url) == arn_of("orders", region=EAST)
    assert queue_arn(west, west_url) == arn_of("orders", region=WEST)
    assert bodies(east, east_url) == []
    assert bodies(west, west_url) == ["for the west"]
    assert len(sqs_mock.queue("orders", region=EAST)) == 0
    assert len(sqs_mock.queue("orders", region=WEST)) == 1


def test_same_name_in_two_accounts_is_two_queues(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    mine = client_for()
    theirs = client_for(account=OTHER_ACCOUNT)

    my_url = mine.create_queue(QueueName="orders")["QueueUrl"]
    their_url = theirs.create_queue(QueueName="orders")["QueueUrl"]
    theirs.send_message(QueueUrl=their_url, MessageBody="theirs")

    assert my_url == url_of("orders")
    assert their_url == url_of("orders", account=OTHER_ACCOUNT)
    assert queue_arn(mine, my_url) == arn_of("orders")
    assert queue_arn(theirs, their_url) == arn_of("orders", account=OTHER_ACCOUNT)
    assert bodies(mine, my_url) == []
    assert bodies(theirs, their_url) == ["theirs"]


def test_deleting_one_region_s_queue_leaves_the_other(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    east = client_for(region=EAST)
    west = client_for(region=WEST)
    east_url = east.create_queue(QueueName="orders")["QueueUrl"]
    west_url = west.create_queue(QueueName="orders")["QueueUrl"]

    west.delete_queue(QueueUrl=west_url)

    assert east.get_queue_url(QueueName="orders")["QueueUrl"] == east_url
    with expect_no_such_queue(west):
        west.get_queue_url(QueueName="orders")


def test_list_queues_shows_only_the_callers_account_and_region(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    east = client_for(region=EAST)
    west = client_for(region=WEST)
    other_east = client_for(region=EAST, account=OTHER_ACCOUNT)
    east.create_queue(QueueName="east-mine")
    west.create_queue(QueueName="west-mine")
    other_east.create_queue(QueueName="east-theirs")

    assert east.list_queues()["QueueUrls"] == [url_of("east-mine")]
    assert west.list_queues()["QueueUrls"] == [url_of("west-mine", region=WEST)]
    assert other_east.list_queues()["QueueUrls"] == [url_of("east-theirs", account=OTHER_ACCOUNT)]
    empty = client_for(region=WEST, account=OTHER_ACCOUNT).list_queues()
    assert "QueueUrls" not in empty


# -- the endpoint's region decides, not the URL's host (observed AWS behaviour) -----------------------


def test_region_a_client_with_a_region_b_url_gets_non_existent_queue(
    sqs_mock: SqsMock, client_for: ClientFactory
) -> None:
    east = client_for(region=EAST)
    west = client_for(region=WEST)
    west_url = west.create_queue(QueueName="orders")["QueueUrl"]

    with expect_no_such_queue(east):
        east.send_message(QueueUrl=west_url, MessageBody="lost")
    with expect_no_such_queue(east):
        east.get_queue_attributes(QueueUrl=west_url, AttributeNames=["All"])

    west.send_message(QueueUrl=west_url, MessageBody="found")
    assert bodies(west, west_url) == ["found"]


def test_region_b_url_reaches_the_same_named_queue_of_region_a(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    # Observed AWS behaviour: the queue is looked up in the region of the endpoint, not the URL's host.
    east = client_for(region=EAST)
    west = client_for(region=WEST)
    east.create_queue(QueueName="orders")
    west_url = west.create_queue(QueueName="orders")["QueueUrl"]

    east.send_message(QueueUrl=west_url, MessageBody="goes east")

    assert [m.body for m in sqs_mock.queue("orders", region=EAST).visible] == ["goes east"]
    assert len(sqs_mock.queue("orders", region=WEST)) == 0


def test_get_queue_url_of_a_queue_in_another_region_is_non_existent(
    sqs_mock: SqsMock, client_for: ClientFactory
) -> None:
    client_for(region=WEST).create_queue(QueueName="orders")

    east = client_for(region=EAST)
    with expect_no_such_queue(east):
        east.get_queue_url(QueueName="orders")


# -- what a QueueUrl may look like --------------------------------------------------


def test_bare_queue_name_works_as_queue_url(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    sqs = client_for()
    sqs.create_queue(QueueName="orders")

    sqs.send_message(QueueUrl="orders", MessageBody="by name")
    sqs.set_queue_attributes(QueueUrl="orders", Attributes={"DelaySeconds": "0"})
    attributes = sqs.get_queue_attributes(
        QueueUrl="orders", AttributeNames=["QueueArn", "ApproximateNumberOfMessages"]
    )["Attributes"]

    assert attributes == {
        "QueueArn": arn_of("orders"),
        "ApproximateNumberOfMessages": "1",
    }
    assert bodies(sqs, "orders") == ["by name"]


def test_bare_queue_name_is_looked_up_in_the_callers_account_and_region(
    sqs_mock: SqsMock, client_for: ClientFactory
) -> None:
    client_for(account=OTHER_ACCOUNT).create_queue(QueueName="theirs")
    client_for(region=WEST).create_queue(QueueName="western")

    sqs = client_for()
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl="theirs", MessageBody="x")
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl="western", MessageBody="x")


@pytest.mark.parametrize(
    ("region", "legacy_host"),
    [
        (EAST, "https://queue.amazonaws.com"),
        (WEST, f"https://{WEST}.queue.amazonaws.com"),
    ],
)
def test_legacy_host_queue_url_resolves_by_path(
    sqs_mock: SqsMock, client_for: ClientFactory, region: str, legacy_host: str
) -> None:
    sqs = client_for(region=region)
    sqs.create_queue(QueueName="orders")
    legacy_url = f"{legacy_host}/{DEFAULT_ACCOUNT}/orders"

    sqs.send_message(QueueUrl=legacy_url, MessageBody="legacy")

    assert bodies(sqs, legacy_url) == ["legacy"]


def test_legacy_host_url_of_an_unknown_queue_is_non_existent(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    # Observed AWS behaviour: NonExistentQueue (400), not InvalidAddress.
    sqs = client_for()
    with expect_no_such_queue(sqs):
        sqs.get_queue_attributes(
            QueueUrl=f"https://queue.amazonaws.com/{DEFAULT_ACCOUNT}/unknown",
            AttributeNames=["All"],
        )


def test_custom_host_queue_url_resolves_by_path(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    sqs = client_for()
    sqs.create_queue(QueueName="orders")
    custom_url = f"http://localhost:4566/{DEFAULT_ACCOUNT}/orders"

    sqs.send_message(QueueUrl=custom_url, MessageBody="custom")

    assert bodies(sqs, url_of("orders")) == ["custom"]


def test_queue_url_that_names_no_queue_is_non_existent(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    # Observed AWS behaviour: `http://whatever-incorrect-queue-address` → NonExistentQueue, 400.
    sqs = client_for()
    sqs.create_queue(QueueName="orders")
    with expect_no_such_queue(sqs):
        sqs.send_message(QueueUrl="http://whatever-incorrect-queue-address", MessageBody="x")


def test_returned_urls_follow_a_legacy_endpoint_host(sqs_mock: SqsMock) -> None:
    # Observed AWS behaviour: the queue URL host follows the endpoint host of the request.
    legacy = sqs_mock.client(endpoint_url="https://queue.amazonaws.com")

    created = legacy.create_queue(QueueName="orders")["QueueUrl"]

    assert created == f"https://queue.amazonaws.com/{DEFAULT_ACCOUNT}/orders"
    assert legacy.get_queue_url(QueueName="orders")["QueueUrl"] == created
    assert legacy.list_queues()["QueueUrls"] == [created]
    # The queue itself is the same one the standard endpoint sees.
    assert sqs_mock.client().get_queue_url(QueueName="orders")["QueueUrl"] == (url_of("orders"))


# -- binding clients to accounts ------------------------------------------------------


def test_client_with_account_id_is_bound_to_that_account(sqs_mock: SqsMock) -> None:
    sqs = sqs_mock.client(account_id=OTHER_ACCOUNT, region=WEST)

    url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders", region=WEST, account=OTHER_ACCOUNT)
    view = sqs_mock.queue("orders", region=WEST, account_id=OTHER_ACCOUNT)
    assert (view.account_id, view.region) == (OTHER_ACCOUNT, WEST)
    assert view.arn == arn_of("orders", region=WEST, account=OTHER_ACCOUNT)
    assert [(c.operation, c.account_id, c.region) for c in sqs_mock.calls] == [("CreateQueue", OTHER_ACCOUNT, WEST)]


def test_client_defaults_to_the_mock_s_region_and_account(sqs_mock: SqsMock) -> None:
    url = sqs_mock.client().create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders")


def test_credentials_bind_a_plain_boto3_client_to_an_account(
    sqs_mock: SqsMock,
) -> None:
    credentials = sqs_mock.credentials(OTHER_ACCOUNT)
    # The form users write; credentials() is typed dict[str, str], which the
    # boto3 stubs' keyword overloads do not accept.
    sqs = boto3.client("sqs", region_name=EAST, **credentials)

    url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    assert set(credentials) == {"aws_access_key_id", "aws_secret_access_key"}
    assert url == url_of("orders", account=OTHER_ACCOUNT)
    assert sqs_mock.queue("orders", account_id=OTHER_ACCOUNT).url == url
    assert sqs_mock.calls[-1].account_id == OTHER_ACCOUNT


def test_credentials_work_through_a_boto3_session(sqs_mock: SqsMock) -> None:
    session = boto3.session.Session(
        region_name=WEST,
        **sqs_mock.credentials(THIRD_ACCOUNT),
    )

    url = session.client("sqs").create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders", region=WEST, account=THIRD_ACCOUNT)


def test_credentials_differ_per_account_and_default_to_the_mock_s(
    sqs_mock: SqsMock,
) -> None:
    default = sqs_mock.credentials()
    assert default == sqs_mock.credentials(DEFAULT_ACCOUNT)
    assert sqs_mock.credentials(OTHER_ACCOUNT)["aws_access_key_id"] != default["aws_access_key_id"]


def test_unknown_access_key_maps_to_the_default_account(sqs_mock: SqsMock) -> None:
    sqs = boto3.client(
        "sqs",
        region_name=EAST,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )

    url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders")
    assert sqs_mock.calls[-1].account_id == DEFAULT_ACCOUNT


@pytest.mark.sqs_mock(account_id=THIRD_ACCOUNT, region=WEST)
def test_unknown_access_key_maps_to_the_marker_s_default_account(
    sqs_mock: SqsMock,
) -> None:
    sqs = boto3.client(
        "sqs",
        region_name=WEST,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
    )

    url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders", region=WEST, account=THIRD_ACCOUNT)


def test_unknown_access_key_maps_to_mock_sqs_default_account() -> None:
    with mock_sqs(account_id=THIRD_ACCOUNT, region=WEST) as mock:
        sqs = boto3.client(
            "sqs",
            region_name=WEST,
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="secret",
        )
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    assert url == url_of("orders", region=WEST, account=THIRD_ACCOUNT)
    assert mock.queue("orders").account_id == THIRD_ACCOUNT


def test_message_sender_id_differs_between_accounts(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    owner = client_for()
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    owner.add_permission(
        QueueUrl=url,
        Label="partner-send",
        AWSAccountIds=[OTHER_ACCOUNT],
        Actions=["SendMessage"],
    )
    owner.send_message(QueueUrl=url, MessageBody="mine")
    client_for(account=OTHER_ACCOUNT).send_message(QueueUrl=url, MessageBody="theirs")

    # botocore < 1.34.101 has only the deprecated AttributeNames (botocore's CHANGELOG).
    members = owner.meta.service_model.operation_model("ReceiveMessage").input_shape.members
    names = "MessageSystemAttributeNames" if "MessageSystemAttributeNames" in members else "AttributeNames"
    messages = owner.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **{names: ["SenderId"]})["Messages"]
    senders = {m["Body"]: m["Attributes"]["SenderId"] for m in messages}
    assert set(senders) == {"mine", "theirs"}
    assert senders["mine"] != senders["theirs"]


# -- sqs_mock.queue() and queues() -----------------------------------------------------


@pytest.fixture
def spread(sqs_mock: SqsMock) -> SqsMock:
    """``orders`` in four places (two regions x two accounts), each with its own message.

    Set up with the mock's helpers (no client start-up cost); the API tests above
    cover the same placement through boto3.
    """
    for account in (DEFAULT_ACCOUNT, OTHER_ACCOUNT):
        for region in (EAST, WEST):
            sqs_mock.create_queue("orders", region=region, account_id=account)
            sqs_mock.send("orders", f"{account}/{region}", region=region, account_id=account)
    sqs_mock.create_queue("western-only", region=WEST)
    return sqs_mock


@pytest.mark.parametrize("account", [DEFAULT_ACCOUNT, OTHER_ACCOUNT])
@pytest.mark.parametrize("region", [EAST, WEST])
def test_queue_by_name_with_region_and_account(spread: SqsMock, region: str, account: str) -> None:
    view = spread.queue("orders", region=region, account_id=account)

    assert (view.name, view.region, view.account_id) == ("orders", region, account)
    assert view.url == url_of("orders", region=region, account=account)
    assert view.arn == arn_of("orders", region=region, account=account)
    assert [m.body for m in view.visible] == [f"{account}/{region}"]


def test_queue_by_name_uses_the_mock_s_defaults(spread: SqsMock) -> None:
    view = spread.queue("orders")

    assert (view.region, view.account_id) == (EAST, DEFAULT_ACCOUNT)


@pytest.mark.parametrize("account", [DEFAULT_ACCOUNT, OTHER_ACCOUNT])
@pytest.mark.parametrize("region", [EAST, WEST])
def test_queue_by_url_finds_its_region_and_account(spread: SqsMock, region: str, account: str) -> None:
    view = spread.queue(url_of("orders", region=region, account=account))

    assert (view.region, view.account_id) == (region, account)
    assert [m.body for m in view.visible] == [f"{account}/{region}"]


@pytest.mark.parametrize("account", [DEFAULT_ACCOUNT, OTHER_ACCOUNT])
@pytest.mark.parametrize("region", [EAST, WEST])
def test_queue_by_arn_finds_its_region_and_account(spread: SqsMock, region: str, account: str) -> None:
    view = spread.queue(arn_of("orders", region=region, account=account))

    assert (view.region, view.account_id) == (region, account)
    assert view.arn == arn_of("orders", region=region, account=account)


def test_unknown_queue_error_lists_the_queues_that_exist(spread: SqsMock) -> None:
    with pytest.raises(UnknownQueueError) as info:
        spread.queue("ordres", region=WEST)

    assert isinstance(info.value, LookupError)
    message = str(info.value)
    assert "'ordres'" in message
    assert DEFAULT_ACCOUNT in message
    assert WEST in message
    assert "orders" in message
    assert "western-only" in message


def test_unknown_queue_error_names_other_places_with_that_name(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    client_for(region=WEST, account=OTHER_ACCOUNT).create_queue(QueueName="orders")

    with pytest.raises(UnknownQueueError) as info:
        sqs_mock.queue("orders")

    message = str(info.value)
    assert f"{OTHER_ACCOUNT}/{WEST}" in message
    assert "README#regions-and-accounts" in message


def test_unknown_queue_by_url_of_another_account(spread: SqsMock) -> None:
    with pytest.raises(UnknownQueueError, match="western-only"):
        spread.queue(url_of("western-only", region=WEST, account=OTHER_ACCOUNT))


def test_queues_filters_by_region_and_account(spread: SqsMock) -> None:
    def places(views: list[Any]) -> set[tuple[str, str, str]]:
        return {(v.account_id, v.region, v.name) for v in views}

    assert places(spread.queues()) == {
        (DEFAULT_ACCOUNT, EAST, "orders"),
        (DEFAULT_ACCOUNT, WEST, "orders"),
        (DEFAULT_ACCOUNT, WEST, "western-only"),
        (OTHER_ACCOUNT, EAST, "orders"),
        (OTHER_ACCOUNT, WEST, "orders"),
    }
    assert len(spread.queues()) == 5
    assert places(spread.queues(region=WEST)) == {
        (DEFAULT_ACCOUNT, WEST, "orders"),
        (DEFAULT_ACCOUNT, WEST, "western-only"),
        (OTHER_ACCOUNT, WEST, "orders"),
    }
    assert places(spread.queues(account_id=OTHER_ACCOUNT)) == {
        (OTHER_ACCOUNT, EAST, "orders"),
        (OTHER_ACCOUNT, WEST, "orders"),
    }
    assert places(spread.queues(region=EAST, account_id=DEFAULT_ACCOUNT)) == {
        (DEFAULT_ACCOUNT, EAST, "orders"),
    }
    assert spread.queues(region="ap-southeast-2") == []
    assert spread.queues(account_id=THIRD_ACCOUNT) == []


# -- GetQueueUrl with QueueOwnerAWSAccountId (API Reference, GetQueueUrl) -----------------------


def test_get_queue_url_with_own_account_as_owner(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    sqs = client_for()
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]

    found = sqs.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=DEFAULT_ACCOUNT)

    assert found["QueueUrl"] == url


def test_get_queue_url_of_another_account_that_shares_it(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    owner = client_for(account=OTHER_ACCOUNT)
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    owner.add_permission(
        QueueUrl=url,
        Label="lookup",
        AWSAccountIds=[DEFAULT_ACCOUNT],
        Actions=["GetQueueUrl", "SendMessage"],
    )
    me = client_for()

    found = me.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=OTHER_ACCOUNT)

    assert found["QueueUrl"] == url_of("orders", account=OTHER_ACCOUNT)
    me.send_message(QueueUrl=found["QueueUrl"], MessageBody="to the owner")
    assert [m.body for m in sqs_mock.queue(url).visible] == ["to the owner"]


def test_get_queue_url_without_owner_looks_in_the_callers_account(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    owner = client_for(account=OTHER_ACCOUNT)
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    owner.add_permission(QueueUrl=url, Label="lookup", AWSAccountIds=[DEFAULT_ACCOUNT], Actions=["*"])

    me = client_for()
    with expect_no_such_queue(me):
        me.get_queue_url(QueueName="orders")


def test_get_queue_url_of_an_owner_without_that_queue(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    client_for().create_queue(QueueName="orders")

    me = client_for()
    with expect_no_such_queue(me):
        me.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=OTHER_ACCOUNT)


def test_get_queue_url_of_a_shared_queue_from_another_region(sqs_mock: SqsMock, client_for: ClientFactory) -> None:
    owner = client_for(account=OTHER_ACCOUNT, region=WEST)
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    owner.add_permission(QueueUrl=url, Label="lookup", AWSAccountIds=[DEFAULT_ACCOUNT], Actions=["*"])

    east = client_for(region=EAST)
    with expect_no_such_queue(east):
        east.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=OTHER_ACCOUNT)
    west = client_for(region=WEST)
    assert west.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=OTHER_ACCOUNT)["QueueUrl"] == url
