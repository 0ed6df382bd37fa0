"""Route the SQS endpoints of a ``responses`` mock to a simulation.

Code that talks to SQS with ``requests`` (raw query-protocol posts, JSON calls
with ``X-Amz-Target``, GETs on a queue URL) never reaches botocore. Inside an
active ``responses.RequestsMock`` the adapter registers one callback per HTTP
method for URLs on SQS hosts, beside the user's own responses, and removes
exactly those callbacks again when the mock that added them stops.

Requires the ``responses`` package (the ``responses`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import responses

from pytest_sqsmock.model.addresses import SQS_HOST
from pytest_sqsmock.transports.botocore_hook import Answer
from pytest_sqsmock.wire.http import HttpRequest

if TYPE_CHECKING:
    from requests import PreparedRequest

SQS_URL = re.compile(rf"https?://(?:{SQS_HOST.pattern})(?::\d+)?(?:[/?#].*)?\Z", re.IGNORECASE | re.DOTALL)
METHODS = ("POST", "GET")


def route(requests_mock: responses.RequestsMock | None, answer: Answer) -> Callable[[], None]:
    """Answer SQS URLs of ``requests_mock`` with ``answer``; returns the undo.

    Args:
        requests_mock: The ``responses`` mock (``None``: the module-level one
            that ``@responses.activate`` and ``responses.add`` use).
        answer: The simulation's dispatcher.
    """
    target = responses.mock if requests_mock is None else requests_mock
    callback = _callback(answer)
    routes = [target.add(_SqsRoute(target, method, SQS_URL, callback, content_type=None)) for method in METHODS]

    def undo() -> None:
        # By identity: responses' own remove() would also drop the equal
        # routes of another mock routing the same RequestsMock.
        registered = target.registered()
        registered[:] = [entry for entry in registered if all(entry is not r for r in routes)]

    return undo


class _SqsRoute(responses.CallbackResponse):
    """A route to the simulation that never competes with other responses.

    It steps aside for any response of the user's matching the same request
    (so a test can still stub one SQS call) and for routes of newer mocks, so
    exactly one response matches and responses' rules for several matches
    never drop it. It is not an expectation: an unused route does not fail
    ``assert_all_requests_are_fired``.
    """

    def __init__(self, owner: responses.RequestsMock, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner = owner

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        """Match SQS URLs nothing else registered claims."""
        matched, reason = super().matches(request)
        if not matched:
            return matched, reason
        registered = self._owner.registered()
        mine = next((i for i, entry in enumerate(registered) if entry is self), -1)
        for index, other in enumerate(registered):
            defer = not isinstance(other, _SqsRoute) or index > mine
            if other is not self and defer and other.matches(request)[0]:
                return False, "another registered response matches"
        return True, ""

    @property
    def call_count(self) -> int:
        """Never zero: the route is not one of the test's expectations."""
        return max(1, len(self.calls))


def _callback(answer: Answer) -> Callable[[PreparedRequest], tuple[int, dict[str, str], bytes]]:
    def respond(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        response = answer(
            HttpRequest(
                method=(request.method or "GET").upper(),
                url=str(request.url),
                headers={str(name): str(value) for name, value in request.headers.items()},
                body=_body(request.body),
            )
        )
        return response.status, dict(response.headers), response.body

    return respond


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    return b"".join(chunk.encode() if isinstance(chunk, str) else bytes(chunk) for chunk in body)
