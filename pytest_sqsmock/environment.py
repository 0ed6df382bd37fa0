"""Fake AWS credentials and region for the time a mock is active.

botocore refuses to sign without credentials and to build a client without a
region, and with neither configured it would probe the instance metadata
service over the network. A mock fills in only what is missing and puts
everything back when it stops.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pytest_sqsmock.service.access.principals import access_key_for, secret_key_for

# Variables that make botocore resolve credentials or endpoints elsewhere; the
# pytest fixture clears them so a developer's profile never leaks into a test.
LEAKY_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_REGION",
)


def fake_credentials(account_id: str) -> dict[str, str]:
    """Environment variables with credentials that stand for ``account_id``."""
    return {"AWS_ACCESS_KEY_ID": access_key_for(account_id), "AWS_SECRET_ACCESS_KEY": secret_key_for(account_id)}


def hermetic_variables(account_id: str, region: str) -> dict[str, str | None]:
    """What the pytest fixture sets (``None``: removed) so tests ignore the developer's AWS set-up."""
    variables: dict[str, str | None] = dict.fromkeys(LEAKY_VARIABLES)
    variables.update(fake_credentials(account_id))
    variables.update(
        {
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return variables


@contextmanager
def missing_filled_in(account_id: str, region: str) -> Iterator[None]:
    """Set fake credentials and a region where none are configured, then restore."""
    wanted: dict[str, str] = {}
    if not os.environ.get("AWS_ACCESS_KEY_ID"):
        wanted.update(fake_credentials(account_id))
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        wanted["AWS_DEFAULT_REGION"] = region
    with patched(wanted):
        yield


@contextmanager
def fresh_default_boto3_session() -> Iterator[None]:
    """Make ``boto3.client()`` see this mock's credentials.

    boto3's default session keeps the credentials it first found, so after a
    mock of another account ``boto3.client("sqs")`` would still sign as the
    old one. A default session whose credentials no longer match the
    environment is set aside while the mock runs (a matching one is kept:
    building a session costs tens of milliseconds).
    """
    boto3 = sys.modules.get("boto3")
    saved = None if boto3 is None else getattr(boto3, "DEFAULT_SESSION", None)
    if boto3 is None or saved is None or not _credentials_are_stale(saved):
        yield
        return
    setattr(boto3, "DEFAULT_SESSION", None)  # noqa: B010 - a module attribute the stubs do not declare
    try:
        yield
    finally:
        setattr(boto3, "DEFAULT_SESSION", saved)  # noqa: B010


def _credentials_are_stale(session: Any) -> bool:
    wanted = os.environ.get("AWS_ACCESS_KEY_ID")
    if not wanted:
        return False
    credentials = session.get_credentials()
    return credentials is None or credentials.access_key != wanted


@contextmanager
def patched(variables: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables, restoring them afterwards."""
    saved = {name: os.environ.get(name) for name in variables}
    try:
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
