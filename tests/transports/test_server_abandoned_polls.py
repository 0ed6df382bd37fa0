"""A long poll whose client hung up neither counts as a parked consumer nor takes messages."""

from __future__ import annotations

import json
import socket

from pytest_sqsmock import SqsMock, SqsMockAssertionError, mock_sqs

from .raw_http import json_headers, signed_bytes


def _start_poll(port: int, url: str) -> socket.socket:
    """A raw connection that sends a 20-second long poll and never reads the answer."""
    body = json.dumps({"QueueUrl": url, "WaitTimeSeconds": 20}).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(signed_bytes(port, body, json_headers("ReceiveMessage")))
    return sock


def _parked(mock: SqsMock) -> bool:
    try:
        mock.wait_until_parked(1, timeout=0.05)
    except SqsMockAssertionError:
        return False
    return True


def test_a_poll_whose_client_hung_up_is_not_handed_messages() -> None:
    with mock_sqs() as mock:
        server = mock.server()
        url = mock.create_queue("jobs").url
        sock = _start_poll(server.port, f"{server.endpoint_url}/123456789012/jobs")
        mock.wait_until_parked(1, timeout=10)
        sock.close()  # the client gives up (its read timeout was shorter than the wait)
        assert not _parked(mock)  # no longer a parked consumer: time would not move for it
        mock.send(url, "hello")
        [message] = mock.queue("jobs").visible  # nobody took it: it waits for a live consumer
        assert (message.body, message.receive_count) == ("hello", 0)


def test_a_poll_whose_client_is_still_there_is_handed_the_message() -> None:
    with mock_sqs() as mock:
        server = mock.server()
        url = mock.create_queue("jobs").url
        sock = _start_poll(server.port, f"{server.endpoint_url}/123456789012/jobs")
        with sock:
            mock.wait_until_parked(1, timeout=10)
            mock.send(url, "hello")
            assert [m.receive_count for m in mock.queue("jobs").in_flight] == [1]
            reply = b""
            while b"hello" not in reply and (chunk := sock.recv(65536)):  # headers and body may come apart
                reply += chunk
            assert b'"Body": "hello"' in reply or b'"Body":"hello"' in reply
