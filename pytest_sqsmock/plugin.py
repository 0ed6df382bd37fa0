"""The pytest plugin: the ``sqs_mock`` fixture, its marker and ini options."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal

import pytest

from pytest_sqsmock import environment
from pytest_sqsmock.journal import DEFAULT_JOURNAL_LIMIT
from pytest_sqsmock.mock import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, SqsMock
from pytest_sqsmock.transports.server import SqsServer

MARKER = "sqs_mock"


@dataclass(frozen=True, kw_only=True)
class Options:
    """What the marker and ini options may set; a typo is a TypeError naming the valid keys."""

    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    clock: Literal["virtual", "system"] = "virtual"
    start: datetime | None = None
    passthrough: tuple[str, ...] = ()
    direct: bool = False
    journal_limit: int | None = DEFAULT_JOURNAL_LIMIT


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options."""
    parser.addini("sqs_mock_region", "Default region of the sqs_mock fixture.", default=DEFAULT_REGION)
    parser.addini("sqs_mock_account_id", "Default account of the sqs_mock fixture.", default=DEFAULT_ACCOUNT_ID)
    parser.addini("sqs_mock_clock", "Clock of the sqs_mock fixture: virtual or system.", default="virtual")
    parser.addini(
        "sqs_mock_passthrough",
        "AWS services (s3, sns, ...; * for all) whose calls may reach the network while sqs_mock is active.",
        type="linelist",
        default=[],
    )
    parser.addini(
        "sqs_mock_direct",
        "Answer boto3 clients' SQS calls at botocore's before-call event (faster; skips signing and before-send).",
        type="bool",
        default=False,
    )
    parser.addini(
        "sqs_mock_journal_limit",
        f"How many calls sqs_mock.calls keeps, the latest (none: every call). Default {DEFAULT_JOURNAL_LIMIT}.",
        default=str(DEFAULT_JOURNAL_LIMIT),
    )
    parser.addini(
        "sqs_mock_report",
        "When a test using sqs_mock fails, add a section summarising every queue.",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker with its signature."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*, region='{DEFAULT_REGION}', account_id='{DEFAULT_ACCOUNT_ID}', clock='virtual', start=None, passthrough=(), direct=False, "
        f"journal_limit={DEFAULT_JOURNAL_LIMIT}): "
        "configure (and activate) the sqs_mock fixture; see README#fixture-and-marker",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test with the marker gets the fixture even if it does not ask for it."""
    for item in items:
        if item.get_closest_marker(MARKER) is not None:
            names = getattr(item, "fixturenames", None)
            if isinstance(names, list) and MARKER not in names:
                names.insert(0, MARKER)


def options_for(request: pytest.FixtureRequest) -> Options:
    """Ini options, overridden by markers: module < class < test."""
    __tracebackhide__ = True
    config = request.config
    options = Options(
        region=str(config.getini("sqs_mock_region")),
        account_id=str(config.getini("sqs_mock_account_id")),
        clock=_clock_name(str(config.getini("sqs_mock_clock"))),
        passthrough=tuple(config.getini("sqs_mock_passthrough")),
        direct=bool(config.getini("sqs_mock_direct")),
        journal_limit=_journal_limit(str(config.getini("sqs_mock_journal_limit"))),
    )
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only, got {marker.args!r}")
        unknown = set(marker.kwargs) - {field.name for field in fields(Options)}
        if unknown:
            valid = ", ".join(field.name for field in fields(Options))
            raise TypeError(f"@pytest.mark.{MARKER} got unknown option(s) {sorted(unknown)}; valid: {valid}")
        options = replace(options, **marker.kwargs)
    return options


def _clock_name(value: str) -> Any:
    if value not in ("virtual", "system"):
        raise pytest.UsageError(f"sqs_mock_clock must be 'virtual' or 'system', got {value!r}")
    return value


def _journal_limit(value: str) -> int | None:
    text = value.strip().lower()
    if text == "none":
        return None
    if not text.isdigit():
        raise pytest.UsageError(f"sqs_mock_journal_limit must be a whole number >= 0 or 'none', got {value!r}")
    return int(text)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the simulation's state to the report of a failed test that used it."""
    report = yield
    if report.when == "call" and report.failed and item.config.getini("sqs_mock_report"):
        mock = getattr(item, "funcargs", {}).get(MARKER)
        if isinstance(mock, SqsMock):
            report.sections.append(("sqs_mock", mock.describe()))
    return report


@pytest.fixture
def sqs_mock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqsMock]:
    """A fresh simulated SQS serving every botocore client during the test.

    The AWS environment is hermetic while it runs: fake credentials for the
    default account, the default region, and no profile, config file or
    endpoint override of the developer's.
    """
    options = options_for(request)
    for name, value in environment.hermetic_variables(options.account_id, options.region).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    mock = SqsMock(**asdict(options))
    mock.test_name = request.node.nodeid
    with mock:
        yield mock


@pytest.fixture
def sqs_mock_server(sqs_mock: SqsMock) -> Iterator[SqsServer]:
    """An HTTP endpoint on 127.0.0.1 serving the test's ``sqs_mock`` to other processes.

    Point any SQS client at ``sqs_mock_server.endpoint_url``.
    """
    server = sqs_mock.server()
    yield server
    server.stop_quietly()
