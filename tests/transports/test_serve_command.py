"""``python -m pytest_sqsmock serve``, run in this process: what it prints, what it serves, how it stops.

``main()`` serves until Ctrl-C. Here its wait is replaced by one that makes real
HTTP calls to the printed endpoint with the printed keys, then presses Ctrl-C
(raises ``KeyboardInterrupt``), as a developer would. The subprocess runs of the
same command are in ``test_server.py``; these run in process so they are measured.
"""

from __future__ import annotations

import http.client
import json
import re
import runpy
import socket
import sys
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.credentials import Credentials

import pytest_sqsmock.__main__ as cli
import pytest_sqsmock.transports.server as server_module
from pytest_sqsmock import SqsMock

from .raw_http import FOREIGN, json_headers, post

ENDPOINT_LINE = re.compile(r"^pytest_sqsmock: SQS on (http://127\.0\.0\.1:(\d+)) \(Ctrl-C to stop\)$")
KEYS_LINE = re.compile(
    r"^pytest_sqsmock: verified credentials for account (\d{12}): "
    r"AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)(.*)$"
)


class Served:
    """What a ``serve`` run printed before its wait, read while it still serves."""

    def __init__(self, stdout: str, stderr: str) -> None:
        self.stderr = stderr
        endpoint_line, keys_line = stdout.splitlines()
        endpoint = ENDPOINT_LINE.match(endpoint_line)
        keys = KEYS_LINE.match(keys_line)
        assert endpoint is not None, endpoint_line
        assert keys is not None, keys_line
        self.endpoint_url, self.port = endpoint[1], int(endpoint[2])
        self.account_id = keys[1]
        self.credentials = Credentials(keys[2], keys[3])
        self.keys_note = keys[4]

    def call(
        self, operation: str, params: dict[str, Any], *, credentials: Credentials | None = None, host: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One JSON-protocol call, signed with ``credentials`` (default: the printed ones)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = json_headers(operation)
        if host is not None:
            headers["Host"] = host
        try:
            response, body = post(
                connection, json.dumps(params).encode(), headers, credentials=credentials or self.credentials
            )
        finally:
            connection.close()
        return response.status, json.loads(body) if body else {}


def serve(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    while_serving: Callable[[Served], None],
) -> tuple[int, Served | None, str]:
    """Run ``main(argv)``; ``while_serving`` gets what it printed, then Ctrl-C.

    Returns the exit status, what it printed before serving, and what it printed on stderr after.
    """
    seen: list[Served] = []

    class CtrlCAfterChecks:
        def wait(self) -> None:
            printed = capsys.readouterr()
            seen.append(Served(printed.out, printed.err))
            while_serving(seen[0])
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "threading", SimpleNamespace(Event=CtrlCAfterChecks))
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, (seen[0] if seen else None), captured.err


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_serve_prints_endpoint_and_keys_serves_the_account_and_stops_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    urls: dict[str, str] = {}

    def check(served: Served) -> None:
        status, created = served.call("CreateQueue", {"QueueName": "dev"})
        assert status == 200, created
        urls["verified"] = created["QueueUrl"]
        # Not strict: a key the simulation did not issue stands for the default account.
        status, listed = served.call("ListQueues", {}, credentials=FOREIGN)
        assert status == 200, listed
        urls["listed"] = listed["QueueUrls"][0]
        # A wrong secret for the issued key is refused.
        forged = Credentials(served.credentials.access_key, "0" * 40)
        status, error = served.call("ListQueues", {}, credentials=forged)
        assert (status, error["__type"]) == (403, "com.amazon.coral.service#SignatureDoesNotMatch"), error

    status, served, stderr = serve(
        monkeypatch, capsys, ["serve", "--port", "0", "--region", "eu-west-1", "--account-id", "111122223333"], check
    )

    assert status == 0
    assert served is not None
    assert served.account_id == "111122223333"
    assert served.keys_note == " (any other key stands for that account, unverified)"
    assert urls == {
        "verified": f"{served.endpoint_url}/us-east-1/111122223333/dev",
        "listed": f"{served.endpoint_url}/us-east-1/111122223333/dev",
    }
    assert stderr == "pytest_sqsmock: stopped\n"
    assert refused(served.port)  # the port is closed once it stopped


