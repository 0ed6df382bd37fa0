"""``python -m pytest_sqsmock serve``: a local SQS endpoint for development."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import warnings
from collections.abc import Sequence

from pytest_sqsmock.exceptions import SqsMockSecurityWarning
from pytest_sqsmock.mock import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, SqsMock


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m pytest_sqsmock", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a simulated SQS over HTTP until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=_port, default=9324, help="port, 0 for any free one (default: %(default)s)")
    serve.add_argument("--region", default=DEFAULT_REGION, help="default region (default: %(default)s)")
    serve.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID, help="default account (default: %(default)s)")
    serve.add_argument(
        "--strict-auth",
        action="store_true",
        help="refuse access keys the simulation did not issue (InvalidClientTokenId), as AWS does",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="serve requests whose Host is NAME, besides localhost, 127.0.0.0/8 and [::1] (repeatable)",
    )
    args = parser.parse_args(argv)
    # Real time passes for a development server: the system clock.
    with SqsMock(region=args.region, account_id=args.account_id, clock="system") as mock:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SqsMockSecurityWarning)
            try:
                server = mock.server(
                    host=args.host, port=args.port, strict_auth=args.strict_auth, allowed_hosts=args.allowed_host
                )
            except OSError as error:  # the port is taken, or the address is not this machine's
                print(
                    f"pytest_sqsmock: cannot listen on {args.host}:{args.port}: {_reason(error)} "
                    "(pick another with --port, or --port 0 for any free one)",
                    file=sys.stderr,
                )
                return 2
        for warning in caught:
            if issubclass(warning.category, SqsMockSecurityWarning):
                print(f"pytest_sqsmock: WARNING: {warning.message}", file=sys.stderr, flush=True)
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        print(f"pytest_sqsmock: SQS on {server.endpoint_url} (Ctrl-C to stop)", flush=True)
        keys = mock.credentials()
        print(
            f"pytest_sqsmock: verified credentials for account {mock.account_id}: "
            f"AWS_ACCESS_KEY_ID={keys['aws_access_key_id']} AWS_SECRET_ACCESS_KEY={keys['aws_secret_access_key']}"
            + ("" if args.strict_auth else " (any other key stands for that account, unverified)"),
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("pytest_sqsmock: stopped", file=sys.stderr)
    return 0


def _port(text: str) -> int:
    """A TCP port number (0: any free one); argparse reports anything else in one line."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _reason(error: OSError) -> str:
    # A failed name lookup (socket.gaierror) carries getaddrinfo's own negative code and text.
    if isinstance(error, socket.gaierror) or not error.errno:
        return str(error.strerror or error)
    return os.strerror(error.errno)


if __name__ == "__main__":
    raise SystemExit(main())
