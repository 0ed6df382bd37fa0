"""The AWS SDK for JavaScript v3 (in node) against the HTTP server.

The SDK checks the MD5 digests of what SendMessage, SendMessageBatch and
ReceiveMessage return, and sends each call to the host in its QueueUrl, so
this proves both our digests and that queue URLs point at the server.

The SDK is pinned in ``js/package-lock.json`` and installed once per session
with ``npm ci`` into ``js/node_modules``; without node and npm the tests skip.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_sqsmock import SqsMock
from pytest_sqsmock.transports import botocore_hook
from pytest_sqsmock.transports.server import SqsServer
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

JS = Path(__file__).parent / "js"
SCRIPT = JS / "sqs_roundtrip.mjs"
MIN_NODE = 18  # @aws-sdk/client-sqs v3 needs node 18+


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (pytest-xdist workers install one at a time)."""
    try:
        import fcntl
    except ImportError:  # Windows: no parallel install guard
        yield
        return
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with the pinned SDK installed beside the script."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the JavaScript SDK check needs node and npm on PATH")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(re.match(r"v(\d+)", version.stdout.strip()).group(1))  # type: ignore[union-attr]
    if major < MIN_NODE:
        pytest.skip(f"the AWS SDK for JavaScript v3 needs node {MIN_NODE}+, found {version.stdout}")
    with _locked(JS / ".install.lock"):
        installed = JS / "node_modules" / ".package-lock.json"
        lock = JS / "package-lock.json"
        if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=JS,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0:
                pytest.fail(f"npm ci in {JS} failed:\n{done.stdout}\n{done.stderr}")
    return node


def run_script(node: str, endpoint_url: str, *credentials: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(SCRIPT), endpoint_url, *credentials],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_round_trip_with_digest_checks(node: str, sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    done = run_script(node, sqs_mock_server.endpoint_url)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)

    assert result["md5Checked"] is True
    assert result["queueUrl"] == f"{sqs_mock_server.endpoint_url}/us-east-1/123456789012/js-jobs"
    assert result["batchOk"] == 2
    assert result["batchFailed"] == 0
    received = result["received"]
    assert [m["body"] for m in received] == [
        "hello from node",
        "grüße, 你好, 🎉",
        '<xml & "quotes">\r\n',
    ]
    assert received[0]["id"] == result["sentId"]
    assert received[0]["attributes"] == {
        "kind": "greeting",
        "count": "3",
        "blob": "000102ff",
    }
    assert {m["receiveCount"] for m in received} == {"1"}
    assert result["left"] == "0"
    assert result["missing"] == {
        "name": "QueueDoesNotExist",
        "code": "AWS.SimpleQueueService.NonExistentQueue",
        "status": 400,
    }

    assert len(sqs_mock.queue("js-jobs")) == 0
    assert sqs_mock.calls.operations == [
        "CreateQueue",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessageBatch",
        "GetQueueAttributes",
        "GetQueueUrl",
    ]


def test_the_sdk_really_checks_digests(node: str, sqs_mock: SqsMock) -> None:
    # The same script against a server that spoils the body digest must fail:
    # so the passing round trip above did check ours.
    dispatch = botocore_hook.current()  # the active mock's answer: sqs_mock's
    assert dispatch is not None

    def spoiled(request: HttpRequest) -> HttpResponse:
        response = dispatch(request)
        body = re.sub(
            rb'("MD5OfMessageBody":\s*")[0-9a-f]{32}',
            rb"\g<1>" + b"0" * 32,
            response.body,
        )
        return HttpResponse(response.status, response.headers, body)

    with SqsServer(spoiled) as server:
        done = run_script(node, server.endpoint_url)
    assert done.returncode != 0
    assert "InvalidChecksumError" in done.stderr


def test_signatures_made_by_the_sdk_verify(node: str, sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    # With a key the simulation issued, the server recomputes every SigV4 signature the SDK makes.
    keys = sqs_mock.credentials("111122223333")
    done = run_script(node, sqs_mock_server.endpoint_url, keys["aws_access_key_id"], keys["aws_secret_access_key"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["queueUrl"] == f"{sqs_mock_server.endpoint_url}/us-east-1/111122223333/js-jobs"
    assert {call.account_id for call in sqs_mock.calls} == {"111122223333"}


def test_a_wrong_secret_is_refused(node: str, sqs_mock: SqsMock, sqs_mock_server: SqsServer) -> None:
    keys = sqs_mock.credentials()
    done = run_script(node, sqs_mock_server.endpoint_url, keys["aws_access_key_id"], "not-the-secret")
    assert done.returncode != 0
    assert "SignatureDoesNotMatch" in done.stderr
    assert "The request signature we calculated does not match the signature you provided." in done.stderr
    assert sqs_mock.calls.operations == []