def test_serve_strict_auth_refuses_keys_it_did_not_issue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: list[tuple[int, str]] = []

    def check(served: Served) -> None:
        status, listed = served.call("ListQueues", {})
        answers.append((status, listed.get("__type", "ok")))
        status, error = served.call("ListQueues", {}, credentials=FOREIGN)
        answers.append((status, error["__type"]))

    status, served, _ = serve(monkeypatch, capsys, ["serve", "--port", "0", "--strict-auth"], check)

    assert status == 0
    assert served is not None
    assert served.account_id == "123456789012"
    assert served.keys_note == ""  # no other key stands for the account
    assert answers == [(200, "ok"), (403, "com.amazon.coral.service#InvalidClientTokenId")]


def test_serve_allowed_host_is_served_besides_loopback_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: dict[str, tuple[int, str]] = {}

    def check(served: Served) -> None:
        for name in ("sqs.dev.test", "other.test", "localhost"):
            status, body = served.call("ListQueues", {}, host=f"{name}:{served.port}")
            answers[name] = (status, body.get("__type", "ok"))

    status, _, _ = serve(monkeypatch, capsys, ["serve", "--port", "0", "--allowed-host", "sqs.dev.test"], check)

    assert status == 0
    assert answers == {
        "sqs.dev.test": (200, "ok"),
        "localhost": (200, "ok"),
        "other.test": (400, "com.amazon.coral.service#InvalidHttpRequest"),
    }


def test_serve_on_a_port_in_use_returns_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        status = cli.main(["serve", "--port", str(port)])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        f"pytest_sqsmock: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(pick another with --port, or --port 0 for any free one)\n"
    )


def test_serve_on_an_address_of_another_machine_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never this machine's, so bind() fails; nothing is sent anywhere.
    status = cli.main(["serve", "--host", "192.0.2.1", "--port", "0"])

    assert status == 2
    assert capsys.readouterr().err == (
        "pytest_sqsmock: cannot listen on 192.0.2.1:0: Cannot assign requested address "
        "(pick another with --port, or --port 0 for any free one)\n"
    )


def test_serve_prints_the_exposure_warning_instead_of_raising_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bound to loopback all the same: the test only pretends the address is public.
    monkeypatch.setattr(server_module, "_is_loopback_address", lambda host: False)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning must not escape as a Python warning
        status, served, stderr = serve(monkeypatch, capsys, ["serve", "--port", "0"], lambda served: None)

    assert status == 0
    assert served is not None
    assert served.stderr == f"pytest_sqsmock: WARNING: {server_module.exposure_warning('127.0.0.1')}\n"
    assert stderr == "pytest_sqsmock: stopped\n"


def test_serve_passes_other_warnings_on_to_python(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = SqsMock.server

    def server_that_warns(self: SqsMock, **kwargs: Any) -> Any:
        warnings.warn("something else", DeprecationWarning, stacklevel=1)
        return original(self, **kwargs)

    monkeypatch.setattr(SqsMock, "server", server_that_warns)

    with pytest.warns(DeprecationWarning, match="^something else$") as caught:
        status, served, _ = serve(monkeypatch, capsys, ["serve", "--port", "0"], lambda served: None)

    assert status == 0
    assert caught[0].filename == __file__  # re-emitted where it was raised
    assert served is not None
    assert served.stderr == ""  # not printed as a security warning


def test_python_dash_m_runs_main_and_exits_with_its_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The file run as __main__, as python -m does (run_module would meet pytest's import hook).
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        monkeypatch.setattr(sys, "argv", ["pytest_sqsmock", "serve", "--port", str(port)])
        with pytest.raises(SystemExit) as info:
            runpy.run_path(cli.__file__, run_name="__main__")

    assert info.value.code == 2
    assert "Address already in use" in capsys.readouterr().err


def test_serve_needs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([])

    assert info.value.code == 2  # argparse's usage error
    assert "the following arguments are required: command" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_serve_refuses_what_is_not_a_port_in_one_line(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--port", port])

    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("python -m pytest_sqsmock serve: error: argument --port:")
    assert "is not a port number" in error


def test_serve_on_a_host_name_that_does_not_resolve_names_the_lookup_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_such_name(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)  # nothing is looked up for real
    status = cli.main(["serve", "--host", "sqs.invalid", "--port", "0"])

    assert status == 2
    assert capsys.readouterr().err == (
        "pytest_sqsmock: cannot listen on sqs.invalid:0: Name or service not known "
        "(pick another with --port, or --port 0 for any free one)\n"
    )
